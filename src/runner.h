/*
 * runner.h: running commands.  Owns the child processes: one job at most
 * per rule, each in its own process group, with the documented
 * environment and nothing else of watchrun's.  Stops groups with SIGTERM
 * and, after the stop timeout, SIGKILL; reaps every child, adopted
 * orphans included (watchrun is a child subreaper); reports each run's
 * status and duration.
 */
#ifndef WATCHRUN_RUNNER_H
#define WATCHRUN_RUNNER_H

struct batch;
struct rule;
struct runner;

/* Told of each job that ended, with its wait(2) status. */
typedef void	 runner_done_cb(void *arg, size_t rule, int status);

struct runner_opts {
	uint64_t	 stop_us;	/* SIGTERM to SIGKILL */
	int		 quiet;		/* no report lines */
	runner_done_cb	*done;
	void		*done_arg;
};

/*
 * rules (borrowed, must outlive the runner) are the nrules rules jobs are
 * started for.  Becomes a child subreaper and starts the guardian.
 */
struct runner	*runner_new(const struct rule *rules, size_t nrules,
		    const struct runner_opts *);
void		 runner_free(struct runner *);	/* NULL is a no-op */

/*
 * Starts rule's command for the paths in batch (borrowed; may be NULL for
 * none).  Returns 0, or -1 after reporting why it could not start.
 */
int		 runner_start(struct runner *, size_t rule,
		    const struct batch *batch);

int		 runner_busy(const struct runner *, size_t rule);
size_t		 runner_live(const struct runner *);

/* Stops rule's job: SIGTERM to its group now, SIGKILL at the timeout. */
void		 runner_stop(struct runner *, size_t rule);

/* Reaps every child that exited; call on SIGCHLD. */
void		 runner_reap(struct runner *);

/* The timer that fires SIGKILL deadlines, and its handler. */
int		 runner_timer_fd(const struct runner *);
void		 runner_timer(struct runner *);

/*
 * Stops every job, every group a job left behind and every adopted
 * descendant, and waits for them all: SIGTERM, then SIGKILL at the stop
 * timeout.  Jobs that end meanwhile are reported but not passed to the
 * done callback.
 */
void		 runner_shutdown(struct runner *);

#endif
