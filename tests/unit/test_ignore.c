/*
 * test_ignore.c: unit tests for the default ignore list and the order in
 * which the ignore filter consults its sources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ignore.h"
#include "match.h"
#include "rules.h"

static int
dflt(const char *path)
{
	const char *what = NULL;

	return ignore_default(path, strlen(path), &what);
}

static void
test_ignore_default_vcs_directories(void **state)
{
	(void)state;
	assert_true(dflt(".git/"));
	assert_true(dflt("src/.git/"));
	assert_true(dflt("w/.hg/"));
	assert_true(dflt(".svn/"));
	assert_true(dflt("a/.jj/"));
	assert_true(dflt(".bzr/"));
	assert_true(dflt("x/_darcs/"));
	/* Directories only, and whole names only. */
	assert_false(dflt(".git"));
	assert_false(dflt(".github/"));
	assert_false(dflt("my.git/"));
	assert_false(dflt(".gitignore"));
}

static void
test_ignore_default_editor_scratch_files(void **state)
{
	(void)state;
	assert_true(dflt("src/.main.c.swp"));
	assert_true(dflt(".main.c.swo"));
	assert_true(dflt("src/.main.c.swx"));
	assert_true(dflt(".swp"));
	assert_true(dflt("src/4913"));
	assert_true(dflt("4913"));
	assert_true(dflt("main.c~"));
	assert_true(dflt("src/#main.c#"));
	assert_true(dflt("src/.#main.c"));
	assert_true(dflt("src/.main.c.kate-swp"));
	assert_false(dflt("src/main.c"));
	assert_false(dflt("main.swp"));
	assert_false(dflt("src/49130"));
	assert_false(dflt("src/x4913"));
	assert_false(dflt("#main.c"));
	assert_false(dflt("main.c.kate-swp"));
	assert_false(dflt("~main.c"));
	/* Scratch names are files: a directory so named stays. */
	assert_false(dflt("backup~/"));
	assert_false(dflt("src/4913/"));
}

static void
test_ignore_default_names_its_entry(void **state)
{
	const char *what = NULL;

	(void)state;
	assert_true(ignore_default("a/.git/", 7, &what));
	assert_string_equal(what, ".git");
	assert_true(ignore_default("a~", 2, &what));
	assert_string_equal(what, "*~");
}

static void
test_ignore_path_sources_in_order(void **state)
{
	struct ruleset rs;
	struct matcher *m;
	struct ignore *ig;
	struct ignore_why why;
	FILE *fp;
	const char *text = "ignore '\\.o$'\nignore 'swp$'\n";

	(void)state;
	memset(&rs, 0, sizeof(rs));
	assert_non_null(fp = fopen("/dev/null", "w"));
	assert_int_equal(rules_parse_buffer(&rs, "W", text, strlen(text), 0,
	    fp), 0);
	fclose(fp);
	m = matcher_new();
	ig = ignore_new(&rs, m, 1, 0);
	assert_true(ignore_path(ig, "a.o", 3, &why));
	assert_int_equal(why.by, IGNORE_PATTERN);
	assert_string_equal(why.source, "W:1");
	assert_string_equal(why.what, "\\.o$");
	assert_true(ignore_path(ig, ".a.swp", 6, &why));
	assert_int_equal(why.by, IGNORE_DEFAULT);
	assert_false(ignore_path(ig, "a.c", 3, &why));
	assert_int_equal(why.by, IGNORE_NONE);
	ignore_free(ig);
	/* Without the defaults, the Watchfile's own pattern decides. */
	ig = ignore_new(&rs, m, 0, 0);
	assert_true(ignore_path(ig, ".a.swp", 6, &why));
	assert_int_equal(why.by, IGNORE_PATTERN);
	assert_false(ignore_path(ig, ".git/", 5, &why));
	ignore_free(ig);
	matcher_free(m);
	rules_free(&rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ignore_default_vcs_directories),
		cmocka_unit_test(test_ignore_default_editor_scratch_files),
		cmocka_unit_test(test_ignore_default_names_its_entry),
		cmocka_unit_test(test_ignore_path_sources_in_order),
	};

	return cmocka_run_group_tests_name("ignore", tests, NULL, NULL);
}
