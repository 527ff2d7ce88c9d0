/*
 * test_rules.c: unit tests for the Watchfile parser on in-memory buffers:
 * the grammar, every error with its exact FILE:LINE:COL, and large input.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "match.h"
#include "rules.h"

struct fixture {
	struct ruleset	 rs;
	char		*err;		/* what the parser wrote to errfp */
	size_t		 errlen;
	int		 nerr;
	struct matcher	*m;
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

	rules_free(&f->rs);
	free(f->err);
	matcher_free(f->m);
	free(f);
	return 0;
}

/* Parses len bytes as the file named file, appending to f->rs. */
static int
parse_named(struct fixture *f, const char *file, const char *buf,
    size_t len)
{
	FILE *fp;

	free(f->err);
	f->err = NULL;
	f->errlen = 0;
	fp = open_memstream(&f->err, &f->errlen);
	assert_non_null(fp);
	f->nerr = rules_parse_buffer(&f->rs, file, buf, len,
	    RULES_DEFAULT_DEBOUNCE, fp);
	fclose(fp);
	return f->nerr;
}

static int
parse(struct fixture *f, const char *text)
{
	return parse_named(f, "Watchfile", text, strlen(text));
}

/* Parses text into an empty ruleset and checks the errors written. */
static void
expect(struct fixture *f, const char *text, int nerr, const char *want)
{
	rules_free(&f->rs);
	parse(f, text);
	assert_string_equal(f->err, want);
	assert_int_equal(f->nerr, nerr);
}

static int
matches(struct fixture *f, struct match_re *re, const char *path)
{
	return match_exec(f->m, re, path, strlen(path));
}

static void
test_rules_parses_a_rule_into_regex_events_and_command(void **state)
{
	struct fixture *f = *state;
	struct rule *r;

	assert_int_equal(parse(f, "'\\.c$'\tWRITE|CREATE\tmake all\n"), 0);
	assert_string_equal(f->err, "");
	assert_int_equal(f->rs.nrules, 1);
	r = &f->rs.rules[0];
	assert_non_null(r->re);
	assert_string_equal(match_source(r->re), "\\.c$");
	assert_true(matches(f, r->re, "src/main.c"));
	assert_false(matches(f, r->re, "src/main.h"));
	assert_false(matches(f, r->re, "src/mainxc"));
	assert_int_equal(r->mask, IN_CLOSE_WRITE | IN_CREATE);
	assert_int_equal(r->debounce_us, RULES_DEFAULT_DEBOUNCE);
	assert_string_equal(r->command, "make all");
	assert_null(r->argv);
	assert_string_equal(r->origin, "Watchfile:1");
	assert_int_equal(f->rs.nroots, 0);
	assert_int_equal(f->rs.nignores, 0);
}

static void
test_rules_default_debounce_comes_from_the_caller(void **state)
{
	struct fixture *f = *state;
	FILE *fp;

	fp = open_memstream(&f->err, &f->errlen);
	assert_non_null(fp);
	assert_int_equal(rules_parse_buffer(&f->rs, "W", "a WRITE x\n", 10,
	    7000, fp), 0);
	fclose(fp);
	assert_int_equal(f->rs.nrules, 1);
	assert_int_equal(f->rs.rules[0].debounce_us, 7000);
}

static void
test_rules_parse_appends_to_the_ruleset(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "watch a\nx WRITE one\n"), 0);
	assert_int_equal(parse_named(f, "other", "watch b\ny CREATE two\n",
	    21), 0);
	assert_int_equal(f->rs.nroots, 2);
	assert_string_equal(f->rs.roots[0], "a");
	assert_string_equal(f->rs.roots[1], "b");
	assert_int_equal(f->rs.nrules, 2);
	assert_string_equal(f->rs.rules[0].origin, "Watchfile:2");
	assert_string_equal(f->rs.rules[1].origin, "other:2");
	assert_string_equal(f->rs.rules[1].command, "two");
}

static void
test_rules_rejects_unterminated_single_quote(void **state)
{
	struct fixture *f = *state;

	expect(f, "'abc WRITE x\n", 1,
	    "Watchfile:1:1: unterminated single quote\n");
	assert_int_equal(f->rs.nrules, 0);
	/* An escaped quote does not close the token. */
	expect(f, "'abc\\' WRITE x\n", 1,
	    "Watchfile:1:1: unterminated single quote\n");
	/* A continued line does not end the quote either. */
	expect(f, "'abc \\\n def' WRITE x\n", 0, "");
	expect(f, "'abc \\\n def WRITE x\n", 1,
	    "Watchfile:1:1: unterminated single quote\n");
}

static void
test_rules_rejects_unterminated_double_quote(void **state)
{
	struct fixture *f = *state;

	expect(f, "  \"abc WRITE x\n", 1,
	    "Watchfile:1:3: unterminated double quote\n");
	expect(f, "a \"WRITE x\n", 1,
	    "Watchfile:1:3: unterminated double quote\n");
	expect(f, "ok WRITE x\n\n\t\"a\\\" WRITE x\n", 1,
	    "Watchfile:3:2: unterminated double quote\n");
	assert_int_equal(f->rs.nrules, 1);
}

static void
test_rules_rejects_text_glued_to_a_closing_quote(void **state)
{
	struct fixture *f = *state;

	expect(f, "\"a\"b WRITE x\n", 1, "Watchfile:1:4: expected white "
	    "space after the closing quote\n");
	expect(f, "watch \"a\"b c\n", 1, "Watchfile:1:10: expected white "
	    "space after the closing quote\n");
	assert_int_equal(f->rs.nroots, 0);
}

