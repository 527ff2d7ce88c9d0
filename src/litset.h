/*
 * litset.h: finding many literal strings in a path in one pass.  Owns an
 * Aho-Corasick automaton over a set of (literal, id) pairs; a scan of a
 * path reports the id of every literal that occurs in it, whatever the
 * number of literals.
 */
#ifndef WATCHRUN_LITSET_H
#define WATCHRUN_LITSET_H

struct litset;

struct litset	*litset_new(void);
void		 litset_free(struct litset *);	/* NULL is a no-op */

/* Adds the len bytes at lit (copied; len > 0) under id. */
void		 litset_add(struct litset *, const char *lit, size_t len,
		    uint32_t id);

/*
 * Builds the automaton; call once, after the last litset_add().  Returns
 * 0, or -1 when the set is too large for it (then it stays unusable).
 */
int		 litset_build(struct litset *);

/*
 * Calls found(arg, id) for each literal that occurs in the len bytes at
 * s; an id may be reported more than once.
 */
void		 litset_scan(const struct litset *, const char *s, size_t len,
		    void (*found)(void *arg, uint32_t id), void *arg);

#endif
