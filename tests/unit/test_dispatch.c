/*
 * test_dispatch.c: unit tests for matching path events to rules: event
 * masks, ISDIR, overflow, rules the scheduler keeps from collecting, and
 * the literal index for many rules.
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
#include "dispatch.h"
#include "match.h"
#include "rules.h"
#include "sched.h"
#include "watch.h"

struct fixture {
	struct ruleset	 rs;
	struct matcher	*m;
	struct sched	*s;
	struct dispatch	*d;
};

static int
setup(void **state)
{
	struct fixture *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->m = matcher_new();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	dispatch_free(f->d);
	sched_free(f->s);
	rules_free(&f->rs);
	matcher_free(f->m);
	free(f);
	return 0;
}

/*
 * Parses text as a Watchfile with no debounce and builds a dispatcher,
 * with a scheduler whose policy is on_busy.
 */
static void
load_busy(struct fixture *f, const char *text, enum sched_busy on_busy)
{
	struct sched_opts so = { .on_busy = on_busy };
	size_t i;

	FILE *fp;

	assert_non_null(fp = fopen("/dev/null", "w"));
	assert_int_equal(rules_parse_buffer(&f->rs, "W", text, strlen(text),
	    0, fp), 0);
	fclose(fp);
	f->s = sched_new(&so, f->rs.nrules);
	for (i = 0; i < f->rs.nrules; i++)
		sched_set_rule(f->s, i, f->rs.rules[i].debounce_us, 0);
	f->d = dispatch_new(f->rs.rules, f->rs.nrules, f->m, f->s);
}

static void
load(struct fixture *f, const char *text)
{
	load_busy(f, text, BUSY_QUEUE);
}

/* Polls the scheduler far in the future: whether it starts rule. */
static int
started(struct fixture *f, size_t rule)
{
	const struct sched_action *a;
	size_t i, n;

	a = sched_poll(f->s, UINT64_MAX - 1, &n);
	for (i = 0; i < n; i++)
		if (a[i].what == SCHED_START && a[i].rule == rule)
			return 1;
	return 0;
}

/* Whether the scheduler would start rule now, having been told of it. */
static int
pending(struct fixture *f, size_t rule)
{
	return sched_running(f->s, rule) || started(f, rule);
}

/* An event at now, made by process pid (0: not known). */
static void
event_pid(struct fixture *f, const char *path, uint32_t mask, int pid,
    uint64_t now)
{
	struct pevent pev;

	pev.path = path;
	pev.len = strlen(path);
	pev.mask = mask;
	pev.cookie = 0;
	pev.pid = pid;
	dispatch_event(f->d, &pev, now);
}

static void
event(struct fixture *f, const char *path, uint32_t mask, uint64_t now)
{
	event_pid(f, path, mask, 0, now);
}

static size_t
count(struct fixture *f, size_t rule)
{
	return batch_count(dispatch_batch(f->d, rule));
}

static void
test_dispatch_collects_matching_events_only(void **state)
{
	struct fixture *f = *state;
	const char *p;
	size_t len;

	load(f, "'\\.c$' WRITE|CREATE cc\n'^doc/' DELETE rm\n");
	event(f, "src/a.c", IN_CLOSE_WRITE, 10);
	event(f, "src/a.h", IN_CLOSE_WRITE, 11);
	event(f, "src/b.c", IN_MODIFY, 12);
	event(f, "doc/x.c", IN_DELETE, 13);
	assert_int_equal(count(f, 0), 1);
	p = batch_path(dispatch_batch(f->d, 0), 0, &len);
	assert_string_equal(p, "src/a.c");
	assert_int_equal(count(f, 1), 1);
	p = batch_path(dispatch_batch(f->d, 1), 0, &len);
	assert_string_equal(p, "doc/x.c");
	assert_true(pending(f, 0));
	assert_true(pending(f, 1));
}

static void
test_dispatch_isdir_restricts_a_rule_to_directories(void **state)
{
	struct fixture *f = *state;

	load(f, "x CREATE|ISDIR dirs\nx CREATE all\nx ISDIR anydir\n");
	event(f, "x/file", IN_CREATE, 1);
	event(f, "x/dir/", IN_CREATE | IN_ISDIR, 2);
	event(f, "x/gone/", IN_DELETE | IN_ISDIR, 3);
	assert_int_equal(count(f, 0), 1);
	assert_int_equal(count(f, 1), 2);
	assert_int_equal(count(f, 2), 2);
}

