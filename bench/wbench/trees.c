/*
 * trees.c: the files and directory trees the scenarios watch and write:
 * small flat trees, the a x b x c start-up tree, wide trees of up to
 * millions of directories made with mkdirat(2), trees of many files, the
 * 50-line .gitignore, and a private tmpfs to hold the largest of them.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
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

/* Directories of a wide tree: each has up to this many below it. */
#define WIDE_FANOUT	100

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

/*
 * The path of directory k of a wide tree: directory 0 is root, and the
 * parent of k > 0 is (k - 1) / WIDE_FANOUT, named d<(k - 1) % fanout>.
 */
static void
wide_path(char *buf, const char *root, long k)
{
	long idx[24];
	size_t len;
	int n = 0;

	while (k > 0 && n < 24) {
		idx[n++] = (k - 1) % WIDE_FANOUT;
		k = (k - 1) / WIDE_FANOUT;
	}
	pathf(buf, "%s", root);
	len = strlen(buf);
	while (n-- > 0) {
		if (len + 5 >= PATH_MAX)
			errx(1, "path too long");
		len += (size_t)snprintf(buf + len, PATH_MAX - len, "/d%02ld",
		    idx[n]);
	}
}

/*
 * Makes n directories in all, root included, each with up to 100 below
 * it, breadth first, by mkdirat(2) in each parent: a million take a few
 * seconds on tmpfs.  Writes f.txt in nfiles directories spread over the
 * tree, the last one the last directory made, and stores their paths in
 * files[].
 */
void
make_wide(const char *root, long n, char (*files)[PATH_MAX], int nfiles)
{
	char path[PATH_MAX], name[16];
	long parent, k = 1, c;
	int fd, i;

	make_dir(root);
	for (parent = 0; k < n; parent++) {
		wide_path(path, root, parent);
		if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
		    -1)
			err(1, "%s", path);
		for (c = 0; c < WIDE_FANOUT && k < n; c++, k++) {
			snprintf(name, sizeof(name), "d%02ld", c);
			if (mkdirat(fd, name, 0755) == -1)
				err(1, "mkdir %s/%s", path, name);
		}
		close(fd);
	}
	for (i = 0; i < nfiles; i++) {
		wide_path(path, root, (long)((double)(n - 1) * (i + 1) /
		    nfiles));
		pathf(files[i], "%s/f.txt", path);
		write_file(files[i], "x\n");
	}
}

/*
 * Makes nfiles files below root, per_dir in each directory p0000..;
 * returns the directories made below root.
 */
long
make_filled(const char *root, long nfiles, int per_dir)
{
	char path[PATH_MAX], name[16];
	long k, ndirs = 0;
	int dfd = -1, fd;

	make_dir(root);
	for (k = 0; k < nfiles; k++) {
		if (k % per_dir == 0) {
			if (dfd != -1)
				close(dfd);
			pathf(path, "%s/p%04ld", root, ndirs++);
			make_dir(path);
			if ((dfd = open(path, O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC)) == -1)
				err(1, "%s", path);
		}
		snprintf(name, sizeof(name), "f%04ld.txt", k % per_dir);
		if ((fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0644)) == -1)
			err(1, "%s/%s", path, name);
		if (write(fd, "x\n", 2) != 2)
			err(1, "write %s/%s", path, name);
		close(fd);
	}
	if (dfd != -1)
		close(dfd);
	return ndirs;
}

/*
 * Mounts a private tmpfs on dir (made here), so that its events are the
 * benchmark's alone and a million directories go with one umount.
 * Returns 0, or -1 with the reason in why (it needs CAP_SYS_ADMIN).
 * Only one is mounted at a time; tmpfs_umount() or the exit removes it.
 */
int
tmpfs_mount(struct bench *b, const char *dir, char *why, size_t size)
{
	make_dir(dir);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=0755,nr_inodes=0") == -1) {
		snprintf(why, size, "mount -t tmpfs %s: %s", dir,
		    strerror(errno));
		(void)rmdir(dir);
		return -1;
	}
	pathf(b->mnt, "%s", dir);
	return 0;
}

void
tmpfs_umount(struct bench *b)
{
	if (b->mnt[0] == '\0')
		return;
	/* A tool that has not quite gone yet keeps it busy: detach it. */
	if (umount2(b->mnt, 0) == -1 && umount2(b->mnt, MNT_DETACH) == -1)
		warn("umount %s", b->mnt);
	else
		(void)rmdir(b->mnt);
	b->mnt[0] = '\0';
}
