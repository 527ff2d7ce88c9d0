/*
 * gitignore_oracle.c: our side of tests/system/gitignore.bats.  Loads a
 * work tree's ignore files into the gitignore module and answers for each
 * path on stdin as git check-ignore --no-index --stdin -z -v --non-matching
 * does, so that the two outputs compare byte for byte.  Also checks that
 * the fast path and a trailing '/' agree with the full check.
 *
 * usage: gitignore_oracle [-g excludesfile] worktree <paths
 */
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gitignore.h"
#include "xmalloc.h"

/* Reads what is left of fd; returns the bytes and their count. */
static char *
read_all(int fd, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0, size = 0;
	ssize_t n;

	for (;;) {
		if (len == size) {
			size = size == 0 ? 4096 : size * 2;
			buf = xreallocarray(buf, size, 1);
		}
		if ((n = read(fd, buf + len, size - len)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "read");
		}
		if (n == 0)
			break;
		len += n;
	}
	*lenp = len;
	return buf;
}

/* Loads the file at path, when it is a regular file, as level. */
static void
load(struct gitignore *gi, int level, const char *dir, const char *path,
    const char *source)
{
	struct stat st;
	char *buf;
	size_t len;
	int fd;

	/* git reads no .gitignore through a symbolic link. */
	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", path);
	buf = read_all(fd, &len);
	close(fd);
	if (gitignore_set_file(gi, level, dir, strlen(dir), buf, len,
	    source) == -1)
		err(1, "gitignore_set_file %s", path);
	free(buf);
}

static char *
join(const char *dir, const char *name)
{
	size_t dlen = strlen(dir), nlen = strlen(name);
	char *s;

	s = xmalloc(dlen + nlen + 2);
	memcpy(s, dir, dlen);
	if (dlen > 0)
		s[dlen++] = '/';
	memcpy(s + dlen, name, nlen + 1);
	return s;
}

/* Loads the .gitignore of dir ("" for the top) and of all below it. */
static void
load_tree(struct gitignore *gi, const char *dir)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	char *path;

	path = join(dir, ".gitignore");
	load(gi, GITIGNORE_DIR, dir, path, path);
	free(path);
	if ((d = opendir(dir[0] == '\0' ? "." : dir)) == NULL)
		err(1, "opendir %s", dir);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    (dir[0] == '\0' && strcmp(de->d_name, ".git") == 0))
			continue;
		path = join(dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			load_tree(gi, path);
		free(path);
	}
	closedir(d);
}

static int
same_why(const struct gitignore_why *a, const struct gitignore_why *b)
{
	return a->source == b->source && a->pattern == b->pattern &&
	    a->line == b->line && a->matchlen == b->matchlen &&
	    a->negated == b->negated;
}

/*
 * Checks the path the other ways it can be asked; returns 0 when they
 * agree with the full check's answer r and why w.
 */
static int
cross_check(const struct gitignore *gi, const char *path, size_t len,
    int isdir, int r, const struct gitignore_why *w)
{
	struct gitignore_why w2;
	char *slashed;
	size_t i;
	int bad = 0;

	if (isdir) {
		slashed = xmalloc(len + 1);
		memcpy(slashed, path, len);
		slashed[len] = '/';
		if (gitignore_check(gi, slashed, len + 1, 0, &w2) != r ||
		    !same_why(w, &w2)) {
			warnx("%s/: differs from the check of the directory",
			    path);
			bad = 1;
		}
		free(slashed);
	}
	for (i = 0; i < len; i++)
		if (path[i] == '/' && gitignore_check(gi, path, i, 1, NULL))
			return bad;
	/* No ancestor is ignored: the fast path must say the same. */
	if (gitignore_check_name(gi, path, len, isdir, &w2) != r ||
	    !same_why(w, &w2)) {
		warnx("%s: gitignore_check_name differs from gitignore_check",
		    path);
		bad = 1;
	}
	return bad;
}

static void
usage(void)
{
	fprintf(stderr, "usage: gitignore_oracle [-g excludesfile] "
	    "worktree <paths\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct gitignore *gi;
	struct gitignore_why why;
	struct stat st;
	const char *global = NULL;
	char *in, *path, *end, *nul;
	size_t len, inlen;
	int bad = 0, ch, isdir, r;

	while ((ch = getopt(argc, argv, "g:")) != -1) {
		switch (ch) {
		case 'g':
			global = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();

	gi = gitignore_new();
	/* Before the chdir: a relative excludes file names the caller's. */
	if (global != NULL)
		load(gi, GITIGNORE_GLOBAL, "", global, global);
	if (chdir(argv[0]) == -1)
		err(1, "%s", argv[0]);
	load(gi, GITIGNORE_INFO, "", ".git/info/exclude",
	    ".git/info/exclude");
	load_tree(gi, "");

	in = read_all(STDIN_FILENO, &inlen);
	end = in + inlen;
	for (path = in; path < end; path = nul + 1) {
		if ((nul = memchr(path, '\0', end - path)) == NULL)
			errx(1, "the last path is not NUL-terminated");
		len = nul - path;
		isdir = lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
		r = gitignore_check(gi, path, len, isdir, &why);
		if (r != (why.source != NULL && !why.negated)) {
			warnx("%s: the answer %d does not fit its why", path,
			    r);
			bad = 1;
		}
		if (why.source != NULL)
			printf("%s%c%zu%c%s%c", why.source, '\0', why.line,
			    '\0', why.pattern, '\0');
		else
			printf("%c%c%c", '\0', '\0', '\0');
		printf("%s%c", path, '\0');
		bad |= cross_check(gi, path, len, isdir, r, &why);
	}
	free(in);
	gitignore_free(gi);
	if (fflush(stdout) == EOF)
		err(1, "stdout");
	return bad;
}