static void
test_dispatch_drops_directory_reads_unless_asked(void **state)
{
	struct fixture *f = *state;

	load(f, "x ALL all\nx OPEN|ISDIR opens\n");
	assert_true(dispatch_dir_read(&(struct pevent){ "x/", 2,
	    IN_OPEN | IN_ISDIR, 0, 0 }));
	assert_false(dispatch_dir_read(&(struct pevent){ "x", 1, IN_OPEN,
	    0, 0 }));
	assert_false(dispatch_dir_read(&(struct pevent){ "x/", 2,
	    IN_CREATE | IN_ISDIR, 0, 0 }));
	event(f, "x/", IN_OPEN | IN_ISDIR, 1);
	event(f, "x/", IN_CLOSE_NOWRITE | IN_ISDIR, 2);
	assert_int_equal(count(f, 0), 0);
	assert_int_equal(count(f, 1), 1);
	event(f, "x/f", IN_OPEN, 3);
	assert_int_equal(count(f, 0), 1);
}

static void
test_dispatch_overflow_marker_wakes_every_change_rule(void **state)
{
	struct fixture *f = *state;

	load(f, "a WRITE x\nb OPEN|ACCESS y\nc DELETE z\n");
	event(f, "", IN_Q_OVERFLOW, 5);
	assert_true(batch_overflow(dispatch_batch(f->d, 0)));
	assert_true(pending(f, 0));
	assert_false(pending(f, 1));
	assert_true(pending(f, 2));
	assert_false(batch_overflow(dispatch_batch(f->d, 1)));
	assert_int_equal(count(f, 0), 0);
	/* Then each changed path goes to the change rules it matches. */
	event(f, "ab", IN_Q_OVERFLOW, 6);
	assert_int_equal(count(f, 0), 1);
	assert_int_equal(count(f, 1), 0);
	assert_int_equal(count(f, 2), 0);
}

static void
test_dispatch_rule_not_collecting_collects_nothing(void **state)
{
	struct fixture *f = *state;

	/* --on-busy ignore: a running rule collects nothing. */
	load_busy(f, "a WRITE x\n", BUSY_IGNORE);
	sched_force(f->s, 0, 0);
	assert_true(started(f, 0));
	event(f, "a", IN_CLOSE_WRITE, 1);
	event(f, "", IN_Q_OVERFLOW, 2);
	assert_int_equal(count(f, 0), 0);
	assert_false(batch_overflow(dispatch_batch(f->d, 0)));
	(void)sched_exited(f->s, 0, 0, 3);
	event(f, "a", IN_CLOSE_WRITE, 4);
	assert_int_equal(count(f, 0), 1);
}

/* Says that pid 100 is rule 0's command, pid 200 someone else's. */
static int
writer(void *arg, size_t rule, int pid)
{
	int *asked = arg;

	(*asked)++;
	if (pid == 100 && rule == 0)
		return SCHED_WRITER_OWN;
	return pid == 300 ? SCHED_WRITER_UNKNOWN : SCHED_WRITER_OTHER;
}

static void
event_by(struct fixture *f, const char *path, int pid, uint64_t now)
{
	event_pid(f, path, IN_CLOSE_WRITE, pid, now);
}

static void
test_dispatch_no_loop_rule_sorts_changes_by_writer(void **state)
{
	struct fixture *f = *state;
	int asked = 0;

	load(f, "a WRITE x\na WRITE y\n");
	sched_set_rule(f->s, 0, 0, 1);
	dispatch_set_writer(f->d, writer, &asked);
	/* Idle: whoever wrote, nobody is asked. */
	event_by(f, "a0", 100, 1);
	assert_int_equal(asked, 0);
	assert_int_equal(count(f, 0), 1);
	batch_clear(dispatch_batch(f->d, 0));
	sched_force(f->s, 0, 2);
	assert_true(started(f, 0));
	/* Running: its own change is dropped, another's kept. */
	event_by(f, "a1", 100, 3);
	assert_int_equal(count(f, 0), 0);
	event_by(f, "a2", 300, 4);
	assert_int_equal(count(f, 0), 0);
	event_by(f, "a3", 200, 5);
	assert_int_equal(count(f, 0), 1);
	/* Only the no-loop rule asks; and an event with no pid asks none. */
	assert_int_equal(asked, 3);
	assert_int_equal(count(f, 1), 4);
	event_by(f, "a4", 0, 6);
	assert_int_equal(asked, 3);
	assert_int_equal(count(f, 0), 1);
}

static void
test_dispatch_events_is_the_union_of_rule_masks(void **state)
{
	struct fixture *f = *state;

	load(f, "a WRITE x\nb CREATE|ISDIR y\n");
	assert_int_equal(dispatch_events(f->d),
	    IN_CLOSE_WRITE | IN_CREATE | IN_Q_OVERFLOW);
}

