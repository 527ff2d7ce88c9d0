/*
 * test_match.c: unit tests for path patterns: byte-wise matching, the
 * literal shortcuts checked against PCRE2 itself, and the match limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "match.h"

struct fixture {
	struct matcher		*m;
	pcre2_match_data	*md;
};

static int
setup(void **state)
{
	struct fixture *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->m = matcher_new();
	if ((f->md = pcre2_match_data_create(1, NULL)) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	matcher_free(f->m);
	pcre2_match_data_free(f->md);
	free(f);
	return 0;
}

static struct match_re *
compile_ok(const char *pat)
{
	struct match_re *re;
	char msg[256];
	size_t off;

	re = match_compile(pat, strlen(pat), "test", msg, sizeof(msg), &off);
	if (re == NULL)
		fail_msg("/%s/ does not compile: %s at %zu", pat, msg, off);
	return re;
}

/* The oracle: PCRE2 alone, without any shortcut. */
static pcre2_code *
oracle_new(const char *pat)
{
	pcre2_code *code;
	PCRE2_SIZE off;
	int err;

	code = pcre2_compile((PCRE2_SPTR)pat, strlen(pat), 0, &err, &off,
	    NULL);
	assert_non_null(code);
	return code;
}

static int
oracle(struct fixture *f, const pcre2_code *code, const char *s, size_t len)
{
	return pcre2_match(code, (PCRE2_SPTR)s, len, 0, 0, f->md, NULL) >= 0;
}

static int
pcre2_says(struct fixture *f, const char *pat, const char *s, size_t len)
{
	pcre2_code *code;
	int rc;

	code = oracle_new(pat);
	rc = oracle(f, code, s, len);
	pcre2_code_free(code);
	return rc;
}

static int
matches(struct fixture *f, struct match_re *re, const char *s)
{
	return match_exec(f->m, re, s, strlen(s));
}

/*
 * Whether the literals of re hold for the len bytes at s: any path the
 * pattern matches must start with its prefix and end with its suffix.
 */
static int
literals_hold(const struct match_re *re, const char *s, size_t len)
{
	const struct match_lit *l = match_literal(re);

	if (l->prefixlen > 0 && (len < l->prefixlen ||
	    memcmp(s, l->prefix, l->prefixlen) != 0))
		return 0;
	if (l->suffixlen > 0 && !match_suffix(s, len, l->suffix,
	    l->suffixlen))
		return 0;
	return 1;
}

static void
test_match_compile_reports_error_and_offset(void **state)
{
	char msg[256];
	size_t off = 999;

	(void)state;
	assert_null(match_compile("a(", 2, "t", msg, sizeof(msg), &off));
	assert_string_equal(msg, "missing closing parenthesis");
	assert_int_equal(off, 2);
	assert_null(match_compile("ab)c", 4, "t", msg, sizeof(msg), &off));
	assert_int_equal(off, 2);
}

static void
test_match_compile_keeps_the_source(void **state)
{
	struct match_re *re;

	(void)state;
	re = compile_ok("^src/.*\\.c$");
	assert_string_equal(match_source(re), "^src/.*\\.c$");
	match_re_free(re);
	match_re_free(NULL);
}

static void
test_match_matches_bytes_without_utf_mode(void **state)
{
	struct fixture *f = *state;
	struct match_re *re;

	re = compile_ok("^caf.$");
	assert_true(matches(f, re, "caf\xe9"));
	assert_false(matches(f, re, "caf\xc3\xa9"));
	match_re_free(re);
	re = compile_ok("[\x80-\xff]");
	assert_true(matches(f, re, "a\xff"));
	assert_false(matches(f, re, "plain"));
	match_re_free(re);
	re = compile_ok("\xff\xfe");
	assert_true(matches(f, re, "x\xff\xfey"));
	assert_false(matches(f, re, "x\xfe\xff"));
	match_re_free(re);
}