static void
test_rules_rejects_missing_command(void **state)
{
	struct fixture *f = *state;

	expect(f, "a WRITE\n", 1,
	    "Watchfile:1:8: missing command after the events\n");
	expect(f, "a WRITE \t  \n", 1,
	    "Watchfile:1:8: missing command after the events\n");
	expect(f, "a WRITE\r\n", 1,
	    "Watchfile:1:8: missing command after the events\n");
	expect(f, "a WRITE", 1,
	    "Watchfile:1:8: missing command after the events\n");
	assert_int_equal(f->rs.nrules, 0);
}

static void
test_rules_rejects_regex_without_events_and_command(void **state)
{
	struct fixture *f = *state;

	expect(f, "^a$\n", 1, "Watchfile:1:4: missing events and command "
	    "after the regex\n");
	expect(f, "  'a b'  \n", 1, "Watchfile:1:8: missing events and "
	    "command after the regex\n");
}

static void
test_rules_rejects_unknown_word_alone_as_directive(void **state)
{
	struct fixture *f = *state;

	expect(f, "foo\n", 1, "Watchfile:1:1: unknown directive 'foo', or a "
	    "rule without events and command\n");
	expect(f, "\tbuild\n", 1, "Watchfile:1:2: unknown directive 'build', "
	    "or a rule without events and command\n");
}

static void
test_rules_suggests_directive_for_a_typo(void **state)
{
	struct fixture *f = *state;

	expect(f, "wach src\n", 1, "Watchfile:1:1: unknown directive 'wach' "
	    "(did you mean 'watch'?)\n");
	expect(f, "wtach src lib\n", 1, "Watchfile:1:1: unknown directive "
	    "'wtach' (did you mean 'watch'?)\n");
	expect(f, "  debounc 2s\n", 1, "Watchfile:1:3: unknown directive "
	    "'debounc' (did you mean 'debounce'?)\n");
	expect(f, "ignroe 'x'\n", 1, "Watchfile:1:1: unknown directive "
	    "'ignroe' (did you mean 'ignore'?)\n");
	expect(f, "wach\n", 1, "Watchfile:1:1: unknown directive 'wach' "
	    "(did you mean 'watch'?)\n");
	assert_int_equal(f->rs.nroots, 0);
	assert_int_equal(f->rs.nrules, 0);
}

static void
test_rules_word_followed_by_valid_events_is_a_rule(void **state)
{
	struct fixture *f = *state;

	expect(f, "wach WRITE make\n", 0, "");
	assert_int_equal(f->rs.nrules, 1);
	assert_string_equal(match_source(f->rs.rules[0].re), "wach");
	/* Quoting makes even a directive's name a regex. */
	expect(f, "\"watch\" CREATE ls\n", 0, "");
	assert_int_equal(f->rs.nrules, 1);
	assert_int_equal(f->rs.nroots, 0);
	assert_string_equal(match_source(f->rs.rules[0].re), "watch");
}

static void
test_rules_rejects_unknown_event_with_hint(void **state)
{
	struct fixture *f = *state;

	expect(f, "a WIRTE x\n", 1, "Watchfile:1:3: unknown event 'WIRTE' "
	    "(did you mean 'WRITE'?)\n");
	expect(f, "a CREATE|WIRTE x\n", 1, "Watchfile:1:10: unknown event "
	    "'WIRTE' (did you mean 'WRITE'?)\n");
	expect(f, "a\tin_close_wirte x\n", 1, "Watchfile:1:3: unknown event "
	    "'in_close_wirte' (did you mean 'IN_CLOSE_WRITE'?)\n");
	expect(f, "a CREATE,moved_ot x\n", 1, "Watchfile:1:10: unknown event "
	    "'moved_ot' (did you mean 'MOVED_TO'?)\n");
	assert_int_equal(f->rs.nrules, 0);
}

static void
test_rules_rejects_unknown_event_without_hint(void **state)
{
	struct fixture *f = *state;

	expect(f, "a BOGUSNAME x\n", 1,
	    "Watchfile:1:3: unknown event 'BOGUSNAME'\n");
	expect(f, "'\\.c$' WRITE|src x\n", 1,
	    "Watchfile:1:14: unknown event 'src'\n");
}

static void
test_rules_rejects_empty_event_names(void **state)
{
	struct fixture *f = *state;

	expect(f, "a WRITE||CREATE x\n", 1,
	    "Watchfile:1:9: empty event name\n");
	expect(f, "a WRITE| x\n", 1, "Watchfile:1:9: empty event name\n");
	expect(f, "a ,WRITE x\n", 1, "Watchfile:1:3: empty event name\n");
	expect(f, "a '' x\n", 1, "Watchfile:1:4: empty event name\n");
}

static void
test_rules_locates_event_errors_inside_quotes(void **state)
{
	struct fixture *f = *state;

	expect(f, "a \"WRITE|WIRTE\" x\n", 1, "Watchfile:1:10: unknown event "
	    "'WIRTE' (did you mean 'WRITE'?)\n");
	/* Unescaping the regex must not shift what follows it. */
	expect(f, "\"a\\\"b\" WIRTE x\n", 1, "Watchfile:1:8: unknown event "
	    "'WIRTE' (did you mean 'WRITE'?)\n");
	expect(f, "'a\\\\b' 'WRITE|' x\n", 1,
	    "Watchfile:1:15: empty event name\n");
}

static void
test_rules_accepts_quoted_events(void **state)
{
	struct fixture *f = *state;

	expect(f, "a 'WRITE|CREATE' x\n", 0, "");
	assert_int_equal(f->rs.rules[0].mask, IN_CLOSE_WRITE | IN_CREATE);
}

static void
test_rules_reports_bad_regex_at_pcre2_offset(void **state)
{
	struct fixture *f = *state;

	expect(f, "a( WRITE x\n", 1,
	    "Watchfile:1:3: bad regex: missing closing parenthesis\n");
	expect(f, "ab) WRITE x\n", 1,
	    "Watchfile:1:3: bad regex: unmatched closing parenthesis\n");
	expect(f, "   x[z WRITE x\n", 1, "Watchfile:1:7: bad regex: missing "
	    "terminating ] for character class\n");
	assert_int_equal(f->rs.nrules, 0);
}

