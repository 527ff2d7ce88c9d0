/*
 * suggest.c: optimal string alignment distance, the Levenshtein distance
 * plus swaps of neighbouring characters, the commonest typing slip.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "suggest.h"

#define MAXLEN	64

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t
suggest_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t d[MAXLEN][MAXLEN], i, j, cost;

	if (alen >= MAXLEN || blen >= MAXLEN)
		return SIZE_MAX;
	for (i = 0; i <= alen; i++)
		d[i][0] = i;
	for (j = 0; j <= blen; j++)
		d[0][j] = j;
	for (i = 1; i <= alen; i++)
		for (j = 1; j <= blen; j++) {
			cost = toupper((unsigned char)a[i - 1]) !=
			    toupper((unsigned char)b[j - 1]);
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
			    d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 &&
			    toupper((unsigned char)a[i - 1]) ==
			    toupper((unsigned char)b[j - 2]) &&
			    toupper((unsigned char)a[i - 2]) ==
			    toupper((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	return d[alen][blen];
}

int
suggest_close(size_t d, size_t len)
{
	/* More edits than a third of the word make a hint noise. */
	return d <= (len / 3 < 2 ? 2 : len / 3) && d < len;
}
