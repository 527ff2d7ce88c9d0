/*
 * init.c: --init, the starter Watchfile.  One table says, for each kind
 * of project, the files that tell it and the rule that suits it; the
 * text around the rule explains each kind of line of the grammar.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "xmalloc.h"

/* The events of a starter rule: a file saved, renamed, added or removed. */
#define INIT_EVENTS	"WRITE|MOVED_TO|CREATE|DELETE"
#define INIT_MARKERS	3	/* files that tell one kind, at most */

struct kind {
	const char	*markers[INIT_MARKERS + 1];	/* NULL-terminated */
	const char	*project;	/* "built with make" */
	const char	*paths;		/* what regex matches, in words */
	const char	*regex;		/* single-quoted in the file */
	const char	*command;
	const char	*what;		/* the message's "make when ..." */
	const char	*ignore;	/* the build's output; NULL: an example */
	const char	*setup;		/* a command to run once, or NULL */
	const char	*alt;		/* what the other command does */
	const char	*alt_command;
};

/*
 * In the order they are tried: build systems that write a Makefile of
 * their own come before make, and a Makefile left last is taken for the
 * project's own.
 */
static const struct kind kinds[] = {
	{ { "CMakeLists.txt" }, "built with CMake",
	    "C and C++ sources and headers, and CMake files",
	    "\\.([ch](pp|xx)?|cc|hh)$|(^|/)CMakeLists\\.txt$|"
	    "\\.cmake$",
	    "cmake --build build",
	    "cmake --build build when sources or CMake files change",
	    "^build/", "cmake -B build",
	    "build, then run the tests",
	    "cmake --build build && ctest --test-dir build" },
	{ { "meson.build" }, "built with Meson",
	    "C and C++ sources and headers, and Meson files",
	    "\\.([ch](pp|xx)?|cc|hh)$|"
	    "(^|/)meson(\\.build|_options\\.txt|\\.options)$",
	    "meson compile -C builddir",
	    "meson compile -C builddir when sources or Meson files change",
	    "^builddir/", "meson setup builddir",
	    "build, then run the tests", "meson test -C builddir" },
	{ { "Cargo.toml" }, "built with Cargo",
	    "Rust sources and Cargo.toml",
	    "\\.rs$|(^|/)Cargo\\.toml$",
	    "cargo build",
	    "cargo build when Rust sources or Cargo.toml change",
	    "^target/", NULL, "build and run the tests", "cargo test" },
	{ { "go.mod" }, "in Go",
	    "Go sources, go.mod and go.sum",
	    "\\.go$|(^|/)go\\.(mod|sum)$",
	    "go build ./... && go test ./...",
	    "go build and go test when Go sources change",
	    NULL, NULL, "only vet the code", "go vet ./..." },
	{ { "package.json" }, "built with npm",
	    "JavaScript and TypeScript sources, and package.json",
	    "\\.(js|jsx|mjs|cjs|ts|tsx|mts|cts)$|(^|/)package\\.json$",
	    "npm test",
	    "npm test when JavaScript or TypeScript sources change",
	    "(^|/)node_modules/|^(dist|build|coverage)/", NULL,
	    "run the build script", "npm run build" },
	{ { "pyproject.toml" }, "in Python",
	    "Python sources and pyproject.toml",
	    "\\.py$|(^|/)pyproject\\.toml$",
	    "pytest",
	    "pytest when Python sources change",
	    "(^|/)(\\.?venv|\\.tox|__pycache__|\\.[a-z]+_cache)/|"
	    "^(build|dist)/", NULL,
	    "pass pytest only the test files that changed",
	    "pytest -- \"$@\"" },
	{ { "GNUmakefile", "makefile", "Makefile" }, "built with make",
	    "C sources, headers and makefiles",
	    "\\.[ch]$|(^|/)(GNUmakefile|[Mm]akefile|[^/]*\\.mk)$",
	    "make",
	    "make when C sources, headers or makefiles change",
	    NULL, NULL, "build, then run the tests", "make && make check" },
};

/* When nothing is recognised: a rule that shows what changes. */
static const struct kind generic = {
	{ NULL }, NULL, "every path", ".", "echo changed: \"$@\"",
	"a template that echoes the paths that change", NULL, NULL,
	"run your build", "make"
};

#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

/* The first marker of k that is there, or NULL. */
static const char *
found(const struct kind *k, init_exists_cb *exists, void *arg)
{
	size_t i;

	for (i = 0; k->markers[i] != NULL; i++)
		if (exists(k->markers[i], arg))
			return k->markers[i];
	return NULL;
}

/*
 * Writes text as comment lines of at most INIT_WIDTH columns, broken at
 * spaces; a word longer than a line stands alone.
 */
#define INIT_WIDTH	72
static void
put_comment(FILE *fp, const char *text)
{
	const char *p = text, *end;
	size_t n, w;

	while (*p != '\0') {
		n = strlen(p);
		if (n > INIT_WIDTH - 2) {
			/* The last space that fits, or else the first. */
			end = p + INIT_WIDTH - 2;
			while (end > p && *end != ' ')
				end--;
			if (end == p && (end = strchr(p, ' ')) == NULL)
				end = p + n;
			n = (size_t)(end - p);
		}
		for (w = n; w > 0 && p[w - 1] == ' '; w--)
			;
		fprintf(fp, "# %.*s\n", (int)w, p);
		p += n;
		p += strspn(p, " ");
	}
}

