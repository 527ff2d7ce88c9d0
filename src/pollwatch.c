/*
 * pollwatch.c: the polling backend, for filesystems whose changes the
 * kernel does not see (remote, FUSE).  Owns the snapshot of its roots
 * (snapshot.c) and the clock of its polls: every interval, each tree is
 * compared with its snapshot; between two polls, files that have yet to
 * settle are looked at again, a settle time after their last look.  It
 * gives the snapshot the system calls it needs, each relative to a
 * directory's descriptor (O_PATH, which reads nothing and so disturbs no
 * other watcher), and turns its findings into path events.
 */
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "scan.h"
#include "snapshot.h"
#include "watch.h"
#include "backend.h"
#include "xmalloc.h"

/*
 * A file is reported once two looks this far apart agree: a quarter of
 * the interval, so that settling adds little to a poll's delay, but at
 * least 100ms (or the interval, if shorter), long enough for a writer's
 * short pause and far beyond the ticks of the clock file times come from,
 * and at most 1s.
 */
#define SETTLE_DIV	4
#define SETTLE_MIN	100000
#define SETTLE_MAX	1000000

#define STATX_WANTED	(STATX_TYPE | STATX_MODE | STATX_INO | STATX_SIZE | \
			    STATX_MTIME | STATX_CTIME | STATX_BTIME)

struct proot {
	char		*path;
	uint32_t	 id;		/* SNAP_NONE: gone, or inside another */
};

struct pollwatch {
	struct watch_opts opts;
	struct snap	*snap;
	void		*scanbuf;
	struct proot	*roots;
	size_t		 nroots;
	uint64_t	 interval;
	uint64_t	 next;		/* the next poll, or LOOP_NEVER */
	size_t		 emitted;
	uint64_t	 polled;	/* when the last poll began */
};

