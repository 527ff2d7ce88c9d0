/*
 * debounce.h: which rules are pending and when each falls due.  Pure
 * bookkeeping on monotonic microseconds; the caller owns the clock and the
 * timer.  A matching event restarts its rule's quiet period (trailing
 * edge); a rule falls due once that period passes with no such event.
 */
#ifndef WATCHRUN_DEBOUNCE_H
#define WATCHRUN_DEBOUNCE_H

#define DEBOUNCE_NEVER	UINT64_MAX

struct debounce;

struct debounce	*debounce_new(size_t nrules);
void		 debounce_free(struct debounce *);	/* NULL is a no-op */

/* Makes rule pending, due delay microseconds after now. */
void		 debounce_touch(struct debounce *, size_t rule, uint64_t now,
		    uint64_t delay);

int		 debounce_pending(const struct debounce *, size_t rule);
void		 debounce_cancel(struct debounce *, size_t rule);

/* The earliest deadline of any pending rule, or DEBOUNCE_NEVER. */
uint64_t	 debounce_next(const struct debounce *);

/*
 * Stores in out[] (room for every rule) the rules due at now, in rule
 * order, and makes them no longer pending.  Returns how many.
 */
size_t		 debounce_due(struct debounce *, uint64_t now, size_t *out);

#endif