static void
test_rules_locates_regex_errors_inside_quotes(void **state)
{
	struct fixture *f = *state;

	/* "a\"b)c": the regex is a"b)c and its ')' is on column 6. */
	expect(f, "\"a\\\"b)c\" WRITE x\n", 1,
	    "Watchfile:1:6: bad regex: unmatched closing parenthesis\n");
	/* 'a\\)': a backslash pair stays two bytes; ')' is on column 5. */
	expect(f, "'a\\\\)' WRITE x\n", 1,
	    "Watchfile:1:5: bad regex: unmatched closing parenthesis\n");
	expect(f, "'\\\\\\\\)' WRITE x\n", 1,
	    "Watchfile:1:6: bad regex: unmatched closing parenthesis\n");
	expect(f, "'\\'\\'\\')' WRITE x\n", 1,
	    "Watchfile:1:8: bad regex: unmatched closing parenthesis\n");
	/* An error at the end of the regex points at the closing quote. */
	expect(f, "\"a\\\"(\" WRITE x\n", 1,
	    "Watchfile:1:6: bad regex: missing closing parenthesis\n");
	expect(f, "ignore 'a\\'b('\n", 1,
	    "Watchfile:1:14: bad regex: missing closing parenthesis\n");
}

static void
test_rules_locates_errors_on_continued_lines(void **state)
{
	struct fixture *f = *state;

	expect(f, "'^src/' \\\n    WRITE|WIRTE \\\n    make\n", 1,
	    "Watchfile:2:11: unknown event 'WIRTE' (did you mean 'WRITE'?)\n");
	/* A regex split over two lines: "ab" + "cd(". */
	expect(f, "ab\\\ncd( WRITE x\n", 1,
	    "Watchfile:2:4: bad regex: missing closing parenthesis\n");
	/* An empty continued line in between. */
	expect(f, "a\\\n\\\n( WRITE x\n", 1,
	    "Watchfile:3:2: bad regex: missing closing parenthesis\n");
	expect(f, "x \\\n\t'WRITE'a cmd\n", 1,
	    "Watchfile:2:9: expected white space after the closing quote\n");
	/* Unescaping a quoted regex must not shift the next lines. */
	expect(f, "\"a\\\"b\" \\\n  WIRTE cmd\n", 1, "Watchfile:2:3: unknown "
	    "event 'WIRTE' (did you mean 'WRITE'?)\n");
	expect(f, "x \\\n  \"a\\\"b WRITE cmd\n", 1,
	    "Watchfile:2:3: unterminated double quote\n");
	expect(f, "a WRITE \\\n\n", 1,
	    "Watchfile:1:8: missing command after the events\n");
}

static void
test_rules_counts_lines_after_continued_lines(void **state)
{
	struct fixture *f = *state;

	expect(f, "'^src/' \\\n    WRITE \\\n    make \\\n  all\n"
	    "b( WRITE x\n", 1,
	    "Watchfile:5:3: bad regex: missing closing parenthesis\n");
	assert_int_equal(f->rs.nrules, 1);
	assert_string_equal(f->rs.rules[0].origin, "Watchfile:1");
}

static void
test_rules_reports_every_error_in_a_file(void **state)
{
	struct fixture *f = *state;

	expect(f,
	    "a WRITE x\n"
	    "b( CREATE y\n"
	    "c WIRTE z\n"
	    "wach foo\n"
	    "d\n"
	    "debounce 5\n"
	    "ok CREATE fine\n"
	    "'unterminated\n"
	    "e WRITE|ONLYDIR w\n"
	    "^x$\n", 7,
	    "Watchfile:2:3: bad regex: missing closing parenthesis\n"
	    "Watchfile:3:3: unknown event 'WIRTE' (did you mean 'WRITE'?)\n"
	    "Watchfile:4:1: unknown directive 'wach' (did you mean "
	    "'watch'?)\n"
	    "Watchfile:5:1: unknown directive 'd', or a rule without events "
	    "and command\n"
	    "Watchfile:6:10: debounce '5': missing unit (us, ms, s, m or h)\n"
	    "Watchfile:8:1: unterminated single quote\n"
	    "Watchfile:9:3: warning: ONLYDIR: a watch option, not an event; "
	    "ignored\n"
	    "Watchfile:10:4: missing events and command after the regex\n");
	assert_int_equal(f->rs.nrules, 3);
	assert_string_equal(f->rs.rules[0].origin, "Watchfile:1");
	assert_string_equal(f->rs.rules[1].origin, "Watchfile:7");
	assert_string_equal(f->rs.rules[2].origin, "Watchfile:9");
}

static void
test_rules_rejects_nul_byte_and_goes_on(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "a WRITE ec\0ho\nb WRITE ok\n";

	assert_int_equal(parse_named(f, "Watchfile", text, sizeof(text) - 1),
	    1);
	assert_string_equal(f->err,
	    "Watchfile:1:11: NUL byte in the rules file\n");
	assert_int_equal(f->rs.nrules, 1);
	assert_string_equal(f->rs.rules[0].origin, "Watchfile:2");
	assert_string_equal(f->rs.rules[0].command, "ok");

	rules_free(&f->rs);
	assert_int_equal(parse_named(f, "Watchfile", "\0", 1), 1);
	assert_string_equal(f->err,
	    "Watchfile:1:1: NUL byte in the rules file\n");
	assert_int_equal(parse_named(f, "Watchfile", "ab\0\0\n\0", 6), 2);
	assert_string_equal(f->err,
	    "Watchfile:1:3: NUL byte in the rules file\n"
	    "Watchfile:2:1: NUL byte in the rules file\n");
	assert_int_equal(f->rs.nrules, 0);
}

