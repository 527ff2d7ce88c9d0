/*
 * test_gitignore.c: unit tests for git's ignore rules: file syntax,
 * anchoring, directory-only and negated patterns, wildcards, precedence
 * across files, excluded parents, the fast path and the file table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "gitignore.h"

static void
set(struct gitignore *gi, int level, const char *dir, const char *text)
{
	assert_int_equal(gitignore_set_file(gi, level, dir,
	    dir != NULL ? strlen(dir) : 0, text, text != NULL ?
	    strlen(text) : 0, NULL), 0);
}

/* A gitignore whose top .gitignore is text. */
static struct gitignore *
with_top(const char *text)
{
	struct gitignore *gi;

	gi = gitignore_new();
	set(gi, GITIGNORE_DIR, "", text);
	return gi;
}

/* The full check of path; a trailing '/' makes it a directory. */
static int
ign(const struct gitignore *gi, const char *path)
{
	return gitignore_check(gi, path, strlen(path), 0, NULL);
}

/* The fast path's answer for path. */
static int
ign_name(const struct gitignore *gi, const char *path)
{
	return gitignore_check_name(gi, path, strlen(path), 0, NULL);
}

/* Checks path's answer and its why; a NULL source wants no match. */
static void
assert_why(const struct gitignore *gi, const char *path, int want,
    const char *source, size_t line, const char *pattern)
{
	struct gitignore_why w;

	memset(&w, 0xa5, sizeof(w));
	assert_int_equal(gitignore_check(gi, path, strlen(path), 0, &w),
	    want);
	if (source == NULL) {
		assert_null(w.source);
		assert_null(w.pattern);
		assert_int_equal(w.line, 0);
		assert_int_equal(w.negated, 0);
		return;
	}
	assert_non_null(w.source);
	assert_string_equal(w.source, source);
	assert_int_equal(w.line, line);
	assert_string_equal(w.pattern, pattern);
	assert_int_equal(w.negated, pattern[0] == '!');
	assert_int_equal(w.negated, !want);
}

static void
test_gitignore_without_files_ignores_nothing(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = gitignore_new();
	assert_int_equal(gitignore_npatterns(gi), 0);
	assert_why(gi, "a.o", 0, NULL, 0, NULL);
	assert_int_equal(ign_name(gi, "a/b/"), 0);
	assert_int_equal(ign(gi, ""), 0);
	assert_int_equal(ign(gi, "/"), 0);
	gitignore_free(gi);
	gitignore_free(NULL);
}

static void
test_gitignore_skips_blank_lines_and_comments(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("# a comment\n\n*.o\n   \n#x.c\n \\#y.c\n");
	assert_int_equal(gitignore_npatterns(gi), 2);
	assert_why(gi, "a.o", 1, ".gitignore", 3, "*.o");
	assert_why(gi, "x.c", 0, NULL, 0, NULL);
	assert_why(gi, "#x.c", 0, NULL, 0, NULL);
	/* Only a '#' in the first column starts a comment. */
	assert_why(gi, " #y.c", 1, ".gitignore", 6, " \\#y.c");
	gitignore_free(gi);
}

static void
test_gitignore_escaped_hash_and_bang_are_literal(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("*\n\\#a\n\\!b\n!c\n");
	assert_why(gi, "#a", 1, ".gitignore", 2, "\\#a");
	assert_why(gi, "!b", 1, ".gitignore", 3, "\\!b");
	assert_why(gi, "c", 0, ".gitignore", 4, "!c");
	assert_why(gi, "!c", 1, ".gitignore", 1, "*");
	gitignore_free(gi);
}

static void
test_gitignore_trims_unescaped_trailing_spaces(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("a  \nb\\ \nc\\  \nd\t\n");
	assert_why(gi, "a", 1, ".gitignore", 1, "a");
	assert_int_equal(ign(gi, "a "), 0);
	assert_why(gi, "b ", 1, ".gitignore", 2, "b\\ ");
	assert_int_equal(ign(gi, "b"), 0);
	/* The escaped space stays, the one after it goes. */
	assert_why(gi, "c ", 1, ".gitignore", 3, "c\\ ");
	assert_int_equal(ign(gi, "c  "), 0);
	/* Only spaces are trimmed, not tabs. */
	assert_int_equal(ign(gi, "d\t"), 1);
	assert_int_equal(ign(gi, "d"), 0);
	gitignore_free(gi);
}

