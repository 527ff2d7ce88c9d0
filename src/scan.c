/*
 * scan.c: one directory's entries.  getdents64(2) fills a large buffer in
 * one system call for many entries, and d_type spares a stat(2) per entry
 * on every filesystem that reports it.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"

static unsigned char
type_of(int dirfd, const char *name)
{
	struct stat sb;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return DT_UNKNOWN;
	return IFTODT(sb.st_mode);
}

int
scan_dir(const char *path, int follow, void *buf, scan_fn *fn, void *arg)
{
	int fd, rc, saved;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    (follow ? 0 : O_NOFOLLOW));
	if (fd == -1)
		return -1;
	rc = scan_fd(fd, buf, fn, arg);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
scan_fd(int fd, void *buf, scan_fn *fn, void *arg)
{
	struct dirent64 *d;
	ssize_t n, at;
	size_t len;
	unsigned char type;

	for (;;) {
		if ((n = getdents64(fd, buf, SCAN_BUFSIZE)) == -1)
			return -1;
		if (n == 0)
			break;
		for (at = 0; at < n; at += d->d_reclen) {
			d = (struct dirent64 *)((char *)buf + at);
			len = strlen(d->d_name);
			if (d->d_name[0] == '.' && (len == 1 ||
			    (len == 2 && d->d_name[1] == '.')))
				continue;
			type = d->d_type;
			if (type == DT_UNKNOWN)
				type = type_of(fd, d->d_name);
			if (fn(arg, fd, d->d_name, len, type) == -1)
				return 0;
		}
	}
	return 0;
}

int
scan_changed_since(int dirfd, const char *name, int64_t since)
{
	struct stat sb;
	int64_t c, m;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	c = (int64_t)sb.st_ctim.tv_sec * 1000000000LL + sb.st_ctim.tv_nsec;
	m = (int64_t)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
	return c >= since || m >= since;
}
