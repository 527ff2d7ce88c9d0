/*
 * gitignore_bench.c: times the gitignore module's per-event check on a
 * million paths, by hand and not in CI:
 *	make build/tests/gitignore_bench && build/tests/gitignore_bench
 * Prints nanoseconds per call for each setup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gitignore.h"
#include "xmalloc.h"

#define NCALLS	1000000
#define NPATHS	10000

/* A top-level .gitignore of 50 lines, as C and Node projects have them. */
static const char top[] =
    "# Objects and libraries\n"
    "*.o\n"
    "*.ko\n"
    "*.obj\n"
    "*.elf\n"
    "*.a\n"
    "*.lib\n"
    "*.so\n"
    "*.so.*\n"
    "*.dylib\n"
    "*.dll\n"
    "*.exe\n"
    "*.out\n"
    "*.pdb\n"
    "*.gch\n"
    "*.pch\n"
    "*.d\n"
    "*.su\n"
    "*.map\n"
    "\n"
    "# Build trees\n"
    "/build/\n"
    "/dist/\n"
    "/out/\n"
    "cmake-build-*/\n"
    "CMakeFiles/\n"
    "CMakeCache.txt\n"
    "compile_commands.json\n"
    "\n"
    "# Node\n"
    "node_modules/\n"
    "npm-debug.log*\n"
    "yarn-error.log*\n"
    "*.log\n"
    "logs/\n"
    ".npm/\n"
    ".eslintcache\n"
    "coverage/\n"
    "*.tsbuildinfo\n"
    ".env\n"
    ".env.*.local\n"
    "!.env.example\n"
    "\n"
    "# Editors and tools\n"
    ".vscode/*\n"
    "!.vscode/settings.json\n"
    "*.sw[op]\n"
    "*~\n"
    ".DS_Store\n"
    "tags\n";

static const char *const dirs[] = {
	"", "src/", "src/net/", "src/util/", "include/", "tests/unit/",
	"lib/core/", "web/src/components/", "web/src/", "docs/"
};
static const char *const names[] = {
	"main", "parser", "socket", "buffer", "config", "index", "app",
	"README", "Makefile", "utils"
};
static const char *const exts[] = {
	".c", ".h", ".c", ".h", ".js", ".ts", ".md", ".o", ".log", ".json",
	"", ".swp", ".tsx", ".css", ".c", ".h"
};

struct path {
	char	*s;
	size_t	 len;
};

/* CPU time, not wall time: a busy machine then skews the numbers less. */
static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Times fn over NCALLS paths; prints ns per call and the share ignored. */
static void
bench(const char *what, const struct gitignore *gi, const struct path *p,
    int (*fn)(const struct gitignore *, const char *, size_t, int,
    struct gitignore_why *))
{
	double t0, t1;
	size_t i, ignored = 0;

	for (i = 0; i < NPATHS; i++)	/* warm up */
		ignored += fn(gi, p[i].s, p[i].len, 0, NULL);
	ignored = 0;
	t0 = now_ns();
	for (i = 0; i < NCALLS; i++)
		ignored += fn(gi, p[i % NPATHS].s, p[i % NPATHS].len, 0, NULL);
	t1 = now_ns();
	printf("%-44s %6.1f ns/call  (%zu%% ignored)\n", what,
	    (t1 - t0) / NCALLS, ignored * 100 / NCALLS);
}

static void
load(struct gitignore *gi, int level, const char *dir, const char *text)
{
	gitignore_set_file(gi, level, dir, strlen(dir), text, strlen(text),
	    NULL);
}

int
main(void)
{
	struct gitignore *gi;
	struct path *paths;
	const char *d, *n, *e;
	size_t i;
	unsigned int r = 12345, k;

	paths = xreallocarray(NULL, NPATHS, sizeof(*paths));
	for (i = 0; i < NPATHS; i++) {
		/* A fixed LCG: the same paths on every run. */
		r = r * 1103515245u + 12345u;
		d = dirs[(r >> 8) % (sizeof(dirs) / sizeof(dirs[0]))];
		n = names[(r >> 12) % (sizeof(names) / sizeof(names[0]))];
		k = (r >> 16) % 50;
		e = exts[(r >> 20) % (sizeof(exts) / sizeof(exts[0]))];
		paths[i].len = snprintf(NULL, 0, "%s%s%u%s", d, n, k, e);
		paths[i].s = xmalloc(paths[i].len + 1);
		snprintf(paths[i].s, paths[i].len + 1, "%s%s%u%s", d, n, k, e);
	}

	gi = gitignore_new();
	bench("no ignore file, gitignore_check_name", gi, paths,
	    gitignore_check_name);
	load(gi, GITIGNORE_DIR, "", top);
	bench("50-line .gitignore, gitignore_check_name", gi, paths,
	    gitignore_check_name);
	bench("50-line .gitignore, gitignore_check", gi, paths,
	    gitignore_check);
	load(gi, GITIGNORE_GLOBAL, "", "*~\n.DS_Store\n");
	load(gi, GITIGNORE_DIR, "src", "*.gen.c\n/config.h\n");
	load(gi, GITIGNORE_DIR, "web/src", "*.snap\n!keep.snap\n");
	load(gi, GITIGNORE_DIR, "tests/unit", "*.tmp\n");
	bench("+ global + 3 nested files, check_name", gi, paths,
	    gitignore_check_name);
	bench("+ global + 3 nested files, check", gi, paths, gitignore_check);
	gitignore_free(gi);
	for (i = 0; i < NPATHS; i++)
		free(paths[i].s);
	free(paths);
	return 0;
}
