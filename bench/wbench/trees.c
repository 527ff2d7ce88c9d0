/*
 * trees.c: the files and directory trees the scenarios watch and write:
 * small flat trees, the a x b x c start-up tree, files written anew or
 * rewritten, and the 50-line .gitignore.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wbench.h"

/*
 * The .gitignore of scenario gitignore and of replay -g: 50 lines as
 * GitHub's C and Node templates have them, and the shapes gitignore.c
 * tells apart (a basename, "*lit", "lit*", a glob on the basename, an
 * anchored path, "**", directories only, a negation).  None of them
 * matches a path of the trees or of the event streams: the same events
 * flow with and without it.
 */
const char gitignore50[] =
    "*.o\n*.a\n*.so\n*.so.*\n*.ko\n*.obj\n*.elf\n*.lo\n*.la\n*.lib\n"
    "*.dll\n*.dylib\n*.exe\n*.out\n*.app\n*.i*86\n*.x86_64\n*.hex\n"
    "*.gch\n*.pch\n*.d\n*.su\n*.idb\n*.pdb\n*.dSYM/\n*.mod*\n*.cmd\n"
    ".tmp_versions/\nmodules.order\nModule.symvers\n[Dd]ebug/\n"
    "[Rr]elease/\nbuild/\ndist/\nnode_modules/\njspm_packages/\n"
    "bower_components/\n.npm\n.eslintcache\n*.tsbuildinfo\n*.log\n"
    "npm-debug.log*\nyarn-error.log*\n!important.log\n.DS_Store\n.env\n"
    ".env.*.local\n/coverage\n.nyc_output/\n**/tmp/\n";

void
make_dir(const char *path)
{
	if (mkdir(path, 0755) == -1)
		err(1, "mkdir %s", path);
}

void
write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		err(1, "%s", path);
	if (write(fd, text, len) != (ssize_t)len)
		err(1, "write %s", path);
	close(fd);
}

static int
rm_entry(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)type;
	(void)f;
	(void)remove(path);
	return 0;
}

void
rm_tree(const char *path)
{
	(void)nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

/* Renames from to to, both paths in the benchmark's directory. */
void
move(const char *from, const char *to)
{
	if (rename(from, to) == -1)
		err(1, "rename %s %s", from, to);
}

/*
 * n directories <prefix>00.. below root, each with one file f.txt when
 * withfile; the last one's path goes to deepest unless it is NULL.
 */
void
make_flat(const char *root, int n, const char *prefix, int withfile,
    char *deepest)
{
	char path[PATH_MAX];
	int i;

	make_dir(root);
	for (i = 0; i < n; i++) {
		pathf(path, "%s/%s%02d", root, prefix, i);
		make_dir(path);
		if (deepest != NULL)
			pathf(deepest, "%s", path);
		if (withfile) {
			pathf(path, "%s/%s%02d/f.txt", root, prefix, i);
			write_file(path, "x\n");
		}
	}
}

/*
 * shape[0] x shape[1] x shape[2] directories below root, one file in each
 * leaf; the last leaf's path goes to deepest.  Returns the directories.
 */
long
make_big(const char *root, const int *shape, char *deepest)
{
	char path[PATH_MAX];
	long n = 1;
	int i, j, k;

	make_dir(root);
	for (i = 0; i < shape[0]; i++) {
		pathf(path, "%s/d%02d", root, i);
		make_dir(path);
		n++;
		for (j = 0; j < shape[1]; j++) {
			pathf(path, "%s/d%02d/d%02d", root, i, j);
			make_dir(path);
			n++;
			for (k = 0; k < shape[2]; k++) {
				pathf(path, "%s/d%02d/d%02d/d%02d", root, i,
				    j, k);
				make_dir(path);
				pathf(deepest, "%s", path);
				pathf(path, "%s/d%02d/d%02d/d%02d/f.txt", root,
				    i, j, k);
				write_file(path, "x\n");
				n++;
			}
		}
	}
	return n;
}

/* Writes path anew with 2 bytes: open, write, close. */
void
touch_new(const char *path)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		err(1, "%s", path);
	if (write(fd, "x\n", 2) != 2)
		err(1, "write %s", path);
	close(fd);
}

/* One save of the existing file path: open O_TRUNC, write, close. */
void
rewrite(const char *path)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)) == -1)
		err(1, "%s", path);
	if (write(fd, "change\n", 7) != 7)
		err(1, "write %s", path);
	close(fd);
}

/* Writes n new files round-robin into the 20 directories s00.. of tree. */
void
write_files(const char *tree, long n)
{
	char path[PATH_MAX];
	long k;

	for (k = 0; k < n; k++) {
		pathf(path, "%s/s%02ld/c%06ld.txt", tree, k % 20, k);
		touch_new(path);
	}
}

/*
 * Writes the .gitignore at the top of tree; with git, makes the tree a
 * git work tree (git init, or a bare .git directory without git).
 */
void
make_gitignored(struct bench *b, const char *tree, int git)
{
	char path[PATH_MAX], buf[512];
	char *av[] = { "git", "-c", "init.defaultBranch=main", "init", "-q",
	    NULL, NULL };

	pathf(path, "%s/.gitignore", tree);
	write_file(path, gitignore50);
	if (!git)
		return;
	if (in_path("git")) {
		av[5] = xstrdup(tree);
		if (capture(b, av, buf, sizeof(buf), NULL) != 0) {
			first_line(buf);
			errx(1, "git init %s: %s", tree, buf);
		}
		free(av[5]);
		return;
	}
	pathf(path, "%s/.git", tree);
	make_dir(path);
	pathf(path, "%s/.git/info", tree);
	make_dir(path);
}
