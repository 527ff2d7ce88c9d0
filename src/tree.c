/*
 * tree.c: watched directories as a tree of small nodes.  Each node holds
 * its name inline and links to its parent, first child and siblings; a
 * power-of-two table with linear probing maps watch descriptors to nodes.
 * The kernel hands out watch descriptors in increasing order, so their low
 * bits spread evenly over the table without hashing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"
#include "xmalloc.h"

#define MARKED	0x01

struct tnode {
	struct tnode	*parent;
	struct tnode	*child;		/* first child */
	struct tnode	*next;		/* next sibling */
	struct tnode   **prevp;		/* the link that points at this node */
	int		 wd;
	uint16_t	 namelen;
	uint8_t		 flags;
	char		 name[];
};

struct tree {
	struct tnode   **slots;
	size_t		 nslots;	/* a power of two, or 0 */
	size_t		 count;
	size_t		 nroots;
	struct tnode	*roots;
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
	for (i = 0; i < t->nslots; i++)
		free(t->slots[i]);
	free(t->slots);
	free(t->buf);
	free(t);
}

static size_t
slot_of(const struct tree *t, int wd)
{
	return (size_t)(unsigned int)wd & (t->nslots - 1);
}

static void
table_put(struct tree *t, struct tnode *n)
{
	size_t i;

	for (i = slot_of(t, n->wd); t->slots[i] != NULL;
	    i = (i + 1) & (t->nslots - 1))
		;
	t->slots[i] = n;
}

static void
table_grow(struct tree *t)
{
	struct tnode **old = t->slots;
	size_t i, oldn = t->nslots;

	t->nslots = oldn == 0 ? 64 : oldn * 2;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	for (i = 0; i < oldn; i++)
		if (old[i] != NULL)
			table_put(t, old[i]);
	free(old);
}

static size_t
table_find(const struct tree *t, int wd)
{
	size_t i;

	if (t->nslots == 0)
		return SIZE_MAX;
	for (i = slot_of(t, wd); t->slots[i] != NULL;
	    i = (i + 1) & (t->nslots - 1))
		if (t->slots[i]->wd == wd)
			return i;
	return SIZE_MAX;
}

/* Deletes slot i, shifting back the entries that probed past it. */
static void
table_delete(struct tree *t, size_t i)
{
	size_t j = i, home, mask = t->nslots - 1;

	t->slots[i] = NULL;
	for (;;) {
		j = (j + 1) & mask;
		if (t->slots[j] == NULL)
			return;
		home = slot_of(t, t->slots[j]->wd);
		/* Leave entry j where it is if its home lies in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->slots[i] = t->slots[j];
		t->slots[j] = NULL;
		i = j;
	}
}

static void
link_into(struct tnode **headp, struct tnode *n)
{
	n->next = *headp;
	if (n->next != NULL)
		n->next->prevp = &n->next;
	n->prevp = headp;
	*headp = n;
}

static void
unlink_node(struct tnode *n)
{
	*n->prevp = n->next;
	if (n->next != NULL)
		n->next->prevp = n->prevp;
	n->next = NULL;
	n->prevp = NULL;
}

struct tnode *
tree_add(struct tree *t, struct tnode *parent, const char *name, size_t len,
    int wd)
{
	struct tnode *n;

	if (len > UINT16_MAX)
		len = UINT16_MAX;	/* Longer than any path Linux takes. */
	if ((t->count + 1) * 4 > t->nslots * 3)
		table_grow(t);
	n = xmalloc(sizeof(*n) + len + 1);
	n->parent = parent;
	n->child = NULL;
	n->wd = wd;
	n->namelen = (uint16_t)len;
	n->flags = 0;
	memcpy(n->name, name, len);
	n->name[len] = '\0';
	if (parent != NULL)
		link_into(&parent->child, n);
	else {
		link_into(&t->roots, n);
		t->nroots++;
	}
	table_put(t, n);
	t->count++;
	return n;
}

struct tnode *
tree_lookup(const struct tree *t, int wd)
{
	size_t i;

	if ((i = table_find(t, wd)) == SIZE_MAX)
		return NULL;
	return t->slots[i];
}

struct tnode *
tree_child(const struct tnode *parent, const char *name, size_t len)
{
	struct tnode *c;

	for (c = parent->child; c != NULL; c = c->next)
		if (c->namelen == len && memcmp(c->name, name, len) == 0)
			return c;
	return NULL;
}

struct tnode *
tree_move(struct tree *t, struct tnode *n, struct tnode *newparent,
    const char *name, size_t len)
{
	struct tnode *m, *c;
	size_t i;

	unlink_node(n);
	if (n->parent == NULL)
		t->nroots--;
	if (len > n->namelen) {
		m = xmalloc(sizeof(*m) + len + 1);
		memcpy(m, n, sizeof(*m));
		for (c = m->child; c != NULL; c = c->next)
			c->parent = m;
		if (m->child != NULL)
			m->child->prevp = &m->child;
		i = table_find(t, n->wd);
		t->slots[i] = m;
		free(n);
		n = m;
	}
	memcpy(n->name, name, len);
	n->name[len] = '\0';
	n->namelen = (uint16_t)len;
	n->parent = newparent;
	if (newparent != NULL)
		link_into(&newparent->child, n);
	else {
		link_into(&t->roots, n);
		t->nroots++;
	}
	return n;
}

static void
drop_one(struct tree *t, struct tnode *n, tree_drop_cb *drop, void *arg)
{
	size_t i;

	unlink_node(n);
	if (n->parent == NULL)
		t->nroots--;
	if ((i = table_find(t, n->wd)) != SIZE_MAX)
		table_delete(t, i);
	t->count--;
	if (drop != NULL)
		drop(arg, n->wd);
	free(n);
}

void
tree_remove(struct tree *t, struct tnode *n, tree_drop_cb *drop, void *arg)
{
	struct tnode *cur = n, *up;

	/* Iterative post-order walk: a deep tree cannot exhaust the stack. */
	for (;;) {
		while (cur->child != NULL)
			cur = cur->child;
		if (cur == n) {
			drop_one(t, cur, drop, arg);
			return;
		}
		up = cur->parent;
		drop_one(t, cur, drop, arg);
		cur = up;
	}
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
	if (total + 3 > t->bufsize) {
		t->bufsize = (total + 3) * 2 < 256 ? 256 : (total + 3) * 2;
		free(t->buf);
		t->buf = xmalloc(t->bufsize);
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

	for (i = 0; i < t->nslots; i++)
		if (t->slots[i] != NULL)
			t->slots[i]->flags &= (uint8_t)~MARKED;
}

size_t
tree_unmarked(const struct tree *t, int **wdsp)
{
	size_t i, n = 0;
	int *wds;

	wds = xreallocarray(NULL, t->count, sizeof(*wds));
	for (i = 0; i < t->nslots; i++)
		if (t->slots[i] != NULL && !(t->slots[i]->flags & MARKED))
			wds[n++] = t->slots[i]->wd;
	*wdsp = wds;
	return n;
}
