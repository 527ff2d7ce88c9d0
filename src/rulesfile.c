/*
 * rulesfile.c: a watch on the directory of the rules file, filtered by
 * its name.  The directory, not the file: an editor that saves by
 * renaming a new file over the old one leaves a watch on the old inode
 * with nothing more to say.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "log.h"
#include "rulesfile.h"
#include "xmalloc.h"

/* What a save looks like, whichever way the editor does it. */
#define SAVE_EVENTS	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE)

struct rulesfile {
	int		 fd;
	char		*name;		/* the file's last component */
	char		*buf;
};

struct rulesfile *
rulesfile_new(const char *path)
{
	struct rulesfile *rf;
	const char *slash;
	char *dir, msg[256], *v;
	int fd;

	if ((fd = events_open()) == -1)
		return NULL;
	slash = strrchr(path, '/');
	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xmemdup(path, (size_t)(slash - path));
	if (events_add(fd, dir, SAVE_EVENTS | IN_ONLYDIR) == -1) {
		v = log_vis(dir, strlen(dir));
		log_warnx("%s: cannot watch for changes to the rules: %s", v,
		    events_strerror(errno, msg, sizeof(msg)));
		free(v);
		free(dir);
		close(fd);
		return NULL;
	}
	free(dir);
	rf = xcalloc(1, sizeof(*rf));
	rf->fd = fd;
	rf->name = xstrdup(slash == NULL ? path : slash + 1);
	if (posix_memalign((void **)&rf->buf, 16, EVENTS_BUFSIZE) != 0)
		abort();
	return rf;
}

void
rulesfile_free(struct rulesfile *rf)
{
	if (rf == NULL)
		return;
	close(rf->fd);
	free(rf->name);
	free(rf->buf);
	free(rf);
}

int
rulesfile_fd(const struct rulesfile *rf)
{
	return rf->fd;
}

int
rulesfile_changed(struct rulesfile *rf)
{
	struct event ev;
	ssize_t n;
	size_t off;
	int changed = 0;

	while ((n = read(rf->fd, rf->buf, EVENTS_BUFSIZE)) > 0) {
		off = 0;
		while (events_next(rf->buf, (size_t)n, &off, &ev) == 1)
			if ((ev.mask & (SAVE_EVENTS | IN_Q_OVERFLOW)) &&
			    (ev.namelen == 0 || strcmp(ev.name, rf->name) == 0))
				changed = 1;
	}
	return changed;
}
