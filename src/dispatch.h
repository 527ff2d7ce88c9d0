/*
 * dispatch.h: the rule-match and debounce stages.  Owns, per rule, the
 * batch of paths collected for its next run, and the debounce state of
 * every rule.  Takes path events, matches each against the rules' events
 * and patterns, and says which rules are due to run.
 */
#ifndef WATCHRUN_DISPATCH_H
#define WATCHRUN_DISPATCH_H

struct batch;
struct matcher;
struct pevent;
struct rule;

struct dispatch;

/*
 * rules (borrowed, must outlive it) are the nrules rules to match; m is the
 * matcher to match with (borrowed).
 */
struct dispatch	*dispatch_new(const struct rule *rules, size_t nrules,
		    struct matcher *m);
void		 dispatch_free(struct dispatch *);	/* NULL is a no-op */

/* The events the rules need watched, with IN_Q_OVERFLOW. */
uint32_t	 dispatch_events(const struct dispatch *);

/*
 * Collects one path event at time now (monotonic microseconds): every
 * rule it matches gets the path in its batch and restarts its quiet
 * period.  The overflow marker (IN_Q_OVERFLOW, empty path) makes every
 * rule that listens for changes pending, its batch marked as overflowed.
 */
void		 dispatch_event(struct dispatch *, const struct pevent *,
		    uint64_t now);

/* Caps every rule's batch at maxpaths paths (default BATCH_MAX_PATHS). */
void		 dispatch_set_max_paths(struct dispatch *, size_t maxpaths);

/* A muted rule collects nothing (--on-busy ignore while it runs). */
void		 dispatch_mute(struct dispatch *, size_t rule, int muted);

/* Rule's batch, owned by the dispatcher; cleared by the caller. */
struct batch	*dispatch_batch(struct dispatch *, size_t rule);

/* Debounce: see debounce.h; these act on the dispatcher's state. */
size_t		 dispatch_due(struct dispatch *, uint64_t now, size_t *out);
uint64_t	 dispatch_next(const struct dispatch *);
int		 dispatch_pending(const struct dispatch *, size_t rule);
void		 dispatch_cancel(struct dispatch *, size_t rule);

/*
 * Whether the event only says that a directory was read.  watchrun's own
 * scans of new directories cause such events, so they reach only those
 * who ask for directory events by name.
 */
int		 dispatch_dir_read(const struct pevent *);

#endif
