/*
 * test_debounce.c: unit tests for the pending-rule bookkeeping: deadlines,
 * trailing-edge postponement, cancelling and the order of due rules.
 */
#include <stdlib.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "debounce.h"

static void
test_debounce_starts_with_nothing_pending(void **state)
{
	struct debounce *d;
	size_t out[4], i;

	(void)state;
	d = debounce_new(4);
	for (i = 0; i < 4; i++)
		assert_false(debounce_pending(d, i));
	assert_int_equal(debounce_next(d), DEBOUNCE_NEVER);
	assert_int_equal(debounce_due(d, UINT64_MAX, out), 0);
	debounce_free(d);
	debounce_free(NULL);
}

static void
test_debounce_touch_makes_rule_due_after_delay(void **state)
{
	struct debounce *d;
	size_t out[3];

	(void)state;
	d = debounce_new(3);
	debounce_touch(d, 2, 1000, 500);
	assert_true(debounce_pending(d, 2));
	assert_false(debounce_pending(d, 0));
	assert_int_equal(debounce_next(d), 1500);
	assert_int_equal(debounce_due(d, 1499, out), 0);
	assert_true(debounce_pending(d, 2));
	assert_int_equal(debounce_due(d, 1500, out), 1);
	assert_int_equal(out[0], 2);
	assert_false(debounce_pending(d, 2));
	assert_int_equal(debounce_next(d), DEBOUNCE_NEVER);
	assert_int_equal(debounce_due(d, 5000, out), 0);
	debounce_free(d);
}

static void
test_debounce_retouch_postpones_the_deadline(void **state)
{
	struct debounce *d;
	size_t out[1];

	(void)state;
	d = debounce_new(1);
	debounce_touch(d, 0, 0, 100);
	debounce_touch(d, 0, 60, 100);
	debounce_touch(d, 0, 90, 100);
	assert_int_equal(debounce_next(d), 190);
	assert_int_equal(debounce_due(d, 100, out), 0);
	assert_int_equal(debounce_due(d, 189, out), 0);
	assert_true(debounce_pending(d, 0));
	assert_int_equal(debounce_due(d, 190, out), 1);
	assert_int_equal(out[0], 0);
	assert_false(debounce_pending(d, 0));
	debounce_free(d);
}

static void
test_debounce_next_is_the_earliest_deadline(void **state)
{
	struct debounce *d;

	(void)state;
	d = debounce_new(5);
	debounce_touch(d, 0, 100, 900);		/* 1000 */
	debounce_touch(d, 3, 100, 200);		/* 300 */
	debounce_touch(d, 4, 200, 500);		/* 700 */
	assert_int_equal(debounce_next(d), 300);
	debounce_touch(d, 3, 600, 200);		/* 800 */
	assert_int_equal(debounce_next(d), 700);
	debounce_cancel(d, 4);
	assert_int_equal(debounce_next(d), 800);
	debounce_free(d);
}

static void
test_debounce_cancel_drops_a_pending_rule(void **state)
{
	struct debounce *d;
	size_t out[4];

	(void)state;
	d = debounce_new(4);
	debounce_touch(d, 0, 0, 10);
	debounce_touch(d, 1, 0, 10);
	debounce_touch(d, 2, 0, 10);
	debounce_touch(d, 3, 0, 10);
	debounce_cancel(d, 1);
	assert_false(debounce_pending(d, 1));
	assert_true(debounce_pending(d, 0));
	assert_true(debounce_pending(d, 2));
	assert_true(debounce_pending(d, 3));
	/* Cancelling what is not pending changes nothing. */
	debounce_cancel(d, 1);
	assert_int_equal(debounce_due(d, 10, out), 3);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 2);
	assert_int_equal(out[2], 3);
	debounce_free(d);
}