/* The rule, its events and command on a continuation line. */
static void
put_rule(FILE *fp, const struct kind *k)
{
	fprintf(fp, "'%s' \\\n\t%s  %s\n", k->regex, INIT_EVENTS,
	    k->command);
}

/* The other project files here, as "  Also here: Makefile.", or "". */
static char *
others(const struct kind *k, init_exists_cb *exists, void *arg)
{
	const char *m;
	char *list = xstrdup(""), *more;
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (&kinds[i] != k && (m = found(&kinds[i], exists, arg)) !=
		    NULL) {
			more = xasprintf("%s%s%s", list, list[0] != '\0' ?
			    ", " : "  Also here: ", m);
			free(list);
			list = more;
		}
	if (list[0] != '\0') {
		more = xasprintf("%s.", list);
		free(list);
		list = more;
	}
	return list;
}

char *
init_text(init_exists_cb *exists, void *arg, const char **what,
    const char **marker)
{
	const struct kind *k = &generic;
	const char *m = NULL;
	char *text = NULL, *para, *more;
	size_t i, len;
	FILE *fp;

	for (i = 0; i < NKINDS && m == NULL; i++)
		if ((m = found(&kinds[i], exists, arg)) != NULL)
			k = &kinds[i];
	if ((fp = open_memstream(&text, &len)) == NULL)
		err(1, "open_memstream");
	more = others(k, exists, arg);
	if (m != NULL)
		para = xasprintf("Watchfile: the rules that watchrun(1) "
		    "follows in this directory, for a project %s (%s is "
		    "here).%s", k->project, m, more);
	else
		para = xstrdup("Watchfile: the rules that watchrun(1) follows "
		    "in this directory.  No project file that watchrun knows "
		    "is here: make the rule at the end yours.");
	put_comment(fp, para);
	free(para);
	free(more);
	put_comment(fp, "Written by 'watchrun --init'; the grammar is in "
	    "watchrun.rules(5).  'watchrun --check' shows how watchrun reads "
	    "this file; 'watchrun' runs it, and reads it again whenever it "
	    "changes.");
	fputc('\n', fp);
	put_comment(fp, "watch DIR ...: the directories to watch, each with "
	    "all that is below it, relative to the current directory.  With "
	    "no watch line, the current directory.");
	fputs("#watch src\n\n", fp);
	put_comment(fp, "ignore REGEX: paths neither watched nor reported.  "
	    ".git/, editors' scratch files and what .gitignore lists need no "
	    "line here.");
	if (k->ignore != NULL)
		fprintf(fp, "ignore '%s'\n\n", k->ignore);
	else
		fputs("#ignore '^tmp/'\n\n", fp);
	put_comment(fp, "debounce DURATION: how long changes must pause "
	    "before the rules below run; an editor's save comes in a burst "
	    "of events.");
	fputs("debounce 200ms\n\n", fp);
	put_comment(fp, "REGEX EVENTS COMMAND: when a path that REGEX (a "
	    "PCRE2 pattern, not anchored) matches sees one of EVENTS, run "
	    "COMMAND with sh, the changed paths in \"$@\".  Paths are as "
	    "find(1) prints them from here, without \"./\".");
	para = xasprintf("Here: %s, saved, renamed, created or deleted.  To "
	    "%s instead, make the command '%s' (one rule rather than two "
	    "keeps two builds from running at once in one tree).", k->paths,
	    k->alt, k->alt_command);
	put_comment(fp, para);
	free(para);
	if (k->setup != NULL)
		fprintf(fp, "# Run this once first: %s\n", k->setup);
	put_rule(fp, k);
	if (fclose(fp) == EOF)
		err(1, "open_memstream");
	*what = k->what;
	*marker = m;
	return text;
}

/* Whether a regular file named name is in the current directory. */
static int
exists_here(const char *name, void *arg)
{
	struct stat st;

	(void)arg;
	return stat(name, &st) == 0 && S_ISREG(st.st_mode);
}

/* Writes the len bytes at p to fd; returns 0, or -1 with errno set. */
static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
init_write(const char *path, int quiet)
{
	const char *what, *marker;
	char *text, *vis;
	int fd, saved, status = 0;

	text = init_text(exists_here, NULL, &what, &marker);
	vis = log_vis(path, strlen(path));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0666);
	if (fd == -1) {
		if (errno == EEXIST)
			warnx("%s: already exists; --init writes a new file "
			    "only, and leaves this one as it is", vis);
		else
			warn("%s", vis);
		status = 1;
	} else {
		saved = 0;
		if (write_all(fd, text, strlen(text)) == -1)
			saved = errno;
		if (close(fd) == -1 && saved == 0)
			saved = errno;
		if (saved != 0) {
			warnc(saved, "%s", vis);
			/* Ours from O_EXCL: no one else's file is removed. */
			(void)unlink(path);
			status = 1;
		}
	}
	if (status == 0 && !quiet) {
		if (marker != NULL)
			log_info("wrote %s: %s (%s is here)", vis, what,
			    marker);
		else
			log_info("wrote %s: %s", vis, what);
	}
	free(vis);
	free(text);
	return status;
}