static void
test_match_reads_only_len_bytes(void **state)
{
	struct fixture *f = *state;
	struct match_re *re;

	re = compile_ok("\\.c$");
	assert_true(match_exec(f->m, re, "a.c.h", 3));
	assert_false(match_exec(f->m, re, "a.c.h", 5));
	match_re_free(re);
	re = compile_ok("^ab$");
	assert_true(match_exec(f->m, re, "abc", 2));
	match_re_free(re);
}

static void
test_match_literal_finds_prefix_and_suffix(void **state)
{
	const struct match_lit *l;
	struct match_re *re;

	(void)state;
	re = compile_ok("^src/.*\\.c$");
	l = match_literal(re);
	assert_int_equal(l->prefixlen, 4);
	assert_memory_equal(l->prefix, "src/", 4);
	assert_int_equal(l->suffixlen, 2);
	assert_memory_equal(l->suffix, ".c", 2);
	assert_int_equal(l->pure, PURE_NO);
	match_re_free(re);

	re = compile_ok("[ch]");
	l = match_literal(re);
	assert_int_equal(l->prefixlen, 0);
	assert_int_equal(l->suffixlen, 0);
	assert_int_equal(l->pure, PURE_NO);
	match_re_free(re);
}

static void
test_match_literal_recognises_pure_literals(void **state)
{
	static const struct {
		const char	*pat;
		enum match_pure	 pure;
		const char	*lit;
	} cases[] = {
		{ "\\.c$", PURE_SUFFIX, ".c" },
		{ "^src/", PURE_PREFIX, "src/" },
		{ "^Makefile$", PURE_EXACT, "Makefile" },
		{ "Makefile", PURE_ANYWHERE, "Makefile" },
		{ "a\\+b\\$", PURE_ANYWHERE, "a+b$" },
		{ "a.c", PURE_NO, NULL },
		{ "ab?", PURE_NO, NULL },
		{ "a|b", PURE_NO, NULL },
		{ "(?i)abc", PURE_NO, NULL },
		{ "\\Qa.b\\E", PURE_NO, NULL },
	};
	const struct match_lit *l;
	struct match_re *re;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		re = compile_ok(cases[i].pat);
		l = match_literal(re);
		if (l->pure != cases[i].pure)
			fail_msg("/%s/: pure %d, want %d", cases[i].pat,
			    (int)l->pure, (int)cases[i].pure);
		if (cases[i].lit != NULL) {
			assert_int_equal(l->litlen, strlen(cases[i].lit));
			assert_memory_equal(l->lit, cases[i].lit, l->litlen);
		}
		match_re_free(re);
	}
}

/* The shortcuts must give PCRE2's answer, anchors and final newline too. */
static void
test_match_pure_literals_agree_with_pcre2(void **state)
{
	static const char *pats[] = {
		"\\.c$", "^src/", "^Makefile$", "Makefile", "a\\+b\\$", "/",
		"^a$", "b$", "^\\.",
	};
	static const char *paths[] = {
		"", "a", "a\n", "x.c", "x.c\n", "x.c\n\n", "x.cc", ".c",
		"src/", "src", "xsrc/", "src/a.c", "Makefile", "Makefile\n",
		"a/Makefile.in", "a+b$", "a+b", "b", "ab\n", "\n", ".", "./x",
	};
	struct fixture *f = *state;
	struct match_re *re;
	size_t i, j;
	int want, got;

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		re = compile_ok(pats[i]);
		for (j = 0; j < sizeof(paths) / sizeof(paths[0]); j++) {
			want = pcre2_says(f, pats[i], paths[j],
			    strlen(paths[j]));
			got = matches(f, re, paths[j]);
			if (want != got)
				fail_msg("/%s/ on \"%s\": %d, PCRE2 says %d",
				    pats[i], paths[j], got, want);
		}
		match_re_free(re);
	}
}

