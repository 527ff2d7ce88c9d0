/*
 * events.c: inotify itself.  The decoder copies each fixed header out of
 * the buffer rather than casting, so crafted or misaligned input cannot
 * cause an unaligned access, and it never trusts a length that points past
 * the end of what was read.
 */
#include <sys/inotify.h>
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"

/* The kernel pads names to this header's size; NAME_MAX fits exactly. */
_Static_assert(sizeof(struct inotify_event) == 16 &&
    EVENTS_MAXRECORD == sizeof(struct inotify_event) + NAME_MAX + 1,
    "inotify record layout");

int
events_open(void)
{
	return inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
}

int
events_add(int fd, const char *path, uint32_t mask)
{
	return inotify_add_watch(fd, path, mask);
}

int
events_rm(int fd, int wd)
{
	return inotify_rm_watch(fd, wd);
}

int
events_next(const void *buf, size_t len, size_t *off, struct event *ev)
{
	struct inotify_event hdr;
	const char *p = buf;
	size_t at = *off;

	if (at >= len)
		return 0;
	if (len - at < sizeof(hdr)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(&hdr, p + at, sizeof(hdr));
	if (hdr.len > len - at - sizeof(hdr)) {
		errno = EINVAL;
		return -1;
	}
	ev->wd = hdr.wd;
	ev->mask = hdr.mask;
	ev->cookie = hdr.cookie;
	ev->name = p + at + sizeof(hdr);
	/* The kernel pads the name with NULs; a name without one is corrupt. */
	ev->namelen = hdr.len == 0 ? 0 : strnlen(ev->name, hdr.len);
	if (ev->namelen == hdr.len && hdr.len > 0) {
		errno = EINVAL;
		return -1;
	}
	*off = at + sizeof(hdr) + hdr.len;
	return 1;
}

long
events_limit(const char *name)
{
	char path[128], line[64];
	FILE *fp;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/sys/fs/inotify/%s", name);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	if (fgets(line, sizeof(line), fp) != NULL)
		v = strtol(line, NULL, 10);
	fclose(fp);
	return v;
}

const char *
events_strerror(int err, char *buf, size_t size)
{
	struct rlimit rl;
	long limit;
	int fd;

	switch (err) {
	case ENOSPC:
		if ((limit = events_limit("max_user_watches")) >= 0)
			snprintf(buf, size, "inotify watch limit reached "
			    "(fs.inotify.max_user_watches=%ld); raise it with "
			    "'sysctl fs.inotify.max_user_watches=N' or in "
			    "/etc/sysctl.d/", limit);
		else
			snprintf(buf, size, "inotify watch limit reached (see "
			    "fs.inotify.max_user_watches)");
		break;
	case EMFILE:
		/*
		 * inotify_init1 says EMFILE both for the per-user instance
		 * limit and for a full descriptor table: see which.
		 */
		if ((fd = dup(STDERR_FILENO)) == -1 && errno == EMFILE) {
			if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
				snprintf(buf, size, "too many open files (ulimit "
				    "-n is %llu)", (unsigned long long)rl.rlim_cur);
			else
				snprintf(buf, size, "too many open files");
			break;
		}
		if (fd != -1)
			close(fd);
		if ((limit = events_limit("max_user_instances")) >= 0)
			snprintf(buf, size, "too many inotify instances "
			    "(fs.inotify.max_user_instances=%ld); raise it "
			    "with 'sysctl fs.inotify.max_user_instances=N'",
			    limit);
		else
			snprintf(buf, size, "too many inotify instances "
			    "(see fs.inotify.max_user_instances)");
		break;
	case ENFILE:
		snprintf(buf, size, "system-wide limit on open files reached "
		    "(fs.file-max)");
		break;
	default:
		snprintf(buf, size, "%s", strerror(err));
		break;
	}
	return buf;
}
