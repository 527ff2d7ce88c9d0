/*
 * test_batch.c: unit tests for the ordered set of changed paths: order of
 * first change, merged events, the last change, caps and clearing.
 */
#include <sys/inotify.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "batch.h"

static int
add(struct batch *b, const char *path, uint32_t mask)
{
	return batch_add(b, path, strlen(path), mask);
}

static void
assert_path(const struct batch *b, size_t i, const char *want)
{
	const char *p;
	size_t len = 999;

	p = batch_path(b, i, &len);
	assert_int_equal(len, strlen(want));
	assert_string_equal(p, want);
}

static void
assert_last(const struct batch *b, const char *want, uint32_t wantmask)
{
	const char *p;
	size_t len = 999;
	uint32_t mask = 0;

	p = batch_last(b, &len, &mask);
	assert_non_null(p);
	assert_int_equal(len, strlen(want));
	assert_string_equal(p, want);
	assert_int_equal(mask, wantmask);
}

static void
test_batch_starts_empty(void **state)
{
	struct batch *b;
	size_t len;
	uint32_t mask;

	(void)state;
	b = batch_new(BATCH_MAX_PATHS, BATCH_MAX_BYTES);
	assert_int_equal(batch_count(b), 0);
	assert_null(batch_last(b, &len, &mask));
	assert_false(batch_truncated(b));
	assert_false(batch_overflow(b));
	batch_free(b);
	batch_free(NULL);
}

static void
test_batch_keeps_distinct_paths_in_order_of_first_change(void **state)
{
	struct batch *b;

	(void)state;
	b = batch_new(BATCH_MAX_PATHS, BATCH_MAX_BYTES);
	assert_int_equal(add(b, "src/b.c", IN_MODIFY), 1);
	assert_int_equal(add(b, "src/a.c", IN_CREATE), 1);
	assert_int_equal(add(b, "src/b.c", IN_CLOSE_WRITE), 0);
	assert_int_equal(add(b, "src/c.c", IN_CREATE), 1);
	assert_int_equal(add(b, "src/a.c", IN_DELETE), 0);
	assert_int_equal(batch_count(b), 3);
	assert_path(b, 0, "src/b.c");
	assert_path(b, 1, "src/a.c");
	assert_path(b, 2, "src/c.c");
	batch_free(b);
}

