/*
 * debounce.c: pending rules and their deadlines.  Touching a rule is
 * O(1), so a storm of events costs no more than a store each; finding
 * the next deadline scans only the pending rules, and only when the
 * caller re-arms its timer, not on every event.
 */
#include <stdint.h>
#include <stdlib.h>

#include "debounce.h"
#include "xmalloc.h"

#define NOT_PENDING	SIZE_MAX

struct debounce {
	uint64_t	*deadline;	/* per rule */
	size_t		*slot;		/* per rule: its place in pending[] */
	size_t		*pending;	/* the pending rules, unordered */
	size_t		 npending;
	size_t		 nrules;
};

struct debounce *
debounce_new(size_t nrules)
{
	struct debounce *d;
	size_t i;

	d = xcalloc(1, sizeof(*d));
	d->nrules = nrules;
	d->deadline = xcalloc(nrules, sizeof(*d->deadline));
	d->slot = xcalloc(nrules, sizeof(*d->slot));
	d->pending = xcalloc(nrules, sizeof(*d->pending));
	for (i = 0; i < nrules; i++)
		d->slot[i] = NOT_PENDING;
	return d;
}

void
debounce_free(struct debounce *d)
{
	if (d == NULL)
		return;
	free(d->deadline);
	free(d->slot);
	free(d->pending);
	free(d);
}

void
debounce_touch(struct debounce *d, size_t rule, uint64_t now, uint64_t delay)
{
	d->deadline[rule] = now + delay;
	if (d->slot[rule] == NOT_PENDING) {
		d->slot[rule] = d->npending;
		d->pending[d->npending++] = rule;
	}
}

int
debounce_pending(const struct debounce *d, size_t rule)
{
	return d->slot[rule] != NOT_PENDING;
}

void
debounce_cancel(struct debounce *d, size_t rule)
{
	size_t at = d->slot[rule], moved;

	if (at == NOT_PENDING)
		return;
	moved = d->pending[--d->npending];
	d->pending[at] = moved;
	d->slot[moved] = at;
	d->slot[rule] = NOT_PENDING;
}

uint64_t
debounce_next(const struct debounce *d)
{
	uint64_t next = DEBOUNCE_NEVER;
	size_t i;

	for (i = 0; i < d->npending; i++)
		if (d->deadline[d->pending[i]] < next)
			next = d->deadline[d->pending[i]];
	return next;
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

size_t
debounce_due(struct debounce *d, uint64_t now, size_t *out)
{
	size_t i = 0, n = 0, rule;

	while (i < d->npending) {
		rule = d->pending[i];
		if (d->deadline[rule] <= now) {
			out[n++] = rule;
			debounce_cancel(d, rule);	/* refills slot i */
		} else
			i++;
	}
	if (n > 1)
		qsort(out, n, sizeof(*out), cmp_size);
	return n;
}
