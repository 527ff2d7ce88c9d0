/*
 * test_pace.c: unit tests for pacing the reads of inotify: the pace
 * itself, entering it after a streak of quick reads, staying while paced
 * reads bring many records and leaving when they bring few.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pace.h"

/* Microseconds; tests start at T0 so that no read is near time 0. */
#define T0	((uint64_t)1000000000)
#define MS(x)	((uint64_t)(x) * 1000)

/* What pace.c counts: keep in step with PACE_STREAK and friends there. */
#define STREAK		4	/* quick reads in a row that start pacing */
#define SPLIT		8	/* quick: less than pace / SPLIT apart */
#define MIN_RECORDS	8	/* a paced read with fewer ends pacing */

/*
 * Makes STREAK + 1 reads, each 1 us after the last, the last of which
 * starts pacing; returns the time of that last read.
 */
static uint64_t
enter_pacing(struct pace *p, uint64_t now)
{
	int i;

	assert_int_equal(pace_after_read(p, now, 1), 0);
	for (i = 1; i < STREAK; i++)
		assert_int_equal(pace_after_read(p, now + i, 1), 0);
	now += STREAK;
	assert_int_equal(pace_after_read(p, now, 1), now + p->pace);
	return now;
}

static void
test_pace_is_a_tenth_of_the_debounce(void **state)
{
	struct pace p;

	(void)state;
	pace_init(&p, MS(5));
	assert_int_equal(p.pace, 500);
	pace_init(&p, 8000);
	assert_int_equal(p.pace, 800);
	pace_init(&p, MS(10));
	assert_int_equal(p.pace, 1000);
	pace_init(&p, 10);
	assert_int_equal(p.pace, 1);
}

static void
test_pace_is_capped_at_pace_max(void **state)
{
	struct pace p;

	(void)state;
	assert_int_equal(PACE_MAX_US, 1000);
	pace_init(&p, MS(10) + 10);
	assert_int_equal(p.pace, PACE_MAX_US);
	pace_init(&p, MS(100));
	assert_int_equal(p.pace, PACE_MAX_US);
	pace_init(&p, (uint64_t)24 * 3600 * 1000000);
	assert_int_equal(p.pace, PACE_MAX_US);
}

static void
test_pace_debounce_zero_never_paces(void **state)
{
	struct pace p;
	uint64_t t;

	(void)state;
	pace_init(&p, 0);
	assert_int_equal(p.pace, 0);
	for (t = T0; t < T0 + 1000; t++)
		assert_int_equal(pace_after_read(&p, t, 4096), 0);
	/* Nor does a debounce too short to give a pace. */
	pace_init(&p, 9);
	assert_int_equal(p.pace, 0);
	for (t = T0; t < T0 + 1000; t++)
		assert_int_equal(pace_after_read(&p, t, 4096), 0);
}

static void
test_pace_four_quick_reads_in_a_row_pace_the_next(void **state)
{
	struct pace p;

	(void)state;
	pace_init(&p, MS(100));
	/* The first read is not quick: nothing came just before it. */
	assert_int_equal(pace_after_read(&p, T0, 1), 0);
	assert_int_equal(pace_after_read(&p, T0 + 10, 1), 0);
	assert_int_equal(pace_after_read(&p, T0 + 20, 1), 0);
	assert_int_equal(pace_after_read(&p, T0 + 30, 1), 0);
	assert_int_equal(pace_after_read(&p, T0 + 40, 1), T0 + 40 + 1000);
}

static void
test_pace_reads_spaced_an_eighth_of_a_pace_never_pace(void **state)
{
	struct pace p;
	uint64_t t;

	(void)state;
	pace_init(&p, MS(100));
	for (t = T0; t < T0 + 100 * 125; t += 125)
		assert_int_equal(pace_after_read(&p, t, 100), 0);
}

static void
test_pace_quick_means_less_than_an_eighth_of_a_pace_apart(void **state)
{
	struct pace p;
	uint64_t t = T0, gap = 1000 / SPLIT;
	int i;

	(void)state;
	pace_init(&p, MS(100));
	/* gap - 1 apart: quick. */
	assert_int_equal(pace_after_read(&p, t, 1), 0);
	for (i = 1; i < STREAK; i++)
		assert_int_equal(pace_after_read(&p, t += gap - 1, 1), 0);
	t += gap - 1;
	assert_int_equal(pace_after_read(&p, t, 1), t + 1000);

	/* Exactly gap apart: not quick. */
	pace_init(&p, MS(100));
	t = T0;
	for (i = 0; i < 4 * STREAK; i++, t += gap)
		assert_int_equal(pace_after_read(&p, t, 1), 0);
}