static void
test_gitignore_reads_crlf_bom_and_unterminated_line(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("\357\273\277a\r\nb\r\n\r\nc");
	assert_why(gi, "a", 1, ".gitignore", 1, "a");
	assert_why(gi, "b", 1, ".gitignore", 2, "b");
	assert_why(gi, "c", 1, ".gitignore", 4, "c");
	assert_int_equal(ign(gi, "a\r"), 0);
	assert_int_equal(gitignore_npatterns(gi), 3);
	/* A mark anywhere else is part of the pattern. */
	set(gi, GITIGNORE_DIR, "", "x\n\357\273\277y\n");
	assert_int_equal(ign(gi, "y"), 0);
	assert_int_equal(ign(gi, "\357\273\277y"), 1);
	gitignore_free(gi);
}

static void
test_gitignore_cuts_a_line_at_a_nul_byte(void **state)
{
	static const char text[] = "ab\0cd\nef\n";
	struct gitignore *gi;
	struct gitignore_why w;

	(void)state;
	gi = gitignore_new();
	assert_int_equal(gitignore_set_file(gi, GITIGNORE_DIR, "", 0, text,
	    sizeof(text) - 1, NULL), 0);
	assert_int_equal(gitignore_check(gi, "ab", 2, 0, &w), 1);
	assert_int_equal(w.line, 1);
	assert_int_equal(ign(gi, "cd"), 0);
	assert_int_equal(ign(gi, "ef"), 1);
	gitignore_free(gi);
}

static void
test_gitignore_last_line_wins_and_negation_reincludes(
    void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("*.log\n!keep.log\n");
	assert_why(gi, "x.log", 1, ".gitignore", 1, "*.log");
	assert_why(gi, "keep.log", 0, ".gitignore", 2, "!keep.log");
	assert_why(gi, "d/keep.log", 0, ".gitignore", 2, "!keep.log");
	set(gi, GITIGNORE_DIR, "", "!keep.log\n*.log\n");
	assert_why(gi, "keep.log", 1, ".gitignore", 2, "*.log");
	gitignore_free(gi);
}

static void
test_gitignore_trailing_slash_matches_directories_only(void **state)
{
	struct gitignore *gi;
	struct gitignore_why w;

	(void)state;
	gi = with_top("build/\n!keep/\n");
	assert_int_equal(ign(gi, "build"), 0);
	assert_int_equal(ign(gi, "build/"), 1);
	assert_int_equal(gitignore_check(gi, "build", 5, 1, &w), 1);
	assert_string_equal(w.pattern, "build/");
	assert_int_equal(ign(gi, "src/build/"), 1);
	assert_int_equal(ign(gi, "src/build"), 0);
	/* Below it, everything is excluded with it. */
	assert_int_equal(ign(gi, "build/x.c"), 1);
	assert_int_equal(ign(gi, "build/sub/"), 1);
	gitignore_free(gi);
}

static void
test_gitignore_pattern_without_slash_matches_at_any_depth(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("*.o\nfoo\n");
	assert_int_equal(ign(gi, "c.o"), 1);
	assert_int_equal(ign(gi, "a/b/c.o"), 1);
	assert_int_equal(ign(gi, "x/foo"), 1);
	assert_int_equal(ign(gi, "x/foo/"), 1);
	assert_int_equal(ign(gi, "foo/bar"), 1);
	assert_int_equal(ign(gi, "foox"), 0);
	assert_int_equal(ign(gi, "xfoo"), 0);
	assert_int_equal(ign(gi, "c.o/x"), 1);
	gitignore_free(gi);
}

static void
test_gitignore_slash_at_start_or_middle_anchors(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("/a\nb/c\n");
	set(gi, GITIGNORE_DIR, "src", "/gen\nd/e\n");
	assert_int_equal(ign(gi, "a"), 1);
	assert_int_equal(ign(gi, "x/a"), 0);
	assert_int_equal(ign(gi, "b/c"), 1);
	assert_int_equal(ign(gi, "x/b/c"), 0);
	assert_int_equal(ign(gi, "src/gen"), 1);
	assert_int_equal(ign(gi, "src/x/gen"), 0);
	assert_int_equal(ign(gi, "gen"), 0);
	assert_int_equal(ign(gi, "src/d/e"), 1);
	assert_int_equal(ign(gi, "src/x/d/e"), 0);
	assert_int_equal(ign(gi, "d/e"), 0);
	gitignore_free(gi);
}

static void
test_gitignore_directory_file_applies_only_below_it(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = gitignore_new();
	set(gi, GITIGNORE_DIR, "sub/", "*.tmp\n");
	assert_int_equal(ign(gi, "sub/a.tmp"), 1);
	assert_int_equal(ign(gi, "sub/x/y/a.tmp"), 1);
	assert_int_equal(ign(gi, "a.tmp"), 0);
	assert_int_equal(ign(gi, "subx/a.tmp"), 0);
	assert_int_equal(ign(gi, "x/sub/a.tmp"), 0);
	/* A directory's own file does not apply to the directory. */
	set(gi, GITIGNORE_DIR, "sub", "sub\n");
	assert_int_equal(ign(gi, "sub/"), 0);
	assert_int_equal(ign(gi, "sub/sub"), 1);
	gitignore_free(gi);
}

