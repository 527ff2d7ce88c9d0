/*
 * log.h: everything watchrun prints.  Status lines on stderr, decoded
 * events for --print and --json on stdout, and the escaping that keeps a
 * file name from driving the terminal or breaking a JSON line.
 */
#ifndef WATCHRUN_LOG_H
#define WATCHRUN_LOG_H

#include <stdio.h>

/* Prints "watchrun: " and the message as one line on stderr. */
void	 log_info(const char *fmt, ...)
	    __attribute__((__format__(__printf__, 1, 2)));

/* A warning line on stderr, as warnx(3). */
void	 log_warnx(const char *fmt, ...)
	    __attribute__((__format__(__printf__, 1, 2)));

/* "directory" or "directories", as n asks: the noun of a count. */
const char *log_dirs(size_t n);

/*
 * Returns the len bytes at s escaped for a terminal, as a NUL-terminated
 * string the caller owns and frees.  See log_escape().
 */
char	*log_vis(const char *s, size_t len);

/*
 * As log_vis(), but backslashes stay as they are: for text a person wrote
 * (a pattern, a command), which must read as written.
 */
char	*log_vis_text(const char *s, size_t len);

/*
 * Escapes the len bytes at s into dst, which must hold 4 * len + 1 bytes,
 * and returns the escaped length.  Control characters, the backslash, C1
 * controls, invisible direction marks and every byte that is not part of
 * valid UTF-8 become C-style or octal escapes as vis(3) writes them
 * (\n, \t, \\, \033, \377), which unvis(3) reverses.
 */
size_t	 log_escape(char *dst, const char *s, size_t len);

/* As log_escape(); LOG_KEEP_BACKSLASH leaves backslashes alone. */
#define LOG_KEEP_BACKSLASH	0x01
size_t	 log_escape_flags(char *dst, const char *s, size_t len, int flags);

/* One "NAMES PATH" line for --print. */
void	 log_event_text(FILE *, const char *path, size_t len, uint32_t mask);

/*
 * One JSON object for --json: {"path":...,"events":[...],"cookie":N}.
 * Bytes that are not valid UTF-8 are written as \udc80 to \udcff, the
 * "surrogateescape" convention, so the exact bytes can be recovered.
 */
void	 log_event_json(FILE *, const char *path, size_t len, uint32_t mask,
	    uint32_t cookie);

#endif
