/*
 * test_sched.c: unit tests for each rule's state machine: debounce and
 * max-wait deadlines, job slots, the --on-busy policies, --once, the run
 * and wait timeouts, no-loop and forced runs.  Time is a number.
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sched.h"

/* Microseconds; tests start at T0 so that no time is near 0. */
#define MS(x)	((uint64_t)(x) * 1000)
#define T0	((uint64_t)1000000000)

/* The status of a command that exited with code. */
#define EXITED(code)	W_EXITCODE(code, 0)

static struct sched *
new_sched(enum sched_busy on_busy, size_t nrules, uint64_t debounce)
{
	struct sched_opts o;
	struct sched *s;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.on_busy = on_busy;
	s = sched_new(&o, nrules);
	for (i = 0; i < nrules; i++)
		sched_set_rule(s, i, debounce, 0);
	return s;
}

static struct sched *
new_sched_opts(const struct sched_opts *o, size_t nrules, uint64_t debounce)
{
	struct sched *s;
	size_t i;

	s = sched_new(o, nrules);
	for (i = 0; i < nrules; i++)
		sched_set_rule(s, i, debounce, 0);
	return s;
}

/* Frees the sched a test left in *state, even after a failed assertion. */
static int
free_sched(void **state)
{
	sched_free(*state);
	*state = NULL;
	return 0;
}

static void
assert_nothing(struct sched *s, uint64_t now)
{
	size_t n = 999;

	(void)sched_poll(s, now, &n);
	assert_int_equal(n, 0);
}

static void
assert_one(struct sched *s, uint64_t now, enum sched_do what, size_t rule)
{
	const struct sched_action *a;
	size_t n = 999;

	a = sched_poll(s, now, &n);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].what, what);
	assert_int_equal(a[0].rule, rule);
}

static void
assert_exit(struct sched *s, uint64_t now, int status)
{
	const struct sched_action *a;
	size_t n = 999;

	a = sched_poll(s, now, &n);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].what, SCHED_EXIT);
	assert_int_equal(a[0].status, status);
}

/* Polls at now and expects START for want[0..nwant), in that order. */
static void
assert_starts(struct sched *s, uint64_t now, const size_t *want,
    size_t nwant)
{
	const struct sched_action *a;
	size_t i, n = 999;

	a = sched_poll(s, now, &n);
	assert_int_equal(n, nwant);
	for (i = 0; i < nwant; i++) {
		assert_int_equal(a[i].what, SCHED_START);
		assert_int_equal(a[i].rule, want[i]);
	}
}

/* Makes rule run at now: a forced run, started at once. */
static void
start_now(struct sched *s, size_t rule, uint64_t now)
{
	sched_force(s, rule, now);
	assert_one(s, now, SCHED_START, rule);
	assert_true(sched_running(s, rule));
}

static void
test_sched_new_has_nothing_to_do(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_QUEUE, 3, MS(100));
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0);
	assert_nothing(s, T0 + MS(1000000));
	assert_int_equal(sched_nrunning(s), 0);
	assert_false(sched_running(s, 0));
	assert_true(sched_collects(s, 0));
	assert_false(sched_settling(s));
	sched_free(NULL);
}

static void
test_sched_change_falls_due_a_debounce_after_it(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_QUEUE, 1, MS(50));
	sched_change(s, 0, T0);
	assert_int_equal(sched_next(s), T0 + MS(50));
	assert_nothing(s, T0);
	assert_nothing(s, T0 + MS(50) - 1);
	assert_one(s, T0 + MS(50), SCHED_START, 0);
}

static void
test_sched_each_change_restarts_the_quiet_period(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_QUEUE, 1, MS(50));
	sched_change(s, 0, T0);
	assert_nothing(s, T0 + MS(30));
	sched_change(s, 0, T0 + MS(30));
	assert_int_equal(sched_next(s), T0 + MS(80));
	/* The first change's deadline has passed: nothing is due yet. */
	assert_nothing(s, T0 + MS(50));
	assert_nothing(s, T0 + MS(60));
	sched_change(s, 0, T0 + MS(60));
	assert_int_equal(sched_next(s), T0 + MS(110));
	assert_nothing(s, T0 + MS(80));
	assert_nothing(s, T0 + MS(110) - 1);
	assert_one(s, T0 + MS(110), SCHED_START, 0);
	assert_nothing(s, T0 + MS(200));
}

static void
test_sched_debounce_zero_is_due_at_the_change(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_QUEUE, 1, 0);
	sched_change(s, 0, T0);
	assert_int_equal(sched_next(s), T0);
	assert_one(s, T0, SCHED_START, 0);
}

static void
test_sched_next_tells_the_earliest_deadline(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_QUEUE, 3, 0);
	sched_set_rule(s, 0, MS(50), 0);
	sched_set_rule(s, 1, MS(20), 0);
	sched_set_rule(s, 2, MS(35), 0);
	sched_change(s, 0, T0);
	assert_int_equal(sched_next(s), T0 + MS(50));
	sched_change(s, 1, T0 + MS(1));
	assert_int_equal(sched_next(s), T0 + MS(21));
	sched_change(s, 2, T0 + MS(2));
	assert_int_equal(sched_next(s), T0 + MS(21));
	assert_nothing(s, T0 + MS(21) - 1);
	assert_one(s, T0 + MS(21), SCHED_START, 1);
	assert_int_equal(sched_next(s), T0 + MS(37));
	assert_nothing(s, T0 + MS(37) - 1);
	assert_one(s, T0 + MS(37), SCHED_START, 2);
	assert_int_equal(sched_next(s), T0 + MS(50));
	assert_one(s, T0 + MS(50), SCHED_START, 0);
	/* Running with no run timeout: nothing more to wait for. */
	assert_int_equal(sched_next(s), SCHED_NEVER);
}

static void
test_sched_rules_with_own_debounces_fall_due_independently(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_QUEUE, 2, 0);
	sched_set_rule(s, 0, MS(50), 0);
	sched_set_rule(s, 1, MS(20), 0);
	sched_change(s, 0, T0);
	sched_change(s, 1, T0);
	/* Changes to rule 1 move its deadline, not rule 0's. */
	sched_change(s, 1, T0 + MS(15));
	sched_change(s, 1, T0 + MS(25));
	assert_int_equal(sched_next(s), T0 + MS(45));
	assert_one(s, T0 + MS(45), SCHED_START, 1);
	assert_int_equal(sched_next(s), T0 + MS(50));
	assert_one(s, T0 + MS(50), SCHED_START, 0);
	assert_true(sched_running(s, 0));
	assert_true(sched_running(s, 1));
}