static void
test_gitignore_star_and_question_mark_stop_at_slashes(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("a/*.c\nx/a?b\ny/*/z\n");
	assert_int_equal(ign(gi, "a/x.c"), 1);
	assert_int_equal(ign(gi, "a/.c"), 1);
	assert_int_equal(ign(gi, "a/b/x.c"), 0);
	assert_int_equal(ign(gi, "x/acb"), 1);
	assert_int_equal(ign(gi, "x/a/b"), 0);
	assert_int_equal(ign(gi, "y/q/z"), 1);
	assert_int_equal(ign(gi, "y/z"), 0);
	assert_int_equal(ign(gi, "y/q/r/z"), 0);
	gitignore_free(gi);
}

static void
test_gitignore_double_star_forms(void **state)
{
	struct gitignore *gi;

	(void)state;
	/* Leading: in all directories. */
	gi = with_top("**/foo\n**/p/q\n");
	assert_int_equal(ign(gi, "foo"), 1);
	assert_int_equal(ign(gi, "a/foo"), 1);
	assert_int_equal(ign(gi, "a/b/foo"), 1);
	assert_int_equal(ign(gi, "xfoo"), 0);
	assert_int_equal(ign(gi, "p/q"), 1);
	assert_int_equal(ign(gi, "a/b/p/q"), 1);
	assert_int_equal(ign(gi, "a/xp/q"), 0);
	/* Trailing: everything inside, not the directory itself. */
	set(gi, GITIGNORE_DIR, "", "abc/**\n");
	assert_int_equal(ign(gi, "abc/"), 0);
	assert_int_equal(ign(gi, "abc/x"), 1);
	assert_int_equal(ign_name(gi, "abc/x/y"), 1);
	assert_int_equal(ign(gi, "abcd/x"), 0);
	/* Middle: zero or more directories. */
	set(gi, GITIGNORE_DIR, "", "a/**/b\n");
	assert_int_equal(ign(gi, "a/b"), 1);
	assert_int_equal(ign(gi, "a/x/b"), 1);
	assert_int_equal(ign(gi, "a/x/y/b"), 1);
	assert_int_equal(ign(gi, "a/xb"), 0);
	assert_int_equal(ign(gi, "x/a/b"), 0);
	/* Elsewhere "**" is "*". */
	set(gi, GITIGNORE_DIR, "", "x/a**b\nc**d\n");
	assert_int_equal(ign(gi, "x/ab"), 1);
	assert_int_equal(ign(gi, "x/aqqb"), 1);
	assert_int_equal(ign(gi, "x/a/b"), 0);
	assert_int_equal(ign(gi, "y/cqd"), 1);
	/* Alone it matches all. */
	set(gi, GITIGNORE_DIR, "", "**\n");
	assert_int_equal(ign(gi, "a/b/c"), 1);
	gitignore_free(gi);
}

static void
test_gitignore_double_star_after_a_literal_as_in_git(void **state)
{
	struct gitignore *gi;

	(void)state;
	/*
	 * git matches the literal "q" apart, then "**" + "/r" as the start
	 * of the rest: a whole component.  git check-ignore agrees.
	 */
	gi = with_top("q**/r\n");
	assert_int_equal(ign(gi, "q/r"), 1);
	assert_int_equal(ign(gi, "qx/y/r"), 1);
	assert_int_equal(ign(gi, "q/s/t/r"), 1);
	assert_int_equal(ign(gi, "x/q/r"), 0);
	gitignore_free(gi);
}