static void
test_pace_a_slow_read_breaks_the_streak(void **state)
{
	struct pace p;
	uint64_t t = T0;

	(void)state;
	pace_init(&p, MS(100));
	assert_int_equal(pace_after_read(&p, t, 1), 0);
	assert_int_equal(pace_after_read(&p, t += 1, 1), 0);
	assert_int_equal(pace_after_read(&p, t += 1, 1), 0);
	assert_int_equal(pace_after_read(&p, t += 1, 1), 0);
	/* Three quick ones, then a slow one: the count starts again. */
	assert_int_equal(pace_after_read(&p, t += 500, 1), 0);
	assert_int_equal(pace_after_read(&p, t += 1, 1), 0);
	assert_int_equal(pace_after_read(&p, t += 1, 1), 0);
	assert_int_equal(pace_after_read(&p, t += 1, 1), 0);
	t += 1;
	assert_int_equal(pace_after_read(&p, t, 1), t + 1000);
}

static void
test_pace_a_paced_read_with_many_records_stays_paced(void **state)
{
	struct pace p;
	uint64_t t, next;
	int i;

	(void)state;
	pace_init(&p, MS(100));
	next = enter_pacing(&p, T0) + 1000;
	for (i = 0; i < 100; i++) {
		t = next;
		next = pace_after_read(&p, t, MIN_RECORDS + (size_t)i);
		assert_int_equal(next, t + 1000);
	}
	/* Exactly MIN_RECORDS is enough. */
	t = next;
	assert_int_equal(pace_after_read(&p, t, MIN_RECORDS), t + 1000);
}

static void
test_pace_a_paced_read_with_few_records_ends_pacing(void **state)
{
	struct pace p;
	uint64_t t;

	(void)state;
	pace_init(&p, MS(100));
	t = enter_pacing(&p, T0) + 1000;
	assert_int_equal(pace_after_read(&p, t, MIN_RECORDS - 1), 0);
	/* Reading at once again: a new streak is needed to pace. */
	assert_int_equal(pace_after_read(&p, t += 1, 1), 0);
	assert_int_equal(pace_after_read(&p, t += 1, 1), 0);
	assert_int_equal(pace_after_read(&p, t += 1, 1), 0);
	t += 1;
	assert_int_equal(pace_after_read(&p, t, 1), t + 1000);
	t += 1000;
	assert_int_equal(pace_after_read(&p, t, 0), 0);
	assert_int_equal(pace_after_read(&p, t += 1000, 500), 0);
}

static void
test_pace_follows_the_pace_of_a_short_debounce(void **state)
{
	struct pace p;
	uint64_t t = T0;
	int i;

	(void)state;
	/* A pace of 400 us: quick is under 50 us. */
	pace_init(&p, 4000);
	assert_int_equal(pace_after_read(&p, t, 1), 0);
	for (i = 1; i < STREAK; i++)
		assert_int_equal(pace_after_read(&p, t += 49, 1), 0);
	t += 49;
	assert_int_equal(pace_after_read(&p, t, 1), t + 400);
	t += 400;
	assert_int_equal(pace_after_read(&p, t, MIN_RECORDS), t + 400);
}

static void
test_pace_init_forgets_a_streak_and_pacing(void **state)
{
	struct pace p;
	uint64_t t;

	(void)state;
	pace_init(&p, MS(100));
	t = enter_pacing(&p, T0);
	pace_init(&p, MS(100));
	assert_false(p.paced);
	/* A paced read would stay paced with these records; a fresh one not. */
	assert_int_equal(pace_after_read(&p, t + 1, MIN_RECORDS), 0);
	pace_init(&p, MS(100));
	assert_int_equal(pace_after_read(&p, t + 2, 1), 0);
	assert_int_equal(pace_after_read(&p, t + 3, 1), 0);
	assert_int_equal(pace_after_read(&p, t + 4, 1), 0);
	assert_int_equal(pace_after_read(&p, t + 5, 1), 0);
	assert_int_equal(pace_after_read(&p, t + 6, 1), t + 6 + 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pace_is_a_tenth_of_the_debounce),
		cmocka_unit_test(test_pace_is_capped_at_pace_max),
		cmocka_unit_test(test_pace_debounce_zero_never_paces),
		cmocka_unit_test(
		    test_pace_four_quick_reads_in_a_row_pace_the_next),
		cmocka_unit_test(
		    test_pace_reads_spaced_an_eighth_of_a_pace_never_pace),
		cmocka_unit_test(
		    test_pace_quick_means_less_than_an_eighth_of_a_pace_apart),
		cmocka_unit_test(test_pace_a_slow_read_breaks_the_streak),
		cmocka_unit_test(
		    test_pace_a_paced_read_with_many_records_stays_paced),
		cmocka_unit_test(
		    test_pace_a_paced_read_with_few_records_ends_pacing),
		cmocka_unit_test(
		    test_pace_follows_the_pace_of_a_short_debounce),
		cmocka_unit_test(test_pace_init_forgets_a_streak_and_pacing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
