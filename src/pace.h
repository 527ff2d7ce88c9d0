/*
 * pace.h: pacing the reads of inotify during a storm.  Owns the decision
 * alone: after each read, whether the next one waits for a timer or comes
 * as soon as inotify is readable.  Pure: the caller reads, and takes
 * inotify out of the loop or puts it back as told.
 *
 * Each inotify record would otherwise wake watchrun on its own, and at
 * thousands of records a second the wake-ups, not the work, cost the
 * most.  Once reads keep coming many times a pace, the next read waits a
 * pace and brings a pace's worth of records at once, for as long as that
 * is worth a timer: a paced read that brings only a few records goes
 * back to reading at once.
 */
#ifndef WATCHRUN_PACE_H
#define WATCHRUN_PACE_H

/* The longest pace: no quiet period is stretched by more than this. */
#define PACE_MAX_US	1000

struct pace {
	uint64_t	 pace;		/* microseconds; 0 never paces */
	uint64_t	 last_read;
	unsigned	 streak;	/* reads in quick succession */
	int		 paced;		/* the last read was a paced one */
};

/*
 * A pace of a tenth of the shortest debounce period, at most PACE_MAX_US;
 * shortest 0 (or printing, which wants every event at once) never paces.
 */
void		 pace_init(struct pace *, uint64_t shortest_debounce);

/*
 * After a read at now that brought records: returns when the next read is
 * to be made, or 0 for as soon as inotify is readable.
 */
uint64_t	 pace_after_read(struct pace *, uint64_t now, size_t records);

#endif
