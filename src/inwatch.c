/*
 * inwatch.c: the inotify backend's operations.  Owns the inotify
 * descriptor and what each watch asks for, and reads the records: each
 * is resolved to its directory by watch descriptor and handed to the part
 * of the backend that deals with it, while the path event it makes goes
 * to the sink.  Watching and scanning directories is in inwatch_walk.c,
 * pairing renames in inwatch_move.c, overflows and unmounts in
 * inwatch_recover.c, the roots in inwatch_root.c; inwatch_int.h is what
 * they share.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "log.h"
#include "scan.h"
#include "tree.h"
#include "watch.h"
#include "backend.h"
#include "loop.h"
#include "inwatch.h"
#include "inwatch_int.h"
#include "xmalloc.h"

/* What inotify_add_watch asks for, for the events mask. */
static uint32_t
kernel_mask(const struct watch_opts *opts, uint32_t mask)
{
	uint32_t kmask;

	kmask = (mask & IN_ALL_EVENTS) | TREE_EVENTS | IN_ONLYDIR |
	    IN_EXCL_UNLINK | (opts->follow ? 0 : IN_DONT_FOLLOW);
	/* The close that ends each read of our own: see inwatch_ours(). */
	if (kmask & DIR_READS)
		kmask |= IN_CLOSE_NOWRITE;
	/* Every change to a file of the filter's rules. */
	if (opts->dir_hook != NULL && opts->rules_name != NULL)
		kmask |= IN_CLOSE_WRITE | IN_DELETE;
	return kmask;
}

struct inwatch *
inwatch_new(const struct watch_opts *opts)
{
	struct inwatch *w;
	int fd;

	if ((fd = events_open()) == -1)
		return NULL;
	w = xcalloc(1, sizeof(*w));
	w->opts = *opts;
	w->ifd = fd;
	w->kmask = kernel_mask(opts, opts->mask);
	w->tree = tree_new();
	if (posix_memalign((void **)&w->buf, 16, EVENTS_BUFSIZE) != 0)
		err(1, "posix_memalign");
	w->scanbuf = xmalloc(SCAN_BUFSIZE);
	w->drained_at = loop_wall_ns();
	return w;
}

void
inwatch_free(struct inwatch *w)
{
	size_t i;

	if (w == NULL)
		return;
	close(w->ifd);
	tree_free(w->tree);
	free(w->buf);
	free(w->scanbuf);
	free(w->stack);
	free(w->moves);
	for (i = 0; i < w->nroots; i++) {
		free(w->roots[i].path);
		free(w->roots[i].real);
	}
	free(w->roots);
	for (i = 0; i < w->nremounts; i++) {
		free(w->remounts[i].name);
		free(w->remounts[i].path);
	}
	free(w->remounts);
	free(w->unmounted);
	free(w);
}

int
inwatch_fd(const struct inwatch *w)
{
	return w->ifd;
}

size_t
inwatch_dirs(const struct inwatch *w)
{
	return tree_count(w->tree);
}

size_t
inwatch_roots(const struct inwatch *w)
{
	return tree_roots(w->tree);
}

size_t
inwatch_unwatched(const struct inwatch *w)
{
	return w->unwatched;
}

size_t
inwatch_unscanned(const struct inwatch *w)
{
	return w->unscanned;
}

void
inwatch_started(struct inwatch *w)
{
	w->started = 1;
}

void
inwatch_emit(struct inwatch *w, const char *path, size_t len, uint32_t mask,
    uint32_t cookie)
{
	struct pevent pev;

	if ((mask & w->opts.mask) == 0)
		return;
	if (len > 0 && w->opts.ignore != NULL &&
	    w->opts.ignore(w->opts.ignore_arg, path, len))
		return;
	pev.path = path;
	pev.len = len;
	pev.mask = mask;
	pev.cookie = cookie;
	pev.pid = 0;
	w->opts.sink(w->opts.sink_arg, &pev);
}

void
inwatch_drop_watch(void *arg, int wd)
{
	struct inwatch *w = arg;

	/* Still watched as a root's parent: see inwatch_root.c. */
	if (w->nparents > 0 && inwatch_is_parent(w, wd))
		return;
	/* The kernel may have dropped it already: EINVAL is expected. */
	(void)events_rm(w->ifd, wd);
}