static int64_t
ns(const struct statx_timestamp *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static int
fill(int rc, const struct statx *sx, struct snap_stat *st)
{
	if (rc == -1)
		return -1;
	st->dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
	st->ino = sx->stx_ino;
	st->size = (int64_t)sx->stx_size;
	st->mtime = ns(&sx->stx_mtime);
	st->ctime = ns(&sx->stx_ctime);
	st->btime = (sx->stx_mask & STATX_BTIME) ? ns(&sx->stx_btime) : 0;
	st->mode = sx->stx_mode;
	return 0;
}

/* The filesystem, as the snapshot reaches it. */

/*
 * A root.  One that was removed while it is some process's current
 * directory (ours, when the root is ".") still opens: its link count of
 * 0 tells it is gone.
 */
static int
fs_open_path(void *arg, const char *path)
{
	struct statx sx;
	int fd;

	(void)arg;
	if ((fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_NLINK, &sx) == 0 &&
	    (sx.stx_mask & STATX_NLINK) && sx.stx_nlink == 0) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	return fd;
}

static int
fs_open_at(void *arg, int dirfd, const char *name, int follow)
{
	(void)arg;
	return openat(dirfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC |
	    (follow ? 0 : O_NOFOLLOW));
}

static void
fs_close(void *arg, int fd)
{
	(void)arg;
	close(fd);
}

static int
fs_stat_fd(void *arg, int fd, struct snap_stat *st)
{
	struct statx sx;

	(void)arg;
	return fill(statx(fd, "", AT_EMPTY_PATH, STATX_WANTED, &sx), &sx, st);
}

static int
fs_stat_at(void *arg, int dirfd, const char *name, int follow,
    struct snap_stat *st)
{
	struct statx sx;

	(void)arg;
	return fill(statx(dirfd, name, follow ? 0 : AT_SYMLINK_NOFOLLOW,
	    STATX_WANTED, &sx), &sx, st);
}

static int
fs_stat_path(void *arg, const char *path, int follow, struct snap_stat *st)
{
	return fs_stat_at(arg, AT_FDCWD, path, follow, st);
}

static int
fs_list(void *arg, int fd, snap_name_fn *fn, void *fnarg)
{
	struct pollwatch *w = arg;
	int rfd, rc, saved;

	/* The O_PATH descriptor reads nothing: open the directory itself. */
	if ((rfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = scan_fd(rfd, w->scanbuf, fn, fnarg);
	saved = errno;
	close(rfd);
	errno = saved;
	return rc;
}

static int
be_ignored(void *arg, const char *path, size_t len)
{
	struct pollwatch *w = arg;

	return w->opts.ignore != NULL &&
	    w->opts.ignore(w->opts.ignore_arg, path, len);
}

static void
be_dir_hook(void *arg, int fd, const char *path, size_t len)
{
	struct pollwatch *w = arg;

	if (w->opts.dir_hook != NULL)
		(void)w->opts.dir_hook(w->opts.ignore_arg, fd, path, len);
}

/*
 * As inwatch's: nothing the filter ignores, and only what the mask asks
 * for, since one event of ours may say what inotify says in several (a
 * file that settled was written and modified).
 */
static void
be_event(void *arg, const char *path, size_t len, uint32_t mask,
    uint32_t cookie)
{
	struct pollwatch *w = arg;
	struct pevent pev;

	if ((mask &= w->opts.mask | IN_ISDIR) == 0 || mask == IN_ISDIR)
		return;
	if (len > 0 && be_ignored(w, path, len))
		return;
	pev.path = path;
	pev.len = len;
	pev.mask = mask;
	pev.cookie = cookie;
	pev.pid = 0;
	w->opts.sink(w->opts.sink_arg, &pev);
	w->emitted++;
}

static void
warn_path(const char *path, size_t len, const char *what, int err)
{
	char *v;

	v = log_vis(path, len);
	log_warnx("%s%s: %s", what, v, strerror(err));
	free(v);
}

static void
be_cannot_read(void *arg, const char *path, size_t len, int err)
{
	(void)arg;
	warn_path(path, len, "cannot read ", err);
}

static void
be_lost(void *arg, uint32_t id, const char *path, int err)
{
	struct pollwatch *w = arg;
	const char *why;
	char *v;
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].id == id)
			w->roots[i].id = SNAP_NONE;
	if (err == 0)
		why = "was replaced";
	else if (err == ENOENT || err == ENOTDIR)
		why = "was deleted";
	else
		why = strerror(err);
	v = log_vis(path, strlen(path));
	log_warnx("%s %s; no longer watched", v, why);
	free(v);
}

static const struct snap_ops fs_ops = {
	.open_path = fs_open_path,
	.open_at = fs_open_at,
	.close = fs_close,
	.stat_fd = fs_stat_fd,
	.stat_at = fs_stat_at,
	.stat_path = fs_stat_path,
	.list = fs_list,
	.ignored = be_ignored,
	.dir_hook = be_dir_hook,
	.event = be_event,
	.cannot_read = be_cannot_read,
	.lost = be_lost,
};

static uint64_t
settle_time(uint64_t interval)
{
	uint64_t t = interval / SETTLE_DIV;

	if (t < SETTLE_MIN)
		t = interval < SETTLE_MIN ? interval : SETTLE_MIN;
	if (t > SETTLE_MAX)
		t = SETTLE_MAX;
	return t;
}

/* The polling backend as the watch layer sees it. */

static void *
be_open(const struct watch_opts *opts)
{
	struct pollwatch *w;
	struct snap_opts so;

	w = xcalloc(1, sizeof(*w));
	w->opts = *opts;
	w->interval = opts->poll_interval;
	w->next = LOOP_NEVER;
	w->scanbuf = xmalloc(SCAN_BUFSIZE);
	memset(&so, 0, sizeof(so));
	so.ops = &fs_ops;
	so.arg = w;
	so.settle = settle_time(w->interval);
	so.follow = opts->follow;
	so.rules_name = opts->dir_hook != NULL ? opts->rules_name : NULL;
	w->snap = snap_new(&so);
	return w;
}

static void
be_close(void *arg)
{
	struct pollwatch *w = arg;
	size_t i;

	snap_free(w->snap);
	for (i = 0; i < w->nroots; i++)
		free(w->roots[i].path);
	free(w->roots);
	free(w->scanbuf);
	free(w);
}

static int
be_root(void *arg, const char *path)
{
	struct pollwatch *w = arg;
	uint32_t id = SNAP_NONE;

	if (snap_add_root(w->snap, path, w->opts.existing, loop_now(),
	    loop_wall_ns(), &id) == -1) {
		if (errno != EEXIST) {
			warn_path(path, strlen(path), "", errno);
			return -1;
		}
		log_warnx("%s: already watched as part of another root", path);
	}
	w->roots = xreallocarray(w->roots, w->nroots + 1, sizeof(*w->roots));
	w->roots[w->nroots].path = xstrdup(path);
	w->roots[w->nroots].id = id;
	w->nroots++;
	w->next = loop_now() + w->interval;
	return 0;
}

static void
be_started(void *arg)
{
	(void)arg;
}

static int
be_unroot(void *arg, const char *path)
{
	struct pollwatch *w = arg;
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (strcmp(w->roots[i].path, path) == 0)
			break;
	if (i == w->nroots)
		return -1;
	if (w->roots[i].id != SNAP_NONE)
		snap_drop_root(w->snap, w->roots[i].id);
	free(w->roots[i].path);
	w->roots[i] = w->roots[--w->nroots];
	return 0;
}

static void
be_set_mask(void *arg, uint32_t mask)
{
	struct pollwatch *w = arg;

	w->opts.mask = mask;
}

static void
be_refilter(void *arg)
{
	struct pollwatch *w = arg;

	(void)snap_refilter(w->snap, loop_now(), loop_wall_ns());
	w->next = loop_now() + w->interval;
}

static int
be_fd(const void *arg)
{
	(void)arg;
	return -1;
}

static uint64_t
be_due(const void *arg)
{
	const struct pollwatch *w = arg;
	uint64_t settle = snap_settle_due(w->snap);

	return settle < w->next ? settle : w->next;
}

static uint64_t
be_seen(const void *arg, uint64_t began)
{
	const struct pollwatch *w = arg;

	(void)began;
	return snap_settle_due(w->snap) != UINT64_MAX ? 0 : w->polled;
}

static size_t
be_read(void *arg, uint64_t now)
{
	struct pollwatch *w = arg;

	w->emitted = 0;
	if (now >= w->next) {
		w->polled = now;
		(void)snap_poll(w->snap, now, loop_wall_ns());
		/* From its end: a poll slower than the interval gets a rest. */
		w->next = loop_now() + w->interval;
	} else if (now >= snap_settle_due(w->snap))
		(void)snap_settle(w->snap, now, loop_wall_ns());
	return w->emitted;
}

static size_t
be_dirs(const void *arg)
{
	const struct pollwatch *w = arg;

	return snap_dirs(w->snap);
}

static size_t
be_roots(const void *arg)
{
	const struct pollwatch *w = arg;

	return snap_roots(w->snap);
}

static size_t
be_unwatched(const void *arg)
{
	(void)arg;
	return 0;
}

static size_t
be_unscanned(const void *arg)
{
	const struct pollwatch *w = arg;

	return snap_unscanned(w->snap);
}

const struct backend_ops pollwatch_backend = {
	.name = "poll",
	.open = be_open,
	.close = be_close,
	.root = be_root,
	.started = be_started,
	.unroot = be_unroot,
	.set_mask = be_set_mask,
	.refilter = be_refilter,
	.fd = be_fd,
	.due = be_due,
	.seen = be_seen,
	.read = be_read,
	.dirs = be_dirs,
	.roots = be_roots,
	.unwatched = be_unwatched,
	.unscanned = be_unscanned,
};
