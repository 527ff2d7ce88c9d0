/*
 * test_tree.c: unit tests for the watch tree: paths as find(1) prints
 * them, renames, subtree removal, the watch descriptor table and marks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tree.h"

static struct tnode *
add(struct tree *t, struct tnode *parent, const char *name, int wd)
{
	struct tnode *n;

	n = tree_add(t, parent, name, strlen(name), wd);
	assert_non_null(n);
	return n;
}

/* Checks the path of the entry name in n (or of n, for ""). */
static void
assert_path(struct tree *t, const struct tnode *n, const char *name,
    int isdir, const char *want)
{
	const char *p;
	size_t len = 999;

	p = tree_path(t, n, name, strlen(name), isdir, &len);
	assert_non_null(p);
	assert_string_equal(p, want);
	assert_int_equal(len, strlen(want));
}

/* Records the watch descriptors tree_remove() drops, in order. */
struct drops {
	int	 wds[64];
	size_t	 n;
};

static void
record_drop(void *arg, int wd)
{
	struct drops *d = arg;

	assert_true(d->n < 64);
	d->wds[d->n++] = wd;
}

static size_t
drop_index(const struct drops *d, int wd)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->wds[i] == wd)
			return i;
	fail_msg("wd %d was not dropped", wd);
	return SIZE_MAX;
}

static void
test_tree_paths_below_root_dot_have_no_prefix(void **state)
{
	struct tree *t;
	struct tnode *root, *a, *b;

	(void)state;
	t = tree_new();
	root = add(t, NULL, ".", 1);
	a = add(t, root, "a", 2);
	b = add(t, a, "b", 3);
	assert_path(t, root, "", 1, "./");
	assert_path(t, root, "f.c", 0, "f.c");
	assert_path(t, root, "new", 1, "new/");
	assert_path(t, a, "", 1, "a/");
	assert_path(t, a, "f.c", 0, "a/f.c");
	assert_path(t, b, "", 1, "a/b/");
	assert_path(t, b, "x", 0, "a/b/x");
	assert_path(t, b, "d", 1, "a/b/d/");
	tree_free(t);
}

static void
test_tree_paths_below_a_named_root(void **state)
{
	struct tree *t;
	struct tnode *root, *a;

	(void)state;
	t = tree_new();
	root = add(t, NULL, "src", 1);
	a = add(t, root, "lib", 2);
	assert_path(t, root, "", 1, "src/");
	assert_path(t, root, "main.c", 0, "src/main.c");
	assert_path(t, a, "", 1, "src/lib/");
	assert_path(t, a, "x.c", 0, "src/lib/x.c");
	assert_path(t, a, "sub", 1, "src/lib/sub/");
	tree_free(t);
}

static void
test_tree_paths_below_root_slash(void **state)
{
	struct tree *t;
	struct tnode *root, *a;

	(void)state;
	t = tree_new();
	root = add(t, NULL, "/", 1);
	a = add(t, root, "tmp", 2);
	assert_path(t, root, "", 1, "/");
	assert_path(t, root, "etc", 1, "/etc/");
	assert_path(t, root, "vmlinuz", 0, "/vmlinuz");
	assert_path(t, a, "", 1, "/tmp/");
	assert_path(t, a, "f", 0, "/tmp/f");
	tree_free(t);
}

static void
test_tree_paths_below_a_root_with_slashes(void **state)
{
	struct tree *t;
	struct tnode *root, *c, *abs;

	(void)state;
	t = tree_new();
	root = add(t, NULL, "a/b", 1);
	c = add(t, root, "c", 2);
	abs = add(t, NULL, "/var/tmp", 3);
	assert_path(t, root, "", 1, "a/b/");
	assert_path(t, root, "f", 0, "a/b/f");
	assert_path(t, c, "", 1, "a/b/c/");
	assert_path(t, c, "g", 0, "a/b/c/g");
	assert_path(t, abs, "h", 0, "/var/tmp/h");
	assert_int_equal(tree_roots(t), 2);
	tree_free(t);
}