static void
test_debounce_cancelled_rule_can_be_touched_again(void **state)
{
	struct debounce *d;
	size_t out[2];

	(void)state;
	d = debounce_new(2);
	debounce_touch(d, 1, 0, 10);
	debounce_cancel(d, 1);
	assert_int_equal(debounce_next(d), DEBOUNCE_NEVER);
	debounce_touch(d, 1, 50, 10);
	assert_int_equal(debounce_next(d), 60);
	assert_int_equal(debounce_due(d, 60, out), 1);
	assert_int_equal(out[0], 1);
	debounce_free(d);
}

static void
test_debounce_due_returns_rules_in_rule_order(void **state)
{
	struct debounce *d;
	size_t out[8];

	(void)state;
	d = debounce_new(8);
	debounce_touch(d, 5, 0, 10);
	debounce_touch(d, 1, 0, 20);
	debounce_touch(d, 7, 0, 5);
	debounce_touch(d, 3, 0, 30);
	debounce_touch(d, 6, 0, 1000);
	assert_int_equal(debounce_due(d, 100, out), 4);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[2], 5);
	assert_int_equal(out[3], 7);
	assert_false(debounce_pending(d, 1));
	assert_false(debounce_pending(d, 3));
	assert_false(debounce_pending(d, 5));
	assert_false(debounce_pending(d, 7));
	assert_true(debounce_pending(d, 6));
	assert_int_equal(debounce_next(d), 1000);
	debounce_free(d);
}

static void
test_debounce_delay_zero_is_due_at_once(void **state)
{
	struct debounce *d;
	size_t out[2];

	(void)state;
	d = debounce_new(2);
	debounce_touch(d, 1, 12345, 0);
	assert_int_equal(debounce_next(d), 12345);
	assert_int_equal(debounce_due(d, 12345, out), 1);
	assert_int_equal(out[0], 1);
	debounce_free(d);
}

/* Random touches, cancels and sweeps against a plain array. */
static void
test_debounce_matches_a_reference_under_random_use(void **state)
{
	enum { NRULES = 300, STEPS = 20000 };
	struct debounce *d;
	uint64_t deadline[NRULES], now = 0, next;
	size_t out[NRULES], n, i, k;
	uint32_t x = 2463534242u;
	int pending[NRULES] = { 0 }, step;

	(void)state;
	d = debounce_new(NRULES);
	for (step = 0; step < STEPS; step++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		i = x % NRULES;
		switch ((x >> 16) % 4) {
		case 0:
		case 1:
			debounce_touch(d, i, now, (x >> 8) % 1000);
			deadline[i] = now + (x >> 8) % 1000;
			pending[i] = 1;
			break;
		case 2:
			debounce_cancel(d, i);
			pending[i] = 0;
			break;
		default:
			now += (x >> 4) % 200;
			n = debounce_due(d, now, out);
			for (i = 0, k = 0; i < NRULES; i++) {
				if (!pending[i] || deadline[i] > now)
					continue;
				assert_true(k < n);
				assert_int_equal(out[k], i);
				pending[i] = 0;
				k++;
			}
			assert_int_equal(k, n);
			break;
		}
		next = DEBOUNCE_NEVER;
		for (i = 0; i < NRULES; i++) {
			assert_int_equal(debounce_pending(d, i), pending[i]);
			if (pending[i] && deadline[i] < next)
				next = deadline[i];
		}
		assert_int_equal(debounce_next(d), next);
	}
	debounce_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debounce_starts_with_nothing_pending),
		cmocka_unit_test(
		    test_debounce_touch_makes_rule_due_after_delay),
		cmocka_unit_test(test_debounce_retouch_postpones_the_deadline),
		cmocka_unit_test(test_debounce_next_is_the_earliest_deadline),
		cmocka_unit_test(test_debounce_cancel_drops_a_pending_rule),
		cmocka_unit_test(
		    test_debounce_cancelled_rule_can_be_touched_again),
		cmocka_unit_test(test_debounce_due_returns_rules_in_rule_order),
		cmocka_unit_test(test_debounce_delay_zero_is_due_at_once),
		cmocka_unit_test(
		    test_debounce_matches_a_reference_under_random_use),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
