/*
 * fanwatch.c: the fanotify backend.  One filesystem mark per filesystem
 * that holds a root reports every change on it, each with the handle of
 * the directory it happened in and the entry's name; nothing is walked
 * to start, whatever the size of the trees.  This file owns the backend's
 * operations, the read loop, and each event read handed to its handler:
 * an entry's change, a directory's own, a rename (fanwatch_move.c), an
 * overflow (fanwatch_walk.c); and what is reported, merged as inotify
 * merges an event into the same one queued last.
 *
 * Events are made to read as inotify's do: the same names for the same
 * changes, renames as a MOVED_FROM and MOVED_TO sharing a cookie, what a
 * directory moved in holds as MOVED_TO, a directory deleted as
 * DELETE_SELF and IGNORED, and an event identical to the last one read
 * with it merged into it.  An event in a directory that is gone and not
 * named yet waits, bounded, for the events that name it.
 */
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <linux/capability.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "backend.h"
#include "loop.h"
#include "fanwatch.h"
#include "fanwatch_int.h"
#include "xmalloc.h"

/* One read(2): room for hundreds of events. */
#define FAN_BUFSIZE		65536
/* More than the largest event: three records, a handle and a name each. */
#define FAN_EVENT_MAX		4096

/*
 * Directories remembered at most, and directories whose rules were read
 * at most: a writer that roams the whole filesystem must not grow them
 * without end.  Forgetting costs one open_by_handle_at(2) per directory
 * seen again, or one read of its rules.
 */
#define DIRS_MAX		16384
#define HOOKED_MAX		16384

/* Bytes of events kept waiting for their directory to be named. */
#define PENDING_MAX		(256 * 1024)

/* Bytes past a path's end that PCRE2's JIT may read: kept defined. */
#define PATH_SLACK		16

/*
 * Makes pb the len bytes at a, then the blen at b, then '/' if slash;
 * neither a nor b may lie in pb.
 */
void
fanwatch_pb_make(struct pbuf *pb, const char *a, size_t alen, const char *b,
    size_t blen, int slash)
{
	size_t need = alen + blen + 2 + PATH_SLACK;

	if (need > pb->size) {
		free(pb->s);
		pb->size = need * 2;
		pb->s = xcalloc(1, pb->size);
	}
	memcpy(pb->s, a, alen);
	if (blen > 0)
		memcpy(pb->s + alen, b, blen);
	pb->len = alen + blen;
	if (slash)
		pb->s[pb->len++] = '/';
	pb->s[pb->len] = '\0';
}

int
fanwatch_ignored(struct fanwatch *w, const char *path, size_t len)
{
	return w->opts.ignore != NULL &&
	    w->opts.ignore(w->opts.ignore_arg, path, len);
}

void
fanwatch_emit(struct fanwatch *w, const char *path, size_t len, uint32_t mask,
    uint32_t cookie, int pid)
{
	struct pevent pev;

	if ((mask & w->opts.mask) == 0)
		return;
	if (len > 0 && fanwatch_ignored(w, path, len))
		return;
	/* inotify merges an event into the same one queued last. */
	if (w->haslast && w->lastmask == mask && w->lastcookie == cookie &&
	    w->last.len == len && memcmp(w->last.s, path, len) == 0)
		return;
	fanwatch_pb_make(&w->last, path, len, NULL, 0, 0);
	w->lastmask = mask;
	w->lastcookie = cookie;
	w->haslast = 1;
	pev.path = path;
	pev.len = len;
	pev.mask = mask;
	pev.cookie = cookie;
	pev.pid = pid;
	w->opts.sink(w->opts.sink_arg, &pev);
}

const char *
fanwatch_strerror(int err, char *buf, size_t size)
{
	switch (err) {
	case EPERM:
		snprintf(buf, size, "needs CAP_SYS_ADMIN (run as root), or "
		    "use --backend inotify");
		break;
	case EINVAL:
		snprintf(buf, size, "filesystem marks need Linux 5.9 or "
		    "later; use --backend inotify");
		break;
	case ENOSYS:
		snprintf(buf, size, "this kernel has no fanotify "
		    "(CONFIG_FANOTIFY); use --backend inotify");
		break;
	case EMFILE:
		snprintf(buf, size, "too many fanotify instances (see "
		    "fs.fanotify.max_user_groups), or open files (ulimit -n)");
		break;
	default:
		snprintf(buf, size, "%s", strerror(err));
		break;
	}
	return buf;
}

