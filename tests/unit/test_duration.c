/*
 * test_duration.c: unit tests for durations: what duration_parse() takes
 * and rejects, and that duration_format() prints text that parses back.
 */
#include <stdio.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "duration.h"

static uint64_t
parse_ok(const char *s)
{
	const char *errstr = NULL;
	uint64_t us = 12345;

	if (duration_parse(s, strlen(s), &us, &errstr) != 0)
		fail_msg("duration_parse(\"%s\"): %s", s,
		    errstr != NULL ? errstr : "(no message)");
	return us;
}

static void
parse_bad(const char *s)
{
	const char *errstr = NULL;
	uint64_t us = 0;

	if (duration_parse(s, strlen(s), &us, &errstr) != -1)
		fail_msg("duration_parse(\"%s\") accepted %llu", s,
		    (unsigned long long)us);
	assert_non_null(errstr);
	assert_true(errstr[0] != '\0');
}

static void
test_duration_accepts_zero_without_unit(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("0"), 0);
	assert_int_equal(parse_ok("0ms"), 0);
	assert_int_equal(parse_ok("0s"), 0);
}

static void
test_duration_accepts_each_unit(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("100us"), 100);
	assert_int_equal(parse_ok("50ms"), 50000);
	assert_int_equal(parse_ok("2s"), 2000000);
	assert_int_equal(parse_ok("2m"), 120000000);
	assert_int_equal(parse_ok("1h"), 3600000000ULL);
}

static void
test_duration_accepts_fractions_exactly(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1.5s"), 1500000);
	assert_int_equal(parse_ok("0.5ms"), 500);
	assert_int_equal(parse_ok("0.1s"), 100000);
	assert_int_equal(parse_ok("2.25m"), 135000000);
	assert_int_equal(parse_ok("0.001s"), 1000);
}

static void
test_duration_accepts_up_to_24h(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("24h"), DURATION_MAX_US);
	assert_int_equal(parse_ok("1440m"), DURATION_MAX_US);
	assert_int_equal(parse_ok("86400s"), DURATION_MAX_US);
}

static void
test_duration_rejects_more_than_24h(void **state)
{
	(void)state;
	parse_bad("25h");
	parse_bad("24.5h");
	parse_bad("86401s");
	parse_bad("1441m");
	parse_bad("99999999999999999999999999s");
	parse_bad("18446744073709551617us");
	parse_bad("5124095576030431h");
}

static void
test_duration_rejects_missing_unit(void **state)
{
	(void)state;
	parse_bad("5");
	parse_bad("1.5");
	parse_bad("100");
}

static void
test_duration_rejects_malformed_text(void **state)
{
	(void)state;
	parse_bad("ms");
	parse_bad("");
	parse_bad("1.");
	parse_bad("1.s");
	parse_bad("1.5x");
	parse_bad("-1s");
	parse_bad("abc");
	parse_bad("1 s");
	parse_bad(" 1s");
	parse_bad("1S");
	parse_bad("1sec");
	parse_bad("1ss");
	parse_bad("1s2");
}

static void
test_duration_reads_only_len_bytes(void **state)
{
	const char *errstr = NULL;
	uint64_t us = 0;

	(void)state;
	assert_int_equal(duration_parse("2sXYZ", 2, &us, &errstr), 0);
	assert_int_equal(us, 2000000);
	assert_int_equal(duration_parse("50ms", 3, &us, &errstr), 0);
	assert_int_equal(us, 50ULL * 60 * 1000000);
	assert_int_equal(duration_parse("1.5s", 3, &us, &errstr), -1);
}

static void
test_duration_format_writes_expected_text(void **state)
{
	char buf[64];

	(void)state;
	duration_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	duration_format(1, buf, sizeof(buf));
	assert_string_equal(buf, "1us");
	duration_format(100000, buf, sizeof(buf));
	assert_string_equal(buf, "100ms");
	duration_format(1500000, buf, sizeof(buf));
	assert_string_equal(buf, "1.5s");
	duration_format(2000000, buf, sizeof(buf));
	assert_string_equal(buf, "2s");
	duration_format(1500, buf, sizeof(buf));
	assert_string_equal(buf, "1.5ms");
}

/* The header promises "the shortest exact text". */
static void
test_duration_format_is_shortest_exact_text(void **state)
{
	char buf[64];

	(void)state;
	duration_format(60000000, buf, sizeof(buf));
	assert_string_equal(buf, "1m");
	duration_format(3600000000ULL, buf, sizeof(buf));
	assert_string_equal(buf, "1h");
	duration_format(1250000, buf, sizeof(buf));
	assert_string_equal(buf, "1.25s");
}

static void
test_duration_format_round_trips(void **state)
{
	static const uint64_t values[] = {
		0, 1, 999, 1000, 1001, 50000, 100000, 999999, 1000000,
		1234567, 1250000, 1500000, 2000000, 60000000, 90000000,
		3600000000ULL, 5400000000ULL, 86399999999ULL, DURATION_MAX_US,
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		duration_format(values[i], buf, sizeof(buf));
		if (parse_ok(buf) != values[i])
			fail_msg("%llu formats as \"%s\", which parses as "
			    "%llu", (unsigned long long)values[i], buf,
			    (unsigned long long)parse_ok(buf));
	}
}

static void
test_duration_format_truncates_to_size(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	duration_format(1234567, buf, 4);
	assert_string_equal(buf, "1.2");
	assert_int_equal(buf[4], 'Z');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_accepts_zero_without_unit),
		cmocka_unit_test(test_duration_accepts_each_unit),
		cmocka_unit_test(test_duration_accepts_fractions_exactly),
		cmocka_unit_test(test_duration_accepts_up_to_24h),
		cmocka_unit_test(test_duration_rejects_more_than_24h),
		cmocka_unit_test(test_duration_rejects_missing_unit),
		cmocka_unit_test(test_duration_rejects_malformed_text),
		cmocka_unit_test(test_duration_reads_only_len_bytes),
		cmocka_unit_test(test_duration_format_writes_expected_text),
		cmocka_unit_test(test_duration_format_is_shortest_exact_text),
		cmocka_unit_test(test_duration_format_round_trips),
		cmocka_unit_test(test_duration_format_truncates_to_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