static void
test_rules_nul_byte_in_a_continued_line_keeps_line_numbers(void **state)
{
	struct fixture *f = *state;
	static const char text[] =
	    "a WRITE x \\\n ec\0ho \\\n more\nzz WRITE ok\nc( WRITE z\n";

	assert_int_equal(parse_named(f, "Watchfile", text, sizeof(text) - 1),
	    2);
	assert_string_equal(f->err,
	    "Watchfile:2:4: NUL byte in the rules file\n"
	    "Watchfile:5:3: bad regex: missing closing parenthesis\n");
	assert_int_equal(f->rs.nrules, 1);
	assert_string_equal(f->rs.rules[0].origin, "Watchfile:4");
	assert_string_equal(f->rs.rules[0].command, "ok");
}

static void
test_rules_watch_directive_adds_roots(void **state)
{
	struct fixture *f = *state;

	expect(f, "watch src/ /  a/b// 'with space'\n  watch .\n", 0, "");
	assert_int_equal(f->rs.nroots, 5);
	assert_string_equal(f->rs.roots[0], "src");
	assert_string_equal(f->rs.roots[1], "/");
	assert_string_equal(f->rs.roots[2], "a/b");
	assert_string_equal(f->rs.roots[3], "with space");
	assert_string_equal(f->rs.roots[4], ".");
	assert_int_equal(f->rs.nrules, 0);
}

static void
test_rules_watch_rejects_missing_and_empty_directories(void **state)
{
	struct fixture *f = *state;

	expect(f, "watch\n", 1,
	    "Watchfile:1:6: watch: expected one or more directories\n");
	expect(f, "watch   \n", 1,
	    "Watchfile:1:6: watch: expected one or more directories\n");
	expect(f, "watch a \"\" b\n", 1,
	    "Watchfile:1:9: empty directory name\n");
	assert_int_equal(f->rs.nroots, 2);
	assert_string_equal(f->rs.roots[0], "a");
	assert_string_equal(f->rs.roots[1], "b");
}

static void
test_rules_ignore_directive_compiles_pattern(void **state)
{
	struct fixture *f = *state;

	expect(f, "ignore '(^|/)\\.git/'\nignore \\.o$\n", 0, "");
	assert_int_equal(f->rs.nignores, 2);
	assert_string_equal(match_source(f->rs.ignores[0]), "(^|/)\\.git/");
	assert_true(matches(f, f->rs.ignores[0], ".git/"));
	assert_true(matches(f, f->rs.ignores[0], "sub/.git/"));
	assert_false(matches(f, f->rs.ignores[0], "sub/x.git/"));
	assert_true(matches(f, f->rs.ignores[1], "main.o"));
	assert_false(matches(f, f->rs.ignores[1], "main.c"));
	assert_int_equal(f->rs.nrules, 0);
}

static void
test_rules_ignore_directive_errors(void **state)
{
	struct fixture *f = *state;

	expect(f, "ignore\n", 1, "Watchfile:1:7: ignore: expected a regex\n");
	expect(f, "ignore a b\n", 1, "Watchfile:1:10: ignore takes one "
	    "argument; quote it if it holds white space\n");
	expect(f, "ignore (\n", 1,
	    "Watchfile:1:9: bad regex: missing closing parenthesis\n");
	expect(f, "ignore 'a\n", 1,
	    "Watchfile:1:8: unterminated single quote\n");
	assert_int_equal(f->rs.nignores, 0);
}

static void
test_rules_debounce_applies_only_to_rules_below_it(void **state)
{
	struct fixture *f = *state;

	expect(f,
	    "a WRITE x\n"
	    "debounce 2s\n"
	    "b WRITE y\n"
	    "c WRITE z\n"
	    "debounce 0\n"
	    "d WRITE w\n"
	    "debounce 1.5s\n", 0, "");
	assert_int_equal(f->rs.nrules, 4);
	assert_int_equal(f->rs.rules[0].debounce_us, RULES_DEFAULT_DEBOUNCE);
	assert_int_equal(f->rs.rules[1].debounce_us, 2000000);
	assert_int_equal(f->rs.rules[2].debounce_us, 2000000);
	assert_int_equal(f->rs.rules[3].debounce_us, 0);
}

static void
test_rules_debounce_does_not_carry_into_the_next_parse(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "debounce 5s\na WRITE x\n"), 0);
	assert_int_equal(parse(f, "b WRITE y\n"), 0);
	assert_int_equal(f->rs.rules[0].debounce_us, 5000000);
	assert_int_equal(f->rs.rules[1].debounce_us, RULES_DEFAULT_DEBOUNCE);
}

static void
test_rules_debounce_directive_errors(void **state)
{
	struct fixture *f = *state;

	expect(f, "debounce\n", 1, "Watchfile:1:9: debounce: expected a "
	    "duration such as 100ms\n");
	expect(f, "debounce 1s 2s\n", 1, "Watchfile:1:13: debounce takes one "
	    "argument; quote it if it holds white space\n");
	expect(f, "debounce 25h\n", 1,
	    "Watchfile:1:10: debounce '25h': too large (at most 24h)\n");
	/* A bad value leaves the debounce as it was. */
	expect(f, "debounce 2s\ndebounce 5\na WRITE x\n", 1,
	    "Watchfile:2:10: debounce '5': missing unit (us, ms, s, m or h)\n");
	assert_int_equal(f->rs.nrules, 1);
	assert_int_equal(f->rs.rules[0].debounce_us, 2000000);
}

