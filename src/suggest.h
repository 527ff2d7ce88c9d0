/*
 * suggest.h: "did you mean" hints.  The distance between two words, so
 * that a misspelt event name or directive can be matched to a known one.
 */
#ifndef WATCHRUN_SUGGEST_H
#define WATCHRUN_SUGGEST_H

/*
 * The number of single-character edits (insertions, deletions,
 * substitutions, swaps of neighbours) between the alen bytes at a and the
 * blen bytes at b, ignoring ASCII case.  Words longer than 63 bytes are
 * SIZE_MAX away from everything.
 */
size_t	 suggest_distance(const char *a, size_t alen, const char *b,
	    size_t blen);

/* Whether a distance d is close enough to suggest for a word of len bytes. */
int	 suggest_close(size_t d, size_t len);

#endif