static void
test_tree_path_buffer_grows_for_deep_trees(void **state)
{
	struct tree *t;
	struct tnode *n;
	char *want, name[8];
	size_t i, at = 0, len;
	const char *p;

	(void)state;
	t = tree_new();
	want = malloc(5000 * 7 + 16);
	assert_non_null(want);
	n = add(t, NULL, ".", 1);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "d%zu", i % 1000);
		n = add(t, n, name, (int)i + 2);
		at += (size_t)sprintf(want + at, "%s/", name);
	}
	p = tree_path(t, n, "", 0, 1, &len);
	assert_int_equal(len, at);
	assert_string_equal(p, want);
	strcpy(want + at, "file");
	p = tree_path(t, n, "file", 4, 0, &len);
	assert_string_equal(p, want);
	/* A deep subtree goes without deep recursion. */
	tree_remove(t, tree_lookup(t, 1), NULL, NULL);
	assert_int_equal(tree_count(t), 0);
	free(want);
	tree_free(t);
}

static void
test_tree_lookup_and_child_find_nodes(void **state)
{
	struct tree *t;
	struct tnode *root, *ab, *a;
	size_t len;

	(void)state;
	t = tree_new();
	root = add(t, NULL, "src", 10);
	ab = add(t, root, "ab", 11);
	a = add(t, root, "a", 12);
	assert_ptr_equal(tree_lookup(t, 10), root);
	assert_ptr_equal(tree_lookup(t, 11), ab);
	assert_ptr_equal(tree_lookup(t, 12), a);
	assert_null(tree_lookup(t, 13));
	assert_null(tree_lookup(t, -1));
	assert_ptr_equal(tree_child(t, root, "ab", 2), ab);
	assert_ptr_equal(tree_child(t, root, "a", 1), a);
	assert_ptr_equal(tree_child(t, root, "abc", 2), ab);
	assert_null(tree_child(t, root, "abc", 3));
	assert_null(tree_child(t, root, "b", 1));
	assert_null(tree_child(t, a, "a", 1));
	assert_int_equal(tree_wd(a), 12);
	assert_ptr_equal(tree_parent(a), root);
	assert_null(tree_parent(root));
	assert_memory_equal(tree_name(ab, &len), "ab", 3);
	assert_int_equal(len, 2);
	assert_int_equal(tree_count(t), 3);
	assert_int_equal(tree_roots(t), 1);
	assert_true(tree_within(a, root));
	assert_true(tree_within(root, root));
	assert_false(tree_within(root, a));
	assert_false(tree_within(a, ab));
	tree_free(t);
	tree_free(NULL);
}

static void
test_tree_lookup_in_an_empty_tree_finds_nothing(void **state)
{
	struct tree *t;

	(void)state;
	t = tree_new();
	assert_null(tree_lookup(t, 1));
	assert_int_equal(tree_count(t), 0);
	assert_int_equal(tree_roots(t), 0);
	tree_free(t);
}

static void
test_tree_move_renames_and_the_subtree_follows(void **state)
{
	struct tree *t;
	struct tnode *root, *a, *b, *c, *m;

	(void)state;
	t = tree_new();
	root = add(t, NULL, ".", 1);
	a = add(t, root, "a", 2);
	b = add(t, a, "b", 3);
	c = add(t, b, "c", 4);
	/* mv a/b x: shorter or equal names keep the node in place. */
	m = tree_move(t, b, root, "x", 1);
	assert_ptr_equal(tree_lookup(t, 3), m);
	assert_ptr_equal(tree_parent(m), root);
	assert_null(tree_child(t, a, "b", 1));
	assert_ptr_equal(tree_child(t, root, "x", 1), m);
	assert_ptr_equal(tree_child(t, m, "c", 1), c);
	assert_path(t, c, "", 1, "x/c/");
	assert_path(t, c, "f", 0, "x/c/f");
	assert_false(tree_within(c, a));
	assert_true(tree_within(c, m));
	assert_int_equal(tree_count(t), 4);
	tree_free(t);
}