static void
test_sched_starts_in_the_order_batches_fell_due(void **state)
{
	struct sched_opts o;
	struct sched *s;
	const size_t want[] = { 3, 2, 1 };

	memset(&o, 0, sizeof(o));
	o.jobs = 1;
	s = *state = new_sched_opts(&o, 4, 0);
	sched_set_rule(s, 1, MS(30), 0);
	sched_set_rule(s, 2, MS(20), 0);
	sched_set_rule(s, 3, MS(10), 0);
	start_now(s, 0, T0);
	/* Activated 1, 2, 3; due 3, 2, 1. */
	sched_change(s, 1, T0);
	sched_change(s, 2, T0);
	sched_change(s, 3, T0);
	assert_int_equal(sched_next(s), T0 + MS(10));
	assert_nothing(s, T0 + MS(10));
	assert_int_equal(sched_next(s), T0 + MS(20));
	assert_nothing(s, T0 + MS(20));
	assert_int_equal(sched_next(s), T0 + MS(30));
	assert_nothing(s, T0 + MS(30));
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(40)), 0);
	assert_starts(s, T0 + MS(40), &want[0], 1);
	assert_int_equal(sched_exited(s, 3, EXITED(0), T0 + MS(41)), 0);
	assert_starts(s, T0 + MS(41), &want[1], 1);
	assert_int_equal(sched_exited(s, 2, EXITED(0), T0 + MS(42)), 0);
	assert_starts(s, T0 + MS(42), &want[2], 1);
}

/*
 * The caller may poll late (the loop was busy with a long rescan): the
 * starts still come in the order the batches fell due, as sched.h says,
 * and not in the order the rules were first changed.
 */
static void
test_sched_late_poll_starts_in_the_order_batches_fell_due(void **state)
{
	struct sched *s;
	const size_t want[] = { 2, 1, 0 };

	s = *state = new_sched(BUSY_QUEUE, 3, 0);
	sched_set_rule(s, 0, MS(30), 0);
	sched_set_rule(s, 1, MS(20), 0);
	sched_set_rule(s, 2, MS(10), 0);
	sched_change(s, 0, T0);
	sched_change(s, 1, T0);
	sched_change(s, 2, T0);
	assert_starts(s, T0 + MS(100), want, 3);
}

static void
test_sched_a_rule_runs_once_per_batch(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_QUEUE, 1, MS(10));
	sched_change(s, 0, T0);
	sched_change(s, 0, T0 + MS(1));
	sched_change(s, 0, T0 + MS(2));
	assert_one(s, T0 + MS(12), SCHED_START, 0);
	assert_nothing(s, T0 + MS(13));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(20)), 0);
	assert_false(sched_running(s, 0));
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(20));
	assert_nothing(s, T0 + MS(1000));
	/* A later change makes a new batch. */
	sched_change(s, 0, T0 + MS(2000));
	assert_one(s, T0 + MS(2010), SCHED_START, 0);
}

static void
test_sched_max_wait_starts_a_rule_with_unending_changes(void **state)
{
	struct sched_opts o;
	struct sched *s;
	uint64_t t;

	memset(&o, 0, sizeof(o));
	o.max_wait = MS(50);
	s = *state = new_sched_opts(&o, 1, MS(10));
	for (t = T0; t < T0 + MS(50); t += MS(1)) {
		sched_change(s, 0, t);
		assert_nothing(s, t);
		if (t > T0 + MS(40))
			assert_int_equal(sched_next(s), T0 + MS(50));
		else
			assert_int_equal(sched_next(s), t + MS(10));
	}
	sched_change(s, 0, T0 + MS(50));
	assert_one(s, T0 + MS(50), SCHED_START, 0);
}

static void
test_sched_max_wait_counts_from_each_batch_s_first_change(void **state)
{
	struct sched_opts o;
	struct sched *s;
	uint64_t t;

	memset(&o, 0, sizeof(o));
	o.max_wait = MS(50);
	s = *state = new_sched_opts(&o, 1, MS(10));
	for (t = T0; t < T0 + MS(50); t += MS(1))
		sched_change(s, 0, t);
	assert_one(s, T0 + MS(50), SCHED_START, 0);
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(60)), 0);
	/* The next batch begins at 100 ms: its max-wait ends at 150 ms. */
	for (t = T0 + MS(100); t < T0 + MS(150); t += MS(1)) {
		sched_change(s, 0, t);
		assert_nothing(s, t);
	}
	assert_int_equal(sched_next(s), T0 + MS(150));
	assert_one(s, T0 + MS(150), SCHED_START, 0);
}

static void
test_sched_max_wait_cuts_short_a_longer_debounce(void **state)
{
	struct sched_opts o;
	struct sched *s;

	memset(&o, 0, sizeof(o));
	o.max_wait = MS(30);
	s = *state = new_sched_opts(&o, 1, MS(100));
	sched_change(s, 0, T0);
	assert_int_equal(sched_next(s), T0 + MS(30));
	assert_nothing(s, T0 + MS(30) - 1);
	assert_one(s, T0 + MS(30), SCHED_START, 0);
}

static void
test_sched_max_wait_zero_lets_changes_put_the_run_off(void **state)
{
	struct sched *s;
	uint64_t t;

	s = *state = new_sched(BUSY_QUEUE, 1, MS(10));
	for (t = T0; t < T0 + MS(1000); t += MS(1)) {
		sched_change(s, 0, t);
		assert_nothing(s, t);
		assert_int_equal(sched_next(s), t + MS(10));
	}
	t -= MS(1);
	assert_nothing(s, t + MS(10) - 1);
	assert_one(s, t + MS(10), SCHED_START, 0);
}

static void
test_sched_queue_starts_nothing_while_the_command_runs(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_QUEUE, 1, MS(10));
	start_now(s, 0, T0);
	assert_true(sched_collects(s, 0));
	sched_change(s, 0, T0 + MS(1));
	/* Due at 11 ms, while the command still runs. */
	assert_nothing(s, T0 + MS(11));
	assert_nothing(s, T0 + MS(500));
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_true(sched_running(s, 0));
}