static void
test_gitignore_bracket_expressions(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("[abc]1\n[!a]2\n[^a]3\n[a-c]4\n[]x]5\n[a-]6\n"
	    "[[:digit:]x]7\n[\\]]8\n[[:]9\nx/a[/]b\n[\200-\377]hi\n"
	    "[!]]0\n");
	assert_int_equal(ign(gi, "b1"), 1);
	assert_int_equal(ign(gi, "d1"), 0);
	assert_int_equal(ign(gi, "a2"), 0);
	assert_int_equal(ign(gi, "b2"), 1);
	assert_int_equal(ign(gi, "a3"), 0);
	assert_int_equal(ign(gi, "z3"), 1);
	assert_int_equal(ign(gi, "c4"), 1);
	assert_int_equal(ign(gi, "d4"), 0);
	assert_int_equal(ign(gi, "]5"), 1);
	assert_int_equal(ign(gi, "x5"), 1);
	assert_int_equal(ign(gi, "y5"), 0);
	assert_int_equal(ign(gi, "-6"), 1);
	assert_int_equal(ign(gi, "a6"), 1);
	assert_int_equal(ign(gi, "b6"), 0);
	assert_int_equal(ign(gi, "97"), 1);
	assert_int_equal(ign(gi, "x7"), 1);
	assert_int_equal(ign(gi, "y7"), 0);
	assert_int_equal(ign(gi, "]8"), 1);
	assert_int_equal(ign(gi, "[9"), 1);
	assert_int_equal(ign(gi, ":9"), 1);
	assert_int_equal(ign(gi, "x/a/b"), 0);
	assert_int_equal(ign(gi, "\351hi"), 1);
	assert_int_equal(ign(gi, "ahi"), 0);
	assert_int_equal(ign(gi, "]0"), 0);
	assert_int_equal(ign(gi, "a0"), 1);
	gitignore_free(gi);
}

static void
test_gitignore_character_classes_are_ascii_as_in_git(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = gitignore_new();
	set(gi, GITIGNORE_DIR, "s", "[[:space:]]\n");
	set(gi, GITIGNORE_DIR, "u", "[[:upper:]][[:lower:]]\n");
	set(gi, GITIGNORE_DIR, "p", "[[:punct:]]\n");
	set(gi, GITIGNORE_DIR, "x", "[[:xdigit:]]\n");
	set(gi, GITIGNORE_DIR, "c", "[[:cntrl:]]\n");
	set(gi, GITIGNORE_DIR, "a", "[[:alpha:]]\n");
	assert_int_equal(ign(gi, "s/ "), 1);
	assert_int_equal(ign(gi, "s/\t"), 1);
	assert_int_equal(ign(gi, "s/\n"), 1);
	assert_int_equal(ign(gi, "s/\r"), 1);
	/* git's space has no \v and no \f. */
	assert_int_equal(ign(gi, "s/\v"), 0);
	assert_int_equal(ign(gi, "s/\f"), 0);
	assert_int_equal(ign(gi, "u/Ab"), 1);
	assert_int_equal(ign(gi, "u/aB"), 0);
	assert_int_equal(ign(gi, "p/_"), 1);
	assert_int_equal(ign(gi, "p/~"), 1);
	assert_int_equal(ign(gi, "p/a"), 0);
	assert_int_equal(ign(gi, "x/F"), 1);
	assert_int_equal(ign(gi, "x/g"), 0);
	assert_int_equal(ign(gi, "c/\177"), 1);
	assert_int_equal(ign(gi, "c/\001"), 1);
	assert_int_equal(ign(gi, "c/ "), 0);
	assert_int_equal(ign(gi, "a/\351"), 0);
	assert_int_equal(ign(gi, "a/z"), 1);
	gitignore_free(gi);
}

static void
test_gitignore_malformed_brackets_match_nothing(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("x[ab\n[[:nope:]]y\n[z\n");
	assert_int_equal(ign(gi, "x[ab"), 0);
	assert_int_equal(ign(gi, "xa"), 0);
	assert_int_equal(ign(gi, "ny"), 0);
	assert_int_equal(ign(gi, "[z"), 0);
	assert_int_equal(ign(gi, "z"), 0);
	gitignore_free(gi);
}

static void
test_gitignore_backslash_escapes_any_byte(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("\\*star\nback\\\\slash\n\\q\\?\nend\\\n");
	assert_int_equal(ign(gi, "*star"), 1);
	assert_int_equal(ign(gi, "xstar"), 0);
	assert_int_equal(ign(gi, "back\\slash"), 1);
	assert_int_equal(ign(gi, "q?"), 1);
	assert_int_equal(ign(gi, "qx"), 0);
	/* A backslash at the end escapes nothing and matches nothing. */
	assert_int_equal(ign(gi, "end\\"), 0);
	assert_int_equal(ign(gi, "end"), 0);
	gitignore_free(gi);
}

