/*
 * runner.h: running commands.  Owns the child processes: one job at most
 * per rule, each in its own process group, with the documented
 * environment and nothing else of watchrun's.  Stops groups with the
 * stop signal and, after the stop timeout, SIGKILL; reaps every child,
 * adopted orphans included (watchrun is a child subreaper), and tells of
 * each run's end with its status and duration.
 */
#ifndef WATCHRUN_RUNNER_H
#define WATCHRUN_RUNNER_H

struct batch;
struct loop;
struct rule;
struct runner;

/*
 * Told of each job that ended, with its wait(2) status and how long it
 * ran (microseconds).  Called from runner_reap() and runner_shutdown().
 */
typedef void	 runner_done_cb(void *arg, size_t rule, int status,
		    uint64_t ran);

struct runner_opts {
	uint64_t	 stop_us;	/* stop signal to SIGKILL */
	int		 stop_signal;	/* SIGTERM unless --stop-signal */
	runner_done_cb	*done;
	void		*done_arg;
};

/*
 * rules (borrowed, must outlive the runner) are the nrules rules jobs are
 * started for; loop (borrowed) keeps the SIGKILL deadlines.  Becomes a
 * child subreaper and starts the guardian.
 */
struct runner	*runner_new(struct loop *loop, const struct rule *rules,
		    size_t nrules, const struct runner_opts *);
void		 runner_free(struct runner *);	/* NULL is a no-op */

/*
 * Starts rule's command for the paths in batch (borrowed; may be NULL for
 * none).  Returns 0, or -1 after reporting why it could not start.
 */
int		 runner_start(struct runner *, size_t rule,
		    const struct batch *batch);

int		 runner_busy(const struct runner *, size_t rule);
size_t		 runner_live(const struct runner *);

/*
 * Whether process pid belongs to rule's command: it is in the process
 * group of the rule's job, or of its last job while that group lives on.
 * Returns 1 when it does, 0 when not, -1 when pid is gone (ESRCH) or
 * cannot be asked about.
 */
int		 runner_owns(const struct runner *, size_t rule, int pid);

/* Stops rule's job: the stop signal to its group now, SIGKILL later. */
void		 runner_stop(struct runner *, size_t rule);

/*
 * The rules are now rules (borrowed, nrules of them), rule i of the old
 * ones being rule map[i] (SIZE_MAX: gone): jobs follow their rules; the
 * jobs of rules gone are stopped.
 */
void		 runner_remap(struct runner *, const struct rule *rules,
		    size_t nrules, const size_t *map);

/* Sends sig to rule's job's group, if it runs. */
void		 runner_signal(struct runner *, size_t rule, int sig);

/* Reaps every child that exited; call on SIGCHLD. */
void		 runner_reap(struct runner *);

/*
 * Stops every job, every group a job left behind and every adopted
 * descendant, and waits for them all: the stop signal, then SIGKILL at
 * the stop timeout, or at once on a SIGINT meanwhile.  Jobs that end
 * meanwhile are passed to the done callback too.
 */
void		 runner_shutdown(struct runner *);

#endif