static void
test_sched_queue_runs_once_more_after_the_command_ends(void **state)
{
	struct sched *s;
	uint64_t t;

	s = *state = new_sched(BUSY_QUEUE, 1, MS(10));
	start_now(s, 0, T0);
	for (t = T0 + MS(1); t < T0 + MS(100); t += MS(3)) {
		assert_true(sched_collects(s, 0));
		sched_change(s, 0, t);
		assert_nothing(s, t);
	}
	assert_nothing(s, T0 + MS(300));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(300)), 0);
	/* Its quiet period passed long ago: due at once. */
	assert_true(sched_next(s) <= T0 + MS(300));
	assert_one(s, T0 + MS(300), SCHED_START, 0);
	assert_nothing(s, T0 + MS(301));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(400)), 0);
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(400));
	assert_nothing(s, T0 + MS(10000));
}

static void
test_sched_queue_waits_out_the_quiet_period_after_the_end(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_QUEUE, 1, MS(10));
	start_now(s, 0, T0);
	sched_change(s, 0, T0 + MS(95));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(100)), 0);
	assert_int_equal(sched_next(s), T0 + MS(105));
	assert_nothing(s, T0 + MS(100));
	assert_nothing(s, T0 + MS(105) - 1);
	assert_one(s, T0 + MS(105), SCHED_START, 0);
}

static void
test_sched_restart_stops_the_command_once_then_runs_anew(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_RESTART, 1, MS(10));
	start_now(s, 0, T0);
	assert_true(sched_collects(s, 0));
	sched_change(s, 0, T0 + MS(5));
	assert_int_equal(sched_next(s), T0 + MS(15));
	assert_nothing(s, T0 + MS(15) - 1);
	assert_one(s, T0 + MS(15), SCHED_STOP, 0);
	assert_true(sched_running(s, 0));
	/* Stopping: no second STOP, even with more changes. */
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(16));
	sched_change(s, 0, T0 + MS(17));
	assert_nothing(s, T0 + MS(27));
	assert_nothing(s, T0 + MS(100));
	assert_int_equal(sched_exited(s, 0, SIGTERM, T0 + MS(100)), 0);
	assert_false(sched_running(s, 0));
	assert_one(s, T0 + MS(100), SCHED_START, 0);
	assert_true(sched_running(s, 0));
	assert_nothing(s, T0 + MS(101));
}

static void
test_sched_restart_waits_out_the_quiet_period_after_stop(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_RESTART, 1, MS(10));
	start_now(s, 0, T0);
	sched_change(s, 0, T0 + MS(5));
	assert_one(s, T0 + MS(15), SCHED_STOP, 0);
	sched_change(s, 0, T0 + MS(18));
	assert_int_equal(sched_exited(s, 0, SIGTERM, T0 + MS(20)), 0);
	assert_int_equal(sched_next(s), T0 + MS(28));
	assert_nothing(s, T0 + MS(20));
	assert_one(s, T0 + MS(28), SCHED_START, 0);
}

static void
test_sched_ignore_collects_nothing_while_the_command_runs(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_IGNORE, 2, MS(10));
	assert_true(sched_collects(s, 0));
	start_now(s, 0, T0);
	assert_false(sched_collects(s, 0));
	/* Another rule, idle, collects. */
	assert_true(sched_collects(s, 1));
	assert_nothing(s, T0 + MS(100));
	assert_false(sched_collects(s, 0));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(100)), 0);
	assert_true(sched_collects(s, 0));
	assert_nothing(s, T0 + MS(200));
	sched_change(s, 0, T0 + MS(200));
	assert_one(s, T0 + MS(210), SCHED_START, 0);
	assert_false(sched_collects(s, 0));
}

static void
test_sched_signal_signals_the_command_once_per_burst(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_SIGNAL, 1, MS(10));
	start_now(s, 0, T0);
	assert_true(sched_collects(s, 0));
	sched_change(s, 0, T0 + MS(1));
	sched_change(s, 0, T0 + MS(4));
	assert_int_equal(sched_next(s), T0 + MS(14));
	assert_nothing(s, T0 + MS(14) - 1);
	assert_one(s, T0 + MS(14), SCHED_SIGNAL, 0);
	assert_true(sched_running(s, 0));
	assert_int_equal(sched_nrunning(s), 1);
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(15));
	assert_nothing(s, T0 + MS(100));
	/* A new burst: one more signal. */
	sched_change(s, 0, T0 + MS(200));
	sched_change(s, 0, T0 + MS(205));
	assert_nothing(s, T0 + MS(214));
	assert_one(s, T0 + MS(215), SCHED_SIGNAL, 0);
	assert_nothing(s, T0 + MS(216));
	/* The batches went with the signals: nothing runs after the end. */
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(300)), 0);
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(300));
	assert_nothing(s, T0 + MS(1000));
}

/*
 * A command being stopped for its run timeout is not signalled: the batch
 * that fell due meanwhile runs once it has ended, as it would under
 * restart.  (Signalling it would drop the batch, and sched_next() does not
 * ask for that poll anyway.)
 */
static void
test_sched_signal_spares_a_command_being_stopped(void **state)
{
	struct sched_opts o;
	struct sched *s;

	memset(&o, 0, sizeof(o));
	o.on_busy = BUSY_SIGNAL;
	o.run_timeout = MS(100);
	s = *state = new_sched_opts(&o, 1, MS(10));
	start_now(s, 0, T0);
	assert_one(s, T0 + MS(100), SCHED_STOP, 0);
	sched_change(s, 0, T0 + MS(105));
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(115));
	assert_nothing(s, T0 + MS(150));
	assert_int_equal(sched_exited(s, 0, SIGTERM, T0 + MS(200)), 1);
	assert_one(s, T0 + MS(200), SCHED_START, 0);
}

static void
test_sched_signal_runs_an_idle_rule_as_usual(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_SIGNAL, 1, MS(10));
	sched_change(s, 0, T0);
	assert_one(s, T0 + MS(10), SCHED_START, 0);
}

static struct sched *
new_once(uint64_t run_timeout, uint64_t wait_timeout, size_t nrules)
{
	struct sched_opts o;

	memset(&o, 0, sizeof(o));
	o.once = 1;
	o.run_timeout = run_timeout;
	o.wait_timeout = wait_timeout;
	return new_sched_opts(&o, nrules, MS(10));
}