static void
test_gitignore_literal_kinds_agree_with_globs(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("lib*\n*.o\n*\n");
	set(gi, GITIGNORE_DIR, "", "lib*\n*.o\n");
	assert_int_equal(ign(gi, "libx"), 1);
	assert_int_equal(ign(gi, "lib"), 1);
	assert_int_equal(ign(gi, "li"), 0);
	assert_int_equal(ign(gi, "a/libx"), 1);
	assert_int_equal(ign(gi, ".o"), 1);
	assert_int_equal(ign(gi, "o"), 0);
	assert_int_equal(ign(gi, "x.oo"), 0);
	set(gi, GITIGNORE_DIR, "", "*\n");
	assert_int_equal(ign(gi, "anything"), 1);
	set(gi, GITIGNORE_DIR, "", "\377*\n*\376\n");
	assert_int_equal(ign(gi, "\377x"), 1);
	assert_int_equal(ign(gi, "x\376"), 1);
	assert_int_equal(ign(gi, "x\377"), 0);
	/* One-byte tokens with a '*' at either end, or both. */
	set(gi, GITIGNORE_DIR, "", "*.sw[op]\n*.so.*\nv?[0-9]\n");
	assert_int_equal(ign(gi, "a.swp"), 1);
	assert_int_equal(ign(gi, "a.swo"), 1);
	assert_int_equal(ign(gi, "a.swx"), 0);
	assert_int_equal(ign(gi, ".swp"), 1);
	assert_int_equal(ign(gi, "swp"), 0);
	assert_int_equal(ign(gi, "alib.so.1"), 1);
	assert_int_equal(ign(gi, "alib.so."), 1);
	assert_int_equal(ign(gi, "alib.so"), 0);
	assert_int_equal(ign(gi, ".so.1"), 1);
	assert_int_equal(ign(gi, "av1.so.x"), 1);
	assert_int_equal(ign(gi, "ax9"), 0);
	assert_int_equal(ign(gi, "av9"), 0);
	assert_int_equal(ign(gi, "ave9"), 0);
	set(gi, GITIGNORE_DIR, "", "[!a]*\n*[xy]\\*\n");
	assert_int_equal(ign(gi, "b"), 1);
	assert_int_equal(ign(gi, "ab*"), 0);
	assert_int_equal(ign(gi, "ay*"), 1);
	set(gi, GITIGNORE_DIR, "", "v?[0-9]\n");
	assert_int_equal(ign(gi, "va9"), 1);
	assert_int_equal(ign(gi, "v/9"), 0);
	assert_int_equal(ign(gi, "vab9"), 0);
	gitignore_free(gi);
}

static void
test_gitignore_index_has_a_bucket_for_every_last_byte(void **state)
{
	struct gitignore *gi;
	char text[8 * 9 + 1], path[3];
	size_t n = 0;
	int c;

	(void)state;
	/* Ranges of 32 bytes, each byte its own bucket: 255 of them. */
	for (c = 1; c < 256; c += 32)
		n += snprintf(text + n, sizeof(text) - n, "x[\\%c-\\%c]\n",
		    c, c + 31 > 255 ? 255 : c + 31);
	gi = with_top(text);
	assert_int_equal(gitignore_npatterns(gi), 8);
	for (c = 1; c < 256; c++) {
		if (c == '/')
			continue;
		path[0] = 'x';
		path[1] = (char)c;
		path[2] = '\0';
		assert_int_equal(gitignore_check(gi, path, 2, 0, NULL), 1);
		path[0] = 'z';
		assert_int_equal(gitignore_check(gi, path, 2, 0, NULL), 0);
	}
	gitignore_free(gi);
}

static void
test_gitignore_precedence_across_files(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = gitignore_new();
	set(gi, GITIGNORE_GLOBAL, NULL, "*.log\n*.bak\n!*.c\n");
	assert_why(gi, "x.bak", 1, "core.excludesFile", 2, "*.bak");
	set(gi, GITIGNORE_INFO, NULL, "!*.log\n");
	assert_why(gi, "x.log", 0, ".git/info/exclude", 1, "!*.log");
	set(gi, GITIGNORE_DIR, "", "*.log\n*.c\n");
	assert_why(gi, "x.log", 1, ".gitignore", 1, "*.log");
	assert_why(gi, "x.c", 1, ".gitignore", 2, "*.c");
	set(gi, GITIGNORE_DIR, "sub", "!*.log\n");
	assert_why(gi, "sub/x.log", 0, "sub/.gitignore", 1, "!*.log");
	assert_why(gi, "x.log", 1, ".gitignore", 1, "*.log");
	set(gi, GITIGNORE_DIR, "sub/deeper", "*.log\n");
	assert_why(gi, "sub/deeper/y.log", 1, "sub/deeper/.gitignore", 1,
	    "*.log");
	assert_why(gi, "sub/other/y.log", 0, "sub/.gitignore", 1, "!*.log");
	/* A higher file's match stands where a deeper one has none. */
	assert_why(gi, "sub/deeper/x.c", 1, ".gitignore", 2, "*.c");
	gitignore_free(gi);
}