static void
test_rules_quoted_regex_keeps_backslash_pairs(void **state)
{
	struct fixture *f = *state;

	/* 'a\\.b' is the regex a\\.b: a backslash, then any byte. */
	expect(f, "'a\\\\.b' WRITE x\n", 0, "");
	assert_string_equal(match_source(f->rs.rules[0].re), "a\\\\.b");
	assert_true(matches(f, f->rs.rules[0].re, "a\\xb"));
	assert_false(matches(f, f->rs.rules[0].re, "a.b"));
	/* Other escapes pass through for PCRE2. */
	expect(f, "\"\\d+\\.c$\" WRITE x\n", 0, "");
	assert_string_equal(match_source(f->rs.rules[0].re), "\\d+\\.c$");
	assert_true(matches(f, f->rs.rules[0].re, "x12.c"));
}

static void
test_rules_quoted_regex_unescapes_its_quote(void **state)
{
	struct fixture *f = *state;

	expect(f, "\"it\\\"s\" WRITE x\n", 0, "");
	assert_string_equal(match_source(f->rs.rules[0].re), "it\"s");
	expect(f, "'it\\'s' WRITE x\n", 0, "");
	assert_string_equal(match_source(f->rs.rules[0].re), "it's");
	/* The other quote character needs no escape. */
	expect(f, "'say \"hi\"' WRITE x\n", 0, "");
	assert_string_equal(match_source(f->rs.rules[0].re), "say \"hi\"");
	expect(f, "\"a b\" WRITE x\n", 0, "");
	assert_string_equal(match_source(f->rs.rules[0].re), "a b");
	assert_true(matches(f, f->rs.rules[0].re, "dir/a b.txt"));
}

static void
test_rules_comments_only_at_line_start(void **state)
{
	struct fixture *f = *state;

	expect(f,
	    "# a comment ( with ' a bad regex\n"
	    "  # indented comment\n"
	    "\t#tab-indented\n"
	    "\n"
	    "a#b WRITE echo '#' # not a comment\n", 0, "");
	assert_int_equal(f->rs.nrules, 1);
	assert_string_equal(f->rs.rules[0].origin, "Watchfile:5");
	assert_string_equal(match_source(f->rs.rules[0].re), "a#b");
	assert_true(matches(f, f->rs.rules[0].re, "x/a#b"));
	assert_string_equal(f->rs.rules[0].command,
	    "echo '#' # not a comment");
}

static void
test_rules_keeps_hash_inside_quoted_regex(void **state)
{
	struct fixture *f = *state;

	expect(f, "'^#.*#$' WRITE x\n\"# x\" CREATE y\n", 0, "");
	assert_int_equal(f->rs.nrules, 2);
	assert_string_equal(match_source(f->rs.rules[0].re), "^#.*#$");
	assert_true(matches(f, f->rs.rules[0].re, "#emacs#"));
	assert_string_equal(match_source(f->rs.rules[1].re), "# x");
}

static void
test_rules_blank_and_comment_only_files_have_no_rules(void **state)
{
	struct fixture *f = *state;

	expect(f, "", 0, "");
	expect(f, "\n\n  \t\n", 0, "");
	expect(f, "# only\n# comments", 0, "");
	expect(f, "\r\n\r\n", 0, "");
	assert_int_equal(f->rs.nrules, 0);
	assert_int_equal(f->rs.nroots, 0);
	assert_int_equal(f->rs.nignores, 0);
}

static void
test_rules_accepts_crlf_line_ends(void **state)
{
	struct fixture *f = *state;

	expect(f, "# comment\r\nwatch src\r\na WRITE echo 1\r\n"
	    "b WRITE \\\r\n  echo 2\r\n", 0, "");
	assert_int_equal(f->rs.nroots, 1);
	assert_string_equal(f->rs.roots[0], "src");
	assert_int_equal(f->rs.nrules, 2);
	assert_string_equal(f->rs.rules[0].command, "echo 1");
	assert_string_equal(f->rs.rules[1].command, "echo 2");
	assert_string_equal(f->rs.rules[1].origin, "Watchfile:4");
	expect(f, "a WRITE x\r\nb WIRTE y\r\n", 1, "Watchfile:2:3: unknown "
	    "event 'WIRTE' (did you mean 'WRITE'?)\n");
}

static void
test_rules_command_is_kept_verbatim(void **state)
{
	struct fixture *f = *state;

	expect(f, "a WRITE  printf '%s\\n'   \"$@\" | tee  log \t \n", 0,
	    "");
	assert_string_equal(f->rs.rules[0].command,
	    "printf '%s\\n'   \"$@\" | tee  log");
	expect(f, "a WRITE\tcc -o x 'a b.c' # keep\n", 0, "");
	assert_string_equal(f->rs.rules[0].command, "cc -o x 'a b.c' # keep");
}

static void
test_rules_continued_command_is_joined(void **state)
{
	struct fixture *f = *state;

	expect(f, "a WRITE make \\\n  all \\\n\tcheck\nb WRITE y\n", 0, "");
	assert_int_equal(f->rs.nrules, 2);
	assert_string_equal(f->rs.rules[0].command, "make   all \tcheck");
	assert_string_equal(f->rs.rules[1].origin, "Watchfile:4");
	/* The whole rule may be spread over lines. */
	expect(f, "'\\.c$' \\\n  WRITE \\\n  cc -c \"$@\"\n", 0, "");
	assert_string_equal(f->rs.rules[0].command, "cc -c \"$@\"");
	assert_int_equal(f->rs.rules[0].mask, IN_CLOSE_WRITE);
}