static void
test_match_suffix_allows_a_final_newline(void **state)
{
	(void)state;
	assert_true(match_suffix("x.c", 3, ".c", 2));
	assert_true(match_suffix("x.c\n", 4, ".c", 2));
	assert_true(match_suffix(".c\n", 3, ".c", 2));
	assert_false(match_suffix("x.c\n\n", 5, ".c", 2));
	assert_false(match_suffix("x.h", 3, ".c", 2));
	assert_false(match_suffix("c", 1, ".c", 2));
	assert_true(match_suffix("", 0, "", 0));
}

/*
 * The literals say what every matching path must have, and the
 * dispatcher skips a rule whose literal a path lacks: the digits and
 * braces of a {n,m} quantifier, or of \x41, \101 and \cA, are not
 * literal text of the path.
 */
static void
test_match_literal_ignores_quantifier_and_escape_arguments(void **state)
{
	static const struct {
		const char	*pat;
		const char	*path;
	} cases[] = {
		{ "\\.c$", "main.c" },
		{ "\\.[0-9]{2}$", "log.12" },
		{ "a{2}$", "aa" },
		{ "(ab){1,2}$", "abab" },
		{ "\\d{3}$", "123" },
		{ "\\x41$", "A" },
		{ "\\x{41}$", "A" },
		{ "\\101$", "A" },
		{ "\\cA$", "\001" },
		{ "\\.o{1}$", "x.o" },
	};
	struct fixture *f = *state;
	const struct match_lit *l;
	struct match_re *re;
	size_t i, nbad = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(pcre2_says(f, cases[i].pat, cases[i].path,
		    strlen(cases[i].path)));
		re = compile_ok(cases[i].pat);
		l = match_literal(re);
		if (!literals_hold(re, cases[i].path, strlen(cases[i].path))) {
			print_message("/%s/ matches \"%s\" but its suffix is "
			    "\"%.*s\"\n", cases[i].pat, cases[i].path,
			    (int)l->suffixlen, l->suffix);
			nbad++;
		}
		match_re_free(re);
	}
	assert_int_equal(nbad, 0);
}

/* A small generator, so that a failure replays the same way. */
static uint32_t
rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static const char *const pieces[] = {
	"a", "b", "c", ".", "\\.", "/", "^", "$", "(", ")", "|", "?", "*",
	"+", "[ab]", "\\d", "\\n", "\n", "(?:", "(?=a)", "(?!b)", "\\$",
	"\\\\", "]", "}", "{", "-", "1", "2", ",", "\\b", "\\Z", "\\z",
	"\\A", "(?<=a)", "+?", "{2}", "{1,2}", "\\x61", "\\141", "\\ca",
};

static const char subject_bytes[] = "ab/.c1\n2{},A\\$";

/* Builds a random pattern that compiles, in pat[size]. */
static struct match_re *
random_pattern(uint32_t *x, char *pat, size_t size)
{
	struct match_re *re;
	char msg[256];
	size_t i, n, off;

	for (;;) {
		pat[0] = '\0';
		n = 1 + rnd(x) % 6;
		for (i = 0; i < n; i++)
			strlcat(pat, pieces[rnd(x) % (sizeof(pieces) /
			    sizeof(pieces[0]))], size);
		re = match_compile(pat, strlen(pat), "random", msg,
		    sizeof(msg), &off);
		if (re != NULL)
			return re;
	}
}

static size_t
random_subject(uint32_t *x, char *s)
{
	size_t i, n = rnd(x) % 8;

	for (i = 0; i < n; i++)
		s[i] = subject_bytes[rnd(x) % (sizeof(subject_bytes) - 1)];
	s[n] = '\0';
	return n;
}