static void
test_gitignore_cannot_reinclude_below_excluded_dir(void **state)
{
	struct gitignore *gi;
	struct gitignore_why w;

	(void)state;
	gi = with_top("build/\n!build/keep\n!*.c\n");
	set(gi, GITIGNORE_DIR, "build/x", "!*\n");
	assert_int_equal(gitignore_check(gi, "build/keep", 10, 0, &w), 1);
	assert_string_equal(w.source, ".gitignore");
	assert_int_equal(w.line, 1);
	assert_int_equal(w.matchlen, 5);
	assert_int_equal(ign(gi, "build/x/y.c"), 1);
	/* The fast path takes the caller's word that no parent is. */
	assert_int_equal(ign_name(gi, "build/keep"), 0);
	assert_int_equal(gitignore_check_name(gi, "build/keep", 10, 0, &w),
	    0);
	assert_int_equal(w.line, 2);
	assert_int_equal(w.matchlen, 10);
	/* Re-including the directories is the way. */
	set(gi, GITIGNORE_DIR, "", "*\n!*/\n!*.c\n");
	assert_int_equal(ign(gi, "a/b.c"), 0);
	assert_int_equal(ign(gi, "a/b.h"), 1);
	assert_int_equal(ign(gi, "a/b/"), 0);
	/* A directory re-included is no excluded parent. */
	set(gi, GITIGNORE_DIR, "", "d\n!d\n");
	assert_why(gi, "d/x", 0, NULL, 0, NULL);
	gitignore_free(gi);
}

static void
test_gitignore_why_names_file_line_and_pattern(void **state)
{
	static const char text[] = "\n\nfoo/  \n!bar/\n";
	struct gitignore *gi;
	struct gitignore_why w;

	(void)state;
	gi = gitignore_new();
	assert_int_equal(gitignore_set_file(gi, GITIGNORE_DIR, "src", 3,
	    text, strlen(text), "./src/.gitignore"), 0);
	assert_int_equal(gitignore_check(gi, "src/foo", 7, 1, &w), 1);
	assert_string_equal(w.source, "./src/.gitignore");
	assert_int_equal(w.line, 3);
	assert_string_equal(w.pattern, "foo/");
	assert_int_equal(w.negated, 0);
	assert_int_equal(w.matchlen, 7);
	assert_int_equal(gitignore_check(gi, "src/bar/", 8, 0, &w), 0);
	assert_int_equal(w.line, 4);
	assert_string_equal(w.pattern, "!bar/");
	assert_int_equal(w.negated, 1);
	assert_int_equal(w.matchlen, 7);
	/* Default names. */
	set(gi, GITIGNORE_DIR, "a/b", "x\n");
	set(gi, GITIGNORE_DIR, "", "y\n");
	assert_why(gi, "a/b/x", 1, "a/b/.gitignore", 1, "x");
	assert_why(gi, "y", 1, ".gitignore", 1, "y");
	gitignore_free(gi);
}

static void
test_gitignore_replaces_and_removes_a_files_patterns(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = with_top("*.o\n");
	set(gi, GITIGNORE_DIR, "sub", "*.a\n*.b\n");
	assert_int_equal(gitignore_npatterns(gi), 3);
	assert_int_equal(ign(gi, "a.o"), 1);
	set(gi, GITIGNORE_DIR, "", "*.c\n");
	assert_int_equal(ign(gi, "a.o"), 0);
	assert_int_equal(ign(gi, "a.c"), 1);
	assert_int_equal(gitignore_npatterns(gi), 3);
	set(gi, GITIGNORE_DIR, "", NULL);
	assert_int_equal(ign(gi, "a.c"), 0);
	assert_int_equal(gitignore_npatterns(gi), 2);
	assert_int_equal(gitignore_set_file(gi, GITIGNORE_DIR, "sub", 3, "x",
	    0, NULL), 0);
	assert_int_equal(ign(gi, "sub/x.a"), 0);
	assert_int_equal(gitignore_npatterns(gi), 0);
	/* Removing what is not there is no error. */
	set(gi, GITIGNORE_DIR, "sub", NULL);
	set(gi, GITIGNORE_INFO, NULL, NULL);
	set(gi, GITIGNORE_GLOBAL, NULL, "*.g\n");
	set(gi, GITIGNORE_GLOBAL, NULL, "*.h\n");
	assert_int_equal(ign(gi, "x.g"), 0);
	assert_int_equal(ign(gi, "x.h"), 1);
	gitignore_free(gi);
}

static void
test_gitignore_rejects_an_unknown_level(void **state)
{
	struct gitignore *gi;

	(void)state;
	gi = gitignore_new();
	errno = 0;
	assert_int_equal(gitignore_set_file(gi, 3, "", 0, "x\n", 2, NULL),
	    -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gitignore_npatterns(gi), 0);
	gitignore_free(gi);
}