void
inwatch_set_mask(struct inwatch *w, uint32_t mask)
{
	uint32_t old = w->kmask;
	struct tnode *n;
	char *path;
	size_t i, nwds, plen;
	int *wds;

	w->opts.mask = mask;
	w->kmask = kernel_mask(&w->opts, mask);
	if (w->kmask == old)
		return;
	/* Each watch asks for the new events; its descriptor stays. */
	tree_clear_marks(w->tree);
	nwds = tree_unmarked(w->tree, &wds);
	for (i = 0; i < nwds; i++) {
		if ((n = tree_lookup(w->tree, wds[i])) == NULL)
			continue;
		path = tree_path(w->tree, n, NULL, 0, 1, &plen);
		path[plen - 1] = '\0';
		if (plen - 1 < PATH_MAX)
			(void)inwatch_add(w, path, w->kmask &
			    (tree_parent(n) == NULL ? ~(uint32_t)IN_DONT_FOLLOW :
			    ~(uint32_t)0));
	}
	free(wds);
}

/* Whether the entry name in node is, through a symlink, a directory. */
static int
links_to_dir(struct inwatch *w, struct tnode *node, const struct event *ev)
{
	struct stat sb;
	char *path;
	size_t plen;

	path = tree_path(w->tree, node, ev->name, ev->namelen, 0, &plen);
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static void
handle(struct inwatch *w, const struct event *evin)
{
	struct event evbuf, *ev = &evbuf;
	struct tnode *node, *child;
	const char *path;
	size_t plen;
	int isdir;

	if (evin->mask & IN_Q_OVERFLOW) {
		inwatch_overflow(w);
		return;
	}
	/*
	 * The kernel leaves ISDIR off DELETE_SELF, MOVE_SELF, IGNORED and
	 * UNMOUNT; every watch is on a directory, so put it on.
	 */
	evbuf = *evin;
	if (ev->namelen == 0)
		evbuf.mask |= IN_ISDIR;
	isdir = (ev->mask & IN_ISDIR) != 0;
	/*
	 * A watch dropped already: its late records mean nothing now.  Or
	 * one on a root's parent only.
	 */
	if ((node = tree_lookup(w->tree, ev->wd)) == NULL) {
		if (w->nparents > 0)
			inwatch_parent_record(w, ev);
		return;
	}
	if (w->nmoves > 0 && (ev->mask & IN_MOVE_SELF) &&
	    inwatch_left(w, node))
		return;
	if (w->nmoves > 0 && inwatch_in_limbo(w, node) &&
	    !(ev->mask & IN_IGNORED))
		return;
	if ((ev->mask & DIR_READS) && (isdir || ev->namelen > 0) &&
	    inwatch_ours(w, node, ev, isdir))
		return;
	path = tree_path(w->tree, node, ev->name, ev->namelen, isdir, &plen);
	if (ev->mask & IN_IGNORED) {
		if (w->nparents > 0)
			inwatch_parent_record(w, ev);
		inwatch_emit(w, path, plen, ev->mask, ev->cookie);
		if (tree_parent(node) == NULL)
			inwatch_lose_root(w, node, "was deleted or unmounted");
		else
			tree_remove(w->tree, node, inwatch_drop_watch, w);
		return;
	}
	if ((ev->mask & IN_UNMOUNT) && tree_parent(node) == NULL) {
		inwatch_emit(w, path, plen, ev->mask, ev->cookie);
		inwatch_lose_root(w, node, "was unmounted");
		return;
	}
	if (ev->mask & IN_UNMOUNT) {
		/* After the emit: it builds paths of its own. */
		inwatch_emit(w, path, plen, ev->mask, ev->cookie);
		inwatch_unmounted(w, node);
		return;
	}
	if ((ev->mask & IN_MOVE_SELF) && tree_parent(node) == NULL) {
		inwatch_emit(w, path, plen, ev->mask, ev->cookie);
		inwatch_lose_root(w, node, "was moved away");
		return;
	}
	if (isdir && (ev->mask & IN_MOVED_FROM))
		inwatch_moved_from(w, node, ev);
	inwatch_emit(w, path, plen, ev->mask, ev->cookie);
	if (ev->namelen == 0)
		return;
	if (w->opts.rules_name != NULL && !isdir &&
	    (ev->mask & (IN_CLOSE_WRITE | IN_MOVE | IN_CREATE | IN_DELETE)) &&
	    strcmp(ev->name, w->opts.rules_name) == 0) {
		inwatch_refilter_below(w, node, 1);
		return;
	}
	/* A symlink made after the start: followed like those scans find. */
	if (!isdir && w->opts.follow && (ev->mask & (IN_CREATE | IN_MOVED_TO)))
		isdir = links_to_dir(w, node, ev);
	if (!isdir)
		return;
	/* The parent of a root, in a tree too: is the root still there? */
	if (w->nparents > 0 && (ev->mask & PARENT_EVENTS)) {
		inwatch_parent_record(w, ev);
		if ((node = tree_lookup(w->tree, ev->wd)) == NULL)
			return;
	}
	if ((ev->mask & IN_MOVED_TO) && inwatch_moved_to(w, node, ev))
		return;
	if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
		if ((node = tree_lookup(w->tree, ev->wd)) == NULL)
			return;
		if ((child = inwatch_add_dir(w, node, ev->name,
		    ev->namelen)) != NULL) {
			inwatch_push(w, tree_wd(child));
			inwatch_walk(w, ev->mask & (IN_CREATE | IN_MOVED_TO));
		}
	}
}

