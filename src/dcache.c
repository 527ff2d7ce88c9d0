/*
 * dcache.c: a chained hash table of directory entries, keyed by bytes.
 * Chains make dropping an entry as cheap as finding it; the bucket array
 * doubles when the entries outnumber it.  Rewrites by path walk every
 * entry: they come with directory renames, which are rare next to the
 * lookups every event makes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dcache.h"
#include "hash.h"
#include "xmalloc.h"

/* Buckets of a new table; a power of two. */
#define DCACHE_BUCKETS	64

struct dcentry {
	struct dcentry	*next;
	struct dcval	 val;
	uint32_t	 hash;
	size_t		 keylen;
	unsigned char	 key[];
};

struct dcache {
	struct dcentry	**buckets;
	size_t		 nbuckets;	/* a power of two */
	size_t		 count;
	size_t		 max;
};

struct dcache *
dcache_new(size_t max)
{
	struct dcache *dc;

	dc = xcalloc(1, sizeof(*dc));
	dc->nbuckets = DCACHE_BUCKETS;
	dc->buckets = xcalloc(dc->nbuckets, sizeof(*dc->buckets));
	dc->max = max < 2 ? 2 : max;
	return dc;
}

static void
free_entry(struct dcentry *e)
{
	free(e->val.path);
	free(e);
}

void
dcache_clear(struct dcache *dc)
{
	struct dcentry *e, *next;
	size_t i;

	for (i = 0; i < dc->nbuckets; i++) {
		for (e = dc->buckets[i]; e != NULL; e = next) {
			next = e->next;
			free_entry(e);
		}
		dc->buckets[i] = NULL;
	}
	dc->count = 0;
}

void
dcache_free(struct dcache *dc)
{
	if (dc == NULL)
		return;
	dcache_clear(dc);
	free(dc->buckets);
	free(dc);
}

size_t
dcache_count(const struct dcache *dc)
{
	return dc->count;
}

static struct dcentry **
find(struct dcache *dc, const void *key, size_t keylen, uint32_t h)
{
	struct dcentry **ep;

	for (ep = &dc->buckets[h & (dc->nbuckets - 1)]; *ep != NULL;
	    ep = &(*ep)->next)
		if ((*ep)->hash == h && (*ep)->keylen == keylen &&
		    memcmp((*ep)->key, key, keylen) == 0)
			break;
	return ep;
}

struct dcval *
dcache_get(struct dcache *dc, const void *key, size_t keylen)
{
	struct dcentry *e;

	e = *find(dc, key, keylen, hash_bytes(key, keylen));
	return e != NULL ? &e->val : NULL;
}

static void
grow(struct dcache *dc)
{
	struct dcentry **old = dc->buckets, *e, *next;
	size_t i, oldn = dc->nbuckets, at;

	dc->nbuckets = oldn * 2;
	dc->buckets = xcalloc(dc->nbuckets, sizeof(*dc->buckets));
	for (i = 0; i < oldn; i++)
		for (e = old[i]; e != NULL; e = next) {
			next = e->next;
			at = e->hash & (dc->nbuckets - 1);
			e->next = dc->buckets[at];
			dc->buckets[at] = e;
		}
	free(old);
}

/* Makes room for one more entry; see dcache_put(). */
static void
make_room(struct dcache *dc)
{
	if (dc->count < dc->max)
		return;
	(void)dcache_drop_state(dc, DCACHE_OUTSIDE);
	(void)dcache_drop_state(dc, DCACHE_IGNORED);
	(void)dcache_drop_state(dc, DCACHE_GONE);
	if (dc->count > dc->max / 2)
		dcache_clear(dc);
}

static void
set_path(struct dcval *v, const char *path, size_t len)
{
	free(v->path);
	v->path = NULL;
	v->len = 0;
	if (path == NULL)
		return;
	v->path = xmalloc(len + 1);
	memcpy(v->path, path, len);
	v->path[len] = '\0';
	v->len = len;
}

struct dcval *
dcache_put(struct dcache *dc, const void *key, size_t keylen,
    enum dcache_state state, size_t root, const char *path, size_t len)
{
	struct dcentry **ep, *e;
	uint32_t h = hash_bytes(key, keylen);

	if ((e = *find(dc, key, keylen, h)) == NULL) {
		make_room(dc);
		if (dc->count >= dc->nbuckets)
			grow(dc);
		e = xcalloc(1, sizeof(*e) + keylen);
		e->hash = h;
		e->keylen = keylen;
		memcpy(e->key, key, keylen);
		ep = &dc->buckets[h & (dc->nbuckets - 1)];
		e->next = *ep;
		*ep = e;
		dc->count++;
	}
	e->val.state = state;
	e->val.hooked = 0;
	e->val.root = root;
	e->val.at = 0;
	set_path(&e->val, path, len);
	return &e->val;
}

void
dcache_del(struct dcache *dc, const void *key, size_t keylen)
{
	struct dcentry **ep, *e;

	ep = find(dc, key, keylen, hash_bytes(key, keylen));
	if ((e = *ep) == NULL)
		return;
	*ep = e->next;
	free_entry(e);
	dc->count--;
}

void
dcache_each(struct dcache *dc, int (*fn)(void *, struct dcval *), void *arg)
{
	struct dcentry **ep, *e;
	size_t i;

	for (i = 0; i < dc->nbuckets; i++)
		for (ep = &dc->buckets[i]; (e = *ep) != NULL;) {
			if (fn(arg, &e->val)) {
				*ep = e->next;
				free_entry(e);
				dc->count--;
			} else
				ep = &e->next;
		}
}

/* Whether v's path is the len bytes at path, or lies below them. */
static int
at_or_below(const struct dcval *v, const char *path, size_t len)
{
	return v->path != NULL && v->len >= len &&
	    memcmp(v->path, path, len) == 0;
}

struct below_ctx {
	const char	*path;
	size_t		 len;
	size_t		 n;
};

static int
drop_below(void *arg, struct dcval *v)
{
	struct below_ctx *c = arg;

	if (!at_or_below(v, c->path, c->len))
		return 0;
	c->n++;
	return 1;
}

size_t
dcache_drop_below(struct dcache *dc, const char *path, size_t len)
{
	struct below_ctx c = { path, len, 0 };

	dcache_each(dc, drop_below, &c);
	return c.n;
}

struct state_ctx {
	enum dcache_state state;
	size_t		 n;
};

static int
drop_state(void *arg, struct dcval *v)
{
	struct state_ctx *c = arg;

	if (v->state != c->state)
		return 0;
	c->n++;
	return 1;
}

size_t
dcache_drop_state(struct dcache *dc, enum dcache_state state)
{
	struct state_ctx c = { state, 0 };

	dcache_each(dc, drop_state, &c);
	return c.n;
}

size_t
dcache_moved(struct dcache *dc, const char *from, size_t fromlen,
    const char *to, size_t tolen, size_t root)
{
	struct dcentry *e;
	char *p;
	size_t i, n = 0, rest;

	for (i = 0; i < dc->nbuckets; i++)
		for (e = dc->buckets[i]; e != NULL; e = e->next) {
			if (!at_or_below(&e->val, from, fromlen))
				continue;
			rest = e->val.len - fromlen;
			p = xmalloc(tolen + rest + 1);
			memcpy(p, to, tolen);
			memcpy(p + tolen, e->val.path + fromlen, rest + 1);
			free(e->val.path);
			e->val.path = p;
			e->val.len = tolen + rest;
			e->val.root = root;
			e->val.hooked = 0;
			n++;
		}
	return n;
}
