/*
 * sched.c: each rule's state machine.
 *
 *	idle --change--> pending --due--> waiting --slot--> running --end--> idle
 *	                    ^                                 |  |
 *	                    +----------- change (queue) ------+  +--> stopping
 *
 * A rule is due when its debounce period has passed since its last
 * change, or the max-wait since the first change of its batch, whichever
 * is sooner.  A due rule whose command still runs waits for it to end
 * (queue), has it stopped first (restart), or has it signalled (signal);
 * under ignore it collects nothing meanwhile.  Due rules take job slots
 * in the order they fell due.
 *
 * Only the rules with something going on sit in the active list, so that
 * a storm that touches a few of ten thousand rules costs a few each time
 * the caller asks what is due or when.
 */
#include <sys/queue.h>
#include <sys/wait.h>

#include <stdint.h>
#include <stdlib.h>

#include "sched.h"
#include "xmalloc.h"

struct srule {
	TAILQ_ENTRY(srule) active;	/* pending, waiting or running */
	TAILQ_ENTRY(srule) queue;	/* waiting for a job slot */
	size_t		 id;
	uint64_t	 debounce;
	uint64_t	 quiet_at;	/* debounce deadline */
	uint64_t	 max_at;	/* max-wait deadline */
	uint64_t	 timeout_at;	/* run timeout */
	uint64_t	 ended_at;	/* no-loop: when its command ended */
	unsigned	 no_loop:1;
	unsigned	 isactive:1;
	unsigned	 pending:1;	/* has changes, or is forced */
	unsigned	 waiting:1;
	unsigned	 running:1;
	unsigned	 stopping:1;
	unsigned	 timed_out:1;
	unsigned	 settling:1;
};

TAILQ_HEAD(srules_active, srule);
TAILQ_HEAD(srules_queue, srule);

struct sched {
	struct sched_opts opts;
	struct srule	*rules;
	size_t		 nrules;
	struct srules_active active;
	struct srules_queue waiting;
	size_t		 nrunning;
	size_t		 nsettling;
	struct sched_action *acts;	/* room for two per rule, and one */
	struct srule	**newly_due;	/* scratch for sched_poll() */
	uint64_t	 wait_until;	/* --wait-timeout deadline */
	int		 started;	/* some run started */
	int		 exit_status;	/* -1 until --once has one */
	int		 exited;	/* SCHED_EXIT given */
};

struct sched *
sched_new(const struct sched_opts *opts, size_t nrules)
{
	struct sched *s;
	size_t i;

	s = xcalloc(1, sizeof(*s));
	s->opts = *opts;
	s->nrules = nrules;
	s->rules = xcalloc(nrules, sizeof(*s->rules));
	for (i = 0; i < nrules; i++)
		s->rules[i].id = i;
	TAILQ_INIT(&s->active);
	TAILQ_INIT(&s->waiting);
	s->acts = xcalloc(2 * nrules + 1, sizeof(*s->acts));
	s->newly_due = xcalloc(nrules + 1, sizeof(*s->newly_due));
	s->wait_until = SCHED_NEVER;
	s->exit_status = -1;
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	free(s->rules);
	free(s->acts);
	free(s->newly_due);
	free(s);
}

void
sched_set_rule(struct sched *s, size_t rule, uint64_t debounce, int no_loop)
{
	s->rules[rule].debounce = debounce;
	s->rules[rule].no_loop = no_loop != 0;
}

static void
activate(struct sched *s, struct srule *r)
{
	if (!r->isactive) {
		TAILQ_INSERT_TAIL(&s->active, r, active);
		r->isactive = 1;
	}
}

int
sched_collects(const struct sched *s, size_t rule)
{
	const struct srule *r = &s->rules[rule];

	if (r->settling)
		return 0;
	if (r->running && (r->no_loop || s->opts.on_busy == BUSY_IGNORE))
		return 0;
	return 1;
}

int
sched_asks_writer(const struct sched *s, size_t rule)
{
	const struct srule *r = &s->rules[rule];

	return r->no_loop && (r->running || r->settling);
}

int
sched_collects_from(const struct sched *s, size_t rule,
    enum sched_writer who)
{
	const struct srule *r = &s->rules[rule];

