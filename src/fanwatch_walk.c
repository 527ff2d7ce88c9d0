/*
 * fanwatch_walk.c: walking the trees for the fanotify backend, which
 * otherwise never walks.  Owns the walk of a root for --existing (what it
 * holds, as CREATE), of a directory moved in (as MOVED_TO), and of every
 * root after a queue overflow (what changed since the queue was last
 * empty), telling the filter of each directory before its entries.
 */
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dcache.h"
#include "fanrec.h"
#include "log.h"
#include "scan.h"
#include "watch.h"
#include "fanwatch_int.h"
#include "xmalloc.h"

/* File times are taken from a coarse clock: look back this far (ns). */
#define RESCAN_SLACK_NS		50000000LL

struct walk_ctx {
	struct fanwatch	*w;
	size_t		 root;
	enum walk_report report;
	int		 pid;
	const char	*dir;		/* the path of the directory read */
	size_t		 dirlen;
	size_t		 plen;		/* of it, for its entries */
	char	       **stack;
	size_t		 n;
	size_t		 size;
};

static void
report_changed(struct fanwatch *w, int dirfd, const char *name,
    const char *path, size_t len, int isdir)
{
	if (scan_changed_since(dirfd, name, w->since))
		fanwatch_emit(w, path, len, IN_Q_OVERFLOW |
		    (isdir ? IN_ISDIR : 0), 0, 0);
}

static int
walk_entry(void *arg, int dirfd, const char *name, size_t len,
    unsigned char type)
{
	struct walk_ctx *c = arg;
	struct fanwatch *w = c->w;
	struct pbuf *pb = &w->scratch;
	int isdir = type == DT_DIR;

	fanwatch_pb_make(pb, c->dir, c->plen, name, len, isdir);
	if (isdir && fanwatch_ignored(w, pb->s, pb->len))
		return 0;
	switch (c->report) {
	case WALK_CREATED:
		fanwatch_emit(w, pb->s, pb->len, IN_CREATE | (isdir ? IN_ISDIR :
		    type == DT_REG ? IN_CLOSE_WRITE : 0), 0, c->pid);
		break;
	case WALK_MOVED:
		fanwatch_emit(w, pb->s, pb->len, IN_MOVED_TO |
		    (isdir ? IN_ISDIR : 0), 0, c->pid);
		break;
	case WALK_CHANGED:
		report_changed(w, dirfd, name, pb->s, pb->len, isdir);
		break;
	}
	if (!isdir)
		return 0;
	if (c->n == c->size) {
		c->size = c->size == 0 ? 16 : c->size * 2;
		c->stack = xreallocarray(c->stack, c->size, sizeof(*c->stack));
	}
	c->stack[c->n++] = xmemdup(pb->s, pb->len + 1);
	return 0;
}

/*
 * Reads the directory at path (of root i) and everything below it that
 * the filter does not ignore, telling the filter of each directory first,
 * and reports what it finds as report says.
 */
void
fanwatch_walk(struct fanwatch *w, size_t i, const char *path, size_t len,
    enum walk_report report, int pid)
{
	struct froot *r = &w->roots[i];
	struct walk_ctx c;
	char *dir, *v;
	int fd, rc, saved;

	memset(&c, 0, sizeof(c));
	c.w = w;
	c.root = i;
	c.report = report;
	c.pid = pid;
	c.stack = xreallocarray(NULL, 16, sizeof(*c.stack));
	c.size = 16;
	c.stack[c.n++] = xmemdup(path, len + 1);
	while (c.n > 0 && r->fd != -1) {
		dir = c.stack[--c.n];
		c.dir = dir;
		c.dirlen = strlen(dir);
		c.plen = c.dirlen == r->selflen &&
		    memcmp(dir, r->self, r->selflen) == 0 ? r->plen : c.dirlen;
		fd = fanwatch_open_rel(r, dir + r->plen, c.dirlen - r->plen,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		rc = -1;
		if (fd != -1) {
			fanwatch_hook_fd(w, fd, dir, c.dirlen);
			if (c.plen != r->plen && w->opts.dir_hook != NULL)
				(void)dcache_put(w->hooked, dir, c.dirlen,
				    DCACHE_INSIDE, i, dir, c.dirlen);
			rc = scan_fd(fd, w->scanbuf, walk_entry, &c);
			saved = errno;
			close(fd);
			errno = saved;
		}
		if (rc == -1 && errno != ENOENT && errno != ENOTDIR) {
			if (errno == EMFILE || errno == ENFILE)
				w->unscanned++;
			v = log_vis(dir, c.dirlen);
			log_warnx("cannot read %s: %s", v, strerror(errno));
			free(v);
		}
		free(dir);
	}
	while (c.n > 0)
		free(c.stack[--c.n]);
	free(c.stack);
}

/* fanotify's queue size, as a new instance gets it; -1 when unknown. */
static long
queue_limit(void)
{
	FILE *fp;
	long v = -1;

	if ((fp = fopen("/proc/sys/fs/fanotify/max_queued_events", "re")) ==
	    NULL)
		return -1;
	if (fscanf(fp, "%ld", &v) != 1)
		v = -1;
	fclose(fp);
	return v;
}

/*
 * The queue overflowed: events were lost.  Says so, forgets what it knew
 * of directories (renames may be among the lost), and walks every root,
 * reporting what changed since the queue was last empty.
 */
void
fanwatch_overflow(struct fanwatch *w)
{
	struct froot *r;
	struct stat sb;
	size_t i;

	log_warnx("fanotify event queue overflow: rescanning to catch up "
	    "(a larger fs.fanotify.max_queued_events, now %ld, makes it "
	    "rarer)", queue_limit());
	fanwatch_emit(w, "", 0, IN_Q_OVERFLOW, 0, 0);
	dcache_clear(w->dirs);
	dcache_clear(w->hooked);
	w->npending = 0;
	w->hasfrom = 0;
	w->since = w->drained_at - RESCAN_SLACK_NS;
	for (i = 0; i < w->nroots; i++) {
		r = &w->roots[i];
		if (r->fd == -1)
			continue;
		r->hooked = 0;
		if (fstat(r->fd, &sb) == -1 || sb.st_nlink == 0) {
			fanwatch_lose_root(w, i, "disappeared");
			continue;
		}
		r->hooked = 1;
		fanwatch_walk(w, i, r->self, r->selflen, WALK_CHANGED, 0);
	}
}
