/*
 * sched.h: the life of each rule.  Owns every rule's state (idle;
 * pending, with its debounce and max-wait deadlines; waiting for a job
 * slot; running; stopping; settling after a run under no-loop) and the
 * policies that move it along: --on-busy, --once, --max-wait,
 * --run-timeout, --wait-timeout, --jobs and no-loop.  Pure: it is told
 * the time and what happened, and says what is to be done; it never
 * forks, signals, reads or arms anything.
 */
#ifndef WATCHRUN_SCHED_H
#define WATCHRUN_SCHED_H

#define SCHED_NEVER	UINT64_MAX

/* What a change does to a rule whose command is running. */
enum sched_busy {
	BUSY_QUEUE,		/* run once more when the command ends */
	BUSY_RESTART,		/* stop the command, then run anew */
	BUSY_IGNORE,		/* drop changes while the command runs */
	BUSY_SIGNAL,		/* send the command a signal, drop the batch */
};

struct sched_opts {
	enum sched_busy	 on_busy;
	uint64_t	 max_wait;	/* from a batch's first change; 0: none */
	uint64_t	 run_timeout;	/* 0: none */
	uint64_t	 wait_timeout;	/* --once: from sched_ready(); 0: none */
	size_t		 jobs;		/* runs at once at most; 0: no limit */
	int		 once;
};

enum sched_do {
	SCHED_START,		/* run the rule with its batch, then clear it */
	SCHED_STOP,		/* stop the rule's command (restart, timeout) */
	SCHED_SIGNAL,		/* signal the rule's command, clear its batch */
	SCHED_EXIT,		/* --once: stop every command, exit with status */
};

struct sched_action {
	enum sched_do	 what;
	size_t		 rule;		/* all but SCHED_EXIT */
	int		 status;	/* SCHED_EXIT */
};

/* Exit status for --once when a run timed out or none started in time. */
#define SCHED_TIMED_OUT	124

struct sched;

struct sched	*sched_new(const struct sched_opts *, size_t nrules);
void		 sched_free(struct sched *);	/* NULL is a no-op */

/*
 * Sets rule's debounce period, and whether it is no-loop: changes its
 * command made are not collected; when who made a change is not known,
 * none read while its command runs, or made before it ended, are.  Rules
 * start with no debounce and no no-loop.
 */
void		 sched_set_rule(struct sched *, size_t rule, uint64_t debounce,
		    int no_loop);

/* Whether a change now is to be collected for rule at all. */
int		 sched_collects(const struct sched *, size_t rule);

/* Who made a change, as far as the caller could tell. */
enum sched_writer {
	SCHED_WRITER_UNKNOWN,	/* no pid known, or its process is gone */
	SCHED_WRITER_OWN,	/* the rule's own command, or what it started */
	SCHED_WRITER_OTHER,	/* any other process */
};

/*
 * Whether who made a change matters to rule now: it is no-loop, and its
 * command runs or what it changed is still being read.
 */
int		 sched_asks_writer(const struct sched *, size_t rule);

/*
 * Whether a change made by who is to be collected for rule now.  A
 * no-loop rule never collects its own command's changes, and collects
 * those of another process even while its command runs (it then runs
 * again, as --on-busy says); of an unknown writer, as sched_collects().
 */
int		 sched_collects_from(const struct sched *, size_t rule,
		    enum sched_writer who);

/*
 * A change was collected for rule at now: it is pending, due once its
 * debounce period passes with no further change, or max_wait after the
 * first change of its batch, whichever comes first.
 */
void		 sched_change(struct sched *, size_t rule, uint64_t now);

/* Rule is to run once as soon as it can, even with an empty batch. */
void		 sched_force(struct sched *, size_t rule, uint64_t now);

/* Watching began at now: --wait-timeout counts from here. */
void		 sched_ready(struct sched *, uint64_t now);

/*
 * Rule's command ended at now with wait(2) status (W_EXITCODE(127, 0)
 * when it could not start).  Returns 1 when it was stopped for running
 * longer than the run timeout, else 0.
 */
int		 sched_exited(struct sched *, size_t rule, int status,
		    uint64_t now);

/*
 * Rule's command, given SCHED_START, started at now: its run timeout
 * counts from then, as its run's duration does.
 */
void		 sched_started(struct sched *, size_t rule, uint64_t now);

/*
 * Whether some no-loop rule waits for sched_drained(): the caller is to
 * read every change queued so far, then call it.
 */
int		 sched_settling(const struct sched *);

/*
 * Every change made before then has been read: no-loop rules whose
 * command ended before then collect changes again.
 */
void		 sched_drained(struct sched *, uint64_t then);

/*
 * What is to be done at now.  Returns the actions, in an array owned by
 * sched and valid until the next call, and stores their number in *np.
 * A rule given SCHED_START counts as running from then on; starts come
 * in the order the batches fell due.  After SCHED_EXIT nothing more is
 * returned.
 */
const struct sched_action *sched_poll(struct sched *, uint64_t now,
		    size_t *np);

/* When sched_poll() has something to do next, or SCHED_NEVER. */
uint64_t	 sched_next(const struct sched *);

/*
 * For a new set of nrules rules, of which rule i of old is rule map[i]
 * (SIZE_MAX: gone): returns a scheduler in which the rules that stay keep
 * their state, and frees old.  The new rules start idle, with no debounce
 * until sched_set_rule(); the commands of rules gone are the caller's to
 * stop.
 */
struct sched	*sched_remap(struct sched *old, const size_t *map,
		    size_t nrules);

int		 sched_running(const struct sched *, size_t rule);
size_t		 sched_nrunning(const struct sched *);

#endif