static void
test_sched_once_exits_with_the_command_s_exit_status(void **state)
{
	struct sched *s;

	s = *state = new_once(0, 0, 1);
	sched_change(s, 0, T0);
	assert_one(s, T0 + MS(10), SCHED_START, 0);
	assert_nothing(s, T0 + MS(20));
	sched_change(s, 0, T0 + MS(30));
	assert_int_equal(sched_exited(s, 0, EXITED(3), T0 + MS(50)), 0);
	assert_int_equal(sched_next(s), 0);
	assert_exit(s, T0 + MS(50), 3);
	/* Nothing after SCHED_EXIT. */
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(51));
	sched_change(s, 0, T0 + MS(60));
	assert_nothing(s, T0 + MS(1000));
}

static void
test_sched_once_exits_0_after_a_successful_run(void **state)
{
	struct sched *s;

	s = *state = new_once(0, 0, 1);
	start_now(s, 0, T0);
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(5)), 0);
	assert_exit(s, T0 + MS(5), 0);
}

static void
test_sched_once_exits_128_plus_the_signal_that_killed_it(void **state)
{
	struct sched *s;

	s = *state = new_once(0, 0, 1);
	start_now(s, 0, T0);
	assert_true(WIFSIGNALED(SIGKILL));
	assert_int_equal(sched_exited(s, 0, SIGKILL, T0 + MS(5)), 0);
	assert_exit(s, T0 + MS(5), 128 + SIGKILL);
	sched_free(s);

	/* A core dump does not change the number. */
	s = *state = new_once(0, 0, 1);
	start_now(s, 0, T0);
	assert_int_equal(sched_exited(s, 0, SIGSEGV | WCOREFLAG, T0 + MS(5)),
	    0);
	assert_exit(s, T0 + MS(5), 128 + SIGSEGV);
}

static void
test_sched_once_exits_127_when_the_command_could_not_start(void **state)
{
	struct sched *s;

	s = *state = new_once(0, 0, 1);
	start_now(s, 0, T0);
	assert_int_equal(sched_exited(s, 0, EXITED(127), T0), 0);
	assert_exit(s, T0, 127);
}

static void
test_sched_once_exits_with_the_first_run_to_end(void **state)
{
	struct sched *s;
	const size_t both[] = { 0, 1 };

	s = *state = new_once(0, 0, 2);
	sched_change(s, 0, T0);
	sched_change(s, 1, T0);
	assert_int_equal(sched_next(s), T0 + MS(10));
	assert_starts(s, T0 + MS(10), both, 2);
	assert_int_equal(sched_nrunning(s), 2);
	assert_int_equal(sched_exited(s, 1, EXITED(5), T0 + MS(20)), 0);
	assert_int_equal(sched_exited(s, 0, EXITED(6), T0 + MS(20)), 0);
	assert_exit(s, T0 + MS(20), 5);
	assert_nothing(s, T0 + MS(21));
}

static void
test_sched_once_exits_124_when_the_run_timed_out(void **state)
{
	struct sched *s;

	s = *state = new_once(MS(100), 0, 1);
	start_now(s, 0, T0);
	assert_one(s, T0 + MS(100), SCHED_STOP, 0);
	assert_int_equal(sched_exited(s, 0, SIGTERM, T0 + MS(101)), 1);
	assert_exit(s, T0 + MS(101), SCHED_TIMED_OUT);
	assert_int_equal(SCHED_TIMED_OUT, 124);
	assert_nothing(s, T0 + MS(102));
}

static void
test_sched_without_once_an_exit_ends_nothing(void **state)
{
	struct sched_opts o;
	struct sched *s;

	memset(&o, 0, sizeof(o));
	o.run_timeout = MS(100);
	s = *state = new_sched_opts(&o, 1, MS(10));
	start_now(s, 0, T0);
	assert_int_equal(sched_exited(s, 0, EXITED(3), T0 + MS(5)), 0);
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(5));
	start_now(s, 0, T0 + MS(10));
	assert_one(s, T0 + MS(110), SCHED_STOP, 0);
	assert_int_equal(sched_exited(s, 0, SIGTERM, T0 + MS(111)), 1);
	assert_nothing(s, T0 + MS(111));
	sched_change(s, 0, T0 + MS(200));
	assert_one(s, T0 + MS(210), SCHED_START, 0);
}

static void
test_sched_run_timeout_stops_a_run_that_lasts_longer(void **state)
{
	struct sched_opts o;
	struct sched *s;

	memset(&o, 0, sizeof(o));
	o.run_timeout = MS(100);
	s = *state = new_sched_opts(&o, 1, MS(10));
	sched_change(s, 0, T0);
	assert_one(s, T0 + MS(10), SCHED_START, 0);
	assert_int_equal(sched_next(s), T0 + MS(110));
	assert_nothing(s, T0 + MS(110) - 1);
	assert_one(s, T0 + MS(110), SCHED_STOP, 0);
	/* Stopping: not asked again, and nothing more to wait for. */
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(111));
	assert_nothing(s, T0 + MS(1000));
	assert_true(sched_running(s, 0));
	assert_int_equal(sched_exited(s, 0, SIGTERM, T0 + MS(1000)), 1);
	assert_false(sched_running(s, 0));
}

static void
test_sched_run_timeout_spares_a_run_that_ends_in_time(void **state)
{
	struct sched_opts o;
	struct sched *s;

	memset(&o, 0, sizeof(o));
	o.run_timeout = MS(100);
	s = *state = new_sched_opts(&o, 1, MS(10));
	start_now(s, 0, T0);
	assert_int_equal(sched_next(s), T0 + MS(100));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(99)), 0);
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(100));
	assert_nothing(s, T0 + MS(1000));
}

static void
test_sched_run_timeout_counts_from_each_start(void **state)
{
	struct sched_opts o;
	struct sched *s;

	memset(&o, 0, sizeof(o));
	o.run_timeout = MS(100);
	s = *state = new_sched_opts(&o, 1, MS(10));
	start_now(s, 0, T0);
	assert_one(s, T0 + MS(100), SCHED_STOP, 0);
	assert_int_equal(sched_exited(s, 0, SIGKILL, T0 + MS(150)), 1);
	start_now(s, 0, T0 + MS(500));
	assert_int_equal(sched_next(s), T0 + MS(600));
	assert_nothing(s, T0 + MS(599));
	/* This one ends in time: not timed out, though the last one was. */
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(599)), 0);
}

