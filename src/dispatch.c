/*
 * dispatch.c: matching path events against the rules and collecting them
 * into per-rule batches.  A rule's event mask is checked before its
 * pattern, so a path is only matched against the rules that listen for
 * its event.  ISDIR in a rule restricts it to directory events.
 *
 * With many rules, most patterns carry a literal suffix (\.c$) or prefix
 * (^src/) that any match must have.  Such rules are indexed by that
 * literal, one hash table per literal length, so that a path costs a few
 * lookups of its own ends, whatever the number of rules.  Patterns with
 * a literal only somewhere inside ((^|/)build/) go into one Aho-Corasick
 * automaton, so that one pass over the path finds them all.  Only the
 * rules found so (and those without any literal) are matched in full.
 */
#include <sys/inotify.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "sched.h"
#include "dispatch.h"
#include "hash.h"
#include "litset.h"
#include "match.h"
#include "rules.h"
#include "watch.h"
#include "xmalloc.h"

/* Reading a directory: what watchrun's own scans cause. */
#define DIR_READS	(IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE)

/* Events that mean something changed, as opposed to was looked at. */
#define CHANGE_EVENTS	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE | \
			    IN_CREATE | IN_DELETE | IN_DELETE_SELF | \
			    IN_MOVE_SELF | IN_Q_OVERFLOW)

struct rstate {
	struct batch	*batch;
	uint32_t	 events;	/* the events it takes, ISDIR aside */
	int		 dironly;	/* ISDIR given: directories only */
};

/* Fewer rules than this are simply tried one by one. */
#define INDEX_MIN_RULES	8

/* The rules whose suffix (or prefix) literal has one given length. */
struct litindex {
	size_t		 len;
	int		 suffix;	/* else a prefix */
	uint32_t	*slots;		/* rule number + 1; 0 is empty */
	size_t		 nslots;	/* a power of two */
};

struct dispatch {
	const struct rule *rules;
	size_t		 nrules;
	struct matcher	*matcher;
	struct rstate	*st;
	struct sched	*sched;
	struct litindex	*idx;
	size_t		 nidx;
	struct litset	*inner;		/* rules by a literal inside */
	uint32_t	*general;	/* rules outside every index */
	size_t		 ngeneral;
	uint32_t	*cand;		/* scratch: this event's candidates */
	uint64_t	*seen;		/* per rule: event number last added */
	uint64_t	 serial;
	size_t		 ncand;		/* candidates, while the litset adds */
	dispatch_writer_fn *writer;
	void		*writer_arg;
};

/* The literal rule i is indexed by, or NULL. */
static const char *
rule_literal(const struct dispatch *d, size_t i, size_t *lenp, int *suffixp)
{
	const struct match_lit *l;

	if (d->rules[i].re == NULL)
		return NULL;
	l = match_literal(d->rules[i].re);
	if (l->suffixlen > 0) {
		*lenp = l->suffixlen;
		*suffixp = 1;
		return l->suffix;
	}
	if (l->prefixlen > 0) {
		*lenp = l->prefixlen;
		*suffixp = 0;
		return l->prefix;
	}
	return NULL;
}

static struct litindex *
index_for(struct dispatch *d, size_t len, int suffix)
{
	size_t i;

	for (i = 0; i < d->nidx; i++)
		if (d->idx[i].len == len && d->idx[i].suffix == suffix)
			return &d->idx[i];
	d->idx = xreallocarray(d->idx, d->nidx + 1, sizeof(*d->idx));
	d->idx[d->nidx].len = len;
	d->idx[d->nidx].suffix = suffix;
	d->idx[d->nidx].slots = NULL;
	d->idx[d->nidx].nslots = 0;
	return &d->idx[d->nidx++];
}

