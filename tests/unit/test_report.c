/*
 * test_report.c: unit tests for run reports: when colour is wanted, which
 * outcome a run's end is, the report's words with and without colour,
 * and systemd's status line.
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "report.h"

#define GREEN	"\033[32m"
#define RED	"\033[31m"
#define YELLOW	"\033[33m"
#define RESET	"\033[m"

static struct report_run
run_of(int status)
{
	struct report_run r;

	memset(&r, 0, sizeof(r));
	r.origin = "Watchfile:3";
	r.command = "make";
	r.status = status;
	r.ran = 1234567;
	return r;
}

static void
check_line(const struct report_run *r, int color, const char *want)
{
	char *line;

	line = report_line(r, color);
	assert_non_null(line);
	assert_string_equal(line, want);
	free(line);
}

static void
test_report_color_parse_takes_three_words(void **state)
{
	enum report_color m = REPORT_COLOR_AUTO;

	(void)state;
	assert_int_equal(report_color_parse("always", &m), 0);
	assert_int_equal(m, REPORT_COLOR_ALWAYS);
	assert_int_equal(report_color_parse("never", &m), 0);
	assert_int_equal(m, REPORT_COLOR_NEVER);
	assert_int_equal(report_color_parse("auto", &m), 0);
	assert_int_equal(m, REPORT_COLOR_AUTO);
	assert_int_equal(report_color_parse("yes", &m), -1);
	assert_int_equal(report_color_parse("", &m), -1);
	assert_int_equal(report_color_parse("Always", &m), -1);
	assert_int_equal(m, REPORT_COLOR_AUTO);
}

static void
test_report_color_auto_only_on_a_terminal(void **state)
{
	(void)state;
	assert_true(report_color_wanted(REPORT_COLOR_AUTO, 1, NULL, "xterm"));
	assert_true(report_color_wanted(REPORT_COLOR_AUTO, 1, NULL, NULL));
	assert_false(report_color_wanted(REPORT_COLOR_AUTO, 0, NULL, "xterm"));
}

static void
test_report_color_auto_yields_to_no_color_and_dumb(void **state)
{
	(void)state;
	assert_false(report_color_wanted(REPORT_COLOR_AUTO, 1, "1", "xterm"));
	assert_false(report_color_wanted(REPORT_COLOR_AUTO, 1, "0", "xterm"));
	/* Set but empty: as if unset, as no-color.org says. */
	assert_true(report_color_wanted(REPORT_COLOR_AUTO, 1, "", "xterm"));
	assert_false(report_color_wanted(REPORT_COLOR_AUTO, 1, NULL, "dumb"));
}

static void
test_report_color_always_and_never_override(void **state)
{
	(void)state;
	assert_true(report_color_wanted(REPORT_COLOR_ALWAYS, 0, "1", "dumb"));
	assert_false(report_color_wanted(REPORT_COLOR_NEVER, 1, NULL,
	    "xterm"));
}

static void
test_report_outcome_tells_success_failure_and_stop(void **state)
{
	struct report_run r;

	(void)state;
	r = run_of(W_EXITCODE(0, 0));
	assert_int_equal(report_outcome(&r), REPORT_OK);
	r = run_of(W_EXITCODE(2, 0));
	assert_int_equal(report_outcome(&r), REPORT_FAILED);
	r = run_of(W_EXITCODE(0, SIGSEGV));
	assert_int_equal(report_outcome(&r), REPORT_FAILED);
	/* Stopped by watchrun: a restart, not the command's failure. */
	r.stopped = 1;
	assert_int_equal(report_outcome(&r), REPORT_STOPPED);
	r = run_of(W_EXITCODE(1, 0));
	r.stopped = 1;
	assert_int_equal(report_outcome(&r), REPORT_STOPPED);
	/* An exit 0 is a success, whoever asked for it. */
	r = run_of(W_EXITCODE(0, 0));
	r.stopped = 1;
	assert_int_equal(report_outcome(&r), REPORT_OK);
	/* A timeout is a failure, although watchrun stopped it. */
	r = run_of(W_EXITCODE(0, SIGTERM));
	r.stopped = 1;
	r.timed_out = 1;
	assert_int_equal(report_outcome(&r), REPORT_FAILED);
	r = run_of(W_EXITCODE(0, 0));
	r.timed_out = 1;
	assert_int_equal(report_outcome(&r), REPORT_FAILED);
}

static void
test_report_line_without_color_is_the_documented_text(void **state)
{
	struct report_run r;

	(void)state;
	r = run_of(W_EXITCODE(0, 0));
	check_line(&r, 0, "Watchfile:3: make: exited 0 after 1.234s");
	r.first = "src/a.c";
	r.count = 1;
	check_line(&r, 0, "Watchfile:3: make (src/a.c): exited 0 after "
	    "1.234s");
	r.count = 3;
	r.status = W_EXITCODE(2, 0);
	check_line(&r, 0, "Watchfile:3: make (src/a.c and 2 more): exited 2 "
	    "after 1.234s");
	r.status = W_EXITCODE(0, SIGKILL);
	r.timed_out = 1;
	check_line(&r, 0, "Watchfile:3: make (src/a.c and 2 more): timed "
	    "out, killed by SIGKILL after 1.234s");
}

