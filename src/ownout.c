/*
 * ownout.c: recognising changes to watchrun's own output files.
 *
 * Events name a path; the files are known by descriptor.  Comparing
 * every event's file with a stat(2) would cost a system call per event,
 * so events are compared by the last component of their path first,
 * against the names the files had when watchrun started (from
 * /proc/self/fd), and only a match is confirmed by device and inode.  A
 * rename gives a file a name not known yet: each MOVED_TO is compared by
 * device and inode, and a match adds its name.  A name that no longer
 * leads to a file (deleted, or renamed away) is compared by its
 * directory's device and inode instead.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ownout.h"
#include "watch.h"
#include "xmalloc.h"

struct ownfile {
	int		 fd;
	dev_t		 dev;
	ino_t		 ino;
};

/* A name one of the files had: its last component, and its directory. */
struct ownname {
	char		*name;
	size_t		 len;
	dev_t		 dirdev;
	ino_t		 dirino;
};

struct ownout {
	struct ownfile	 files[2];
	size_t		 nfiles;
	struct ownname	*names;
	size_t		 nnames;
};

/*
 * Stats the directory of path, the plen bytes at path whose last
 * component starts at name.  Returns 0 or -1.
 */
static int
stat_dir_of(const char *path, const char *name, struct stat *sb)
{
	char *dir;
	int rc;

	if (name == path)
		return stat(".", sb);
	dir = xmemdup(path, (size_t)(name - path));
	rc = stat(dir, sb);
	free(dir);
	return rc;
}

/* Adds the last component at name, len bytes, of path. */
static void
add_name(struct ownout *o, const char *path, const char *name, size_t len)
{
	struct ownname *n;
	struct stat sb;

	if (stat_dir_of(path, name, &sb) == -1)
		return;
	o->names = xreallocarray(o->names, o->nnames + 1, sizeof(*o->names));
	n = &o->names[o->nnames++];
	n->name = xmemdup(name, len);
	n->len = len;
	n->dirdev = sb.st_dev;
	n->dirino = sb.st_ino;
}

/* Adds the last component of the path that fd's /proc link names. */
static void
add_fd_name(struct ownout *o, int fd)
{
	char proc[64], *buf = NULL, *slash;
	size_t size = 256;
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (;;) {
		buf = xreallocarray(buf, size, 1);
		if ((n = readlink(proc, buf, size)) == -1) {
			free(buf);
			return;
		}
		if ((size_t)n < size - 1)
			break;
		size *= 2;
	}
	buf[n] = '\0';
	if ((slash = memrchr(buf, '/', (size_t)n)) != NULL)
		add_name(o, buf, slash + 1, (size_t)n - (size_t)(slash + 1 - buf));
	free(buf);
}

struct ownout *
ownout_new(void)
{
	struct ownout *o;
	struct stat sb;
	int fds[2] = { STDOUT_FILENO, STDERR_FILENO };
	size_t i, k;

	o = xcalloc(1, sizeof(*o));
	for (i = 0; i < 2; i++) {
		if (fstat(fds[i], &sb) == -1 || !S_ISREG(sb.st_mode))
			continue;
		for (k = 0; k < o->nfiles; k++)
			if (o->files[k].dev == sb.st_dev &&
			    o->files[k].ino == sb.st_ino)
				break;
		if (k < o->nfiles)
			continue;
		o->files[o->nfiles].fd = fds[i];
		o->files[o->nfiles].dev = sb.st_dev;
		o->files[o->nfiles].ino = sb.st_ino;
		o->nfiles++;
		add_fd_name(o, fds[i]);
	}
	if (o->nfiles == 0) {
		ownout_free(o);
		return NULL;
	}
	return o;
}

void
ownout_free(struct ownout *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nnames; i++)
		free(o->names[i].name);
	free(o->names);
	free(o);
}

static int
same_file(const struct ownout *o, const struct stat *sb)
{
	size_t i;

	for (i = 0; i < o->nfiles; i++)
		if (o->files[i].dev == sb->st_dev &&
		    o->files[i].ino == sb->st_ino)
			return 1;
	return 0;
}

/* Whether the name at name, len bytes, of path is one the files had. */
static int
had_name(const struct ownout *o, const char *path, const char *name,
    size_t len)
{
	struct stat sb;
	size_t i;

	for (i = 0; i < o->nnames; i++)
		if (o->names[i].len == len &&
		    memcmp(o->names[i].name, name, len) == 0)
			break;
	if (i == o->nnames || stat_dir_of(path, name, &sb) == -1)
		return 0;
	for (i = 0; i < o->nnames; i++)
		if (o->names[i].len == len &&
		    memcmp(o->names[i].name, name, len) == 0 &&
		    o->names[i].dirdev == sb.st_dev &&
		    o->names[i].dirino == sb.st_ino)
			return 1;
	return 0;
}

int
ownout_is(struct ownout *o, const struct pevent *pev)
{
	struct stat sb;
	const char *name, *slash;
	size_t i, len;
	int known = 0;

	if (pev->len == 0 || pev->path[pev->len - 1] == '/')
		return 0;
	slash = memrchr(pev->path, '/', pev->len);
	name = slash != NULL ? slash + 1 : pev->path;
	len = pev->len - (size_t)(name - pev->path);
	for (i = 0; i < o->nnames && !known; i++)
		known = o->names[i].len == len &&
		    memcmp(o->names[i].name, name, len) == 0;
	if (!known && !(pev->mask & IN_MOVED_TO))
		return 0;
	/* Event paths are NUL-terminated. */
	if (lstat(pev->path, &sb) == -1)
		return known && errno == ENOENT &&
		    had_name(o, pev->path, name, len);
	if (!same_file(o, &sb))
		return 0;
	if (!known)
		add_name(o, pev->path, name, len);
	return 1;
}
