/*
 * xmalloc.h: allocation helpers that abort on exhaustion, so that call
 * sites stay free of out-of-memory branches.
 */
#ifndef WATCHRUN_XMALLOC_H
#define WATCHRUN_XMALLOC_H

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xmemdup(const void *, size_t);

/* Returns the formatted text, as asprintf(3) does; the caller frees it. */
char	*xasprintf(const char *fmt, ...)
	    __attribute__((__format__(__printf__, 1, 2)));

#endif
