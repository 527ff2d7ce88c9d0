/*
 * dispatch.c: matching path events against the rules and collecting them
 * into per-rule batches.  A rule's event mask is checked before its
 * pattern, so a path is only matched against the rules that listen for
 * its event.  ISDIR in a rule restricts it to directory events.
 */
#include <sys/inotify.h>

#include <stdint.h>
#include <stdlib.h>

#include "batch.h"
#include "debounce.h"
#include "dispatch.h"
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
	int		 muted;
};

struct dispatch {
	const struct rule *rules;
	size_t		 nrules;
	struct matcher	*matcher;
	struct rstate	*st;
	struct debounce	*deb;
};

struct dispatch *
dispatch_new(const struct rule *rules, size_t nrules, struct matcher *m)
{
	struct dispatch *d;
	struct rstate *s;
	size_t i;

	d = xcalloc(1, sizeof(*d));
	d->rules = rules;
	d->nrules = nrules;
	d->matcher = m;
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
	d->deb = debounce_new(nrules);
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
	debounce_free(d->deb);
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

static void
collect(struct dispatch *d, size_t i, const struct pevent *pev, uint64_t now)
{
	(void)batch_add(d->st[i].batch, pev->path, pev->len, pev->mask);
	debounce_touch(d->deb, i, now, d->rules[i].debounce_us);
}

void
dispatch_event(struct dispatch *d, const struct pevent *pev, uint64_t now)
{
	const struct rstate *s;
	size_t i;
	int dirread;

	if (pev->len == 0 && (pev->mask & IN_Q_OVERFLOW)) {
		/* Changes were lost: every rule that cares about changes runs. */
		for (i = 0; i < d->nrules; i++)
			if ((d->st[i].events & CHANGE_EVENTS) &&
			    !d->st[i].muted) {
				batch_set_overflow(d->st[i].batch);
				debounce_touch(d->deb, i, now,
				    d->rules[i].debounce_us);
			}
		return;
	}
	dirread = dispatch_dir_read(pev);
	for (i = 0; i < d->nrules; i++) {
		s = &d->st[i];
		/* After an overflow, a changed path is a change to everyone. */
		if ((pev->mask & IN_Q_OVERFLOW) ? !(s->events & CHANGE_EVENTS) :
		    !(pev->mask & s->events))
			continue;
		if (s->dironly ? !(pev->mask & IN_ISDIR) : dirread)
			continue;
		if (s->muted)
			continue;
		if (d->rules[i].re != NULL && !match_exec(d->matcher,
		    d->rules[i].re, pev->path, pev->len))
			continue;
		collect(d, i, pev, now);
	}
}

void
dispatch_mute(struct dispatch *d, size_t rule, int muted)
{
	d->st[rule].muted = muted;
}

struct batch *
dispatch_batch(struct dispatch *d, size_t rule)
{
	return d->st[rule].batch;
}

size_t
dispatch_due(struct dispatch *d, uint64_t now, size_t *out)
{
	return debounce_due(d->deb, now, out);
}

uint64_t
dispatch_next(const struct dispatch *d)
{
	return debounce_next(d->deb);
}

int
dispatch_pending(const struct dispatch *d, size_t rule)
{
	return debounce_pending(d->deb, rule);
}

void
dispatch_cancel(struct dispatch *d, size_t rule)
{
	debounce_cancel(d->deb, rule);
}
