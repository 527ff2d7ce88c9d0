/*
 * dispatch.h: the rule-match stage.  Owns, per rule, the batch of paths
 * collected for its next run.  Takes path events, matches each against
 * the rules' events and patterns, collects it into the batch of every
 * rule it matches and tells the scheduler of the change.
 */
#ifndef WATCHRUN_DISPATCH_H
#define WATCHRUN_DISPATCH_H

struct batch;
struct matcher;
struct pevent;
struct rule;
struct sched;

struct dispatch;

/*
 * rules (borrowed, must outlive it) are the nrules rules to match; m is the
 * matcher to match with, sched the scheduler the rules' changes are told
 * to (both borrowed).
 */
struct dispatch	*dispatch_new(const struct rule *rules, size_t nrules,
		    struct matcher *m, struct sched *sched);
void		 dispatch_free(struct dispatch *);	/* NULL is a no-op */

/* The events the rules need watched, with IN_Q_OVERFLOW. */
uint32_t	 dispatch_events(const struct dispatch *);

/*
 * Collects one path event at time now (monotonic microseconds): every
 * rule it matches that the scheduler says collects gets the path in its
 * batch, and the scheduler is told.  The overflow marker (IN_Q_OVERFLOW,
 * empty path) makes every rule that listens for changes pending, its
 * batch marked as overflowed.
 */
void		 dispatch_event(struct dispatch *, const struct pevent *,
		    uint64_t now);

/*
 * Says who made a change with pid (the pevent's, never 0) for rule, as
 * an enum sched_writer: SCHED_WRITER_OWN when it belongs to the rule's
 * command, OTHER when not, UNKNOWN when that cannot be told.
 */
typedef int	 dispatch_writer_fn(void *arg, size_t rule, int pid);

/*
 * Asks fn (with arg) who made each change that carries a pid, for the
 * rules whose collecting depends on it (no-loop rules at work).
 */
void		 dispatch_set_writer(struct dispatch *, dispatch_writer_fn *fn,
		    void *arg);

/* Caps every rule's batch at maxpaths paths (default BATCH_MAX_PATHS). */
void		 dispatch_set_max_paths(struct dispatch *, size_t maxpaths);

/* Rule's batch, owned by the dispatcher; cleared by the caller. */
struct batch	*dispatch_batch(struct dispatch *, size_t rule);

/*
 * Gives rule the batch b (taken over; NULL only for a dispatcher about to
 * be freed) and returns its old one, now the caller's.
 */
struct batch	*dispatch_swap_batch(struct dispatch *, size_t rule,
		    struct batch *b);

/*
 * Whether the event only says that a directory was read.  watchrun's own
 * scans of new directories cause such events, so they reach only those
 * who ask for directory events by name.
 */
int		 dispatch_dir_read(const struct pevent *);

#endif