static void
build_index(struct dispatch *d)
{
	const struct match_lit *ml;
	struct litindex *x;
	const char *lit;
	size_t i, j, len, count, ninner = 0;
	int suffix;

	d->inner = litset_new();
	for (i = 0; i < d->nrules; i++) {
		if ((lit = rule_literal(d, i, &len, &suffix)) != NULL)
			(void)index_for(d, len, suffix);
		else if (d->rules[i].re != NULL &&
		    (ml = match_literal(d->rules[i].re))->anywherelen > 0) {
			litset_add(d->inner, ml->anywhere, ml->anywherelen,
			    (uint32_t)i);
			/* Set aside, should the automaton be too large. */
			d->cand[ninner++] = (uint32_t)i;
		} else
			d->general[d->ngeneral++] = (uint32_t)i;
	}
	if (ninner == 0 || litset_build(d->inner) == -1) {
		/* Too many to index that way: match them one by one. */
		memcpy(d->general + d->ngeneral, d->cand,
		    ninner * sizeof(*d->cand));
		d->ngeneral += ninner;
		litset_free(d->inner);
		d->inner = NULL;
	}
	for (j = 0; j < d->nidx; j++) {
		x = &d->idx[j];
		for (i = 0, count = 0; i < d->nrules; i++)
			if (rule_literal(d, i, &len, &suffix) != NULL &&
			    len == x->len && suffix == x->suffix)
				count++;
		for (x->nslots = 8; x->nslots < count * 2; x->nslots *= 2)
			;
		x->slots = xcalloc(x->nslots, sizeof(*x->slots));
		for (i = 0; i < d->nrules; i++) {
			size_t at;

			lit = rule_literal(d, i, &len, &suffix);
			if (lit == NULL || len != x->len || suffix != x->suffix)
				continue;
			for (at = hash_bytes(lit, len) & (x->nslots - 1);
			    x->slots[at] != 0; at = (at + 1) & (x->nslots - 1))
				;
			x->slots[at] = (uint32_t)i + 1;
		}
	}
}

/* Adds the rules indexed under the len bytes at key to the candidates. */
static size_t
lookup(struct dispatch *d, const struct litindex *x, const char *key,
    size_t ncand)
{
	const char *lit;
	size_t at, len, mask = x->nslots - 1;
	uint32_t r;
	int suffix;

	for (at = hash_bytes(key, x->len) & mask; (r = x->slots[at]) != 0;
	    at = (at + 1) & mask) {
		lit = rule_literal(d, r - 1, &len, &suffix);
		if (memcmp(lit, key, x->len) != 0 || d->seen[r - 1] == d->serial)
			continue;
		d->seen[r - 1] = d->serial;
		d->cand[ncand++] = r - 1;
	}
	return ncand;
}

struct dispatch *
dispatch_new(const struct rule *rules, size_t nrules, struct matcher *m,
    struct sched *sched)
{
	struct dispatch *d;
	struct rstate *s;
	size_t i;

	d = xcalloc(1, sizeof(*d));
	d->rules = rules;
	d->nrules = nrules;
	d->matcher = m;
	d->sched = sched;
	d->st = xcalloc(nrules, sizeof(*d->st));
	for (i = 0; i < nrules; i++) {
		s = &d->st[i];
		s->batch = batch_new(BATCH_MAX_PATHS, BATCH_MAX_BYTES);
		s->events = rules[i].mask & ~(uint32_t)IN_ISDIR;
		s->dironly = (rules[i].mask & IN_ISDIR) != 0;
		if (s->events == 0)
			s->events = IN_ALL_EVENTS | IN_IGNORED | IN_UNMOUNT |
			    IN_Q_OVERFLOW;
	}
	d->cand = xcalloc(nrules, sizeof(*d->cand));
	d->general = xcalloc(nrules, sizeof(*d->general));
	d->seen = xcalloc(nrules, sizeof(*d->seen));
	if (nrules >= INDEX_MIN_RULES)
		build_index(d);
	else
		for (i = 0; i < nrules; i++)
			d->general[d->ngeneral++] = (uint32_t)i;
	return d;
}

void
dispatch_free(struct dispatch *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nrules; i++)
		batch_free(d->st[i].batch);
	free(d->st);
	for (i = 0; i < d->nidx; i++)
		free(d->idx[i].slots);
	free(d->idx);
	litset_free(d->inner);
	free(d->general);
	free(d->cand);
	free(d->seen);
	free(d);
}

uint32_t
dispatch_events(const struct dispatch *d)
{
	uint32_t mask = IN_Q_OVERFLOW;
	size_t i;

	for (i = 0; i < d->nrules; i++)
		mask |= d->st[i].events;
	return mask;
}

int
dispatch_dir_read(const struct pevent *pev)
{
	return (pev->mask & IN_ISDIR) &&
	    (pev->mask & ~(uint32_t)(IN_ISDIR | DIR_READS)) == 0;
}