static void
test_rules_origin_is_file_and_first_line(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "# c\n\na WRITE x\n  b \\\n WRITE y\n"
	    "\\\nc WRITE z\n";

	assert_int_equal(parse_named(f, "conf/My Watchfile", text,
	    sizeof(text) - 1), 0);
	assert_int_equal(f->rs.nrules, 3);
	assert_string_equal(f->rs.rules[0].origin, "conf/My Watchfile:3");
	assert_string_equal(f->rs.rules[1].origin, "conf/My Watchfile:4");
	assert_string_equal(f->rs.rules[2].origin, "conf/My Watchfile:7");
	parse_named(f, "conf/My Watchfile", "x(", 2);
	assert_string_equal(f->err, "conf/My Watchfile:1:3: bad regex: "
	    "missing closing parenthesis\nconf/My Watchfile:1:3: missing "
	    "events and command after the regex\n");
}

/* A comment line ending in a backslash does not swallow the next line. */
static void
test_rules_comment_lines_never_continue(void **state)
{
	struct fixture *f = *state;

	expect(f, "# a comment \\\n\\.c$ WRITE echo x\n", 0, "");
	assert_int_equal(f->rs.nrules, 1);
	assert_string_equal(f->rs.rules[0].command, "echo x");
}

/* One line with several mistakes reports each of them. */
static void
test_rules_reports_every_mistake_on_a_line(void **state)
{
	struct fixture *f = *state;

	expect(f, "b( WIRTE y\n", 2, "Watchfile:1:3: bad regex: missing "
	    "closing parenthesis\nWatchfile:1:4: unknown event 'WIRTE' (did "
	    "you mean 'WRITE'?)\n");
	assert_int_equal(f->rs.nrules, 0);
}

/* Bytes from the file reach the terminal escaped. */
static void
test_rules_escapes_file_bytes_in_errors(void **state)
{
	struct fixture *f = *state;

	expect(f, "a WR\033[2JTE x\ndebounce 1\033x\n", 2,
	    "Watchfile:1:3: unknown event 'WR\\033[2JTE'\n"
	    "Watchfile:2:10: debounce '1\\033x': unknown unit (use us, ms, "
	    "s, m or h)\n");
}

static void
test_rules_warns_about_watch_options_and_drops_them(void **state)
{
	struct fixture *f = *state;

	expect(f, "a WRITE|ONESHOT x\n", 0, "Watchfile:1:3: warning: ONESHOT: "
	    "a watch option, not an event; ignored\n");
	assert_int_equal(f->rs.nrules, 1);
	assert_int_equal(f->rs.rules[0].mask, IN_CLOSE_WRITE);
	expect(f, "a CREATE|ONLYDIR|DONT_FOLLOW|EXCL_UNLINK|MASK_ADD|"
	    "MASK_CREATE x\n", 0, "Watchfile:1:3: warning: ONLYDIR|"
	    "DONT_FOLLOW|EXCL_UNLINK|MASK_CREATE|MASK_ADD: a watch option, "
	    "not an event; ignored\n");
	assert_int_equal(f->rs.rules[0].mask, IN_CREATE);
}

static void
test_rules_rejects_rule_with_only_watch_options(void **state)
{
	struct fixture *f = *state;

	expect(f, "a ONLYDIR x\n", 1, "Watchfile:1:3: warning: ONLYDIR: a "
	    "watch option, not an event; ignored\n"
	    "Watchfile:1:3: no events left to listen for\n");
	assert_int_equal(f->rs.nrules, 0);
}

static void
test_rules_isdir_stays_in_the_mask(void **state)
{
	struct fixture *f = *state;

	expect(f, "a CREATE|ISDIR x\nb ISDIR y\nc all z\n", 0, "");
	assert_int_equal(f->rs.rules[0].mask, IN_CREATE | IN_ISDIR);
	assert_int_equal(f->rs.rules[1].mask, IN_ISDIR);
	assert_int_equal(f->rs.rules[2].mask, IN_ALL_EVENTS);
}

static void
test_rules_add_root_drops_trailing_slashes(void **state)
{
	struct fixture *f = *state;
	static const char *const in[] = {
		"src/", "src", "/", "///", "a/b//", ".", "./", "../x/",
	};
	static const char *const want[] = {
		"src", "src", "/", "/", "a/b", ".", ".", "../x",
	};
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		rules_add_root(&f->rs, in[i]);
	assert_int_equal(f->rs.nroots, sizeof(in) / sizeof(in[0]));
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		assert_string_equal(f->rs.roots[i], want[i]);
}

static void
test_rules_free_accepts_empty_and_full_rulesets(void **state)
{
	struct fixture *f = *state;
	struct ruleset empty;
	char **argv;

	memset(&empty, 0, sizeof(empty));
	rules_free(&empty);
	rules_free(NULL);
	assert_null(empty.rules);

	assert_int_equal(parse(f, "watch a b\nignore x\nignore y\n"
	    "debounce 1s\nr1 WRITE one\nr2 CREATE two\n"), 0);
	argv = calloc(3, sizeof(*argv));
	assert_non_null(argv);
	argv[0] = strdup("echo");
	argv[1] = strdup("hi");
	rules_add_rule(&f->rs, NULL, IN_CLOSE_WRITE, 0, NULL, argv,
	    "command-line:1");
	rules_free(&f->rs);
	assert_int_equal(f->rs.nroots, 0);
	assert_int_equal(f->rs.nignores, 0);
	assert_int_equal(f->rs.nrules, 0);
	assert_null(f->rs.roots);
	assert_null(f->rs.ignores);
	assert_null(f->rs.rules);
	/* A freed ruleset is empty and may be used again. */
	assert_int_equal(parse(f, "a WRITE x\n"), 0);
	assert_int_equal(f->rs.nrules, 1);
}

static void
test_rules_add_rule_takes_command_and_copies_origin(void **state)
{
	struct fixture *f = *state;
	char origin[] = "command-line:1";
	struct rule *r;

	r = rules_add_rule(&f->rs, NULL, IN_CREATE, 42, strdup("make"), NULL,
	    origin);
	assert_non_null(r);
	assert_ptr_equal(r, &f->rs.rules[0]);
	origin[0] = 'X';
	assert_string_equal(r->origin, "command-line:1");
	assert_string_equal(r->command, "make");
	assert_null(r->re);
	assert_int_equal(r->mask, IN_CREATE);
	assert_int_equal(r->debounce_us, 42);
}

