/*
 * report.h: how the end of a run is told.  Owns the words of a run
 * report, its colour on a terminal (and when colour is wanted at all),
 * whether it is a failure worth the bell, and the status line that
 * systemd shows.  Makes no system calls: the caller says whether
 * standard error is a terminal, what the environment holds and the time.
 */
#ifndef WATCHRUN_REPORT_H
#define WATCHRUN_REPORT_H

#include <stdint.h>
#include <time.h>

/* --color: when run reports are coloured. */
enum report_color {
	REPORT_COLOR_AUTO,	/* on a terminal, unless NO_COLOR or TERM=dumb */
	REPORT_COLOR_ALWAYS,	/* even in a file, even with NO_COLOR */
	REPORT_COLOR_NEVER,
};

/* Parses "auto", "always" or "never" into *mode; returns 0, or -1. */
int	 report_color_parse(const char *s, enum report_color *mode);

/*
 * Whether reports are coloured: tty says whether standard error is a
 * terminal, no_color and term are $NO_COLOR and $TERM (NULL when unset).
 * With auto, a NO_COLOR that is set and not empty, or TERM=dumb, turns
 * colour off, as no-color.org asks; always overrides both.
 */
int	 report_color_wanted(enum report_color mode, int tty,
	    const char *no_color, const char *term);

/* What a run's end means to the person who reads the report. */
enum report_outcome {
	REPORT_OK,		/* exited 0 */
	REPORT_FAILED,		/* exited non-zero, killed, or timed out */
	REPORT_STOPPED,		/* ended badly after watchrun stopped it */
};

/* One run that ended.  The strings are borrowed. */
struct report_run {
	const char	*origin;	/* "FILE:LINE" or "command-line:1" */
	const char	*command;	/* as a person reads it, escaped */
	const char	*first;		/* the batch's first path, escaped;
					   NULL for an empty batch */
	size_t		 count;		/* paths in the batch */
	int		 status;	/* as wait(2) gives it */
	int		 timed_out;	/* stopped by --run-timeout */
	int		 stopped;	/* stopped by watchrun: a restart,
					   or watchrun's exit */
	uint64_t	 ran;		/* microseconds */
};

enum report_outcome report_outcome(const struct report_run *);

/*
 * The report of run, without the program name:
 * "ORIGIN: COMMAND (FIRST and N more): exited S after T.mmms", the words
 * from "exited" (or "killed", or "timed out") to the status coloured by
 * outcome when color is set: green, red, or yellow for stopped.  Returns
 * a string the caller frees, or NULL for a status that is neither an
 * exit nor a signal.
 */
char	*report_line(const struct report_run *run, int color);

/*
 * The last run as systemd's status line ends it:
 * "last run: COMMAND exited S after T.mmms at HH:MM:SS", at being the
 * local time it ended; COMMAND is cut to REPORT_STATUS_COMMAND bytes,
 * and "..." marks the cut.  The caller frees it; NULL as report_line().
 */
#define REPORT_STATUS_COMMAND	60	/* what a status line has room for */
char	*report_last(const struct report_run *run, const struct tm *at);

/*
 * systemd's status line: "watching WHAT in M roots", WHAT as
 * watch_summary() says it ("3 directories with inotify"), then "; " and
 * last (borrowed) unless it is NULL.  The caller frees it.
 */
char	*report_status(const char *what, size_t roots, const char *last);

#endif
