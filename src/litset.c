/*
 * litset.c: Aho-Corasick.  The literals form a trie; failure links turn it
 * into a complete automaton over byte classes (one class per byte that
 * occurs in some literal, one for all others).  Each state knows the
 * literals that end there and the nearest state down its failure chain
 * where others end.  The scan table holds one row per state: first the
 * row of the nearest state where a literal ends (or 0), then the next
 * state's row for each class, all as offsets into the table, so a scan
 * costs one load per byte plus one per literal found.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "litset.h"
#include "xmalloc.h"

#define NO_STATE	UINT16_MAX

struct lit {
	char		*text;
	size_t		 len;
	uint32_t	 id;
};

struct litset {
	struct lit	*lits;
	size_t		 nlits;
	uint8_t		 cls[256];	/* byte -> class; 0 is "other" */
	size_t		 ncls;
	uint16_t	*next;		/* nstates x ncls */
	size_t		 nstates;
	uint32_t	*first;		/* per state: first output, or 0 */
	uint32_t	*outnext;	/* per output (1-based): the next */
	uint32_t	*outid;		/* per output (1-based): its id */
	uint16_t	*dict;		/* per state: next state with outputs */
	uint32_t	*rows;		/* the scan table; see above */
	int		 built;
};

struct litset *
litset_new(void)
{
	return xcalloc(1, sizeof(struct litset));
}

void
litset_free(struct litset *ls)
{
	size_t i;

	if (ls == NULL)
		return;
	for (i = 0; i < ls->nlits; i++)
		free(ls->lits[i].text);
	free(ls->lits);
	free(ls->next);
	free(ls->first);
	free(ls->outnext);
	free(ls->outid);
	free(ls->dict);
	free(ls->rows);
	free(ls);
}

void
litset_add(struct litset *ls, const char *lit, size_t len, uint32_t id)
{
	ls->lits = xreallocarray(ls->lits, ls->nlits + 1, sizeof(*ls->lits));
	ls->lits[ls->nlits].text = xmemdup(lit, len);
	ls->lits[ls->nlits].len = len;
	ls->lits[ls->nlits].id = id;
	ls->nlits++;
}

int
litset_build(struct litset *ls)
{
	uint16_t *fail, *queue, s, t, f;
	size_t i, j, c, total = 1, head = 0, tail = 0, nout = 0;
	const unsigned char *p;

	memset(ls->cls, 0, sizeof(ls->cls));
	ls->ncls = 1;
	for (i = 0; i < ls->nlits; i++) {
		total += ls->lits[i].len;
		p = (const unsigned char *)ls->lits[i].text;
		for (j = 0; j < ls->lits[i].len; j++)
			if (ls->cls[p[j]] == 0)
				ls->cls[p[j]] = (uint8_t)ls->ncls++;
	}
	if (total >= NO_STATE || ls->ncls > 256)
		return -1;
	/* The trie: NO_STATE marks a missing edge until completion. */
	ls->next = xreallocarray(NULL, total * ls->ncls, sizeof(*ls->next));
	for (i = 0; i < total * ls->ncls; i++)
		ls->next[i] = NO_STATE;
	ls->first = xcalloc(total, sizeof(*ls->first));
	ls->outnext = xcalloc(ls->nlits + 1, sizeof(*ls->outnext));
	ls->outid = xcalloc(ls->nlits + 1, sizeof(*ls->outid));
	ls->nstates = 1;
	for (i = 0; i < ls->nlits; i++) {
		p = (const unsigned char *)ls->lits[i].text;
		for (s = 0, j = 0; j < ls->lits[i].len; j++) {
			c = ls->cls[p[j]];
			if (ls->next[s * ls->ncls + c] == NO_STATE)
				ls->next[s * ls->ncls + c] =
				    (uint16_t)ls->nstates++;
			s = ls->next[s * ls->ncls + c];
		}
		nout++;
		ls->outid[nout] = ls->lits[i].id;
		ls->outnext[nout] = ls->first[s];
		ls->first[s] = (uint32_t)nout;
	}
	/* Breadth first: failure links, then the missing edges. */
	fail = xcalloc(ls->nstates, sizeof(*fail));
	queue = xcalloc(ls->nstates, sizeof(*queue));
	ls->dict = xcalloc(ls->nstates, sizeof(*ls->dict));
	for (c = 0; c < ls->ncls; c++) {
		if ((t = ls->next[c]) == NO_STATE)
			ls->next[c] = 0;
		else
			queue[tail++] = t;	/* fail[t] = 0, dict[t] = 0 */
	}
	while (head < tail) {
		s = queue[head++];
		for (c = 0; c < ls->ncls; c++) {
			t = ls->next[s * ls->ncls + c];
			f = ls->next[fail[s] * ls->ncls + c];
			if (t == NO_STATE) {
				ls->next[s * ls->ncls + c] = f;
				continue;
			}
			fail[t] = f;
			ls->dict[t] = ls->first[f] != 0 ? f : ls->dict[f];
			queue[tail++] = t;
		}
	}
	free(fail);
	free(queue);
	/* The scan table: row r holds state r / (ncls + 1). */
	ls->rows = xreallocarray(NULL, ls->nstates * (ls->ncls + 1),
	    sizeof(*ls->rows));
	for (j = 0; j < ls->nstates; j++) {
		t = ls->first[j] != 0 ? (uint16_t)j : ls->dict[j];
		ls->rows[j * (ls->ncls + 1)] = (uint32_t)t * (uint32_t)(ls->ncls + 1);
		for (c = 0; c < ls->ncls; c++)
			ls->rows[j * (ls->ncls + 1) + 1 + c] =
			    (uint32_t)ls->next[j * ls->ncls + c] *
			    (uint32_t)(ls->ncls + 1);
	}
	ls->built = 1;
	return 0;
}

void
litset_scan(const struct litset *ls, const char *s, size_t len,
    void (*found)(void *arg, uint32_t id), void *arg)
{
	const unsigned char *p = (const unsigned char *)s;
	const uint32_t *rows = ls->rows;
	uint32_t row = 0, at, o;
	size_t i, width = ls->ncls + 1;
	uint16_t t;

	if (!ls->built)
		return;
	for (i = 0; i < len; i++) {
		row = rows[row + 1 + ls->cls[p[i]]];
		/* Row 0 is the root's: no literal ends there. */
		if ((at = rows[row]) == 0)
			continue;
		for (t = (uint16_t)(at / width); t != 0; t = ls->dict[t])
			for (o = ls->first[t]; o != 0; o = ls->outnext[o])
				found(arg, ls->outid[o]);
	}
}
