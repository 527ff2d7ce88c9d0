/*
 * tree.c: watched directories as a tree of small nodes.  A node holds its
 * name inline, a link to its parent and a count of its children, nothing
 * more: about 32 bytes for a short name.  One power-of-two table with
 * linear probing finds nodes by watch descriptor (the kernel hands them
 * out in increasing order, so their low bits spread evenly without
 * hashing).  What only a directory's rename or removal needs, finding a
 * child by name or all of a node's children, walks that table: rare work
 * that is not worth 8 more bytes a directory for an index.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"
#include "xmalloc.h"

#define MARKED	0x01

/*
 * A path returned by tree_path() lives until the next call.  Holding one
 * across another call is a bug that memory checkers cannot see when the
 * buffer is reused: the bytes change under the holder, but stay valid
 * memory.  Under AddressSanitizer each call takes a fresh buffer, so that
 * such a holder reads freed memory and is reported.
 */
#if defined(__SANITIZE_ADDRESS__)
#define FRESH_PATH_BUFFERS	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FRESH_PATH_BUFFERS	1
#endif
#endif
#ifndef FRESH_PATH_BUFFERS
#define FRESH_PATH_BUFFERS	0
#endif

struct tnode {
	struct tnode	*parent;
	uint32_t	 nchild;
	int		 wd;
	uint16_t	 namelen;
	uint8_t		 flags;
	uint8_t		 reads[TREE_READS];	/* see tree_own_reads() */
	char		 name[];
};

/* An open-addressing table of node pointers, by watch descriptor. */
struct table {
	struct tnode   **slots;
	size_t		 n;		/* a power of two, or 0 */
};

struct tree {
	struct table	 bywd;
	size_t		 count;
	size_t		 nroots;
	char		*buf;		/* the last path built */
	size_t		 bufsize;
};

struct tree *
tree_new(void)
{
	return xcalloc(1, sizeof(struct tree));
}

void
tree_free(struct tree *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->bywd.n; i++)
		free(t->bywd.slots[i]);
	free(t->bywd.slots);
	free(t->buf);
	free(t);
}

static size_t
home_of(const struct tnode *n)
{
	return (size_t)(unsigned int)n->wd;
}

static void
table_put(struct table *tb, struct tnode *n)
{
	size_t i, mask = tb->n - 1;

	for (i = home_of(n) & mask; tb->slots[i] != NULL;
	    i = (i + 1) & mask)
		;
	tb->slots[i] = n;
}

static void
table_grow(struct table *tb)
{
	struct tnode **old = tb->slots;
	size_t i, oldn = tb->n;

	tb->n = oldn == 0 ? 64 : oldn * 2;
	tb->slots = xcalloc(tb->n, sizeof(*tb->slots));
	for (i = 0; i < oldn; i++)
		if (old[i] != NULL)
			table_put(tb, old[i]);
	free(old);
}

/* The slot holding n, or SIZE_MAX. */
static size_t
table_slot(const struct table *tb, const struct tnode *n)
{
	size_t i, mask = tb->n - 1;

	if (tb->n == 0)
		return SIZE_MAX;
	for (i = home_of(n) & mask; tb->slots[i] != NULL;
	    i = (i + 1) & mask)
		if (tb->slots[i] == n)
			return i;
	return SIZE_MAX;
}

