/*
 * print.h: --print and --json.  Owns what is printed: which events pass
 * (the names and the pattern of -e and -r), their lines on standard
 * output, and the count of what was printed.
 */
#ifndef WATCHRUN_PRINT_H
#define WATCHRUN_PRINT_H

struct match_re;
struct matcher;
struct pevent;
struct printer;

/*
 * mask: the events to print, ISDIR restricting them to directories
 * (0 for every event); dir_reads: print reads of directories too; re
 * (borrowed, NULL for every path) and m (borrowed): the paths to print;
 * json: JSON lines instead of text.
 */
struct printer	*print_new(uint32_t mask, int dir_reads, struct match_re *re,
		    struct matcher *m, int json);
void		 print_free(struct printer *);	/* NULL is a no-op */

/* The events the printer wants watched. */
uint32_t	 print_events(const struct printer *);

/* Prints pev if it passes. */
void		 print_event(struct printer *, const struct pevent *pev);

/*
 * Flushes what was printed; returns 0, or -1 with errno set when standard
 * output can take no more (EPIPE: nobody reads it any longer).
 */
int		 print_flush(struct printer *);

/* How many events were printed so far. */
size_t		 print_count(const struct printer *);

#endif
