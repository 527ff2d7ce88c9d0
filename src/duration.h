/*
 * duration.h: durations such as "0", "50ms", "2s" or "1.5s", held as
 * microseconds.
 */
#ifndef WATCHRUN_DURATION_H
#define WATCHRUN_DURATION_H

/* The longest duration accepted: one day. */
#define DURATION_MAX_US	(86400ULL * 1000000ULL)

/*
 * Parses the len bytes at s: a decimal number with an optional fraction and
 * a unit (us, ms, s, m or h), which only "0" may leave out.  Returns 0 and
 * sets *usp, or -1 and points *errstr at a static message.
 */
int	 duration_parse(const char *s, size_t len, uint64_t *usp,
	    const char **errstr);

/* Formats us as the shortest exact text ("100ms", "1.5s") in buf. */
void	 duration_format(uint64_t us, char *buf, size_t size);

#endif