/* Deletes slot i, shifting back the entries that probed past it. */
static void
table_delete(struct table *tb, size_t i)
{
	size_t j = i, home, mask = tb->n - 1;

	tb->slots[i] = NULL;
	for (;;) {
		j = (j + 1) & mask;
		if (tb->slots[j] == NULL)
			return;
		home = home_of(tb->slots[j]) & mask;
		/* Leave entry j where it is if its home lies in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		tb->slots[i] = tb->slots[j];
		tb->slots[j] = NULL;
		i = j;
	}
}

static void
table_remove(struct table *tb, const struct tnode *n)
{
	size_t i;

	if ((i = table_slot(tb, n)) != SIZE_MAX)
		table_delete(tb, i);
}

/* Counts n, whose parent is set, as its parent's child. */
static void
attach(struct tree *t, struct tnode *n)
{
	if (n->parent != NULL)
		n->parent->nchild++;
	else
		t->nroots++;
}

static void
detach(struct tree *t, struct tnode *n)
{
	if (n->parent != NULL)
		n->parent->nchild--;
	else
		t->nroots--;
}

struct tnode *
tree_add(struct tree *t, struct tnode *parent, const char *name, size_t len,
    int wd)
{
	struct tnode *n;

	if (len > UINT16_MAX)
		len = UINT16_MAX;	/* Longer than any path Linux takes. */
	if ((t->count + 1) * 4 > t->bywd.n * 3)
		table_grow(&t->bywd);
	n = xmalloc(sizeof(*n) + len + 1);
	n->parent = parent;
	n->nchild = 0;
	n->wd = wd;
	n->namelen = (uint16_t)len;
	n->flags = 0;
	memset(n->reads, 0, sizeof(n->reads));
	memcpy(n->name, name, len);
	n->name[len] = '\0';
	table_put(&t->bywd, n);
	attach(t, n);
	t->count++;
	return n;
}

struct tnode *
tree_lookup(const struct tree *t, int wd)
{
	size_t i, mask = t->bywd.n - 1;
	struct tnode *n;

	if (t->bywd.n == 0)
		return NULL;
	for (i = (size_t)(unsigned int)wd & mask;
	    (n = t->bywd.slots[i]) != NULL; i = (i + 1) & mask)
		if (n->wd == wd)
			return n;
	return NULL;
}

struct tnode *
tree_child(const struct tree *t, const struct tnode *parent, const char *name,
    size_t len)
{
	struct tnode *n;
	size_t i;

	if (parent->nchild == 0)
		return NULL;
	for (i = 0; i < t->bywd.n; i++)
		if ((n = t->bywd.slots[i]) != NULL && n->parent == parent &&
		    n->namelen == len && memcmp(n->name, name, len) == 0)
			return n;
	return NULL;
}

struct tnode *
tree_move(struct tree *t, struct tnode *n, struct tnode *newparent,
    const char *name, size_t len)
{
	struct tnode *m;
	size_t i, wdslot;

	detach(t, n);
	if (len > n->namelen) {
		/* The node moves in memory: so must every link to it. */
		wdslot = table_slot(&t->bywd, n);
		m = xmalloc(sizeof(*m) + len + 1);
		memcpy(m, n, sizeof(*m));
		t->bywd.slots[wdslot] = m;
		for (i = 0; m->nchild > 0 && i < t->bywd.n; i++)
			if (t->bywd.slots[i] != NULL &&
			    t->bywd.slots[i]->parent == n)
				t->bywd.slots[i]->parent = m;
		free(n);
		n = m;
	}
	memcpy(n->name, name, len);
	n->name[len] = '\0';
	n->namelen = (uint16_t)len;
	n->parent = newparent;
	attach(t, n);
	return n;
}

static size_t
depth_below(const struct tnode *a, const struct tnode *top)
{
	size_t d = 0;

	for (; a != NULL; a = a->parent, d++)
		if (a == top)
			return d;
	return SIZE_MAX;
}

struct victim {
	struct tnode	*node;
	size_t		 depth;
};

static int
deepest_first(const void *a, const void *b)
{
	const struct victim *x = a, *y = b;

	return x->depth > y->depth ? -1 : x->depth < y->depth;
}

static void
drop_one(struct tree *t, struct tnode *n, tree_drop_cb *drop, void *arg)
{
	detach(t, n);
	table_remove(&t->bywd, n);
	t->count--;
	if (drop != NULL)
		drop(arg, n->wd);
	free(n);
}

void
tree_remove(struct tree *t, struct tnode *n, tree_drop_cb *drop, void *arg)
{
	struct victim *v;
	size_t i, k = 0, d;

	if (n->nchild == 0) {
		drop_one(t, n, drop, arg);
		return;
	}
	v = xreallocarray(NULL, t->count, sizeof(*v));
	for (i = 0; i < t->bywd.n; i++)
		if (t->bywd.slots[i] != NULL &&
		    (d = depth_below(t->bywd.slots[i], n)) != SIZE_MAX) {
			v[k].node = t->bywd.slots[i];
			v[k++].depth = d;
		}
	qsort(v, k, sizeof(*v), deepest_first);
	for (i = 0; i < k; i++)
		drop_one(t, v[i].node, drop, arg);
	free(v);
}

static int
shallowest_first(const void *a, const void *b)
{
	return -deepest_first(a, b);
}

size_t
tree_below(const struct tree *t, const struct tnode *n, int **wdsp)
{
	struct victim *v;
	size_t i, k = 0, d;
	int *wds;

	v = xreallocarray(NULL, t->count + 1, sizeof(*v));
	for (i = 0; i < t->bywd.n; i++)
		if (t->bywd.slots[i] != NULL && t->bywd.slots[i] != n &&
		    (d = depth_below(t->bywd.slots[i], n)) != SIZE_MAX) {
			v[k].node = t->bywd.slots[i];
			v[k++].depth = d;
		}
	qsort(v, k, sizeof(*v), shallowest_first);
	wds = xreallocarray(NULL, k + 1, sizeof(*wds));
	for (i = 0; i < k; i++)
		wds[i] = v[i].node->wd;
	free(v);
	*wdsp = wds;
	return k;
}

static size_t
prefix_len(const struct tnode *root)
{
	if (root->namelen == 1 && root->name[0] == '.')
		return 0;
	if (root->name[root->namelen - 1] == '/')
		return root->namelen;
	return root->namelen + 1;
}

char *
tree_path(struct tree *t, const struct tnode *n, const char *name, size_t len,
    int isdir, size_t *lenp)
{
	const struct tnode *p;
	size_t total, at, plen;

	total = len + (len > 0 && isdir);
	for (p = n; p->parent != NULL; p = p->parent)
		total += p->namelen + 1;
	plen = prefix_len(p);
	total += plen;
	if (total + 3 > t->bufsize || FRESH_PATH_BUFFERS) {
		t->bufsize = (total + 3) * 2 < 256 ? 256 : (total + 3) * 2;
		free(t->buf);
		/*
		 * Zeroed: PCRE2's JIT may read a few bytes past the end of a
		 * path it matches; they must at least be defined.
		 */
		t->buf = xcalloc(1, t->bufsize);
	}
	if (total == 0) {
		/* Root "." itself. */
		memcpy(t->buf, "./", 3);
		*lenp = 2;
		return t->buf;
	}
	at = total;
	t->buf[at] = '\0';
	if (len > 0) {
		if (isdir)
			t->buf[--at] = '/';
		at -= len;
		memcpy(t->buf + at, name, len);
	}
	for (p = n; p->parent != NULL; p = p->parent) {
		t->buf[--at] = '/';
		at -= p->namelen;
		memcpy(t->buf + at, p->name, p->namelen);
	}
	if (plen > 0) {
		memcpy(t->buf, p->name, p->namelen);
		if (plen > p->namelen)
			t->buf[p->namelen] = '/';
	}
	*lenp = total;
	return t->buf;
}

int
tree_within(const struct tnode *a, const struct tnode *b)
{
	for (; a != NULL; a = a->parent)
		if (a == b)
			return 1;
	return 0;
}

int
tree_wd(const struct tnode *n)
{
	return n->wd;
}

struct tnode *
tree_parent(const struct tnode *n)
{
	return n->parent;
}

const char *
tree_name(const struct tnode *n, size_t *lenp)
{
	*lenp = n->namelen;
	return n->name;
}

size_t
tree_count(const struct tree *t)
{
	return t->count;
}

size_t
tree_roots(const struct tree *t)
{
	return t->nroots;
}

void
tree_set_mark(struct tnode *n, int on)
{
	if (on)
		n->flags |= MARKED;
	else
		n->flags &= (uint8_t)~MARKED;
}

int
tree_mark(const struct tnode *n)
{
	return (n->flags & MARKED) != 0;
}

void
tree_clear_marks(struct tree *t)
{
	size_t i;

	for (i = 0; i < t->bywd.n; i++)
		if (t->bywd.slots[i] != NULL)
			t->bywd.slots[i]->flags &= (uint8_t)~MARKED;
}

unsigned
tree_own_reads(const struct tnode *n, int which)
{
	return n->reads[which];
}

void
tree_count_own_read(struct tnode *n, int which, int delta)
{
	if (delta > 0 && n->reads[which] < UINT8_MAX)
		n->reads[which]++;
	else if (delta < 0 && n->reads[which] > 0)
		n->reads[which]--;
}

void
tree_clear_own_reads(struct tree *t)
{
	size_t i;

	for (i = 0; i < t->bywd.n; i++)
		if (t->bywd.slots[i] != NULL)
			memset(t->bywd.slots[i]->reads, 0,
			    sizeof(t->bywd.slots[i]->reads));
}

size_t
tree_unmarked(const struct tree *t, int **wdsp)
{
	size_t i, n = 0;
	int *wds;

	wds = xreallocarray(NULL, t->count, sizeof(*wds));
	for (i = 0; i < t->bywd.n; i++)
		if (t->bywd.slots[i] != NULL &&
		    !(t->bywd.slots[i]->flags & MARKED))
			wds[n++] = t->bywd.slots[i]->wd;
	*wdsp = wds;
	return n;
}