static void
test_tree_move_to_a_longer_name_keeps_children_and_lookups(void **state)
{
	struct tree *t;
	struct tnode *root, *a, *k1, *k2, *k3, *g, *sib, *m;
	const char *longname = "a-much-longer-name-than-before";
	const char *longer = "an-even-longer-name-for-the-node";

	(void)state;
	t = tree_new();
	root = add(t, NULL, "src", 1);
	sib = add(t, root, "before", 2);
	a = add(t, root, "a", 3);
	add(t, root, "after", 4);
	k1 = add(t, a, "k1", 5);
	k2 = add(t, a, "k2", 6);
	k3 = add(t, a, "k3", 7);
	g = add(t, k2, "g", 8);

	m = tree_move(t, a, root, longname, strlen(longname));
	assert_ptr_equal(tree_lookup(t, 3), m);
	assert_int_equal(tree_wd(m), 3);
	assert_ptr_equal(tree_child(t, root, longname, strlen(longname)), m);
	assert_null(tree_child(t, root, "a", 1));
	assert_ptr_equal(tree_child(t, root, "before", 6), sib);
	assert_non_null(tree_child(t, root, "after", 5));
	assert_ptr_equal(tree_child(t, m, "k1", 2), k1);
	assert_ptr_equal(tree_child(t, m, "k2", 2), k2);
	assert_ptr_equal(tree_child(t, m, "k3", 2), k3);
	assert_ptr_equal(tree_parent(k1), m);
	assert_ptr_equal(tree_parent(k2), m);
	assert_ptr_equal(tree_parent(k3), m);
	assert_true(tree_within(g, m));
	assert_path(t, g, "f", 0,
	    "src/a-much-longer-name-than-before/k2/g/f");
	assert_path(t, m, "", 1, "src/a-much-longer-name-than-before/");

	/*
	 * Unlinking each child goes through the links the move rewrote;
	 * the last-added child is first in the list.
	 */
	tree_remove(t, k3, NULL, NULL);
	assert_null(tree_child(t, m, "k3", 2));
	assert_ptr_equal(tree_child(t, m, "k1", 2), k1);
	assert_ptr_equal(tree_child(t, m, "k2", 2), k2);
	tree_remove(t, k1, NULL, NULL);
	tree_remove(t, k2, NULL, NULL);
	assert_null(tree_child(t, m, "k2", 2));
	assert_null(tree_lookup(t, 8));
	k1 = add(t, m, "new", 9);
	assert_path(t, k1, "", 1, "src/a-much-longer-name-than-before/new/");

	/* The moved node itself can be moved and removed again. */
	m = tree_move(t, m, sib, longer, strlen(longer));
	assert_path(t, k1, "", 1,
	    "src/before/an-even-longer-name-for-the-node/new/");
	tree_remove(t, m, NULL, NULL);
	assert_null(tree_lookup(t, 3));
	assert_null(tree_lookup(t, 9));
	assert_null(tree_child(t, sib, longer, strlen(longer)));
	assert_int_equal(tree_count(t), 3);
	tree_free(t);
}

static void
test_tree_move_of_a_root_below_another_root(void **state)
{
	struct tree *t;
	struct tnode *x, *y, *yc, *m;

	(void)state;
	t = tree_new();
	x = add(t, NULL, "x", 1);
	y = add(t, NULL, "y", 2);
	yc = add(t, y, "c", 3);
	assert_int_equal(tree_roots(t), 2);
	m = tree_move(t, y, x, "moved-y", 7);
	assert_int_equal(tree_roots(t), 1);
	assert_ptr_equal(tree_parent(m), x);
	assert_path(t, yc, "", 1, "x/moved-y/c/");
	tree_free(t);
}

