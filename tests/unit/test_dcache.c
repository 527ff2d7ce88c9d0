/*
 * test_dcache.c: unit tests for the fanotify backend's directory table:
 * lookups by key bytes, replacing and dropping entries, rewriting the
 * paths at and below a renamed directory, dropping by path and by state,
 * and what goes first when the table is full.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dcache.h"

/* Puts an inside entry keyed by key (a string) at path. */
static struct dcval *
put_in(struct dcache *dc, const char *key, const char *path)
{
	return dcache_put(dc, key, strlen(key), DCACHE_INSIDE, 0, path,
	    strlen(path));
}

static const char *
path_of(struct dcache *dc, const char *key)
{
	struct dcval *v = dcache_get(dc, key, strlen(key));

	return v != NULL ? v->path : NULL;
}

static void
test_dcache_finds_by_key_bytes(void **state)
{
	struct dcache *dc = dcache_new(100);
	const unsigned char k1[] = { 1, 0, 2 }, k2[] = { 1, 0, 3 };
	struct dcval *v;

	(void)state;
	assert_null(dcache_get(dc, k1, sizeof(k1)));
	v = dcache_put(dc, k1, sizeof(k1), DCACHE_OUTSIDE, 0, NULL, 0);
	assert_non_null(v);
	assert_null(v->path);
	assert_ptr_equal(dcache_get(dc, k1, sizeof(k1)), v);
	assert_null(dcache_get(dc, k2, sizeof(k2)));
	/* A key is its bytes, its length included. */
	assert_null(dcache_get(dc, k1, 2));
	assert_int_equal(dcache_count(dc), 1);
	dcache_free(dc);
}

static void
test_dcache_put_replaces_and_clears_hooked(void **state)
{
	struct dcache *dc = dcache_new(100);
	struct dcval *v;

	(void)state;
	v = put_in(dc, "k", "w/a/");
	v->hooked = 1;
	v = dcache_put(dc, "k", 1, DCACHE_IGNORED, 3, "w/b/", 4);
	assert_int_equal(v->state, DCACHE_IGNORED);
	assert_int_equal(v->root, 3);
	assert_int_equal(v->hooked, 0);
	assert_string_equal(v->path, "w/b/");
	assert_int_equal(v->len, 4);
	assert_int_equal(dcache_count(dc), 1);
	dcache_free(dc);
}

static void
test_dcache_del_drops_one_entry(void **state)
{
	struct dcache *dc = dcache_new(100);

	(void)state;
	put_in(dc, "a", "w/a/");
	put_in(dc, "b", "w/b/");
	dcache_del(dc, "a", 1);
	dcache_del(dc, "zz", 2);
	assert_null(path_of(dc, "a"));
	assert_string_equal(path_of(dc, "b"), "w/b/");
	assert_int_equal(dcache_count(dc), 1);
	dcache_free(dc);
}

static void
test_dcache_holds_many_entries(void **state)
{
	struct dcache *dc = dcache_new(100000);
	char key[32], path[32];
	int i;

	(void)state;
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		snprintf(path, sizeof(path), "w/d%d/", i);
		put_in(dc, key, path);
	}
	assert_int_equal(dcache_count(dc), 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		snprintf(path, sizeof(path), "w/d%d/", i);
		assert_string_equal(path_of(dc, key), path);
	}
	dcache_free(dc);
}

static void
test_dcache_moved_rewrites_the_directory_and_below(void **state)
{
	struct dcache *dc = dcache_new(100);

	(void)state;
	put_in(dc, "a", "w/a/");
	put_in(dc, "ab", "w/a/b/");
	put_in(dc, "abc", "w/a/b/c/")->hooked = 1;
	put_in(dc, "ax", "w/ax/")->hooked = 1;
	put_in(dc, "w", "w/");
	assert_int_equal(dcache_moved(dc, "w/a/", 4, "w/x/y/", 6, 2), 3);
	/* Its rules are to be read again where it now is. */
	assert_int_equal(dcache_get(dc, "abc", 3)->hooked, 0);
	assert_int_equal(dcache_get(dc, "ax", 2)->hooked, 1);
	assert_string_equal(path_of(dc, "a"), "w/x/y/");
	assert_string_equal(path_of(dc, "ab"), "w/x/y/b/");
	assert_string_equal(path_of(dc, "abc"), "w/x/y/b/c/");
	assert_int_equal(dcache_get(dc, "abc", 3)->len, 10);
	assert_int_equal(dcache_get(dc, "abc", 3)->root, 2);
	/* A sibling that only starts with the same letters stays. */
	assert_string_equal(path_of(dc, "ax"), "w/ax/");
	assert_string_equal(path_of(dc, "w"), "w/");
	dcache_free(dc);
}