/*
 * Whether we may mark filesystems.  Since Linux 5.13 anyone may open
 * fanotify, but only CAP_SYS_ADMIN may mark a filesystem: say so now,
 * rather than once for each root.
 */
static int
may_mark(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d) == -1)
		return 1;	/* let the kernel say */
	return (d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &
	    CAP_TO_MASK(CAP_SYS_ADMIN)) != 0;
}

static void *
fanwatch_open(const struct watch_opts *opts)
{
	struct fanwatch *w;
	unsigned int flags;
	int fd, target = 1;

	flags = FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK |
	    FAN_REPORT_DFID_NAME | FAN_REPORT_FID;
	fd = fanotify_init(flags | FAN_REPORT_TARGET_FID,
	    O_RDONLY | O_CLOEXEC | O_LARGEFILE);
	/* Before Linux 5.17: no objects of deletions, no FAN_RENAME. */
	if (fd == -1 && errno == EINVAL) {
		target = 0;
		fd = fanotify_init(flags, O_RDONLY | O_CLOEXEC | O_LARGEFILE);
	}
	if (fd == -1)
		return NULL;
	if (!may_mark()) {
		close(fd);
		errno = EPERM;
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->opts = *opts;
	w->fd = fd;
	w->target = target;
	w->fmask = fanwatch_kernel_mask(w, opts->mask);
	w->dirs = dcache_new(DIRS_MAX);
	w->hooked = dcache_new(HOOKED_MAX);
	/* Every event of a read, and those waiting, may name one. */
	w->names = dcache_new((PENDING_MAX + FAN_BUFSIZE) / 16);
	w->pending = xmalloc(PENDING_MAX);
	w->joined = xmalloc(PENDING_MAX + FAN_BUFSIZE);
	if (posix_memalign((void **)&w->buf, 16, FAN_BUFSIZE) != 0)
		err(1, "posix_memalign");
	w->scanbuf = xmalloc(SCAN_BUFSIZE);
	w->self = getpid();
	w->drained_at = loop_wall_ns();
	/* Events come from where things are, not from where links lead. */
	if (opts->follow)
		log_warnx("fanotify: --follow-symlinks: directories that "
		    "links lead to are watched only where they lie inside a "
		    "root");
	return w;
}

static void
fanwatch_close(void *arg)
{
	struct fanwatch *w = arg;
	size_t i;

	if (w == NULL)
		return;
	close(w->fd);
	for (i = 0; i < w->nroots; i++)
		fanwatch_free_root(&w->roots[i]);
	free(w->roots);
	dcache_free(w->dirs);
	dcache_free(w->hooked);
	dcache_free(w->names);
	free(w->pending);
	free(w->joined);
	free(w->buf);
	free(w->scanbuf);
	free(w->dirpath.s);
	free(w->ev[0].s);
	free(w->ev[1].s);
	free(w->scratch.s);
	free(w->last.s);
	free(w->from.s);
	free(w);
}

/*
 * An event on a directory itself (a root, or one inside the trees).  Its
 * DELETE_SELF and MOVE_SELF are not taken from here: the kernel merges
 * them into reads of the directory queued earlier, which would report
 * them before the changes that came first.  They are reported with the
 * deletion or rename of the directory's entry in its parent instead,
 * where inotify puts them.
 */
static void
on_dir_itself(struct fanwatch *w, const struct fanrec *ev,
    const struct fanrec_obj *self)
{
	uint32_t bits[32], in = fanrec_to_inotify(ev->mask);
	const char *path;
	struct dir d;
	size_t i, k, n, len;

	in &= ~(uint32_t)(IN_DELETE_SELF | IN_MOVE_SELF);
	if ((n = fanrec_order(in, 0, bits)) == 0)
		return;
	if ((i = fanwatch_root_by_key(w, self->key, self->keylen)) !=
	    SIZE_MAX) {
		path = w->roots[i].self;
		len = w->roots[i].selflen;
	} else if (fanwatch_resolve(w, self->key, self->keylen, &d) ==
	    DCACHE_INSIDE) {
		path = w->dirpath.s;
		len = w->dirpath.len;
	} else
		return;
	for (k = 0; k < n; k++)
		fanwatch_emit(w, path, len, bits[k] | IN_ISDIR, 0, ev->pid);
}

/* Whether the entry at path (of root r) is there now. */
static int
exists(const struct froot *r, const char *path, size_t len)
{
	struct stat sb;
	char *c;
	int rc;

	if (len <= r->plen || len - r->plen >= PATH_MAX)
		return 0;
	c = xmemdup(path + r->plen, len - r->plen);
	rc = fstatat(r->fd, c, &sb, AT_SYMLINK_NOFOLLOW);
	free(c);
	return rc == 0;
}

/*
 * An event on an entry of a directory: a file, or a directory by name.
 * Returns 0 when the directory is gone and not named yet.
 */
static int
on_entry(struct fanwatch *w, const struct fanrec *ev)
{
	uint32_t bits[32], in = fanrec_to_inotify(ev->mask);
	int isdir = (ev->mask & FAN_ONDIR) != 0;
	struct pbuf *pb = &w->ev[0];
	struct froot *r;
	struct dir d;
	size_t k, n;

	if ((ev->mask & FAN_DELETE) && fanwatch_ends_root(w, ev))
		return 1;
	if (fanwatch_resolve(w, ev->dir.key, ev->dir.keylen, &d) !=
	    DCACHE_INSIDE)
		return d.state != DCACHE_GONE;
	r = &w->roots[d.root];
	fanwatch_pb_make(pb, w->dirpath.s, d.plen, ev->dir.name,
	    ev->dir.namelen, isdir);
	n = fanrec_order(in, (in & IN_CREATE) && (in & IN_DELETE) &&
	    exists(r, pb->s, pb->len), bits);
	for (k = 0; k < n; k++) {
		/* A directory's own end comes before its name's. */
		if (bits[k] == IN_DELETE && isdir) {
			fanwatch_emit(w, pb->s, pb->len,
			    IN_DELETE_SELF | IN_ISDIR, 0, ev->pid);
			fanwatch_emit(w, pb->s, pb->len, IN_IGNORED | IN_ISDIR,
			    0, ev->pid);
		}
		fanwatch_emit(w, pb->s, pb->len, bits[k] |
		    (isdir ? IN_ISDIR : 0), 0, ev->pid);
	}
	if (isdir && (in & IN_DELETE))
		fanwatch_forget_below(w, pb->s, pb->len);
	else if (isdir && (in & IN_CREATE) && ev->obj.key != NULL)
		(void)dcache_put(w->dirs, ev->obj.key, ev->obj.keylen,
		    fanwatch_ignored(w, pb->s, pb->len) ? DCACHE_IGNORED :
		    DCACHE_INSIDE, d.root, pb->s, pb->len);
	if (!isdir && (in & (IN_CLOSE_WRITE | IN_CREATE | IN_DELETE)) &&
	    fanwatch_is_rules_file(w, ev->dir.name))
		fanwatch_rules_changed(w, d.root, w->dirpath.s, w->dirpath.len);
	return 1;
}

/*
 * Handles one event.  Returns 0 when it happened in a directory that is
 * gone and cannot be named yet: it is to wait for the event that names
 * it (see feed()).
 */
static int
handle(struct fanwatch *w, const struct fanrec *ev)
{
	if (ev->mask & FAN_Q_OVERFLOW) {
		fanwatch_overflow(w);
		return 1;
	}
	/* Our own reads: of directories, and of the filter's rules. */
	if (ev->pid == w->self)
		return 1;
	if (ev->mask & FAN_RENAME)
		return fanwatch_on_rename(w, ev);
	if (ev->mask & (FAN_MOVED_FROM | FAN_MOVED_TO)) {
		fanwatch_on_move_half(w, ev);
		return 1;
	}
	fanwatch_settle_from(w);
	if (ev->dir.key == NULL) {
		/* A directory reported by its own handle alone. */
		if ((ev->mask & FAN_ONDIR) && ev->obj.key != NULL)
			on_dir_itself(w, ev, &ev->obj);
		/* Else a file that has no parent (unlinked): no path. */
		return 1;
	}
	if (ev->dir.name != NULL && strcmp(ev->dir.name, ".") != 0)
		return on_entry(w, ev);
	on_dir_itself(w, ev, &ev->dir);
	return 1;
}

/* Keeps the len bytes of the event at ev to be handled again later. */
static void
pend(struct fanwatch *w, const char *ev, size_t len)
{
	/* Beyond this, such events are lost, as to an overflow. */
	if (w->npending + len > PENDING_MAX)
		return;
	memcpy(w->pending + w->npending, ev, len);
	w->npending += len;
}

/*
 * Handles the len bytes at buf as events read; returns how many.  Events
 * kept waiting for a directory to be named come first, before those just
 * read, in the order the kernel gave them: an rm -rf of a tree never seen
 * names each directory only as it goes, the topmost last.
 */
static size_t
feed(struct fanwatch *w, const char *buf, size_t len)
{
	struct fanrec ev;
	size_t at, off = 0, n = 0;
	int rc;

	if (w->npending > 0) {
		memcpy(w->joined, w->pending, w->npending);
		memcpy(w->joined + w->npending, buf, len);
		len += w->npending;
		buf = w->joined;
		w->npending = 0;
	}
	w->cur = buf;
	w->curlen = len;
	w->haslast = 0;
	fanwatch_index_names(w);
	for (at = 0; (rc = fanrec_next(buf, len, &off, &ev)) == 1; at = off) {
		w->nextoff = off;
		if (!handle(w, &ev))
			pend(w, buf + at, off - at);
		n++;
		if (w->live == 0)
			break;
	}
	if (rc == -1)
		log_warnx("malformed fanotify event at offset %zu", off);
	w->cur = NULL;
	return n;
}

static size_t
fanwatch_read(void *arg, uint64_t now)
{
	struct fanwatch *w = arg;
	ssize_t n;
	size_t events = 0;
	int64_t before;

	(void)now;
	for (;;) {
		before = loop_wall_ns();
		if ((n = read(w->fd, w->buf, FAN_BUFSIZE)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				w->drained_at = before;
			else
				log_warnx("read fanotify: %s", strerror(errno));
			break;
		}
		events += feed(w, w->buf, (size_t)n);
		if (w->live == 0)
			break;
		/* Room left for the largest event: the queue was empty. */
		if ((size_t)n <= FAN_BUFSIZE - FAN_EVENT_MAX) {
			w->drained_at = before;
			break;
		}
	}
	fanwatch_settle_from(w);
	return events;
}

static void
fanwatch_refilter(void *arg)
{
	fanwatch_refilter_dirs(arg);
}

static void
fanwatch_started(void *arg)
{
	(void)arg;
}

static int
fanwatch_fd(const void *arg)
{
	return ((const struct fanwatch *)arg)->fd;
}

/* Nothing is ever due but what the descriptor says. */
static uint64_t
fanwatch_due(const void *arg)
{
	(void)arg;
	return UINT64_MAX;
}

/* No directory is watched one by one: the ready line counts trees. */
static size_t
fanwatch_dirs(const void *arg)
{
	(void)arg;
	return 0;
}

static size_t
fanwatch_roots(const void *arg)
{
	return ((const struct fanwatch *)arg)->live;
}

static size_t
fanwatch_unwatched(const void *arg)
{
	(void)arg;
	return 0;
}

static size_t
fanwatch_unscanned(const void *arg)
{
	return ((const struct fanwatch *)arg)->unscanned;
}

/* The fanotify backend as the watch layer sees it. */
const struct backend_ops fanwatch_backend = {
	.name = "fanotify",
	.open = fanwatch_open,
	.close = fanwatch_close,
	.root = fanwatch_add_root,
	.started = fanwatch_started,
	.unroot = fanwatch_unroot,
	.set_mask = fanwatch_set_mask,
	.refilter = fanwatch_refilter,
	.fd = fanwatch_fd,
	.due = fanwatch_due,
	.read = fanwatch_read,
	.dirs = fanwatch_dirs,
	.roots = fanwatch_roots,
	.unwatched = fanwatch_unwatched,
	.unscanned = fanwatch_unscanned,
};