static void
test_match_agrees_with_pcre2_on_random_patterns(void **state)
{
	struct fixture *f = *state;
	struct match_re *re;
	pcre2_code *code;
	char pat[128], s[16], first[512] = "";
	uint32_t x = 12345;
	size_t len, nbad = 0;
	int i, k, want, got;

	for (i = 0; i < 20000; i++) {
		re = random_pattern(&x, pat, sizeof(pat));
		code = oracle_new(pat);
		for (k = 0; k < 20; k++) {
			len = random_subject(&x, s);
			want = oracle(f, code, s, len);
			got = match_exec(f->m, re, s, len);
			if (want != got && nbad++ == 0)
				snprintf(first, sizeof(first), "/%s/ on \"%s\": "
				    "%d, PCRE2 says %d", pat, s, got, want);
		}
		pcre2_code_free(code);
		match_re_free(re);
	}
	if (nbad > 0)
		fail_msg("%zu mismatches; the first: %s", nbad, first);
}

static void
test_match_literals_hold_on_random_patterns(void **state)
{
	struct fixture *f = *state;
	const struct match_lit *l;
	struct match_re *re;
	pcre2_code *code;
	char pat[128], s[16], first[512] = "";
	uint32_t x = 54321;
	size_t len, nbad = 0;
	int i, k;

	for (i = 0; i < 20000; i++) {
		re = random_pattern(&x, pat, sizeof(pat));
		code = oracle_new(pat);
		l = match_literal(re);
		for (k = 0; k < 20; k++) {
			len = random_subject(&x, s);
			if (!oracle(f, code, s, len) ||
			    literals_hold(re, s, len) || nbad++ > 0)
				continue;
			snprintf(first, sizeof(first), "/%s/ matches \"%s\", "
			    "yet its prefix is \"%.*s\" and its suffix "
			    "\"%.*s\"", pat, s, (int)l->prefixlen,
			    l->prefix != NULL ? l->prefix : "",
			    (int)l->suffixlen, l->suffix != NULL ?
			    l->suffix : "");
		}
		pcre2_code_free(code);
		match_re_free(re);
	}
	if (nbad > 0)
		fail_msg("%zu paths break the literals; the first: %s", nbad,
		    first);
}

/*
 * (a+)+$ on a long run of a's and a final b backtracks exponentially:
 * the limits stop it, it counts as no match, and one warning says so.
 */
static void
test_match_gives_up_on_runaway_patterns_once_warned(void **state)
{
	struct fixture *f = *state;
	struct match_re *re;
	char path[64], line[512];
	FILE *tmp;
	int saved, nlines = 0;

	re = compile_ok("(a+)+$");
	memset(path, 'a', sizeof(path) - 2);
	path[sizeof(path) - 2] = 'b';
	path[sizeof(path) - 1] = '\0';
	assert_non_null(tmp = tmpfile());
	fflush(stderr);
	saved = dup(2);
	assert_true(saved != -1);
	assert_int_equal(dup2(fileno(tmp), 2), 2);
	assert_false(matches(f, re, path));
	assert_false(matches(f, re, path));
	assert_true(matches(f, re, "aaa"));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	while (fgets(line, sizeof(line), tmp) != NULL) {
		assert_non_null(strstr(line, "test: pattern /(a+)+$/ gave "
		    "up on a path"));
		nlines++;
	}
	fclose(tmp);
	assert_int_equal(nlines, 1);
	match_re_free(re);
}

#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_match_compile_reports_error_and_offset),
		T(test_match_compile_keeps_the_source),
		T(test_match_matches_bytes_without_utf_mode),
		T(test_match_reads_only_len_bytes),
		T(test_match_literal_finds_prefix_and_suffix),
		T(test_match_literal_recognises_pure_literals),
		T(test_match_pure_literals_agree_with_pcre2),
		T(test_match_suffix_allows_a_final_newline),
		T(test_match_literal_ignores_quantifier_and_escape_arguments),
		T(test_match_agrees_with_pcre2_on_random_patterns),
		T(test_match_literals_hold_on_random_patterns),
		T(test_match_gives_up_on_runaway_patterns_once_warned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