static void
test_sched_run_timeout_comes_before_a_queued_change(void **state)
{
	struct sched_opts o;
	struct sched *s;

	memset(&o, 0, sizeof(o));
	o.run_timeout = MS(100);
	s = *state = new_sched_opts(&o, 1, MS(10));
	start_now(s, 0, T0);
	sched_change(s, 0, T0 + MS(50));
	/* Queued: the change's deadline does not count while it runs. */
	assert_int_equal(sched_next(s), T0 + MS(100));
	assert_nothing(s, T0 + MS(60));
	assert_one(s, T0 + MS(100), SCHED_STOP, 0);
	assert_int_equal(sched_exited(s, 0, SIGTERM, T0 + MS(120)), 1);
	assert_one(s, T0 + MS(120), SCHED_START, 0);
	assert_int_equal(sched_next(s), T0 + MS(220));
}

static void
test_sched_wait_timeout_exits_124_when_no_run_started(void **state)
{
	struct sched *s;

	s = *state = new_once(0, MS(1000), 1);
	assert_int_equal(sched_next(s), SCHED_NEVER);
	sched_ready(s, T0);
	assert_int_equal(sched_next(s), T0 + MS(1000));
	assert_nothing(s, T0);
	assert_nothing(s, T0 + MS(1000) - 1);
	assert_exit(s, T0 + MS(1000), SCHED_TIMED_OUT);
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(1001));
}

static void
test_sched_wait_timeout_is_not_met_by_a_pending_change(void **state)
{
	struct sched *s;

	s = *state = new_once(0, MS(1000), 1);
	sched_ready(s, T0);
	sched_change(s, 0, T0 + MS(995));
	assert_int_equal(sched_next(s), T0 + MS(1000));
	assert_nothing(s, T0 + MS(995));
	assert_exit(s, T0 + MS(1000), SCHED_TIMED_OUT);
}

static void
test_sched_wait_timeout_is_met_by_a_run_that_started(void **state)
{
	struct sched *s;

	s = *state = new_once(0, MS(1000), 1);
	sched_ready(s, T0);
	sched_change(s, 0, T0 + MS(500));
	assert_int_equal(sched_next(s), T0 + MS(510));
	assert_one(s, T0 + MS(510), SCHED_START, 0);
	/* Still running at the deadline, and long after it. */
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(1000));
	assert_nothing(s, T0 + MS(5000));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(6000)), 0);
	assert_exit(s, T0 + MS(6000), 0);
}

static void
test_sched_wait_timeout_needs_once(void **state)
{
	struct sched_opts o;
	struct sched *s;

	memset(&o, 0, sizeof(o));
	o.wait_timeout = MS(1000);
	s = *state = new_sched_opts(&o, 1, MS(10));
	sched_ready(s, T0);
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(1000));
	assert_nothing(s, T0 + MS(100000));
}

static void
test_sched_once_without_wait_timeout_waits_forever(void **state)
{
	struct sched *s;

	s = *state = new_once(0, 0, 1);
	sched_ready(s, T0);
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(100000));
}

static struct sched *
new_jobs(size_t jobs, size_t nrules)
{
	struct sched_opts o;

	memset(&o, 0, sizeof(o));
	o.jobs = jobs;
	return new_sched_opts(&o, nrules, MS(10));
}

static void
test_sched_jobs_limits_the_runs_at_once(void **state)
{
	struct sched *s;
	const size_t first[] = { 4, 3 }, last[] = { 1, 0 };
	size_t i;

	s = *state = new_jobs(2, 5);
	/* Rule 4 changes first, rule 0 last: due 4, 3, 2, 1, 0. */
	for (i = 0; i < 5; i++)
		sched_change(s, 4 - i, T0 + i);
	assert_starts(s, T0 + MS(20), first, 2);
	assert_int_equal(sched_nrunning(s), 2);
	assert_false(sched_running(s, 2));
	/* The others wait for a slot, not for a time. */
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(30));
	assert_int_equal(sched_exited(s, 3, EXITED(0), T0 + MS(40)), 0);
	assert_int_equal(sched_nrunning(s), 1);
	assert_int_equal(sched_next(s), 0);
	assert_one(s, T0 + MS(40), SCHED_START, 2);
	assert_int_equal(sched_nrunning(s), 2);
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_int_equal(sched_exited(s, 4, EXITED(0), T0 + MS(50)), 0);
	assert_int_equal(sched_exited(s, 2, EXITED(0), T0 + MS(50)), 0);
	assert_starts(s, T0 + MS(50), last, 2);
	assert_int_equal(sched_nrunning(s), 2);
	assert_nothing(s, T0 + MS(60));
}

static void
test_sched_jobs_waiting_rule_collects_and_runs_once(void **state)
{
	struct sched *s;

	s = *state = new_jobs(1, 2);
	start_now(s, 0, T0);
	sched_change(s, 1, T0);
	assert_nothing(s, T0 + MS(10));
	/* Waiting for the slot: changes still join its batch. */
	assert_true(sched_collects(s, 1));
	sched_change(s, 1, T0 + MS(20));
	sched_change(s, 1, T0 + MS(25));
	assert_nothing(s, T0 + MS(40));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(50)), 0);
	assert_one(s, T0 + MS(50), SCHED_START, 1);
	assert_nothing(s, T0 + MS(60));
	assert_int_equal(sched_exited(s, 1, EXITED(0), T0 + MS(70)), 0);
	assert_int_equal(sched_next(s), SCHED_NEVER);
	assert_nothing(s, T0 + MS(70));
	assert_nothing(s, T0 + MS(1000));
}

static void
test_sched_jobs_zero_means_no_limit(void **state)
{
	struct sched *s;
	const size_t want[] = { 0, 1, 2, 3, 4 };
	size_t i;

	s = *state = new_jobs(0, 5);
	for (i = 0; i < 5; i++)
		sched_change(s, i, T0);
	assert_starts(s, T0 + MS(10), want, 5);
	assert_int_equal(sched_nrunning(s), 5);
}

static struct sched *
new_no_loop(size_t nrules)
{
	struct sched *s;
	size_t i;

	s = new_sched(BUSY_QUEUE, nrules, MS(10));
	for (i = 0; i < nrules; i++)
		sched_set_rule(s, i, MS(10), 1);
	return s;
}

static void
test_sched_no_loop_collects_nothing_until_drained(void **state)
{
	struct sched *s;

	s = *state = new_no_loop(1);
	assert_true(sched_collects(s, 0));
	sched_change(s, 0, T0);
	assert_true(sched_collects(s, 0));
	assert_one(s, T0 + MS(10), SCHED_START, 0);
	assert_false(sched_collects(s, 0));
	assert_false(sched_settling(s));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(50)), 0);
	assert_false(sched_collects(s, 0));
	assert_true(sched_settling(s));
	assert_nothing(s, T0 + MS(60));
	assert_false(sched_collects(s, 0));
	sched_drained(s, T0 + MS(50));
	assert_true(sched_collects(s, 0));
	assert_false(sched_settling(s));
	/* It runs again on a later change. */
	sched_change(s, 0, T0 + MS(70));
	assert_one(s, T0 + MS(80), SCHED_START, 0);
	assert_false(sched_collects(s, 0));
}