void
dispatch_set_writer(struct dispatch *d, dispatch_writer_fn *fn, void *arg)
{
	d->writer = fn;
	d->writer_arg = arg;
}

/* Whether rule i collects the change pev now, given who made it. */
static int
collects(struct dispatch *d, size_t i, const struct pevent *pev)
{
	enum sched_writer who = SCHED_WRITER_UNKNOWN;

	if (pev->pid != 0 && d->writer != NULL &&
	    sched_asks_writer(d->sched, i))
		who = (enum sched_writer)d->writer(d->writer_arg, i,
		    pev->pid);
	return sched_collects_from(d->sched, i, who);
}

static void
collect(struct dispatch *d, size_t i, const struct pevent *pev, uint64_t now)
{
	(void)batch_add(d->st[i].batch, pev->path, pev->len, pev->mask);
	sched_change(d->sched, i, now);
}

/* Adds rule id to the candidates, once per event. */
static void
inner_found(void *arg, uint32_t id)
{
	struct dispatch *d = arg;

	if (d->seen[id] == d->serial)
		return;
	d->seen[id] = d->serial;
	d->cand[d->ncand++] = id;
}

/*
 * Fills d->cand with the rules that may match the len bytes at path: those
 * without a literal, and those whose literal the path has.  Returns how
 * many.
 */
static size_t
candidates(struct dispatch *d, const char *path, size_t len)
{
	const struct litindex *x;
	size_t j, n;

	memcpy(d->cand, d->general, d->ngeneral * sizeof(*d->cand));
	n = d->ngeneral;
	if (d->nidx == 0 && d->inner == NULL)
		return n;
	d->serial++;
	for (j = 0; j < d->nidx; j++) {
		x = &d->idx[j];
		if (len < x->len)
			continue;
		if (!x->suffix)
			n = lookup(d, x, path, n);
		else {
			n = lookup(d, x, path + len - x->len, n);
			/* $ also matches before a final newline. */
			if (len > x->len && path[len - 1] == '\n')
				n = lookup(d, x, path + len - 1 - x->len, n);
		}
	}
	if (d->inner != NULL) {
		d->ncand = n;
		litset_scan(d->inner, path, len, inner_found, d);
		n = d->ncand;
	}
	return n;
}

void
dispatch_event(struct dispatch *d, const struct pevent *pev, uint64_t now)
{
	const struct rstate *s;
	size_t i, k, ncand;
	int dirread;

	if (pev->len == 0 && (pev->mask & IN_Q_OVERFLOW)) {
		/* Changes were lost: every rule that cares about changes runs. */
		for (i = 0; i < d->nrules; i++)
			if ((d->st[i].events & CHANGE_EVENTS) &&
			    sched_collects(d->sched, i)) {
				batch_set_overflow(d->st[i].batch);
				sched_change(d->sched, i, now);
			}
		return;
	}
	dirread = dispatch_dir_read(pev);
	ncand = candidates(d, pev->path, pev->len);
	for (k = 0; k < ncand; k++) {
		i = d->cand[k];
		s = &d->st[i];
		/* After an overflow, a changed path is a change to everyone. */
		if ((pev->mask & IN_Q_OVERFLOW) ? !(s->events & CHANGE_EVENTS) :
		    !(pev->mask & s->events))
			continue;
		if (s->dironly ? !(pev->mask & IN_ISDIR) : dirread)
			continue;
		if (!sched_collects(d->sched, i) &&
		    !sched_asks_writer(d->sched, i))
			continue;
		if (d->rules[i].re != NULL && !match_exec(d->matcher,
		    d->rules[i].re, pev->path, pev->len))
			continue;
		/* Who made it, last: that may cost a system call. */
		if (!collects(d, i, pev))
			continue;
		collect(d, i, pev, now);
	}
}

void
dispatch_set_max_paths(struct dispatch *d, size_t maxpaths)
{
	size_t i;

	for (i = 0; i < d->nrules; i++)
		batch_set_limits(d->st[i].batch, maxpaths, BATCH_MAX_BYTES);
}

struct batch *
dispatch_batch(struct dispatch *d, size_t rule)
{
	return d->st[rule].batch;
}

struct batch *
dispatch_swap_batch(struct dispatch *d, size_t rule, struct batch *b)
{
	struct batch *old = d->st[rule].batch;

	d->st[rule].batch = b;
	return old;
}
