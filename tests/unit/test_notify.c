/*
 * test_notify.c: unit tests for reading systemd's watchdog settings: the
 * interval is taken only when it is a positive number and meant for this
 * process.
 */
#include <sys/types.h>

#include <stdio.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "notify.h"

static void
test_notify_watchdog_takes_usec_for_any_pid_when_pid_unset(void **state)
{
	(void)state;
	assert_int_equal(notify_watchdog_parse("30000000", NULL, 42),
	    30000000);
	assert_int_equal(notify_watchdog_parse("1", NULL, 42), 1);
}

static void
test_notify_watchdog_takes_usec_meant_for_self(void **state)
{
	(void)state;
	assert_int_equal(notify_watchdog_parse("200000", "42", 42), 200000);
	/* Another process's: a parent's that leaked to us. */
	assert_int_equal(notify_watchdog_parse("200000", "41", 42), 0);
	assert_int_equal(notify_watchdog_parse("200000", "", 42), 0);
	assert_int_equal(notify_watchdog_parse("200000", "42x", 42), 0);
}

static void
test_notify_watchdog_rejects_what_is_not_a_positive_number(void **state)
{
	(void)state;
	assert_int_equal(notify_watchdog_parse(NULL, NULL, 42), 0);
	assert_int_equal(notify_watchdog_parse("", NULL, 42), 0);
	assert_int_equal(notify_watchdog_parse("0", NULL, 42), 0);
	assert_int_equal(notify_watchdog_parse("-5", NULL, 42), 0);
	assert_int_equal(notify_watchdog_parse("30s", NULL, 42), 0);
	assert_int_equal(notify_watchdog_parse("99999999999999999999", NULL,
	    42), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_notify_watchdog_takes_usec_for_any_pid_when_pid_unset),
		cmocka_unit_test(test_notify_watchdog_takes_usec_meant_for_self),
		cmocka_unit_test(
		    test_notify_watchdog_rejects_what_is_not_a_positive_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