/*
 * From eight rules on, rules are indexed by the literal their pattern
 * requires.  The index may only skip rules that cannot match: whatever
 * the number of rules, each rule must collect exactly the paths it would
 * collect alone.
 */
static void
test_dispatch_index_never_hides_a_matching_rule(void **state)
{
	static const char *const pats[] = {
		"\\.c$", "^src/", "Makefile", "^Makefile$", "\\.[0-9]{2}$",
		"a{2}$", "\\x41$", "\\d{3}$", "(^|/)\\.git/", "\\.o{1}$",
		"^doc/.*\\.md$", "\\.h$", "log", "\\.c$", "(^|/)dir12/",
		"(a|b)c(d|e)", "x(ab)?y", "[.]tmp/", "(?:^|/)cache/",
	};
	static const char *const paths[] = {
		"src/a.c", "src/a.h", "Makefile", "sub/Makefile", "log.12",
		"aa", "A", "123", ".git/x", "x.o", "doc/a.md", "x.c\n",
		"q/dir12/f", "dir12/g", "xdir12/h", "acd", "bce", "xy", "xaby",
		"a.tmp/b", "cache/x", "n/cache/y", "mycache/z",
	};
	struct fixture *f = *state;
	struct matcher *m1;
	struct sched *s1;
	struct dispatch *one;
	struct pevent pev;
	char *text, line[64];
	size_t i, j, n = sizeof(pats) / sizeof(pats[0]), nbad = 0;

	text = calloc(n, sizeof(line));
	assert_non_null(text);
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "'%s' WRITE r%zu\n", pats[i], i);
		strlcat(text, line, n * sizeof(line));
	}
	load(f, text);
	free(text);
	assert_int_equal(f->rs.nrules, n);
	pev.mask = IN_CLOSE_WRITE;
	pev.cookie = 0;
	pev.pid = 0;
	for (j = 0; j < sizeof(paths) / sizeof(paths[0]); j++) {
		pev.path = paths[j];
		pev.len = strlen(paths[j]);
		dispatch_event(f->d, &pev, 0);
	}
	/* Each rule alone, with no index, as the reference. */
	m1 = matcher_new();
	s1 = sched_new(&(struct sched_opts){ .on_busy = BUSY_QUEUE }, 1);
	for (i = 0; i < n; i++) {
		one = dispatch_new(&f->rs.rules[i], 1, m1, s1);
		for (j = 0; j < sizeof(paths) / sizeof(paths[0]); j++) {
			pev.path = paths[j];
			pev.len = strlen(paths[j]);
			dispatch_event(one, &pev, 0);
		}
		if (count(f, i) != batch_count(dispatch_batch(one, 0))) {
			print_message("/%s/: %zu paths among %zu rules, %zu "
			    "alone\n", pats[i], count(f, i), n,
			    batch_count(dispatch_batch(one, 0)));
			nbad++;
		}
		dispatch_free(one);
	}
	matcher_free(m1);
	sched_free(s1);
	assert_int_equal(nbad, 0);
}

/*
 * Inner literals too long in all for the automaton (64 Ki states): their
 * rules are matched one by one instead, and still match.
 */
static void
test_dispatch_too_many_inner_literals_still_match(void **state)
{
	enum { NRULES = 70, LITLEN = 1000 };
	struct fixture *f = *state;
	char *text, *path, *at;
	size_t i;

	text = malloc(NRULES * (LITLEN + 32));
	path = malloc(LITLEN + 32);
	assert_non_null(text);
	assert_non_null(path);
	for (at = text, i = 0; i < NRULES; i++)
		at += sprintf(at, "'(^|/)k%02zu%0*d/' WRITE r\n", i, LITLEN, 0);
	load(f, text);
	assert_int_equal(f->rs.nrules, NRULES);
	sprintf(path, "a/k%02d%0*d/f", 42, LITLEN, 0);
	event(f, path, IN_CLOSE_WRITE, 0);
	event(f, "a/k42/f", IN_CLOSE_WRITE, 0);
	for (i = 0; i < NRULES; i++)
		assert_int_equal(count(f, i), i == 42);
	free(path);
	free(text);
}

#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_dispatch_collects_matching_events_only),
				T(test_dispatch_isdir_restricts_a_rule_to_directories),
		T(test_dispatch_drops_directory_reads_unless_asked),
		T(test_dispatch_overflow_marker_wakes_every_change_rule),
		T(test_dispatch_rule_not_collecting_collects_nothing),
		T(test_dispatch_no_loop_rule_sorts_changes_by_writer),
		T(test_dispatch_events_is_the_union_of_rule_masks),
		T(test_dispatch_index_never_hides_a_matching_rule),
		T(test_dispatch_too_many_inner_literals_still_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