size_t
inwatch_feed(struct inwatch *w, const void *buf, size_t len)
{
	struct event ev;
	size_t off = 0, records = 0;
	int rc;

	while ((rc = events_next(buf, len, &off, &ev)) == 1) {
		handle(w, &ev);
		records++;
	}
	if (rc == -1)
		log_warnx("malformed inotify record at offset %zu", off);
	return records;
}

size_t
inwatch_read(struct inwatch *w)
{
	ssize_t n;
	size_t records = 0;
	int64_t before;

	for (;;) {
		before = loop_wall_ns();
		if ((n = read(w->ifd, w->buf, EVENTS_BUFSIZE)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				w->drained_at = before;
			else
				log_warnx("read inotify: %s", strerror(errno));
			break;
		}
		records += inwatch_feed(w, w->buf, (size_t)n);
		/*
		 * The kernel stops filling the buffer only when it is empty
		 * or the next record does not fit: with room left for the
		 * largest record, the queue was empty.  No read for EAGAIN.
		 */
		if ((size_t)n <= EVENTS_BUFSIZE - EVENTS_MAXRECORD) {
			w->drained_at = before;
			break;
		}
	}
	inwatch_settle_moves(w);
	inwatch_rewatch_unmounted(w);
	w->drains++;
	return records;
}

/* The inotify backend as the watch layer sees it. */
static void *
be_open(const struct watch_opts *opts)
{
	return inwatch_new(opts);
}

static void
be_close(void *w)
{
	inwatch_free(w);
}

static int
be_root(void *w, const char *path)
{
	return inwatch_root(w, path);
}

static void
be_started(void *w)
{
	inwatch_started(w);
}

static int
be_unroot(void *w, const char *path)
{
	return inwatch_unroot(w, path);
}

static void
be_set_mask(void *w, uint32_t mask)
{
	inwatch_set_mask(w, mask);
}

static void
be_refilter(void *w)
{
	inwatch_refilter(w);
}

static int
be_fd(const void *w)
{
	return inwatch_fd(w);
}

static uint64_t
be_due(const void *w)
{
	(void)w;
	return UINT64_MAX;
}

static size_t
be_read(void *w, uint64_t now)
{
	(void)now;
	return inwatch_read(w);
}

static size_t
be_dirs(const void *w)
{
	return inwatch_dirs(w);
}

static size_t
be_roots(const void *w)
{
	return inwatch_roots(w);
}

static size_t
be_unwatched(const void *w)
{
	return inwatch_unwatched(w);
}

static size_t
be_unscanned(const void *w)
{
	return inwatch_unscanned(w);
}

const struct backend_ops inwatch_backend = {
	.name = "inotify",
	.open = be_open,
	.close = be_close,
	.root = be_root,
	.started = be_started,
	.unroot = be_unroot,
	.set_mask = be_set_mask,
	.refilter = be_refilter,
	.fd = be_fd,
	.due = be_due,
	.read = be_read,
	.dirs = be_dirs,
	.roots = be_roots,
	.unwatched = be_unwatched,
	.unscanned = be_unscanned,
};
