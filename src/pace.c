/*
 * pace.c: when to read inotify next.  See pace.h for why.
 *
 * The thresholds were measured (bench/notes.md): pacing every fast read
 * made a steady 4,000 events/s cost more than reading each at once (9.5
 * to 10 µs an event against 5.5 to 7.5), since a timer then fires for a
 * handful of records; entering only after a streak, and leaving once a
 * paced read brings few records, keeps the saving in storms (42,000
 * reads cut to about 800 on tmpfs) without that cost.
 */
#include <stddef.h>
#include <stdint.h>

#include "pace.h"

/* Reads in a row, each less than pace / PACE_SPLIT after the last. */
#define PACE_STREAK	4
#define PACE_SPLIT	8
/* A paced read that brings fewer records ends the pacing. */
#define PACE_MIN_RECORDS 8

void
pace_init(struct pace *p, uint64_t shortest_debounce)
{
	p->pace = shortest_debounce / 10;
	if (p->pace > PACE_MAX_US)
		p->pace = PACE_MAX_US;
	p->last_read = 0;
	p->streak = 0;
	p->paced = 0;
}

uint64_t
pace_after_read(struct pace *p, uint64_t now, size_t records)
{
	int quick;

	if (p->pace == 0)
		return 0;
	quick = now - p->last_read < p->pace / PACE_SPLIT;
	p->last_read = now;
	if (p->paced) {
		if (records >= PACE_MIN_RECORDS)
			return now + p->pace;
		p->paced = 0;
		p->streak = 0;
		return 0;
	}
	p->streak = quick ? p->streak + 1 : 0;
	if (p->streak < PACE_STREAK)
		return 0;
	p->streak = 0;
	p->paced = 1;
	return now + p->pace;
}