static void
test_sched_no_loop_drained_before_the_end_does_not_release(void **state)
{
	struct sched *s;

	s = *state = new_no_loop(1);
	start_now(s, 0, T0);
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(50)), 0);
	sched_drained(s, T0 + MS(49));
	assert_false(sched_collects(s, 0));
	assert_true(sched_settling(s));
	sched_drained(s, T0);
	assert_false(sched_collects(s, 0));
	sched_drained(s, T0 + MS(51));
	assert_true(sched_collects(s, 0));
	assert_false(sched_settling(s));
}

static void
test_sched_settling_tells_whether_a_rule_waits_for_a_drain(void **state)
{
	struct sched *s;

	s = *state = new_no_loop(3);
	sched_set_rule(s, 2, MS(10), 0);
	start_now(s, 0, T0);
	start_now(s, 1, T0);
	start_now(s, 2, T0);
	assert_false(sched_settling(s));
	/* A rule without no-loop never settles. */
	assert_int_equal(sched_exited(s, 2, EXITED(0), T0 + MS(10)), 0);
	assert_false(sched_settling(s));
	assert_true(sched_collects(s, 2));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(20)), 0);
	assert_true(sched_settling(s));
	assert_int_equal(sched_exited(s, 1, EXITED(0), T0 + MS(30)), 0);
	/* Rule 0 ended before 25 ms, rule 1 after. */
	sched_drained(s, T0 + MS(25));
	assert_true(sched_collects(s, 0));
	assert_false(sched_collects(s, 1));
	assert_true(sched_settling(s));
	assert_nothing(s, T0 + MS(40));
	assert_true(sched_settling(s));
	sched_drained(s, T0 + MS(40));
	assert_true(sched_collects(s, 1));
	assert_false(sched_settling(s));
	sched_drained(s, T0 + MS(50));
	assert_false(sched_settling(s));
}

static void
test_sched_no_loop_asks_the_writer_only_while_at_work(void **state)
{
	struct sched *s;

	s = *state = new_no_loop(2);
	sched_set_rule(s, 1, MS(10), 0);
	assert_false(sched_asks_writer(s, 0));
	start_now(s, 0, T0);
	start_now(s, 1, T0);
	assert_true(sched_asks_writer(s, 0));
	/* A rule without no-loop never cares who wrote. */
	assert_false(sched_asks_writer(s, 1));
	assert_true(sched_collects_from(s, 1, SCHED_WRITER_OWN));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(50)), 0);
	assert_true(sched_asks_writer(s, 0));
	sched_drained(s, T0 + MS(50));
	assert_false(sched_asks_writer(s, 0));
}

static void
test_sched_no_loop_never_collects_its_own_commands_changes(void **state)
{
	struct sched *s;

	s = *state = new_no_loop(1);
	start_now(s, 0, T0);
	assert_false(sched_collects_from(s, 0, SCHED_WRITER_OWN));
	assert_false(sched_collects_from(s, 0, SCHED_WRITER_UNKNOWN));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(50)), 0);
	/* Settling: what it wrote is still being read. */
	assert_false(sched_collects_from(s, 0, SCHED_WRITER_OWN));
	assert_false(sched_collects_from(s, 0, SCHED_WRITER_UNKNOWN));
	sched_drained(s, T0 + MS(50));
	assert_true(sched_collects_from(s, 0, SCHED_WRITER_UNKNOWN));
	/* Something it left behind, writing later, is still its own. */
	assert_false(sched_collects_from(s, 0, SCHED_WRITER_OWN));
	assert_true(sched_collects_from(s, 0, SCHED_WRITER_OTHER));
}

static void
test_sched_no_loop_another_writer_runs_it_again_after(void **state)
{
	struct sched *s;

	s = *state = new_no_loop(1);
	start_now(s, 0, T0);
	assert_true(sched_collects_from(s, 0, SCHED_WRITER_OTHER));
	sched_change(s, 0, T0 + MS(5));
	/* Queued behind the run, as --on-busy queue does. */
	assert_nothing(s, T0 + MS(20));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(30)), 0);
	/* While settling too. */
	assert_true(sched_collects_from(s, 0, SCHED_WRITER_OTHER));
	assert_one(s, T0 + MS(30), SCHED_START, 0);
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(40)), 0);
	sched_drained(s, T0 + MS(40));
	assert_nothing(s, T0 + MS(100));
}

static void
test_sched_no_loop_on_busy_ignore_drops_others_while_running(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_IGNORE, 1, MS(10));
	sched_set_rule(s, 0, MS(10), 1);
	start_now(s, 0, T0);
	assert_false(sched_collects_from(s, 0, SCHED_WRITER_OTHER));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(30)), 0);
	assert_true(sched_collects_from(s, 0, SCHED_WRITER_OTHER));
	assert_false(sched_collects_from(s, 0, SCHED_WRITER_UNKNOWN));
}

static void
test_sched_no_loop_waiting_for_a_slot_collects(void **state)
{
	struct sched_opts o;
	struct sched *s;

	memset(&o, 0, sizeof(o));
	o.jobs = 1;
	s = *state = new_sched_opts(&o, 2, MS(10));
	sched_set_rule(s, 1, MS(10), 1);
	start_now(s, 0, T0);
	sched_change(s, 1, T0);
	assert_nothing(s, T0 + MS(10));
	assert_true(sched_collects(s, 1));
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(20)), 0);
	assert_one(s, T0 + MS(20), SCHED_START, 1);
	assert_false(sched_collects(s, 1));
}

static void
test_sched_force_runs_at_once_without_a_change(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_QUEUE, 2, MS(100));
	sched_force(s, 1, T0);
	assert_int_equal(sched_next(s), T0);
	assert_one(s, T0, SCHED_START, 1);
	assert_false(sched_running(s, 0));
	assert_nothing(s, T0 + MS(1));
	assert_int_equal(sched_exited(s, 1, EXITED(0), T0 + MS(10)), 0);
	assert_nothing(s, T0 + MS(10));
	assert_nothing(s, T0 + MS(1000));
	assert_int_equal(sched_next(s), SCHED_NEVER);
}