static void
test_report_line_colours_the_outcome_words_only(void **state)
{
	struct report_run r;

	(void)state;
	r = run_of(W_EXITCODE(0, 0));
	check_line(&r, 1, "Watchfile:3: make: " GREEN "exited 0" RESET
	    " after 1.234s");
	r.status = W_EXITCODE(1, 0);
	check_line(&r, 1, "Watchfile:3: make: " RED "exited 1" RESET
	    " after 1.234s");
	r.status = W_EXITCODE(0, SIGTERM);
	r.stopped = 1;
	check_line(&r, 1, "Watchfile:3: make: " YELLOW "killed by SIGTERM"
	    RESET " after 1.234s");
	r.timed_out = 1;
	check_line(&r, 1, "Watchfile:3: make: " RED "timed out, killed by "
	    "SIGTERM" RESET " after 1.234s");
}

static void
test_report_line_refuses_a_stopped_status(void **state)
{
	struct report_run r;

	(void)state;
	r = run_of(W_STOPCODE(SIGSTOP));
	assert_null(report_line(&r, 0));
	assert_null(report_last(&r, &(struct tm){ 0 }));
}

static void
test_report_last_says_what_ran_how_it_ended_and_when(void **state)
{
	struct report_run r;
	struct tm tm;
	char *s;

	(void)state;
	memset(&tm, 0, sizeof(tm));
	tm.tm_hour = 10;
	tm.tm_min = 42;
	tm.tm_sec = 1;
	r = run_of(W_EXITCODE(0, 0));
	r.first = "a.c";
	s = report_last(&r, &tm);
	assert_string_equal(s, "last run: make exited 0 after 1.234s at "
	    "10:42:01");
	free(s);
	r.status = W_EXITCODE(0, SIGSEGV);
	s = report_last(&r, &tm);
	assert_string_equal(s, "last run: make killed by SIGSEGV after "
	    "1.234s at 10:42:01");
	free(s);
}

static void
test_report_last_cuts_a_long_command_between_characters(void **state)
{
	char cmd[REPORT_STATUS_COMMAND + 8], want[256];
	struct report_run r;
	struct tm tm;
	char *s;

	(void)state;
	memset(&tm, 0, sizeof(tm));
	/* "é" (two bytes) across the cut: it goes whole or not at all. */
	memset(cmd, 'x', sizeof(cmd) - 1);
	cmd[sizeof(cmd) - 1] = '\0';
	memcpy(cmd + REPORT_STATUS_COMMAND - 1, "\xc3\xa9", 2);
	r = run_of(W_EXITCODE(0, 0));
	r.command = cmd;
	s = report_last(&r, &tm);
	snprintf(want, sizeof(want), "last run: %.*s... exited 0 after "
	    "1.234s at 00:00:00", REPORT_STATUS_COMMAND - 1, cmd);
	assert_string_equal(s, want);
	free(s);
	/* One that fits is whole. */
	cmd[REPORT_STATUS_COMMAND] = '\0';
	cmd[REPORT_STATUS_COMMAND - 1] = 'y';
	s = report_last(&r, &tm);
	snprintf(want, sizeof(want), "last run: %s exited 0 after 1.234s at "
	    "00:00:00", cmd);
	assert_string_equal(s, want);
	free(s);
}

static void
test_report_status_counts_directories_and_roots(void **state)
{
	char *s;

	(void)state;
	s = report_status("1 directory with inotify", 1, NULL);
	assert_string_equal(s, "watching 1 directory with inotify in 1 root");
	free(s);
	s = report_status("14 directories with inotify", 2, "last run: make "
	    "exited 0 after 1.234s at 10:42:01");
	assert_string_equal(s, "watching 14 directories with inotify in 2 "
	    "roots; last "
	    "run: make exited 0 after 1.234s at 10:42:01");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_color_parse_takes_three_words),
		cmocka_unit_test(test_report_color_auto_only_on_a_terminal),
		cmocka_unit_test(
		    test_report_color_auto_yields_to_no_color_and_dumb),
		cmocka_unit_test(test_report_color_always_and_never_override),
		cmocka_unit_test(
		    test_report_outcome_tells_success_failure_and_stop),
		cmocka_unit_test(
		    test_report_line_without_color_is_the_documented_text),
		cmocka_unit_test(
		    test_report_line_colours_the_outcome_words_only),
		cmocka_unit_test(test_report_line_refuses_a_stopped_status),
		cmocka_unit_test(
		    test_report_last_says_what_ran_how_it_ended_and_when),
		cmocka_unit_test(
		    test_report_last_cuts_a_long_command_between_characters),
		cmocka_unit_test(
		    test_report_status_counts_directories_and_roots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