static void
test_tree_remove_drops_the_subtree_deepest_first(void **state)
{
	struct tree *t;
	struct tnode *root, *a, *b, *e;
	struct drops d = { { 0 }, 0 };
	int wd;

	(void)state;
	t = tree_new();
	root = add(t, NULL, ".", 1);
	a = add(t, root, "a", 2);
	b = add(t, a, "b", 3);
	add(t, b, "c", 4);
	add(t, b, "d", 5);
	e = add(t, a, "e", 6);
	add(t, e, "f", 7);
	add(t, root, "keep", 8);

	tree_remove(t, a, record_drop, &d);
	assert_int_equal(d.n, 6);
	/* Each node goes after everything below it. */
	assert_true(drop_index(&d, 4) < drop_index(&d, 3));
	assert_true(drop_index(&d, 5) < drop_index(&d, 3));
	assert_true(drop_index(&d, 7) < drop_index(&d, 6));
	assert_true(drop_index(&d, 3) < drop_index(&d, 2));
	assert_true(drop_index(&d, 6) < drop_index(&d, 2));
	assert_int_equal(d.wds[5], 2);
	assert_int_equal(tree_count(t), 2);
	assert_null(tree_child(t, root, "a", 1));
	assert_non_null(tree_child(t, root, "keep", 4));
	assert_ptr_equal(tree_lookup(t, 1), root);
	assert_non_null(tree_lookup(t, 8));
	for (wd = 2; wd <= 7; wd++)
		assert_null(tree_lookup(t, wd));
	tree_free(t);
}

static void
test_tree_remove_of_a_leaf_and_of_a_root(void **state)
{
	struct tree *t;
	struct tnode *r1, *r2, *leaf;
	struct drops d = { { 0 }, 0 };

	(void)state;
	t = tree_new();
	r1 = add(t, NULL, "one", 1);
	r2 = add(t, NULL, "two", 2);
	leaf = add(t, r1, "leaf", 3);
	add(t, r2, "x", 4);
	tree_remove(t, leaf, record_drop, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.wds[0], 3);
	assert_null(tree_child(t, r1, "leaf", 4));
	tree_remove(t, r2, record_drop, &d);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.wds[1], 4);
	assert_int_equal(d.wds[2], 2);
	assert_int_equal(tree_roots(t), 1);
	assert_int_equal(tree_count(t), 1);
	assert_path(t, r1, "f", 0, "one/f");
	tree_remove(t, r1, NULL, NULL);
	assert_int_equal(tree_roots(t), 0);
	assert_int_equal(tree_count(t), 0);
	tree_free(t);
}

/* A small generator, so that a failure replays the same way. */
static uint32_t
rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/*
 * Thousands of random adds and removals, checked against a plain array
 * of (wd, parent).  A quarter of the descriptors share their low ten
 * bits, so probe runs in the table are long and removals exercise the
 * backward-shift delete; most removals take a leaf, some a subtree.
 */
struct refnode {
	int		 wd;
	int		 parent;	/* index in the array, or -1 */
	int		 live;
	size_t		 nchildren;	/* live children */
	struct tnode	*node;
};

struct refdrops {
	struct refnode	*ref;
	size_t		 nref;
	size_t		 ndropped;
};

#define CLUSTERED	100000

static int
ref_wd(size_t i, int clustered)
{
	return clustered ? CLUSTERED + (int)(i + 1) * 1024 : (int)i + 1;
}

static size_t
ref_index(int wd)
{
	return wd < CLUSTERED ? (size_t)wd - 1 :
	    (size_t)(wd - CLUSTERED) / 1024 - 1;
}

static void
ref_drop(void *arg, int wd)
{
	struct refdrops *rd = arg;
	struct refnode *r;
	size_t i = ref_index(wd);

	if (i >= rd->nref || !rd->ref[i].live || rd->ref[i].wd != wd)
		fail_msg("dropped wd %d is not live", wd);
	r = &rd->ref[i];
	if (r->nchildren != 0)
		fail_msg("wd %d dropped before its children", wd);
	r->live = 0;
	if (r->parent != -1)
		rd->ref[r->parent].nchildren--;
	rd->ndropped++;
}