static void
test_gitignore_drops_empty_patterns_and_too_many_stars(void **state)
{
	struct gitignore *gi;
	char *text;
	size_t i;

	(void)state;
	/* Empty once '!', '/' and spaces are gone, or broken. */
	gi = with_top("!\n/\n//\n!/\n   \n\\\n[ab\nx[[:nope:]]\n");
	assert_int_equal(gitignore_npatterns(gi), 0);
	assert_int_equal(ign(gi, "x"), 0);
	assert_int_equal(ign(gi, "\\"), 0);
	/* Too many runs of '*' for the matcher's recursion. */
	text = malloc(2 * 300 + 2);
	assert_non_null(text);
	for (i = 0; i < 300; i++)
		memcpy(text + 2 * i, "*a", 2);
	memcpy(text + 600, "\n", 2);
	set(gi, GITIGNORE_DIR, "", text);
	assert_int_equal(gitignore_npatterns(gi), 0);
	/* Under the cap, the matcher copes with the backtracking. */
	text[2 * 200] = '\0';
	set(gi, GITIGNORE_DIR, "", text);
	assert_int_equal(gitignore_npatterns(gi), 1);
	memset(text, 'a', 400);
	assert_int_equal(ign(gi, text), 1);
	text[199] = '\0';
	assert_int_equal(ign(gi, text), 0);
	text[199] = 'a';
	text[200] = '\0';
	assert_int_equal(ign(gi, text), 1);
	free(text);
	gitignore_free(gi);
}

static void
test_gitignore_trailing_slash_of_a_path_marks_a_directory(void **state)
{
	struct gitignore *gi;
	struct gitignore_why a, b;

	(void)state;
	gi = with_top("d/\n");
	assert_int_equal(gitignore_check(gi, "x/d/", 4, 0, &a), 1);
	assert_int_equal(gitignore_check(gi, "x/d", 3, 1, &b), 1);
	assert_int_equal(a.matchlen, 3);
	assert_int_equal(b.matchlen, 3);
	assert_int_equal(gitignore_check_name(gi, "x/d/", 4, 0, NULL), 1);
	assert_int_equal(gitignore_check(gi, "x/d", 3, 0, NULL), 0);
	gitignore_free(gi);
}

static void
test_gitignore_fast_path_agrees_when_parents_kept(
    void **state)
{
	static const char *const paths[] = {
		"a.o", "src/a.o", "src/keep.o", "src/gen/x.c", "doc/x.html",
		"doc/api/x.html", "x/y/z/w.tmp", "src/gen/", "README",
		"src/deep/er/a.o"
	};
	struct gitignore *gi;
	struct gitignore_why a, b;
	size_t i, len;

	(void)state;
	gi = with_top("*.o\ndoc/*.html\n/README\n");
	set(gi, GITIGNORE_DIR, "src", "!keep.o\n/gen/x.c\n");
	set(gi, GITIGNORE_DIR, "src/deep/er", "!a.o\n");
	set(gi, GITIGNORE_INFO, NULL, "*.tmp\n");
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		len = strlen(paths[i]);
		assert_int_equal(gitignore_check(gi, paths[i], len, 0, &a),
		    gitignore_check_name(gi, paths[i], len, 0, &b));
		assert_ptr_equal(a.source, b.source);
		assert_int_equal(a.line, b.line);
	}
	assert_int_equal(ign_name(gi, "src/deep/er/a.o"), 0);
	assert_int_equal(ign_name(gi, "src/deep/a.o"), 1);
	gitignore_free(gi);
}

static void
test_gitignore_table_of_many_directories(void **state)
{
	struct gitignore *gi;
	char dir[32], path[64], pat[32];
	size_t i;

	(void)state;
	gi = gitignore_new();
	for (i = 0; i < 2000; i++) {
		snprintf(dir, sizeof(dir), "d%zu/e", i);
		snprintf(pat, sizeof(pat), "x%zu\n", i);
		set(gi, GITIGNORE_DIR, dir, pat);
	}
	set(gi, GITIGNORE_DIR, "a/b/c/d/e/f", "deep\n");
	assert_int_equal(gitignore_npatterns(gi), 2001);
	assert_int_equal(ign(gi, "a/b/c/d/e/f/g/deep"), 1);
	assert_int_equal(ign(gi, "a/b/c/d/e/deep"), 0);
	for (i = 0; i < 2000; i += 2) {
		snprintf(dir, sizeof(dir), "d%zu/e/", i);
		set(gi, GITIGNORE_DIR, dir, NULL);
	}
	set(gi, GITIGNORE_DIR, "a/b/c/d/e/f", NULL);
	assert_int_equal(gitignore_npatterns(gi), 1000);
	assert_int_equal(ign(gi, "a/b/c/d/e/f/g/deep"), 0);
	for (i = 0; i < 2000; i++) {
		snprintf(path, sizeof(path), "d%zu/e/x%zu", i, i);
		assert_int_equal(ign(gi, path), i % 2);
		assert_int_equal(ign_name(gi, path), i % 2);
		snprintf(path, sizeof(path), "d%zu/e/x%zu", i, i + 1);
		assert_int_equal(ign(gi, path), 0);
		snprintf(path, sizeof(path), "d%zu/x%zu", i, i);
		assert_int_equal(ign(gi, path), 0);
	}
	gitignore_free(gi);
}