static void
test_rules_add_ignore_reports_bad_pattern(void **state)
{
	struct fixture *f = *state;
	FILE *fp;

	fp = open_memstream(&f->err, &f->errlen);
	assert_non_null(fp);
	assert_int_equal(rules_add_ignore(&f->rs, "-x", "\\.swp$", fp), 0);
	assert_int_equal(rules_add_ignore(&f->rs, "-x", "a(b", fp), -1);
	fclose(fp);
	assert_string_equal(f->err, "test_rules: -x 'a(b': bad regex at "
	    "offset 3: missing closing parenthesis\n");
	assert_int_equal(f->rs.nignores, 1);
	assert_true(matches(f, f->rs.ignores[0], "a.swp"));
}

static void
test_rules_load_reports_missing_file_and_directory(void **state)
{
	struct fixture *f = *state;
	FILE *fp;

	fp = open_memstream(&f->err, &f->errlen);
	assert_non_null(fp);
	assert_int_equal(rules_load(&f->rs, "/nonexistent/Watchfile",
	    RULES_DEFAULT_DEBOUNCE, fp), 1);
	assert_int_equal(rules_load(&f->rs, "/", RULES_DEFAULT_DEBOUNCE, fp),
	    1);
	fclose(fp);
	assert_string_equal(f->err,
	    "/nonexistent/Watchfile:0:0: No such file or directory\n"
	    "/:0:0: Is a directory\n");
	assert_int_equal(f->rs.nrules, 0);
}

static void
test_rules_load_reads_a_file(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/test_rules.XXXXXX";
	const char *text = "watch src\n'\\.c$' WRITE make\nb( WRITE y\n";
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	fp = open_memstream(&f->err, &f->errlen);
	assert_non_null(fp);
	assert_int_equal(rules_load(&f->rs, path, 5, fp), 1);
	fclose(fp);
	unlink(path);
	assert_int_equal(strncmp(f->err, path, strlen(path)), 0);
	assert_string_equal(f->err + strlen(path),
	    ":3:3: bad regex: missing closing parenthesis\n");
	assert_int_equal(f->rs.nroots, 1);
	assert_int_equal(f->rs.nrules, 1);
	assert_int_equal(f->rs.rules[0].debounce_us, 5);
	assert_int_equal(strncmp(f->rs.rules[0].origin, path, strlen(path)),
	    0);
	assert_string_equal(f->rs.rules[0].origin + strlen(path), ":2");
}

static void
test_rules_handles_a_1mib_line(void **state)
{
	struct fixture *f = *state;
	size_t n = 1 << 20, len;
	char *buf;

	buf = malloc(n + 64);
	assert_non_null(buf);
	len = (size_t)sprintf(buf, "a WRITE echo ");
	memset(buf + len, 'x', n);
	len += n;
	memcpy(buf + len, "\nb WIRTE y\n", 11);
	len += 11;
	assert_int_equal(parse_named(f, "Watchfile", buf, len), 1);
	assert_string_equal(f->err, "Watchfile:2:3: unknown event 'WIRTE' "
	    "(did you mean 'WRITE'?)\n");
	assert_int_equal(f->rs.nrules, 1);
	assert_int_equal(strlen(f->rs.rules[0].command), n + 5);
	assert_memory_equal(f->rs.rules[0].command, "echo xxx", 8);
	assert_int_equal(f->rs.rules[0].command[n + 4], 'x');
	free(buf);
}

static void
test_rules_handles_a_1mib_regex(void **state)
{
	struct fixture *f = *state;
	size_t n = 1 << 20;
	char *buf;

	buf = malloc(n + 64);
	assert_non_null(buf);
	memset(buf, 'a', n);
	memcpy(buf + n, " WRITE x\n", 9);
	parse_named(f, "Watchfile", buf, n + 9);
	/* PCRE2 may refuse it as too large; either way, one clean outcome. */
	if (f->nerr == 0) {
		assert_int_equal(f->rs.nrules, 1);
		assert_string_equal(f->rs.rules[0].command, "x");
	} else {
		assert_int_equal(f->nerr, 1);
		assert_int_equal(f->rs.nrules, 0);
		assert_int_equal(strncmp(f->err, "Watchfile:1:", 12), 0);
		assert_non_null(strstr(f->err, ": bad regex: "));
	}
	free(buf);
}

static void
test_rules_handles_10000_rules(void **state)
{
	struct fixture *f = *state;
	char *buf, want[64];
	size_t i, len = 0;

	buf = malloc(10000 * 64);
	assert_non_null(buf);
	for (i = 0; i < 10000; i++)
		len += (size_t)sprintf(buf + len, "'^r%zu$' WRITE echo %zu\n",
		    i, i);
	assert_int_equal(parse_named(f, "Watchfile", buf, len), 0);
	assert_string_equal(f->err, "");
	assert_int_equal(f->rs.nrules, 10000);
	for (i = 0; i < 10000; i += 999) {
		snprintf(want, sizeof(want), "echo %zu", i);
		assert_string_equal(f->rs.rules[i].command, want);
		snprintf(want, sizeof(want), "Watchfile:%zu", i + 1);
		assert_string_equal(f->rs.rules[i].origin, want);
		snprintf(want, sizeof(want), "r%zu", i);
		assert_true(matches(f, f->rs.rules[i].re, want));
	}
	assert_false(matches(f, f->rs.rules[1].re, "r10"));
	free(buf);
}

