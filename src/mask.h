/*
 * mask.h: the one table of inotify event names.  It serves the rules
 * parser, --print, --json and the WATCHRUN_EVENTS variable alike.
 */
#ifndef WATCHRUN_MASK_H
#define WATCHRUN_MASK_H

/*
 * Not events but options of a rule, in bits inotify leaves unused:
 * NO_LOOP (incron's IN_NO_LOOP) and INITIAL.
 */
#define MASK_NO_LOOP		0x00010000
#define MASK_INITIAL		0x00020000
#define MASK_RULE_OPTS		(MASK_NO_LOOP | MASK_INITIAL)

/* Bits that name a watch option rather than an event. */
#define MASK_WATCH_FLAGS	(IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | \
				    IN_MASK_CREATE | IN_MASK_ADD | IN_ONESHOT)

/*
 * Parses names joined by '|' or ',' (case-insensitive) from the len bytes
 * at s into *maskp.  Returns 0, or -1 when a name is unknown or empty;
 * then *badoff and *badlen locate it within s.
 */
int	 mask_parse(const char *s, size_t len, uint32_t *maskp, size_t *badoff,
	    size_t *badlen);

/*
 * Returns the known name nearest to the len bytes at word, for a "did you
 * mean" hint, or NULL when nothing is close.  The string is static.
 */
const char *mask_suggest(const char *word, size_t len);

/*
 * Writes the names of the bits in mask, in bit order and joined by '|',
 * to buf as snprintf(3) would.  Returns the length the whole text needs.
 */
size_t	 mask_format(uint32_t mask, char *buf, size_t size);

/*
 * Stores up to max static names of the bits in mask, in bit order, in
 * names[].  Returns how many bits are named in all.
 */
size_t	 mask_names(uint32_t mask, const char **names, size_t max);

/*
 * Writes every name mask_parse() accepts to fp, one a line and in upper
 * case: the names masks are printed with, the further bare names, then
 * the kernel's names with their IN_ prefix.  Shell completions read this
 * list.  Returns 0, or -1 with errno set when a write fails.
 */
int	 mask_list(FILE *fp);

#endif