/*
 * Marks in inside[] the reference nodes in top's subtree and returns how
 * many are live.  A parent always comes before its children in the
 * array, so one pass does.
 */
static size_t
ref_subtree(const struct refnode *ref, size_t nref, size_t top, char *inside)
{
	size_t i, n = 0;

	for (i = 0; i < nref; i++) {
		inside[i] = i == top || (ref[i].parent != -1 &&
		    i > top && inside[ref[i].parent]);
		if (inside[i] && ref[i].live)
			n++;
	}
	return n;
}

static size_t
ref_pick_live(const struct refnode *ref, size_t nref, uint32_t *x)
{
	size_t pick = rnd(x) % nref;

	while (!ref[pick].live)
		pick = (pick + 1) % nref;
	return pick;
}

static void
test_tree_table_survives_random_adds_and_removals(void **state)
{
	enum { STEPS = 30000, GROW = 4000 };
	struct refnode *ref;
	struct refdrops rd;
	struct tree *t;
	struct tnode *n;
	char name[16], *inside;
	size_t i, nref = 0, nlive = 0, maxlive = 0, pick, want, k, tries;
	size_t nsubtrees = 0;
	uint32_t x = 88172645u;
	int step, subtree;

	(void)state;
	ref = calloc(STEPS, sizeof(*ref));
	inside = calloc(STEPS, 1);
	assert_non_null(ref);
	assert_non_null(inside);
	t = tree_new();
	for (step = 0; step < STEPS; step++) {
		/* Grow first, then hover around GROW live nodes. */
		if (nlive == 0 || (nlive < GROW && step < 2 * GROW) ||
		    rnd(&x) % 100 < (nlive < GROW ? 65 : 35)) {
			/* Add below a random live node, or as a root. */
			ref[nref].wd = ref_wd(nref, rnd(&x) % 4 == 0);
			ref[nref].parent = -1;
			ref[nref].live = 1;
			n = NULL;
			if (nlive > 0 && rnd(&x) % 16 != 0) {
				pick = ref_pick_live(ref, nref, &x);
				ref[nref].parent = (int)pick;
				ref[pick].nchildren++;
				n = ref[pick].node;
			}
			snprintf(name, sizeof(name), "n%zu", nref);
			ref[nref].node = tree_add(t, n, name, strlen(name),
			    ref[nref].wd);
			nref++;
			nlive++;
		} else {
			/* Mostly a leaf; one time in 16, a small subtree. */
			subtree = rnd(&x) % 16 == 0;
			for (tries = 0;; tries++) {
				pick = ref_pick_live(ref, nref, &x);
				if (tries == 1000 || (!subtree &&
				    ref[pick].nchildren == 0))
					break;
				if (subtree && ref[pick].nchildren > 0 &&
				    ref_subtree(ref, nref, pick, inside) <= 16)
					break;
			}
			want = ref_subtree(ref, nref, pick, inside);
			if (want > 1)
				nsubtrees++;
			rd.ref = ref;
			rd.nref = nref;
			rd.ndropped = 0;
			tree_remove(t, ref[pick].node, ref_drop, &rd);
			assert_int_equal(rd.ndropped, want);
			nlive -= want;
			for (i = 0; i < nref; i++)
				if (inside[i])
					assert_false(ref[i].live);
		}
		if (nlive > maxlive)
			maxlive = nlive;
		assert_int_equal(tree_count(t), nlive);
		/* Check every live and every dead descriptor now and then. */
		if (step % 64 != 0 && step != STEPS - 1)
			continue;
		for (i = 0, k = 0; i < nref; i++) {
			n = tree_lookup(t, ref[i].wd);
			if (ref[i].live) {
				assert_ptr_equal(n, ref[i].node);
				assert_int_equal(tree_wd(n), ref[i].wd);
				k++;
			} else
				assert_null(n);
		}
		assert_int_equal(k, nlive);
	}
	/* The run really was large and really removed subtrees. */
	assert_true(maxlive >= GROW);
	assert_true(nlive >= GROW / 2);
	assert_true(nsubtrees >= 100);
	tree_free(t);
	free(inside);
	free(ref);
}