static void
test_dcache_drop_below_drops_the_directory_and_below(void **state)
{
	struct dcache *dc = dcache_new(100);

	(void)state;
	put_in(dc, "a", "w/a/");
	put_in(dc, "ab", "w/a/b/");
	put_in(dc, "ax", "w/ax/");
	dcache_put(dc, "o", 1, DCACHE_OUTSIDE, 0, NULL, 0);
	assert_int_equal(dcache_drop_below(dc, "w/a/", 4), 2);
	assert_null(path_of(dc, "a"));
	assert_null(path_of(dc, "ab"));
	assert_string_equal(path_of(dc, "ax"), "w/ax/");
	assert_non_null(dcache_get(dc, "o", 1));
	dcache_free(dc);
}

static void
test_dcache_drop_state_drops_only_that_state(void **state)
{
	struct dcache *dc = dcache_new(100);

	(void)state;
	put_in(dc, "a", "w/a/");
	dcache_put(dc, "o", 1, DCACHE_OUTSIDE, 0, NULL, 0);
	dcache_put(dc, "i", 1, DCACHE_IGNORED, 0, "w/.git/", 7);
	assert_int_equal(dcache_drop_state(dc, DCACHE_OUTSIDE), 1);
	assert_null(dcache_get(dc, "o", 1));
	assert_non_null(dcache_get(dc, "i", 1));
	assert_non_null(dcache_get(dc, "a", 1));
	dcache_free(dc);
}

static int
drop_ignored(void *arg, struct dcval *v)
{
	int *seen = arg;

	(*seen)++;
	return v->state == DCACHE_IGNORED;
}

static void
test_dcache_each_visits_all_and_drops_what_fn_says(void **state)
{
	struct dcache *dc = dcache_new(100);
	int seen = 0;

	(void)state;
	put_in(dc, "a", "w/a/");
	dcache_put(dc, "i", 1, DCACHE_IGNORED, 0, "w/.git/", 7);
	dcache_put(dc, "j", 1, DCACHE_IGNORED, 0, "w/j/", 4);
	dcache_each(dc, drop_ignored, &seen);
	assert_int_equal(seen, 3);
	assert_int_equal(dcache_count(dc), 1);
	assert_non_null(dcache_get(dc, "a", 1));
	dcache_free(dc);
}

static void
test_dcache_full_drops_what_is_not_inside_first(void **state)
{
	struct dcache *dc = dcache_new(4);

	(void)state;
	put_in(dc, "a", "w/a/");
	dcache_put(dc, "o", 1, DCACHE_OUTSIDE, 0, NULL, 0);
	dcache_put(dc, "p", 1, DCACHE_IGNORED, 0, "w/p/", 4);
	dcache_put(dc, "i", 1, DCACHE_GONE, 0, NULL, 0);
	put_in(dc, "b", "w/b/");
	assert_int_equal(dcache_count(dc), 2);
	assert_non_null(dcache_get(dc, "a", 1));
	assert_non_null(dcache_get(dc, "b", 1));
	assert_null(dcache_get(dc, "o", 1));
	dcache_free(dc);
}

static void
test_dcache_full_of_inside_entries_starts_over(void **state)
{
	struct dcache *dc = dcache_new(4);

	(void)state;
	put_in(dc, "a", "w/a/");
	put_in(dc, "b", "w/b/");
	put_in(dc, "c", "w/c/");
	put_in(dc, "d", "w/d/");
	put_in(dc, "e", "w/e/");
	assert_int_equal(dcache_count(dc), 1);
	assert_string_equal(path_of(dc, "e"), "w/e/");
	/* Replacing an entry of a full table makes no room. */
	put_in(dc, "f", "w/f/");
	put_in(dc, "g", "w/g/");
	put_in(dc, "h", "w/h/");
	put_in(dc, "h", "w/hh/");
	assert_int_equal(dcache_count(dc), 4);
	dcache_free(dc);
}

static void
test_dcache_clear_empties_the_table(void **state)
{
	struct dcache *dc = dcache_new(100);

	(void)state;
	put_in(dc, "a", "w/a/");
	put_in(dc, "b", "w/b/");
	dcache_clear(dc);
	assert_int_equal(dcache_count(dc), 0);
	assert_null(dcache_get(dc, "a", 1));
	put_in(dc, "a", "w/a/");
	assert_int_equal(dcache_count(dc), 1);
	dcache_free(dc);
	dcache_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dcache_finds_by_key_bytes),
		cmocka_unit_test(test_dcache_put_replaces_and_clears_hooked),
		cmocka_unit_test(test_dcache_del_drops_one_entry),
		cmocka_unit_test(test_dcache_holds_many_entries),
		cmocka_unit_test(
		    test_dcache_moved_rewrites_the_directory_and_below),
		cmocka_unit_test(
		    test_dcache_drop_below_drops_the_directory_and_below),
		cmocka_unit_test(test_dcache_drop_state_drops_only_that_state),
		cmocka_unit_test(
		    test_dcache_each_visits_all_and_drops_what_fn_says),
		cmocka_unit_test(
		    test_dcache_full_drops_what_is_not_inside_first),
		cmocka_unit_test(
		    test_dcache_full_of_inside_entries_starts_over),
		cmocka_unit_test(test_dcache_clear_empties_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