static void
test_sched_force_of_every_rule_runs_each_once(void **state)
{
	struct sched *s;
	const size_t want[] = { 0, 1, 2 };
	size_t i;

	s = *state = new_sched(BUSY_QUEUE, 3, MS(100));
	for (i = 0; i < 3; i++)
		sched_force(s, i, T0);
	assert_starts(s, T0, want, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(sched_exited(s, i, EXITED(0), T0 + MS(1)), 0);
	assert_nothing(s, T0 + MS(1000));
}

static void
test_sched_running_and_nrunning_follow_starts_and_exits(void **state)
{
	struct sched *s;

	s = *state = new_sched(BUSY_QUEUE, 3, MS(10));
	assert_int_equal(sched_nrunning(s), 0);
	start_now(s, 0, T0);
	assert_int_equal(sched_nrunning(s), 1);
	sched_change(s, 2, T0);
	assert_false(sched_running(s, 2));
	assert_nothing(s, T0 + MS(9));
	assert_false(sched_running(s, 2));
	assert_one(s, T0 + MS(10), SCHED_START, 2);
	assert_true(sched_running(s, 0));
	assert_false(sched_running(s, 1));
	assert_true(sched_running(s, 2));
	assert_int_equal(sched_nrunning(s), 2);
	/* An exit of a rule that does not run changes nothing. */
	assert_int_equal(sched_exited(s, 1, EXITED(0), T0 + MS(11)), 0);
	assert_int_equal(sched_nrunning(s), 2);
	assert_int_equal(sched_exited(s, 0, EXITED(1), T0 + MS(12)), 0);
	assert_false(sched_running(s, 0));
	assert_int_equal(sched_nrunning(s), 1);
	/* Nor does a second exit of the same run. */
	assert_int_equal(sched_exited(s, 0, EXITED(1), T0 + MS(13)), 0);
	assert_int_equal(sched_nrunning(s), 1);
	assert_int_equal(sched_exited(s, 2, EXITED(0), T0 + MS(14)), 0);
	assert_int_equal(sched_nrunning(s), 0);
	assert_nothing(s, T0 + MS(20));
}

/* A small deterministic generator for the simulation below. */
static uint32_t
rnd(uint32_t *x, uint32_t n)
{
	*x = *x * 1103515245u + 12345u;
	return (*x >> 8) % n;
}

#define SIM_RULES	4
#define SIM_STEPS	3000

/*
 * Drives sched as the event loop does, at random: changes (only where
 * collected), ends of runs, drains and polls, with time only going
 * forward.  Checks that a poll before sched_next() does nothing, that
 * START goes to idle rules and STOP and SIGNAL to running ones only, that
 * jobs is kept, that the count of runs agrees, and that nothing follows
 * SCHED_EXIT.
 */
static void
simulate(void **state, const struct sched_opts *o, int no_loop,
    uint32_t seed)
{
	const struct sched_action *a;
	struct sched *s;
	uint64_t now = T0, next, t;
	size_t i, k, n, nrun = 0;
	int running[SIM_RULES] = { 0 }, exited = 0;

	s = *state = sched_new(o, SIM_RULES);
	for (i = 0; i < SIM_RULES; i++)
		sched_set_rule(s, i, MS(5 * i), no_loop && i % 2 == 1);
	sched_ready(s, now);
	for (k = 0; k < SIM_STEPS; k++) {
		i = rnd(&seed, SIM_RULES);
		switch (rnd(&seed, 6)) {
		case 0:
		case 1:
			if (sched_collects(s, i))
				sched_change(s, i, now);
			break;
		case 2:
			if (running[i]) {
				(void)sched_exited(s, i,
				    rnd(&seed, 2) ? EXITED(rnd(&seed, 4)) :
				    SIGTERM, now);
				running[i] = 0;
				nrun--;
			}
			break;
		case 3:
			sched_drained(s, now);
			break;
		case 4:
			if (rnd(&seed, 50) == 0)
				sched_force(s, i, now);
			break;
		default:
			break;
		}
		next = sched_next(s);
		if (exited)
			assert_int_equal(next, SCHED_NEVER);
		t = now + rnd(&seed, MS(20));
		if (t < next) {
			(void)sched_poll(s, t, &n);
			assert_int_equal(n, 0);
			now = t;
			continue;
		}
		now = t;
		a = sched_poll(s, now, &n);
		if (exited)
			assert_int_equal(n, 0);
		for (i = 0; i < n; i++) {
			switch (a[i].what) {
			case SCHED_START:
				assert_false(running[a[i].rule]);
				running[a[i].rule] = 1;
				nrun++;
				break;
			case SCHED_STOP:
			case SCHED_SIGNAL:
				assert_true(running[a[i].rule]);
				break;
			case SCHED_EXIT:
				assert_true(o->once);
				assert_int_equal(n, 1);
				exited = 1;
				break;
			}
		}
		assert_int_equal(sched_nrunning(s), nrun);
		for (i = 0; i < SIM_RULES; i++)
			assert_int_equal(sched_running(s, i) != 0, running[i]);
		if (o->jobs > 0)
			assert_true(nrun <= o->jobs);
	}
	sched_free(s);
	*state = NULL;
}

static void
test_sched_polls_before_sched_next_do_nothing(void **state)
{
	const enum sched_busy busy[] = { BUSY_QUEUE, BUSY_RESTART,
	    BUSY_IGNORE, BUSY_SIGNAL };
	struct sched_opts o;
	unsigned c, x, seed;

	/* Every policy, with and without each option; three seeds each. */
	for (c = 0; c < 4 * 2 * 2 * 3 * 2 * 2 * 3; c++) {
		x = c;
		memset(&o, 0, sizeof(o));
		o.on_busy = busy[x % 4];
		x /= 4;
		o.run_timeout = x % 2 ? MS(30) : 0;
		x /= 2;
		o.max_wait = x % 2 ? MS(12) : 0;
		x /= 2;
		o.jobs = x % 3;
		x /= 3;
		o.once = x % 2;
		x /= 2;
		/* One seed in three with a short wait timeout. */
		o.wait_timeout = x / 2 == 1 ? MS(40) : 0;
		seed = 7919 * c + 1;
		simulate(state, &o, x % 2, seed);
	}
}

/*
 * A reload pairs old rules with new ones: rule 0 stays (as new rule 1)
 * with its pending batch, rule 1 stays (as new rule 0) with its running
 * command, rule 2 goes; the new rule 2 starts idle.
 */
static void
test_sched_remap_keeps_the_state_of_rules_that_stay(void **state)
{
	struct sched *s;
	size_t map[3] = { 1, 0, SIZE_MAX };

	s = *state = new_sched(BUSY_QUEUE, 3, MS(100));
	start_now(s, 1, T0);
	start_now(s, 2, T0);
	sched_change(s, 0, T0 + MS(10));
	s = *state = sched_remap(s, map, 3);
	sched_set_rule(s, 0, MS(100), 0);
	sched_set_rule(s, 1, MS(100), 0);
	sched_set_rule(s, 2, MS(100), 0);
	/* The running command of the rule that stayed counts; the other's
	 * is the caller's to stop. */
	assert_int_equal(sched_nrunning(s), 1);
	assert_true(sched_running(s, 0));
	assert_false(sched_running(s, 1));
	assert_false(sched_running(s, 2));
	/* The batch that was pending falls due when it was to. */
	assert_int_equal(sched_next(s), T0 + MS(110));
	assert_nothing(s, T0 + MS(109));
	assert_one(s, T0 + MS(110), SCHED_START, 1);
	/* The command that stayed ends as usual. */
	assert_int_equal(sched_exited(s, 0, EXITED(0), T0 + MS(200)), 0);
	assert_int_equal(sched_nrunning(s), 1);
	assert_nothing(s, T0 + MS(300));
}

static void
test_sched_remap_of_a_no_loop_rule_keeps_it_settling(void **state)
{
	struct sched *s;
	size_t map[1] = { 0 };

	s = *state = sched_new(&(struct sched_opts){ .on_busy = BUSY_QUEUE },
	    1);
	sched_set_rule(s, 0, 0, 1);
	start_now(s, 0, T0);
	(void)sched_exited(s, 0, EXITED(0), T0 + MS(5));
	assert_true(sched_settling(s));
	s = *state = sched_remap(s, map, 1);
	sched_set_rule(s, 0, 0, 1);
	assert_true(sched_settling(s));
	assert_false(sched_collects(s, 0));
	sched_drained(s, T0 + MS(6));
	assert_false(sched_settling(s));
	assert_true(sched_collects(s, 0));
}

#define TEST(test)	cmocka_unit_test_teardown(test, free_sched)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_sched_new_has_nothing_to_do),
		TEST(test_sched_change_falls_due_a_debounce_after_it),
		TEST(test_sched_each_change_restarts_the_quiet_period),
		TEST(test_sched_debounce_zero_is_due_at_the_change),
		TEST(test_sched_next_tells_the_earliest_deadline),
		TEST(
		    test_sched_rules_with_own_debounces_fall_due_independently),
		TEST(test_sched_starts_in_the_order_batches_fell_due),
		TEST(test_sched_late_poll_starts_in_the_order_batches_fell_due),
		TEST(test_sched_a_rule_runs_once_per_batch),
		TEST(test_sched_max_wait_starts_a_rule_with_unending_changes),
		TEST(test_sched_max_wait_counts_from_each_batch_s_first_change),
		TEST(test_sched_max_wait_cuts_short_a_longer_debounce),
		TEST(test_sched_max_wait_zero_lets_changes_put_the_run_off),
		TEST(test_sched_queue_starts_nothing_while_the_command_runs),
		TEST(test_sched_queue_runs_once_more_after_the_command_ends),
		TEST(test_sched_queue_waits_out_the_quiet_period_after_the_end),
		TEST(test_sched_restart_stops_the_command_once_then_runs_anew),
		TEST(test_sched_restart_waits_out_the_quiet_period_after_stop),
		TEST(test_sched_ignore_collects_nothing_while_the_command_runs),
		TEST(test_sched_signal_signals_the_command_once_per_burst),
		TEST(test_sched_signal_spares_a_command_being_stopped),
		TEST(test_sched_signal_runs_an_idle_rule_as_usual),
		TEST(test_sched_once_exits_with_the_command_s_exit_status),
		TEST(test_sched_once_exits_0_after_a_successful_run),
		TEST(test_sched_once_exits_128_plus_the_signal_that_killed_it),
		TEST(
		    test_sched_once_exits_127_when_the_command_could_not_start),
		TEST(test_sched_once_exits_with_the_first_run_to_end),
		TEST(test_sched_once_exits_124_when_the_run_timed_out),
		TEST(test_sched_without_once_an_exit_ends_nothing),
		TEST(test_sched_run_timeout_stops_a_run_that_lasts_longer),
		TEST(test_sched_run_timeout_spares_a_run_that_ends_in_time),
		TEST(test_sched_run_timeout_counts_from_each_start),
		TEST(test_sched_run_timeout_comes_before_a_queued_change),
		TEST(test_sched_wait_timeout_exits_124_when_no_run_started),
		TEST(test_sched_wait_timeout_is_not_met_by_a_pending_change),
		TEST(test_sched_wait_timeout_is_met_by_a_run_that_started),
		TEST(test_sched_wait_timeout_needs_once),
		TEST(test_sched_once_without_wait_timeout_waits_forever),
		TEST(test_sched_jobs_limits_the_runs_at_once),
		TEST(test_sched_jobs_waiting_rule_collects_and_runs_once),
		TEST(test_sched_jobs_zero_means_no_limit),
		TEST(test_sched_no_loop_collects_nothing_until_drained),
		TEST(
		    test_sched_no_loop_drained_before_the_end_does_not_release),
		TEST(
		    test_sched_settling_tells_whether_a_rule_waits_for_a_drain),
		TEST(test_sched_no_loop_waiting_for_a_slot_collects),
		TEST(test_sched_no_loop_asks_the_writer_only_while_at_work),
		TEST(
		    test_sched_no_loop_never_collects_its_own_commands_changes),
		TEST(test_sched_no_loop_another_writer_runs_it_again_after),
		TEST(test_sched_no_loop_on_busy_ignore_drops_others_while_running),
		TEST(test_sched_force_runs_at_once_without_a_change),
		TEST(test_sched_force_of_every_rule_runs_each_once),
		TEST(test_sched_running_and_nrunning_follow_starts_and_exits),
		TEST(test_sched_polls_before_sched_next_do_nothing),
		TEST(test_sched_remap_keeps_the_state_of_rules_that_stay),
		TEST(test_sched_remap_of_a_no_loop_rule_keeps_it_settling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