struct walked {
	char	 out[512];
	size_t	 n;
};

static void
walk_cb(void *arg, int level, const char *dir, const char *source,
    size_t npatterns)
{
	struct walked *w = arg;

	w->n += snprintf(w->out + w->n, sizeof(w->out) - w->n, "%d %s %s %zu;",
	    level, dir, source, npatterns);
}

static void
test_gitignore_walk_lists_files_in_precedence_order(void **state)
{
	struct gitignore *gi;
	struct walked w;

	(void)state;
	gi = gitignore_new();
	set(gi, GITIGNORE_DIR, "b", "x\n");
	set(gi, GITIGNORE_DIR, "a/b", "x\ny\n");
	set(gi, GITIGNORE_DIR, "a", "# only a comment\n");
	set(gi, GITIGNORE_GLOBAL, NULL, "g\n");
	set(gi, GITIGNORE_DIR, "", "t\n");
	set(gi, GITIGNORE_INFO, NULL, "i\n");
	memset(&w, 0, sizeof(w));
	gitignore_walk(gi, walk_cb, &w);
	assert_string_equal(w.out, "0  core.excludesFile 1;"
	    "1  .git/info/exclude 1;2  .gitignore 1;2 a a/.gitignore 0;"
	    "2 a/b a/b/.gitignore 2;2 b b/.gitignore 1;");
	gitignore_free(gi);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gitignore_without_files_ignores_nothing),
		cmocka_unit_test(test_gitignore_skips_blank_lines_and_comments),
		cmocka_unit_test(
		    test_gitignore_escaped_hash_and_bang_are_literal),
		cmocka_unit_test(
		    test_gitignore_trims_unescaped_trailing_spaces),
		cmocka_unit_test(
		    test_gitignore_reads_crlf_bom_and_unterminated_line),
		cmocka_unit_test(test_gitignore_cuts_a_line_at_a_nul_byte),
		cmocka_unit_test(
		    test_gitignore_last_line_wins_and_negation_reincludes),
		cmocka_unit_test(
		    test_gitignore_trailing_slash_matches_directories_only),
		cmocka_unit_test(
		    test_gitignore_pattern_without_slash_matches_at_any_depth),
		cmocka_unit_test(
		    test_gitignore_slash_at_start_or_middle_anchors),
		cmocka_unit_test(
		    test_gitignore_directory_file_applies_only_below_it),
		cmocka_unit_test(
		    test_gitignore_star_and_question_mark_stop_at_slashes),
		cmocka_unit_test(test_gitignore_double_star_forms),
		cmocka_unit_test(
		    test_gitignore_double_star_after_a_literal_as_in_git),
		cmocka_unit_test(test_gitignore_bracket_expressions),
		cmocka_unit_test(
		    test_gitignore_character_classes_are_ascii_as_in_git),
		cmocka_unit_test(
		    test_gitignore_malformed_brackets_match_nothing),
		cmocka_unit_test(test_gitignore_backslash_escapes_any_byte),
		cmocka_unit_test(
		    test_gitignore_literal_kinds_agree_with_globs),
		cmocka_unit_test(
		    test_gitignore_index_has_a_bucket_for_every_last_byte),
		cmocka_unit_test(test_gitignore_precedence_across_files),
		cmocka_unit_test(
		    test_gitignore_cannot_reinclude_below_excluded_dir),
		cmocka_unit_test(
		    test_gitignore_why_names_file_line_and_pattern),
		cmocka_unit_test(
		    test_gitignore_replaces_and_removes_a_files_patterns),
		cmocka_unit_test(test_gitignore_rejects_an_unknown_level),
		cmocka_unit_test(
		    test_gitignore_drops_empty_patterns_and_too_many_stars),
		cmocka_unit_test(
		    test_gitignore_trailing_slash_of_a_path_marks_a_directory),
		cmocka_unit_test(
		    test_gitignore_fast_path_agrees_when_parents_kept),
		cmocka_unit_test(test_gitignore_table_of_many_directories),
		cmocka_unit_test(
		    test_gitignore_walk_lists_files_in_precedence_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
