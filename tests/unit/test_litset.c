/*
 * test_litset.c: the Aho-Corasick literal set: every literal that occurs
 * is reported, overlapping and nested ones included, against a brute-force
 * search on random sets and subjects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "litset.h"

struct hits {
	uint32_t	 seen[64];
};

static void
record(void *arg, uint32_t id)
{
	struct hits *h = arg;

	assert_true(id < 64);
	h->seen[id] = 1;
}

static void
test_litset_reports_overlapping_and_nested_literals(void **state)
{
	struct litset *ls;
	struct hits h;

	(void)state;
	ls = litset_new();
	litset_add(ls, "he", 2, 0);
	litset_add(ls, "she", 3, 1);
	litset_add(ls, "his", 3, 2);
	litset_add(ls, "hers", 4, 3);
	litset_add(ls, "/build/", 7, 4);
	assert_int_equal(litset_build(ls), 0);
	memset(&h, 0, sizeof(h));
	litset_scan(ls, "ushers", 6, record, &h);
	assert_true(h.seen[0] && h.seen[1] && h.seen[3]);
	assert_false(h.seen[2] || h.seen[4]);
	memset(&h, 0, sizeof(h));
	litset_scan(ls, "build/x", 7, record, &h);
	assert_false(h.seen[0] || h.seen[1] || h.seen[2] || h.seen[3]);
	assert_false(h.seen[4]);	/* "/build/" needs the leading '/' */
	litset_scan(ls, "a/build/x", 9, record, &h);
	assert_true(h.seen[4]);
	litset_free(ls);
}

static void
test_litset_matches_bytes_including_high_ones(void **state)
{
	struct litset *ls;
	struct hits h;

	(void)state;
	ls = litset_new();
	litset_add(ls, "\xff\x80", 2, 7);
	litset_add(ls, "a\nb", 3, 8);
	assert_int_equal(litset_build(ls), 0);
	memset(&h, 0, sizeof(h));
	litset_scan(ls, "x\xff\x80y a\nb", 9, record, &h);
	assert_true(h.seen[7] && h.seen[8]);
	litset_free(ls);
}

static void
test_litset_agrees_with_brute_force(void **state)
{
	char lits[40][8], subj[64];
	size_t lens[40], i, j, n, len;
	struct litset *ls;
	struct hits h;
	int round, want;

	(void)state;
	srandom(7);
	for (round = 0; round < 300; round++) {
		ls = litset_new();
		n = 1 + (size_t)random() % 40;
		for (i = 0; i < n; i++) {
			lens[i] = 1 + (size_t)random() % 6;
			for (j = 0; j < lens[i]; j++)
				lits[i][j] = "ab/."[random() % 4];
			litset_add(ls, lits[i], lens[i], (uint32_t)i);
		}
		assert_int_equal(litset_build(ls), 0);
		len = (size_t)random() % 60;
		for (j = 0; j < len; j++)
			subj[j] = "ab/.c"[random() % 5];
		memset(&h, 0, sizeof(h));
		litset_scan(ls, subj, len, record, &h);
		for (i = 0; i < n; i++) {
			want = memmem(subj, len, lits[i], lens[i]) != NULL;
			if ((int)h.seen[i] != want)
				fail_msg("round %d: literal %zu '%.*s' in '%.*s':"
				    " got %u, want %d", round, i, (int)lens[i],
				    lits[i], (int)len, subj, h.seen[i], want);
		}
		litset_free(ls);
	}
}

static void
test_litset_unbuilt_or_empty_reports_nothing(void **state)
{
	struct litset *ls;
	struct hits h;

	(void)state;
	ls = litset_new();
	memset(&h, 0, sizeof(h));
	litset_scan(ls, "abc", 3, record, &h);
	assert_int_equal(litset_build(ls), 0);
	litset_scan(ls, "abc", 3, record, &h);
	for (size_t i = 0; i < 64; i++)
		assert_int_equal(h.seen[i], 0);
	litset_free(ls);
	litset_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_litset_reports_overlapping_and_nested_literals),
		cmocka_unit_test(test_litset_matches_bytes_including_high_ones),
		cmocka_unit_test(test_litset_agrees_with_brute_force),
		cmocka_unit_test(test_litset_unbuilt_or_empty_reports_nothing),
	};

	return cmocka_run_group_tests_name("litset", tests, NULL, NULL);
}