static void
test_rules_survives_deeply_nested_groups(void **state)
{
	struct fixture *f = *state;
	size_t depth = 5000, len = 0;
	char *buf;

	buf = malloc(2 * depth + 64);
	assert_non_null(buf);
	memset(buf, '(', depth);
	len = depth;
	buf[len++] = 'a';
	memset(buf + len, ')', depth);
	len += depth;
	memcpy(buf + len, " WRITE x\n", 9);
	len += 9;
	parse_named(f, "Watchfile", buf, len);
	if (f->nerr == 0) {
		assert_int_equal(f->rs.nrules, 1);
		assert_true(matches(f, f->rs.rules[0].re, "a"));
	} else {
		assert_int_equal(f->nerr, 1);
		assert_int_equal(f->rs.nrules, 0);
		assert_int_equal(strncmp(f->err, "Watchfile:1:", 12), 0);
		assert_non_null(strstr(f->err, ": bad regex: "));
	}
	/* Unbalanced, too: an error, whatever the depth. */
	rules_free(&f->rs);
	memset(buf, '(', 2 * depth);
	memcpy(buf + 2 * depth, " WRITE x\n", 9);
	assert_int_equal(parse_named(f, "Watchfile", buf, 2 * depth + 9), 1);
	assert_non_null(strstr(f->err, ": bad regex: "));
	free(buf);
}

static void
test_rules_matches_regex_with_invalid_utf8_as_bytes(void **state)
{
	struct fixture *f = *state;

	expect(f, "\"\xff\xfe[\x80-\xff]\" WRITE x\n"
	    "'^caf\xe9$' WRITE y\n"
	    "'^.$' WRITE z\n", 0, "");
	assert_int_equal(f->rs.nrules, 3);
	assert_true(matches(f, f->rs.rules[0].re, "d/\xff\xfe\x80"));
	assert_true(matches(f, f->rs.rules[0].re, "\xff\xfe\xc3"));
	assert_false(matches(f, f->rs.rules[0].re, "\xff\xfe" "a"));
	assert_false(matches(f, f->rs.rules[0].re, "\xff\xfe"));
	assert_true(matches(f, f->rs.rules[1].re, "caf\xe9"));
	assert_false(matches(f, f->rs.rules[1].re, "caf\xc3\xa9"));
	/* Without UTF mode, '.' is one byte. */
	assert_true(matches(f, f->rs.rules[2].re, "\xff"));
	assert_false(matches(f, f->rs.rules[2].re, "\xc3\xa9"));
}

#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rules_parses_a_rule_into_regex_events_and_command),
		T(test_rules_default_debounce_comes_from_the_caller),
		T(test_rules_parse_appends_to_the_ruleset),
		T(test_rules_rejects_unterminated_single_quote),
		T(test_rules_rejects_unterminated_double_quote),
		T(test_rules_rejects_text_glued_to_a_closing_quote),
		T(test_rules_rejects_missing_command),
		T(test_rules_rejects_regex_without_events_and_command),
		T(test_rules_rejects_unknown_word_alone_as_directive),
		T(test_rules_suggests_directive_for_a_typo),
		T(test_rules_word_followed_by_valid_events_is_a_rule),
		T(test_rules_rejects_unknown_event_with_hint),
		T(test_rules_rejects_unknown_event_without_hint),
		T(test_rules_rejects_empty_event_names),
		T(test_rules_locates_event_errors_inside_quotes),
		T(test_rules_accepts_quoted_events),
		T(test_rules_reports_bad_regex_at_pcre2_offset),
		T(test_rules_locates_regex_errors_inside_quotes),
		T(test_rules_locates_errors_on_continued_lines),
		T(test_rules_counts_lines_after_continued_lines),
		T(test_rules_reports_every_error_in_a_file),
		T(test_rules_rejects_nul_byte_and_goes_on),
		T(test_rules_nul_byte_in_a_continued_line_keeps_line_numbers),
		T(test_rules_watch_directive_adds_roots),
		T(test_rules_watch_rejects_missing_and_empty_directories),
		T(test_rules_ignore_directive_compiles_pattern),
		T(test_rules_ignore_directive_errors),
		T(test_rules_debounce_applies_only_to_rules_below_it),
		T(test_rules_debounce_does_not_carry_into_the_next_parse),
		T(test_rules_debounce_directive_errors),
		T(test_rules_quoted_regex_keeps_backslash_pairs),
		T(test_rules_quoted_regex_unescapes_its_quote),
		T(test_rules_comments_only_at_line_start),
		T(test_rules_keeps_hash_inside_quoted_regex),
		T(test_rules_blank_and_comment_only_files_have_no_rules),
		T(test_rules_accepts_crlf_line_ends),
		T(test_rules_command_is_kept_verbatim),
		T(test_rules_continued_command_is_joined),
		T(test_rules_origin_is_file_and_first_line),
		T(test_rules_comment_lines_never_continue),
		T(test_rules_reports_every_mistake_on_a_line),
		T(test_rules_escapes_file_bytes_in_errors),
		T(test_rules_warns_about_watch_options_and_drops_them),
		T(test_rules_rejects_rule_with_only_watch_options),
		T(test_rules_isdir_stays_in_the_mask),
		T(test_rules_add_root_drops_trailing_slashes),
		T(test_rules_free_accepts_empty_and_full_rulesets),
		T(test_rules_add_rule_takes_command_and_copies_origin),
		T(test_rules_add_ignore_reports_bad_pattern),
		T(test_rules_load_reports_missing_file_and_directory),
		T(test_rules_load_reads_a_file),
		T(test_rules_handles_a_1mib_line),
		T(test_rules_handles_a_1mib_regex),
		T(test_rules_handles_10000_rules),
		T(test_rules_survives_deeply_nested_groups),
		T(test_rules_matches_regex_with_invalid_utf8_as_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
