/*
 * test_init.c: unit tests for --init's starter Watchfiles: the kind of
 * project each file tells, which one wins when several are there, and
 * that every text parses into the one rule that suits the kind, with a
 * comment on each kind of line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "init.h"
#include "match.h"
#include "rules.h"

/* A project's top directory: the NULL-terminated names that are there. */
static int
exists_in(const char *name, void *arg)
{
	const char *const *names = arg;

	for (; *names != NULL; names++)
		if (strcmp(*names, name) == 0)
			return 1;
	return 0;
}

/*
 * The starter file for a directory holding names: parses it into rs, and
 * checks that it parses without errors into one rule, that it comments
 * each kind of line of the grammar, and that no line is wider than 79
 * columns.
 */
static char *
starter(const char *const *names, struct ruleset *rs, const char **what,
    const char **marker)
{
	const char *line, *nl;
	char *text;

	text = init_text(exists_in, (void *)(uintptr_t)names, what, marker);
	assert_non_null(text);
	memset(rs, 0, sizeof(*rs));
	assert_int_equal(rules_parse_buffer(rs, "Watchfile", text,
	    strlen(text), RULES_DEFAULT_DEBOUNCE, stderr), 0);
	assert_int_equal(rs->nrules, 1);
	assert_non_null(strstr(text, "\n# watch DIR"));
	assert_non_null(strstr(text, "\n# ignore REGEX"));
	assert_non_null(strstr(text, "\n# debounce DURATION"));
	assert_non_null(strstr(text, "\n# REGEX EVENTS COMMAND"));
	for (line = text; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		if (nl - line > 79)
			fail_msg("line too wide: %.*s", (int)(nl - line), line);
	}
	return text;
}

/* The rule's pattern matches path. */
static int
rule_takes(const struct ruleset *rs, const char *path)
{
	struct matcher *m = matcher_new();
	int hit;

	hit = match_exec(m, rs->rules[0].re, path, strlen(path));
	matcher_free(m);
	return hit;
}

/* text with its comment lines joined, as a person reads them. */
static char *
unwrapped(const char *text)
{
	char *s, *p;

	s = strdup(text);
	assert_non_null(s);
	while ((p = strstr(s, "\n# ")) != NULL) {
		*p = ' ';
		memmove(p + 1, p + 3, strlen(p + 3) + 1);
	}
	return s;
}

struct want {
	const char	*marker;
	const char	*command;
	const char	*takes[3];	/* paths the rule takes */
	const char	*leaves;	/* a path it leaves */
	const char	*ignores;	/* an ignore line's pattern, or NULL */
};

static const struct want wants[] = {
	{ "CMakeLists.txt", "cmake --build build",
	    { "src/a.cpp", "include/a.hxx", "sub/CMakeLists.txt" },
	    "build/CMakeCache.txt", "^build/" },
	{ "meson.build", "meson compile -C builddir",
	    { "src/a.c", "meson.build", "meson_options.txt" },
	    "builddir/build.ninja", "^builddir/" },
	{ "Cargo.toml", "cargo build",
	    { "src/main.rs", "Cargo.toml", "crates/x/Cargo.toml" },
	    "Cargo.lock", "^target/" },
	{ "go.mod", "go build ./... && go test ./...",
	    { "main.go", "go.mod", "pkg/x/x.go" }, "README.md", NULL },
	{ "package.json", "npm test",
	    { "src/app.ts", "lib/x.mjs", "package.json" },
	    "package-lock.json",
	    "(^|/)node_modules/|^(dist|build|coverage)/" },
	{ "pyproject.toml", "pytest",
	    { "pkg/mod.py", "tests/test_x.py", "pyproject.toml" },
	    "pkg/__pycache__/mod.cpython-311.pyc", NULL },
	{ "Makefile", "make", { "src/a.c", "a.h", "Makefile" }, "a.o", NULL },
	{ "GNUmakefile", "make", { "x.c", "GNUmakefile", "rules.mk" },
	    "prog", NULL },
	{ "makefile", "make", { "x.h", "makefile", "sub/Makefile" },
	    "x.o", NULL },
};

static void
test_init_each_project_file_gets_its_rule(void **state)
{
	const char *names[2], *what, *marker;
	struct ruleset rs;
	const struct want *w;
	size_t i, j;
	char *text;

	(void)state;
	for (i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		w = &wants[i];
		names[0] = w->marker;
		names[1] = NULL;
		text = starter(names, &rs, &what, &marker);
		assert_string_equal(marker, w->marker);
		assert_non_null(what);
		assert_string_equal(rs.rules[0].command, w->command);
		for (j = 0; j < 3; j++)
			if (!rule_takes(&rs, w->takes[j]))
				fail_msg("%s: the rule does not take %s",
				    w->marker, w->takes[j]);
		if (rule_takes(&rs, w->leaves))
			fail_msg("%s: the rule takes %s", w->marker, w->leaves);
		if (w->ignores != NULL) {
			assert_int_equal(rs.nignores, 1);
			assert_string_equal(match_source(rs.ignores[0]),
			    w->ignores);
		}
		rules_free(&rs);
		free(text);
	}
}

static void
test_init_python_ignores_virtual_environments(void **state)
{
	const char *names[] = { "pyproject.toml", NULL }, *what, *marker;
	struct matcher *m;
	struct ruleset rs;
	char *text;

	(void)state;
	text = starter(names, &rs, &what, &marker);
	assert_int_equal(rs.nignores, 1);
	m = matcher_new();
	assert_true(match_exec(m, rs.ignores[0], ".venv/", 6));
	assert_true(match_exec(m, rs.ignores[0], "venv/", 5));
	assert_true(match_exec(m, rs.ignores[0], "a/__pycache__/", 14));
	assert_true(match_exec(m, rs.ignores[0], ".pytest_cache/", 14));
	assert_false(match_exec(m, rs.ignores[0], "src/venv.py", 11));
	matcher_free(m);
	rules_free(&rs);
	free(text);
}

static void
test_init_nothing_known_gives_a_working_template(void **state)
{
	const char *names[] = { "README", "setup.cfg", NULL }, *what, *marker;
	struct ruleset rs;
	char *text;

	(void)state;
	text = starter(names, &rs, &what, &marker);
	assert_null(marker);
	assert_string_equal(rs.rules[0].command, "echo changed: \"$@\"");
	assert_true(rule_takes(&rs, "any/file"));
	assert_int_equal(rs.nignores, 0);
	rules_free(&rs);
	free(text);
}

static void
test_init_build_systems_come_before_make_and_the_rest_are_named(
    void **state)
{
	const char *names[] = { "Makefile", "package.json", "CMakeLists.txt",
	    NULL }, *what, *marker;
	struct ruleset rs;
	char *text, *read;

	(void)state;
	text = starter(names, &rs, &what, &marker);
	assert_string_equal(marker, "CMakeLists.txt");
	assert_string_equal(rs.rules[0].command, "cmake --build build");
	read = unwrapped(text);
	assert_non_null(strstr(read, "(CMakeLists.txt is here).  Also here: "
	    "package.json, Makefile."));
	free(read);
	rules_free(&rs);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_each_project_file_gets_its_rule),
		cmocka_unit_test(test_init_python_ignores_virtual_environments),
		cmocka_unit_test(
		    test_init_nothing_known_gives_a_working_template),
		cmocka_unit_test(
		    test_init_build_systems_come_before_make_and_the_rest_are_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
