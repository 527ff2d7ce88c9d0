/*
 * batch.c: an ordered set of paths.  Path bytes live in one arena, the
 * entries in one array (the order), and an open-addressing index of entry
 * numbers gives membership in one probe or two: three allocations however
 * many paths there are.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "hash.h"
#include "xmalloc.h"

/* Buffers larger than this are given back when a batch is cleared. */
#define KEEP_ENTRIES	4096
#define KEEP_BYTES	(256 * 1024)

struct bentry {
	size_t		 off;
	uint32_t	 len;
	uint32_t	 mask;
	uint32_t	 hash;
};

struct batch {
	char		*arena;
	size_t		 arenalen;
	size_t		 arenasize;
	struct bentry	*ents;
	size_t		 n;
	size_t		 entsize;
	uint32_t	*index;		/* entry number + 1; 0 is empty */
	size_t		 nindex;	/* a power of two, or 0 */
	char		*last;		/* the path changed last */
	size_t		 lastlen;
	size_t		 lastsize;
	uint32_t	 lastmask;
	int		 haslast;
	size_t		 maxpaths;
	size_t		 maxbytes;
	int		 truncated;
	int		 overflow;
};

struct batch *
batch_new(size_t maxpaths, size_t maxbytes)
{
	struct batch *b;

	b = xcalloc(1, sizeof(*b));
	b->maxpaths = maxpaths;
	b->maxbytes = maxbytes;
	return b;
}

void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	free(b->arena);
	free(b->ents);
	free(b->index);
	free(b->last);
	free(b);
}

static void
index_put(struct batch *b, uint32_t hash, uint32_t entry)
{
	size_t i, mask = b->nindex - 1;

	for (i = hash & mask; b->index[i] != 0; i = (i + 1) & mask)
		;
	b->index[i] = entry + 1;
}

static void
index_grow(struct batch *b)
{
	size_t i;

	free(b->index);
	b->nindex = b->nindex == 0 ? 64 : b->nindex * 2;
	b->index = xcalloc(b->nindex, sizeof(*b->index));
	for (i = 0; i < b->n; i++)
		index_put(b, b->ents[i].hash, (uint32_t)i);
}

static void
set_last(struct batch *b, const char *path, size_t len, uint32_t mask)
{
	if (len + 1 > b->lastsize) {
		b->lastsize = len + 1 < 256 ? 256 : len + 1;
		free(b->last);
		b->last = xmalloc(b->lastsize);
	}
	memcpy(b->last, path, len);
	b->last[len] = '\0';
	b->lastlen = len;
	b->lastmask = mask;
	b->haslast = 1;
}

int
batch_add(struct batch *b, const char *path, size_t len, uint32_t mask)
{
	struct bentry *e;
	uint32_t h, slot;
	size_t i, imask;

	h = hash_bytes(path, len);
	if (b->nindex > 0) {
		imask = b->nindex - 1;
		for (i = h & imask; (slot = b->index[i]) != 0;
		    i = (i + 1) & imask) {
			e = &b->ents[slot - 1];
			if (e->hash == h && e->len == len &&
			    memcmp(b->arena + e->off, path, len) == 0) {
				e->mask |= mask;
				set_last(b, path, len, e->mask);
				return 0;
			}
		}
	}
	if (b->n >= b->maxpaths || b->arenalen + len + 1 > b->maxbytes ||
	    len > UINT32_MAX) {
		/* Left out: not to be named as the last path either. */
		b->truncated = 1;
		return -1;
	}
	if (b->n == b->entsize) {
		b->entsize = b->entsize == 0 ? 16 : b->entsize * 2;
		b->ents = xreallocarray(b->ents, b->entsize, sizeof(*b->ents));
	}
	if (b->arenalen + len + 1 > b->arenasize) {
		b->arenasize = b->arenasize == 0 ? 1024 : b->arenasize;
		while (b->arenalen + len + 1 > b->arenasize)
			b->arenasize *= 2;
		b->arena = xreallocarray(b->arena, b->arenasize, 1);
	}
	e = &b->ents[b->n];
	e->off = b->arenalen;
	e->len = (uint32_t)len;
	e->mask = mask;
	e->hash = h;
	memcpy(b->arena + b->arenalen, path, len);
	b->arena[b->arenalen + len] = '\0';
	b->arenalen += len + 1;
	b->n++;
	if (b->n * 2 > b->nindex)
		index_grow(b);
	else
		index_put(b, h, (uint32_t)(b->n - 1));
	set_last(b, path, len, mask);
	return 1;
}

size_t
batch_count(const struct batch *b)
{
	return b->n;
}

const char *
batch_path(const struct batch *b, size_t i, size_t *lenp)
{
	*lenp = b->ents[i].len;
	return b->arena + b->ents[i].off;
}

const char *
batch_last(const struct batch *b, size_t *lenp, uint32_t *maskp)
{
	if (!b->haslast)
		return NULL;
	*lenp = b->lastlen;
	*maskp = b->lastmask;
	return b->last;
}

void
batch_set_limits(struct batch *b, size_t maxpaths, size_t maxbytes)
{
	b->maxpaths = maxpaths;
	b->maxbytes = maxbytes;
}

int
batch_truncated(const struct batch *b)
{
	return b->truncated;
}

void
batch_set_overflow(struct batch *b)
{
	b->overflow = 1;
}

int
batch_overflow(const struct batch *b)
{
	return b->overflow;
}

void
batch_clear(struct batch *b)
{
	if (b->entsize > KEEP_ENTRIES) {
		free(b->ents);
		free(b->index);
		b->ents = NULL;
		b->index = NULL;
		b->entsize = 0;
		b->nindex = 0;
	} else if (b->nindex > 0)
		memset(b->index, 0, b->nindex * sizeof(*b->index));
	if (b->arenasize > KEEP_BYTES) {
		free(b->arena);
		b->arena = NULL;
		b->arenasize = 0;
	}
	b->n = 0;
	b->arenalen = 0;
	b->haslast = 0;
	b->truncated = 0;
	b->overflow = 0;
}