static void
test_batch_compares_whole_paths_as_bytes(void **state)
{
	struct batch *b;
	const char *p;
	size_t len;

	(void)state;
	b = batch_new(BATCH_MAX_PATHS, BATCH_MAX_BYTES);
	assert_int_equal(add(b, "a", IN_CREATE), 1);
	assert_int_equal(add(b, "ab", IN_CREATE), 1);
	assert_int_equal(add(b, "A", IN_CREATE), 1);
	assert_int_equal(batch_add(b, "a\0b", 3, IN_CREATE), 1);
	assert_int_equal(batch_add(b, "a\0c", 3, IN_CREATE), 1);
	assert_int_equal(batch_add(b, "a\0b", 3, IN_MODIFY), 0);
	assert_int_equal(batch_add(b, "abc", 2, IN_MODIFY), 0);
	assert_int_equal(batch_count(b), 5);
	p = batch_path(b, 3, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(p, "a\0b", 4);
	batch_free(b);
}

static void
test_batch_merges_events_of_a_repeated_path(void **state)
{
	struct batch *b;

	(void)state;
	b = batch_new(BATCH_MAX_PATHS, BATCH_MAX_BYTES);
	add(b, "a", IN_CREATE);
	add(b, "b", IN_MODIFY);
	add(b, "a", IN_MODIFY);
	assert_last(b, "a", IN_CREATE | IN_MODIFY);
	add(b, "b", IN_ATTRIB);
	assert_last(b, "b", IN_MODIFY | IN_ATTRIB);
	add(b, "a", IN_CLOSE_WRITE);
	assert_last(b, "a", IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE);
	assert_int_equal(batch_count(b), 2);
	batch_free(b);
}

static void
test_batch_last_follows_the_latest_change(void **state)
{
	struct batch *b;

	(void)state;
	b = batch_new(BATCH_MAX_PATHS, BATCH_MAX_BYTES);
	add(b, "first", IN_CREATE);
	assert_last(b, "first", IN_CREATE);
	add(b, "second/path/longer/than/the/first", IN_MODIFY);
	assert_last(b, "second/path/longer/than/the/first", IN_MODIFY);
	add(b, "first", IN_CLOSE_WRITE);
	assert_last(b, "first", IN_CREATE | IN_CLOSE_WRITE);
	batch_free(b);
}

static void
test_batch_cap_on_paths_truncates(void **state)
{
	struct batch *b;

	(void)state;
	b = batch_new(3, BATCH_MAX_BYTES);
	assert_int_equal(add(b, "a", IN_CREATE), 1);
	assert_int_equal(add(b, "b", IN_CREATE), 1);
	assert_int_equal(add(b, "c", IN_CREATE), 1);
	assert_false(batch_truncated(b));
	assert_int_equal(add(b, "d", IN_DELETE), -1);
	assert_true(batch_truncated(b));
	assert_int_equal(batch_count(b), 3);
	assert_path(b, 2, "c");
	/* The change left out is not in the batch: never its last path. */
	assert_last(b, "c", IN_CREATE);
	/* Paths already in the batch still merge. */
	assert_int_equal(add(b, "a", IN_MODIFY), 0);
	assert_last(b, "a", IN_CREATE | IN_MODIFY);
	assert_int_equal(add(b, "e", IN_CREATE), -1);
	assert_int_equal(batch_count(b), 3);
	assert_last(b, "a", IN_CREATE | IN_MODIFY);
	batch_free(b);
}

static void
test_batch_cap_on_bytes_truncates(void **state)
{
	struct batch *b;

	(void)state;
	/* Each path costs its length plus a NUL: 5 + 5 fit in 10. */
	b = batch_new(100, 10);
	assert_int_equal(add(b, "abcd", IN_CREATE), 1);
	assert_int_equal(add(b, "efgh", IN_CREATE), 1);
	assert_false(batch_truncated(b));
	assert_int_equal(add(b, "i", IN_CREATE), -1);
	assert_true(batch_truncated(b));
	assert_int_equal(batch_count(b), 2);
	assert_int_equal(add(b, "abcd", IN_MODIFY), 0);
	batch_free(b);

	b = batch_new(100, 10);
	assert_int_equal(add(b, "0123456789", IN_CREATE), -1);
	assert_true(batch_truncated(b));
	assert_int_equal(batch_count(b), 0);
	assert_int_equal(add(b, "012345678", IN_CREATE), 1);
	batch_free(b);
}

static void
test_batch_clear_resets_paths_and_flags(void **state)
{
	struct batch *b;
	size_t len;
	uint32_t mask;

	(void)state;
	b = batch_new(2, BATCH_MAX_BYTES);
	add(b, "a", IN_CREATE);
	add(b, "b", IN_CREATE);
	add(b, "c", IN_CREATE);
	batch_set_overflow(b);
	assert_true(batch_truncated(b));
	assert_true(batch_overflow(b));
	batch_clear(b);
	assert_int_equal(batch_count(b), 0);
	assert_false(batch_truncated(b));
	assert_false(batch_overflow(b));
	assert_null(batch_last(b, &len, &mask));
	/* Old paths are forgotten: adding them again makes them new. */
	assert_int_equal(add(b, "b", IN_MODIFY), 1);
	assert_int_equal(add(b, "a", IN_MODIFY), 1);
	assert_path(b, 0, "b");
	assert_path(b, 1, "a");
	assert_last(b, "a", IN_MODIFY);
	batch_free(b);
}

static void
test_batch_overflow_flag_is_independent_of_truncation(void **state)
{
	struct batch *b;

	(void)state;
	b = batch_new(BATCH_MAX_PATHS, BATCH_MAX_BYTES);
	batch_set_overflow(b);
	assert_true(batch_overflow(b));
	assert_false(batch_truncated(b));
	assert_int_equal(add(b, "x", IN_Q_OVERFLOW), 1);
	assert_true(batch_overflow(b));
	batch_free(b);
}

static void
test_batch_handles_100000_adds_with_duplicates(void **state)
{
	enum { ADDS = 100000, DISTINCT = 7919 };
	struct batch *b;
	char path[64];
	size_t i, len;
	int rc;

	(void)state;
	b = batch_new(BATCH_MAX_PATHS, BATCH_MAX_BYTES);
	for (i = 0; i < ADDS; i++) {
		len = (size_t)snprintf(path, sizeof(path), "dir/%zu/file.c",
		    (i * 31) % DISTINCT);
		rc = batch_add(b, path, len, (uint32_t)1 << (i % 12));
		assert_int_equal(rc, i < DISTINCT ? 1 : 0);
	}
	assert_int_equal(batch_count(b), DISTINCT);
	assert_false(batch_truncated(b));
	for (i = 0; i < DISTINCT; i++) {
		snprintf(path, sizeof(path), "dir/%zu/file.c",
		    (i * 31) % DISTINCT);
		assert_path(b, i, path);
	}
	snprintf(path, sizeof(path), "dir/%zu/file.c",
	    ((size_t)(ADDS - 1) * 31) % DISTINCT);
	assert_last(b, path, 0xfff);
	batch_free(b);
}

static void
test_batch_holds_exactly_the_default_path_cap(void **state)
{
	struct batch *b;
	char path[64];
	size_t i, len;

	(void)state;
	b = batch_new(BATCH_MAX_PATHS, BATCH_MAX_BYTES);
	for (i = 0; i < BATCH_MAX_PATHS; i++) {
		len = (size_t)snprintf(path, sizeof(path), "p%zu", i);
		assert_int_equal(batch_add(b, path, len, IN_CREATE), 1);
	}
	assert_false(batch_truncated(b));
	assert_int_equal(add(b, "one-too-many", IN_CREATE), -1);
	assert_true(batch_truncated(b));
	assert_int_equal(batch_count(b), BATCH_MAX_PATHS);
	assert_int_equal(add(b, "p99999", IN_MODIFY), 0);
	assert_path(b, 12345, "p12345");
	/* A large batch gives its buffers back and works on. */
	batch_clear(b);
	assert_int_equal(batch_count(b), 0);
	assert_int_equal(add(b, "p5", IN_CREATE), 1);
	assert_int_equal(add(b, "p6", IN_CREATE), 1);
	assert_int_equal(add(b, "p5", IN_CREATE), 0);
	assert_path(b, 1, "p6");
	batch_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_starts_empty),
		cmocka_unit_test(
		    test_batch_keeps_distinct_paths_in_order_of_first_change),
		cmocka_unit_test(test_batch_compares_whole_paths_as_bytes),
		cmocka_unit_test(test_batch_merges_events_of_a_repeated_path),
		cmocka_unit_test(test_batch_last_follows_the_latest_change),
		cmocka_unit_test(test_batch_cap_on_paths_truncates),
		cmocka_unit_test(test_batch_cap_on_bytes_truncates),
		cmocka_unit_test(test_batch_clear_resets_paths_and_flags),
		cmocka_unit_test(
		    test_batch_overflow_flag_is_independent_of_truncation),
		cmocka_unit_test(
		    test_batch_handles_100000_adds_with_duplicates),
		cmocka_unit_test(test_batch_holds_exactly_the_default_path_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