	if (!r->no_loop || who == SCHED_WRITER_UNKNOWN)
		return sched_collects(s, rule);
	if (who == SCHED_WRITER_OWN)
		return 0;
	return !(r->running && s->opts.on_busy == BUSY_IGNORE);
}

static void
make_pending(struct sched *s, struct srule *r, uint64_t quiet_at,
    uint64_t now)
{
	if (!r->pending) {
		r->pending = 1;
		r->max_at = s->opts.max_wait > 0 ? now + s->opts.max_wait :
		    SCHED_NEVER;
	}
	r->quiet_at = quiet_at;
	activate(s, r);
}

void
sched_change(struct sched *s, size_t rule, uint64_t now)
{
	struct srule *r = &s->rules[rule];

	make_pending(s, r, now + r->debounce, now);
}

void
sched_force(struct sched *s, size_t rule, uint64_t now)
{
	make_pending(s, &s->rules[rule], now, now);
}

void
sched_ready(struct sched *s, uint64_t now)
{
	if (s->opts.once && s->opts.wait_timeout > 0)
		s->wait_until = now + s->opts.wait_timeout;
}

static int
exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int
sched_exited(struct sched *s, size_t rule, int status, uint64_t now)
{
	struct srule *r = &s->rules[rule];
	int timed_out = r->timed_out;

	if (!r->running)
		return 0;
	r->running = 0;
	r->stopping = 0;
	r->timed_out = 0;
	s->nrunning--;
	if (r->no_loop && !r->settling) {
		r->settling = 1;
		r->ended_at = now;
		s->nsettling++;
	}
	if (s->opts.once && s->exit_status == -1)
		s->exit_status = timed_out ? SCHED_TIMED_OUT :
		    exit_code(status);
	return timed_out;
}

void
sched_started(struct sched *s, size_t rule, uint64_t now)
{
	struct srule *r = &s->rules[rule];

	if (r->running && s->opts.run_timeout > 0)
		r->timeout_at = now + s->opts.run_timeout;
}

int
sched_settling(const struct sched *s)
{
	return s->nsettling > 0;
}

void
sched_drained(struct sched *s, uint64_t then)
{
	struct srule *r;

	if (s->nsettling == 0)
		return;
	TAILQ_FOREACH(r, &s->active, active)
		if (r->settling && r->ended_at <= then) {
			r->settling = 0;
			s->nsettling--;
		}
}

static uint64_t
due_at(const struct srule *r)
{
	return r->quiet_at < r->max_at ? r->quiet_at : r->max_at;
}

static void
act(struct sched *s, size_t *n, enum sched_do what, size_t rule, int status)
{
	s->acts[*n].what = what;
	s->acts[*n].rule = rule;
	s->acts[*n].status = status;
	(*n)++;
}

/* What a running rule needs at now; appends to the actions. */
static void
poll_running(struct sched *s, struct srule *r, uint64_t now, size_t *n)
{
	if (!r->stopping && r->timeout_at <= now) {
		r->stopping = 1;
		r->timed_out = 1;
		act(s, n, SCHED_STOP, r->id, 0);
		return;
	}
	if (!r->pending || due_at(r) > now)
		return;
	switch (s->opts.on_busy) {
	case BUSY_RESTART:
		if (!r->stopping) {
			r->stopping = 1;
			act(s, n, SCHED_STOP, r->id, 0);
		}
		break;
	case BUSY_SIGNAL:
		/* Being stopped already: it runs anew after, as on restart. */
		if (r->stopping)
			break;
		r->pending = 0;
		act(s, n, SCHED_SIGNAL, r->id, 0);
		break;
	case BUSY_QUEUE:
	case BUSY_IGNORE:
		break;
	}
}