static void
test_tree_marks_select_the_unmarked_nodes(void **state)
{
	struct tree *t;
	struct tnode *root, *a, *b, *c;
	int *wds = NULL, seen[5] = { 0 };
	size_t n, i;

	(void)state;
	t = tree_new();
	root = add(t, NULL, ".", 1);
	a = add(t, root, "a", 2);
	b = add(t, root, "b", 3);
	c = add(t, a, "c", 4);
	assert_false(tree_mark(root));
	tree_set_mark(root, 1);
	tree_set_mark(b, 1);
	assert_true(tree_mark(root));
	assert_true(tree_mark(b));
	assert_false(tree_mark(a));

	n = tree_unmarked(t, &wds);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		assert_in_range(wds[i], 1, 4);
		seen[wds[i]]++;
	}
	assert_int_equal(seen[2], 1);
	assert_int_equal(seen[4], 1);
	free(wds);

	tree_set_mark(b, 0);
	assert_false(tree_mark(b));
	tree_set_mark(a, 1);
	tree_set_mark(c, 1);
	n = tree_unmarked(t, &wds);
	assert_int_equal(n, 1);
	assert_int_equal(wds[0], 3);
	free(wds);

	tree_clear_marks(t);
	assert_false(tree_mark(root));
	assert_false(tree_mark(c));
	n = tree_unmarked(t, &wds);
	assert_int_equal(n, 4);
	free(wds);

	tree_set_mark(root, 1);
	tree_set_mark(a, 1);
	tree_set_mark(b, 1);
	tree_set_mark(c, 1);
	n = tree_unmarked(t, &wds);
	assert_int_equal(n, 0);
	free(wds);
	tree_free(t);
}

static void
test_tree_unmarked_of_an_empty_tree_is_empty(void **state)
{
	struct tree *t;
	int *wds = NULL;

	(void)state;
	t = tree_new();
	assert_int_equal(tree_unmarked(t, &wds), 0);
	free(wds);
	tree_free(t);
}

static void
test_tree_mark_survives_a_move_to_a_longer_name(void **state)
{
	struct tree *t;
	struct tnode *root, *a;
	int *wds = NULL;

	(void)state;
	t = tree_new();
	root = add(t, NULL, ".", 1);
	a = add(t, root, "a", 2);
	tree_set_mark(root, 1);
	tree_set_mark(a, 1);
	a = tree_move(t, a, root, "longer-name", 11);
	assert_true(tree_mark(a));
	assert_int_equal(tree_unmarked(t, &wds), 0);
	free(wds);
	tree_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_tree_paths_below_root_dot_have_no_prefix),
		cmocka_unit_test(test_tree_paths_below_a_named_root),
		cmocka_unit_test(test_tree_paths_below_root_slash),
		cmocka_unit_test(test_tree_paths_below_a_root_with_slashes),
		cmocka_unit_test(test_tree_path_buffer_grows_for_deep_trees),
		cmocka_unit_test(test_tree_lookup_and_child_find_nodes),
		cmocka_unit_test(
		    test_tree_lookup_in_an_empty_tree_finds_nothing),
		cmocka_unit_test(
		    test_tree_move_renames_and_the_subtree_follows),
		cmocka_unit_test(
		    test_tree_move_to_a_longer_name_keeps_children_and_lookups),
		cmocka_unit_test(test_tree_move_of_a_root_below_another_root),
		cmocka_unit_test(
		    test_tree_remove_drops_the_subtree_deepest_first),
		cmocka_unit_test(test_tree_remove_of_a_leaf_and_of_a_root),
		cmocka_unit_test(
		    test_tree_table_survives_random_adds_and_removals),
		cmocka_unit_test(test_tree_marks_select_the_unmarked_nodes),
		cmocka_unit_test(
		    test_tree_unmarked_of_an_empty_tree_is_empty),
		cmocka_unit_test(
		    test_tree_mark_survives_a_move_to_a_longer_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
