/*
 * test_suggest.c: unit tests for the edit distance behind "did you mean"
 * hints and for the threshold that decides when a hint is worth giving.
 */
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "suggest.h"

static size_t
dist(const char *a, const char *b)
{
	return suggest_distance(a, strlen(a), b, strlen(b));
}

static void
test_suggest_identical_words_are_zero_apart(void **state)
{
	(void)state;
	assert_int_equal(dist("", ""), 0);
	assert_int_equal(dist("WRITE", "WRITE"), 0);
}

static void
test_suggest_ignores_ascii_case(void **state)
{
	(void)state;
	assert_int_equal(dist("write", "WRITE"), 0);
	assert_int_equal(dist("Watch", "wATCH"), 0);
	assert_int_equal(dist("wirte", "WRITE"), 1);
}

static void
test_suggest_counts_single_edits(void **state)
{
	(void)state;
	assert_int_equal(dist("WRITE", "WRITES"), 1);	/* insertion */
	assert_int_equal(dist("WRITE", "WRIT"), 1);	/* deletion */
	assert_int_equal(dist("WRITE", "WROTE"), 1);	/* substitution */
	assert_int_equal(dist("WRITE", "WIRTE"), 1);	/* swap */
	assert_int_equal(dist("watch", "wach"), 1);
	assert_int_equal(dist("ab", "ba"), 1);
}

static void
test_suggest_counts_several_edits(void **state)
{
	(void)state;
	assert_int_equal(dist("kitten", "sitting"), 3);
	assert_int_equal(dist("", "abc"), 3);
	assert_int_equal(dist("abc", ""), 3);
	assert_int_equal(dist("CREATE", "DELETE"), 4);
	assert_int_equal(dist("abcd", "badc"), 2);
	assert_int_equal(dist("debounce", "ignore"), 6);
}

static void
test_suggest_distance_is_symmetric(void **state)
{
	static const char *words[] = {
		"", "a", "WRITE", "wirte", "MOVED_FROM", "moved_to", "watch",
		"debounce", "kitten", "sitting", "abcdef", "fedcba",
	};
	size_t i, j, n = sizeof(words) / sizeof(words[0]);

	(void)state;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			assert_int_equal(dist(words[i], words[j]),
			    dist(words[j], words[i]));
}

static void
test_suggest_reads_only_len_bytes(void **state)
{
	(void)state;
	assert_int_equal(suggest_distance("WRITExyz", 5, "WRITE", 5), 0);
	assert_int_equal(suggest_distance("WRITE", 5, "WRIT!", 4), 1);
}

static void
test_suggest_words_of_64_bytes_are_infinitely_far(void **state)
{
	char a[65], b[65];

	(void)state;
	memset(a, 'a', sizeof(a));
	memset(b, 'a', sizeof(b));
	assert_int_equal(suggest_distance(a, 63, b, 63), 0);
	assert_int_equal(suggest_distance(a, 63, b, 60), 3);
	assert_int_equal(suggest_distance(a, 64, b, 64), SIZE_MAX);
	assert_int_equal(suggest_distance(a, 64, "a", 1), SIZE_MAX);
	assert_int_equal(suggest_distance("a", 1, b, 65), SIZE_MAX);
}

static void
test_suggest_close_allows_two_edits_for_short_words(void **state)
{
	(void)state;
	assert_true(suggest_close(1, 4));
	assert_true(suggest_close(2, 4));
	assert_false(suggest_close(3, 4));
	assert_true(suggest_close(2, 5));
	assert_false(suggest_close(3, 5));
}

static void
test_suggest_close_allows_a_third_of_long_words(void **state)
{
	(void)state;
	assert_true(suggest_close(3, 9));
	assert_false(suggest_close(4, 9));
	assert_true(suggest_close(4, 12));
	assert_false(suggest_close(5, 12));
}

static void
test_suggest_close_never_replaces_the_whole_word(void **state)
{
	(void)state;
	assert_false(suggest_close(1, 1));
	assert_false(suggest_close(2, 2));
	assert_true(suggest_close(1, 2));
	assert_false(suggest_close(0, 0));
	assert_false(suggest_close(SIZE_MAX, 5));
	assert_false(suggest_close(SIZE_MAX, SIZE_MAX));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suggest_identical_words_are_zero_apart),
		cmocka_unit_test(test_suggest_ignores_ascii_case),
		cmocka_unit_test(test_suggest_counts_single_edits),
		cmocka_unit_test(test_suggest_counts_several_edits),
		cmocka_unit_test(test_suggest_distance_is_symmetric),
		cmocka_unit_test(test_suggest_reads_only_len_bytes),
		cmocka_unit_test(
		    test_suggest_words_of_64_bytes_are_infinitely_far),
		cmocka_unit_test(
		    test_suggest_close_allows_two_edits_for_short_words),
		cmocka_unit_test(
		    test_suggest_close_allows_a_third_of_long_words),
		cmocka_unit_test(
		    test_suggest_close_never_replaces_the_whole_word),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