/* By due time, then by rule: the order the batches fell due in. */
static int
earlier_due(const void *a, const void *b)
{
	const struct srule *x = *(const struct srule *const *)a;
	const struct srule *y = *(const struct srule *const *)b;

	if (due_at(x) != due_at(y))
		return due_at(x) < due_at(y) ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

const struct sched_action *
sched_poll(struct sched *s, uint64_t now, size_t *np)
{
	struct srule *r, *next;
	size_t i, n = 0, ndue = 0;

	*np = 0;
	if (s->exited)
		return s->acts;
	if (s->exit_status == -1 && !s->started && s->wait_until <= now)
		s->exit_status = SCHED_TIMED_OUT;
	if (s->exit_status != -1) {
		s->exited = 1;
		act(s, &n, SCHED_EXIT, 0, s->exit_status);
		*np = n;
		return s->acts;
	}
	TAILQ_FOREACH_SAFE(r, &s->active, active, next) {
		if (r->running)
			poll_running(s, r, now, &n);
		else if (r->pending && !r->waiting && due_at(r) <= now)
			s->newly_due[ndue++] = r;
		if (!r->running && !r->pending && !r->settling) {
			TAILQ_REMOVE(&s->active, r, active);
			r->isactive = 0;
		}
	}
	/* Every rule queued already fell due before these. */
	if (ndue > 1)
		qsort(s->newly_due, ndue, sizeof(*s->newly_due), earlier_due);
	for (i = 0; i < ndue; i++) {
		s->newly_due[i]->waiting = 1;
		TAILQ_INSERT_TAIL(&s->waiting, s->newly_due[i], queue);
	}
	while ((r = TAILQ_FIRST(&s->waiting)) != NULL &&
	    (s->opts.jobs == 0 || s->nrunning < s->opts.jobs)) {
		TAILQ_REMOVE(&s->waiting, r, queue);
		r->waiting = 0;
		r->pending = 0;
		r->running = 1;
		r->timeout_at = s->opts.run_timeout > 0 ?
		    now + s->opts.run_timeout : SCHED_NEVER;
		s->nrunning++;
		s->started = 1;
		act(s, &n, SCHED_START, r->id, 0);
	}
	*np = n;
	return s->acts;
}

uint64_t
sched_next(const struct sched *s)
{
	const struct srule *r;
	uint64_t next = SCHED_NEVER, t;

	if (s->exited)
		return SCHED_NEVER;
	if (s->exit_status != -1)
		return 0;
	if (!s->started)
		next = s->wait_until;
	if (!TAILQ_EMPTY(&s->waiting) &&
	    (s->opts.jobs == 0 || s->nrunning < s->opts.jobs))
		return 0;
	TAILQ_FOREACH(r, &s->active, active) {
		t = SCHED_NEVER;
		if (r->running) {
			if (!r->stopping)
				t = r->timeout_at;
			if (r->pending && !r->stopping &&
			    (s->opts.on_busy == BUSY_RESTART ||
			    s->opts.on_busy == BUSY_SIGNAL) && due_at(r) < t)
				t = due_at(r);
		} else if (r->pending && !r->waiting)
			t = due_at(r);
		if (t < next)
			next = t;
	}
	return next;
}

struct sched *
sched_remap(struct sched *old, const size_t *map, size_t nrules)
{
	struct sched *s;
	struct srule *r, *nr;
	size_t i;

	s = sched_new(&old->opts, nrules);
	s->wait_until = old->wait_until;
	s->started = old->started;
	s->exit_status = old->exit_status;
	s->exited = old->exited;
	for (i = 0; i < old->nrules; i++) {
		if (map[i] == SIZE_MAX)
			continue;
		r = &old->rules[i];
		nr = &s->rules[map[i]];
		nr->debounce = r->debounce;
		nr->quiet_at = r->quiet_at;
		nr->max_at = r->max_at;
		nr->timeout_at = r->timeout_at;
		nr->ended_at = r->ended_at;
		nr->no_loop = r->no_loop;
		nr->pending = r->pending;
		nr->running = r->running;
		nr->stopping = r->stopping;
		nr->timed_out = r->timed_out;
		nr->settling = r->settling;
		s->nrunning += r->running;
		s->nsettling += r->settling;
	}
	/* The lists keep their order: the order things fell due in. */
	TAILQ_FOREACH(r, &old->active, active)
		if (map[r->id] != SIZE_MAX) {
			nr = &s->rules[map[r->id]];
			TAILQ_INSERT_TAIL(&s->active, nr, active);
			nr->isactive = 1;
		}
	TAILQ_FOREACH(r, &old->waiting, queue)
		if (map[r->id] != SIZE_MAX) {
			nr = &s->rules[map[r->id]];
			TAILQ_INSERT_TAIL(&s->waiting, nr, queue);
			nr->waiting = 1;
		}
	sched_free(old);
	return s;
}

int
sched_running(const struct sched *s, size_t rule)
{
	return s->rules[rule].running;
}

size_t
sched_nrunning(const struct sched *s)
{
	return s->nrunning;
}
