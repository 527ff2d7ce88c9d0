/*
 * inwatch.c: the inotify backend.  Keeps a watch on every directory of
 * the trees and turns inotify records into path events.
 *
 * A directory that appears is watched first and scanned second, so that
 * whatever is created in it meanwhile shows up in the scan, as an event,
 * or both (the batches downstream swallow the duplicate).  What the scan
 * of a created directory finds is reported as CREATE, and a regular file
 * as CREATE|WRITE too, since it may have been written before the watch
 * existed; what a directory moved in holds is reported as MOVED_TO.  A directory renamed inside the trees is
 * paired by cookie and keeps its watches; one that leaves is forgotten.
 * On a queue overflow every directory is walked again: new ones are
 * watched, renamed ones found by their watch descriptor, vanished ones
 * dropped, and files changed since the queue was last empty are reported.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "log.h"
#include "scan.h"
#include "tree.h"
#include "watch.h"
#include "backend.h"
#include "inwatch.h"
#include "xmalloc.h"

/* Events the tree needs whatever the rules want. */
#define TREE_EVENTS	(IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | \
			    IN_MOVE_SELF | IN_DELETE_SELF)

/* Reading a directory: what watchrun's own scans cause too. */
#define DIR_READS	(IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE)

/* File times are taken from a coarse clock: look back this far (ns). */
#define RESCAN_SLACK_NS	50000000LL

struct move {
	uint32_t	 cookie;
	int		 wd;		/* the directory that left its parent */
	uint64_t	 drain;		/* the drain that saw it leave */
};

/* A directory whose filesystem was unmounted, to be watched again. */
struct remount {
	int		 parent;	/* its parent's watch */
	char		*name;
	char		*path;
	int		 warned;
};

struct root {
	char		*path;
	int		 wd;		/* -1 once gone */
};

struct inwatch {
	struct watch_opts opts;
	int		 ifd;
	uint32_t	 kmask;		/* what inotify_add_watch asks for */
	struct tree	*tree;
	char		*buf;		/* aligned for struct inotify_event */
	void		*scanbuf;
	int		*stack;		/* directories waiting for a scan */
	size_t		 nstack;
	size_t		 stacksize;
	struct move	*moves;
	size_t		 nmoves;
	size_t		 movesize;
	struct root	*roots;
	size_t		 nroots;
	size_t		 unwatched;
	size_t		 unscanned;	/* for want of descriptors */
	int		 started;	/* the initial walk is over */
	int		 rescanning;
	int		 rewalking;	/* the filter's rules changed */
	int64_t		 since;		/* rescan: report changes after this */
	int64_t		 drained_at;	/* when the queue was last empty */
	uint64_t	 drains;	/* drains of the queue so far */
	char		*unmounted;	/* the last unmount reported, or NULL */
	struct remount	*remounts;	/* watches lost to unmounts */
	size_t		 nremounts;
};

struct walk_ctx {
	struct inwatch	*w;
	int		 wd;
	uint32_t	 report;	/* CREATE, MOVED_TO or 0 */
};

static int64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
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
	w->kmask = (opts->mask & IN_ALL_EVENTS) | TREE_EVENTS | IN_ONLYDIR |
	    IN_EXCL_UNLINK | (opts->follow ? 0 : IN_DONT_FOLLOW);
	/* The close that ends each read of our own: see own_read(). */
	if (w->kmask & DIR_READS)
		w->kmask |= IN_CLOSE_NOWRITE;
	/* Every change to a file of the filter's rules. */
	if (opts->dir_hook != NULL && opts->rules_name != NULL)
		w->kmask |= IN_CLOSE_WRITE | IN_DELETE;
	w->tree = tree_new();
	if (posix_memalign((void **)&w->buf, 16, EVENTS_BUFSIZE) != 0)
		err(1, "posix_memalign");
	w->scanbuf = xmalloc(SCAN_BUFSIZE);
	w->drained_at = wall_ns();
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
	for (i = 0; i < w->nroots; i++)
		free(w->roots[i].path);
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

static void
emit(struct inwatch *w, const char *path, size_t len, uint32_t mask,
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

static void
warn_path(const char *path, size_t len, const char *what, int err)
{
	char *v, msg[256];

	v = log_vis(path, len);
	log_warnx("%s%s: %s", what, v, events_strerror(err, msg, sizeof(msg)));
	free(v);
}

static void
drop_watch(void *arg, int wd)
{
	struct inwatch *w = arg;

	/* The kernel may have dropped it already: EINVAL is expected. */
	(void)events_rm(w->ifd, wd);
}

static void
push(struct inwatch *w, int wd)
{
	if (w->nstack == w->stacksize) {
		w->stacksize = w->stacksize == 0 ? 64 : w->stacksize * 2;
		w->stack = xreallocarray(w->stack, w->stacksize,
		    sizeof(*w->stack));
	}
	w->stack[w->nstack++] = wd;
}

/* Counts the directories below path, for the watch-limit message. */
static size_t count_dirs(struct inwatch *, const char *);

struct count_ctx {
	char	**paths;
	size_t	  n;
	size_t	  size;
	const char *base;
	size_t	  found;
};

static int
count_entry(void *arg, int dirfd, const char *name, size_t len,
    unsigned char type)
{
	struct count_ctx *c = arg;
	char *p;

	(void)dirfd;
	(void)len;
	if (type != DT_DIR)
		return 0;
	if (asprintf(&p, "%s/%s", c->base, name) == -1)
		err(1, "asprintf");
	if (c->n == c->size) {
		c->size = c->size == 0 ? 16 : c->size * 2;
		c->paths = xreallocarray(c->paths, c->size, sizeof(*c->paths));
	}
	c->paths[c->n++] = p;
	c->found++;
	return 0;
}

static size_t
count_dirs(struct inwatch *w, const char *path)
{
	struct count_ctx c = { 0 };
	void *buf;
	char *p;

	(void)w;
	/* Not w->scanbuf: the walk that called us is reading through it. */
	buf = xmalloc(SCAN_BUFSIZE);
	c.base = path;
	(void)scan_dir(path, 0, buf, count_entry, &c);
	while (c.n > 0) {
		p = c.paths[--c.n];
		c.base = p;
		(void)scan_dir(p, 0, buf, count_entry, &c);
		free(p);
	}
	free(c.paths);
	free(buf);
	return c.found;
}

/*
 * Notes that we opened node's directory.  Our own reads of a directory
 * must reach nobody, but inotify does not say who read: its watch counts
 * the reads of ours whose CLOSE has yet to come, and handle() drops
 * reads of it until then.  Only when the watch reports reads at all.
 */
static void
own_read(struct inwatch *w, struct tnode *node)
{
	if (w->kmask & IN_CLOSE_NOWRITE)
		tree_count_own_read(node, TREE_READ_DIR, 1);
}

/* Tells the filter of node's directory, open as fd, which path is. */
static void
dir_hook(struct inwatch *w, struct tnode *node, int fd, const char *path,
    size_t plen)
{
	/* Its read of the rules file is ours too: see own_read(). */
	if (w->opts.dir_hook(w->opts.ignore_arg, fd, path, plen) &&
	    (w->kmask & IN_CLOSE_NOWRITE))
		tree_count_own_read(node, TREE_READ_RULES, 1);
}

/* Closes fd, keeping errno for the failure being reported. */
static void
close_keep_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* Replaces fd, a directory, by its entry named by the len bytes at name. */
static int
step_down(int fd, const char *name, size_t len, int flags)
{
	char *c;
	int next;

	c = xmemdup(name, len);
	next = openat(fd, c, flags);
	free(c);
	close_keep_errno(fd);
	return next;
}

/*
 * Opens the directory name inside node (node itself when len is 0) when
 * its path is too long for one system call: from its root, one component
 * at a time.  Returns the descriptor, or -1 with errno set.
 */
static int
open_deep(struct inwatch *w, struct tnode *node, const char *name, size_t len)
{
	struct tnode **chain = NULL, *n;
	size_t depth = 0, i, nlen;
	const char *comp;
	int fd, flags;

	flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    (w->opts.follow ? 0 : O_NOFOLLOW);
	for (n = node; n != NULL; n = tree_parent(n)) {
		chain = xreallocarray(chain, depth + 1, sizeof(*chain));
		chain[depth++] = n;
	}
	/* chain[depth - 1] is the root, whose path is as short as given. */
	comp = tree_name(chain[depth - 1], &nlen);
	if ((fd = open(comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
		own_read(w, chain[depth - 1]);
	for (i = depth - 1; i > 0 && fd != -1; i--) {
		comp = tree_name(chain[i - 1], &nlen);
		if ((fd = step_down(fd, comp, nlen, flags)) != -1)
			own_read(w, chain[i - 1]);
	}
	if (fd != -1 && len > 0)
		fd = step_down(fd, name, len, flags);
	free(chain);
	return fd;
}

/*
 * Adds a watch on the directory open as fd, through its /proc/self/fd
 * link, which the kernel follows to the directory itself.
 */
static int
add_by_fd(struct inwatch *w, int fd)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return events_add(w->ifd, proc, w->kmask & ~IN_DONT_FOLLOW);
}

/* Reports a directory that could not be watched; keeps count at the limit. */
static void
add_failed(struct inwatch *w, const char *path, size_t len, int err)
{
	size_t lost;

	switch (err) {
	case ENOENT:
	case ENOTDIR:
		/* Gone or replaced before we got to it: nothing to watch. */
		return;
	case ENOSPC:
		lost = 1 + count_dirs(w, path);
		w->unwatched += lost;
		if (w->started)
			log_warnx("inotify watch limit reached: %zu %s "
			    "watched, %zu left unwatched "
			    "(fs.inotify.max_user_watches=%ld); changes there "
			    "are missed until the limit is raised "
			    "(sysctl fs.inotify.max_user_watches=N)",
			    tree_count(w->tree), log_dirs(tree_count(w->tree)),
			    w->unwatched, events_limit("max_user_watches"));
		return;
	default:
		warn_path(path, len, "cannot watch ", err);
	}
}

/*
 * Watches the directory called name inside parent and returns its node,
 * new or known, or NULL when it is ignored, unwatchable or reached twice.
 */
static struct tnode *
add_dir(struct inwatch *w, struct tnode *parent, const char *name, size_t len)
{
	struct tnode *n;
	const char *oldname;
	char *path;
	size_t plen, oldlen;
	int wd, fd, deep;

	path = tree_path(w->tree, parent, name, len, 1, &plen);
	if (w->opts.ignore != NULL &&
	    w->opts.ignore(w->opts.ignore_arg, path, plen))
		return NULL;
	/* A trailing slash would make the kernel follow a symlink. */
	path[plen - 1] = '\0';
	deep = plen - 1 >= PATH_MAX;
	if (!deep)
		wd = events_add(w->ifd, path, w->kmask);
	else if ((fd = open_deep(w, parent, name, len)) != -1) {
		wd = add_by_fd(w, fd);
		close_keep_errno(fd);
	} else
		wd = -1;
	if (wd == -1) {
		path = tree_path(w->tree, parent, name, len, 0, &plen);
		add_failed(w, path, plen, errno);
		return NULL;
	}
	if ((n = tree_lookup(w->tree, wd)) == NULL) {
		n = tree_add(w->tree, parent, name, len, wd);
		tree_set_mark(n, 1);
		/* Watched through a descriptor: its close is still to come. */
		if (deep)
			own_read(w, n);
		return n;
	}
	if (deep)
		own_read(w, n);
	/* Known already: a loop, a bind mount, a nested root, or a move. */
	if (tree_within(parent, n) || tree_parent(n) == NULL)
		return NULL;
	if (!(w->rescanning || w->rewalking) || tree_mark(n))
		return NULL;
	oldname = tree_name(n, &oldlen);
	if (tree_parent(n) != parent || oldlen != len ||
	    memcmp(oldname, name, len) != 0)
		n = tree_move(w->tree, n, parent, name, len);
	tree_set_mark(n, 1);
	return n;
}

static void
report_changed(struct inwatch *w, int dirfd, const char *name, const char *path,
    size_t plen, int isdir)
{
	struct stat sb;
	int64_t c, m;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return;
	c = (int64_t)sb.st_ctim.tv_sec * 1000000000LL + sb.st_ctim.tv_nsec;
	m = (int64_t)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
	if (c >= w->since || m >= w->since)
		emit(w, path, plen, IN_Q_OVERFLOW | (isdir ? IN_ISDIR : 0), 0);
}

static int
walk_entry(void *arg, int dirfd, const char *name, size_t len,
    unsigned char type)
{
	struct walk_ctx *c = arg;
	struct inwatch *w = c->w;
	struct tnode *node, *child;
	struct stat sb;
	const char *path;
	size_t plen;
	int isdir = type == DT_DIR;

	if ((node = tree_lookup(w->tree, c->wd)) == NULL)
		return -1;
	if (type == DT_LNK && w->opts.follow &&
	    fstatat(dirfd, name, &sb, 0) == 0 && S_ISDIR(sb.st_mode))
		isdir = 1;
	if (c->report || w->rescanning) {
		path = tree_path(w->tree, node, name, len, isdir, &plen);
		if (c->report)
			emit(w, path, plen, c->report | (isdir ? IN_ISDIR :
			    type == DT_REG && c->report == IN_CREATE ?
			    IN_CLOSE_WRITE : 0), 0);
		else
			report_changed(w, dirfd, name, path, plen, isdir);
	}
	if (isdir && (child = add_dir(w, node, name, len)) != NULL)
		push(w, tree_wd(child));
	return 0;
}

/* Opens the directory of node; returns the descriptor, or -1. */
static int
open_node(struct inwatch *w, struct tnode *node)
{
	char *path;
	size_t plen;
	int fd;

	path = tree_path(w->tree, node, NULL, 0, 1, &plen);
	if (plen >= PATH_MAX)
		return open_deep(w, node, NULL, 0);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    (w->opts.follow || tree_parent(node) == NULL ? 0 : O_NOFOLLOW));
	if (fd != -1)
		own_read(w, node);
	return fd;
}

/*
 * Scans the directories on the stack, and those they hold, depth first;
 * reports what it finds as report says (CREATE, MOVED_TO, or not at all).
 */
static void
walk(struct inwatch *w, uint32_t report)
{
	struct walk_ctx c;
	struct tnode *node;
	char *path;
	size_t plen;
	int rc, fd, saved;

	c.w = w;
	c.report = report;
	while (w->nstack > 0) {
		c.wd = w->stack[--w->nstack];
		if ((node = tree_lookup(w->tree, c.wd)) == NULL)
			continue;
		fd = open_node(w, node);
		rc = -1;
		if (fd != -1) {
			if (w->opts.dir_hook != NULL) {
				path = tree_path(w->tree, node, NULL, 0, 1,
				    &plen);
				dir_hook(w, node, fd, path, plen);
			}
			rc = scan_fd(fd, w->scanbuf, walk_entry, &c);
			close_keep_errno(fd);
		}
		if (rc == -1 && errno != ENOENT && errno != ENOTDIR) {
			saved = errno;
			if (saved == EMFILE || saved == ENFILE)
				w->unscanned++;
			/* The scan built other paths meanwhile. */
			path = tree_path(w->tree, node, NULL, 0, 1, &plen);
			warn_path(path, plen, "cannot read ", saved);
		}
	}
}

int
inwatch_root(struct inwatch *w, const char *path)
{
	struct stat sb;
	struct tnode *n;
	size_t len = strlen(path);
	int wd;

	if (stat(path, &sb) == -1) {
		warn_path(path, len, "", errno);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		warn_path(path, len, "", ENOTDIR);
		return -1;
	}
	/* A root given as a symlink is followed: the user named it. */
	if ((wd = events_add(w->ifd, path, w->kmask & ~IN_DONT_FOLLOW)) ==
	    -1) {
		if (errno == ENOSPC) {
			add_failed(w, path, len, errno);
			return 0;
		}
		warn_path(path, len, "cannot watch ", errno);
		return -1;
	}
	w->roots = xreallocarray(w->roots, w->nroots + 1, sizeof(*w->roots));
	w->roots[w->nroots].path = xstrdup(path);
	w->roots[w->nroots].wd = wd;
	w->nroots++;
	if (tree_lookup(w->tree, wd) != NULL) {
		w->roots[w->nroots - 1].wd = -1;
		log_warnx("%s: already watched as part of another root", path);
		return 0;
	}
	n = tree_add(w->tree, NULL, path, len, wd);
	push(w, tree_wd(n));
	walk(w, w->opts.existing ? IN_CREATE : 0);
	return 0;
}

void
inwatch_started(struct inwatch *w)
{
	w->started = 1;
}

static struct root *
root_of(struct inwatch *w, int wd)
{
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].wd == wd)
			return &w->roots[i];
	return NULL;
}

static void
lose_root(struct inwatch *w, struct tnode *n, const char *why)
{
	struct root *r;
	char *v;

	if ((r = root_of(w, tree_wd(n))) != NULL) {
		v = log_vis(r->path, strlen(r->path));
		log_warnx("%s %s; no longer watched", v, why);
		free(v);
		r->wd = -1;
	}
	tree_remove(w->tree, n, drop_watch, w);
}

/*
 * The filter's rules changed for what lies below node, or its rules file
 * in node did (reread: read it again first): drops what the filter now
 * ignores below node, and watches (without reporting) what it no longer
 * ignores.
 */
static void
refilter(struct inwatch *w, struct tnode *node, int reread)
{
	struct tnode *n;
	char *path;
	size_t i, nwds, plen;
	int *wds, fd, wd = tree_wd(node);

	if (reread && (fd = open_node(w, node)) != -1) {
		path = tree_path(w->tree, node, NULL, 0, 1, &plen);
		dir_hook(w, node, fd, path, plen);
		close(fd);
	}
	nwds = tree_below(w->tree, node, &wds);
	for (i = 0; i < nwds; i++) {
		if ((n = tree_lookup(w->tree, wds[i])) == NULL)
			continue;	/* below one dropped already */
		path = tree_path(w->tree, n, NULL, 0, 1, &plen);
		if (w->opts.ignore(w->opts.ignore_arg, path, plen))
			tree_remove(w->tree, n, drop_watch, w);
	}
	free(wds);
	tree_clear_marks(w->tree);
	tree_set_mark(node, 1);
	w->rewalking = 1;
	push(w, wd);
	walk(w, 0);
	w->rewalking = 0;
}

int
inwatch_unroot(struct inwatch *w, const char *path)
{
	struct tnode *n;
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (strcmp(w->roots[i].path, path) == 0)
			break;
	if (i == w->nroots)
		return -1;
	if (w->roots[i].wd != -1 &&
	    (n = tree_lookup(w->tree, w->roots[i].wd)) != NULL)
		tree_remove(w->tree, n, drop_watch, w);
	free(w->roots[i].path);
	w->roots[i] = w->roots[--w->nroots];
	return 0;
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
	w->kmask = (mask & IN_ALL_EVENTS) | TREE_EVENTS | IN_ONLYDIR |
	    IN_EXCL_UNLINK | (w->opts.follow ? 0 : IN_DONT_FOLLOW);
	if (w->kmask & DIR_READS)
		w->kmask |= IN_CLOSE_NOWRITE;
	if (w->opts.dir_hook != NULL && w->opts.rules_name != NULL)
		w->kmask |= IN_CLOSE_WRITE | IN_DELETE;
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
			(void)events_add(w->ifd, path, w->kmask &
			    (tree_parent(n) == NULL ? ~(uint32_t)IN_DONT_FOLLOW :
			    ~(uint32_t)0));
	}
	free(wds);
}

void
inwatch_refilter(struct inwatch *w)
{
	struct tnode *n;
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].wd != -1 &&
		    (n = tree_lookup(w->tree, w->roots[i].wd)) != NULL)
			refilter(w, n, 0);
}

/* Walks every root again after an overflow; see the top of the file. */
static void
rescan(struct inwatch *w)
{
	struct tnode *n;
	size_t i, k, nwds;
	int *wds, wd;

	w->rescanning = 1;
	w->since = w->drained_at - RESCAN_SLACK_NS;
	w->nmoves = 0;
	tree_clear_marks(w->tree);
	/* Some of their closes may be among the events dropped. */
	tree_clear_own_reads(w->tree);
	for (i = 0; i < w->nroots; i++) {
		if (w->roots[i].wd == -1)
			continue;
		wd = events_add(w->ifd, w->roots[i].path,
		    w->kmask & ~IN_DONT_FOLLOW);
		if (wd != w->roots[i].wd)
			continue;	/* gone or replaced: swept below */
		if ((n = tree_lookup(w->tree, wd)) == NULL)
			continue;
		tree_set_mark(n, 1);
		push(w, wd);
		walk(w, 0);
	}
	nwds = tree_unmarked(w->tree, &wds);
	for (k = 0; k < nwds; k++) {
		if ((n = tree_lookup(w->tree, wds[k])) == NULL)
			continue;
		if (tree_parent(n) == NULL)
			lose_root(w, n, "disappeared");
		else
			tree_remove(w->tree, n, drop_watch, w);
	}
	free(wds);
	w->rescanning = 0;
}

static void
overflow(struct inwatch *w)
{
	log_warnx("inotify event queue overflow: rescanning to catch up "
	    "(a larger fs.inotify.max_queued_events, now %ld, makes it rarer)",
	    events_limit("max_queued_events"));
	emit(w, "", 0, IN_Q_OVERFLOW, 0);
	rescan(w);
}

static void
moved_from(struct inwatch *w, struct tnode *parent, const struct event *ev)
{
	struct tnode *child;

	if ((child = tree_child(w->tree, parent, ev->name, ev->namelen)) == NULL)
		return;
	if (w->nmoves == w->movesize) {
		w->movesize = w->movesize == 0 ? 8 : w->movesize * 2;
		w->moves = xreallocarray(w->moves, w->movesize,
		    sizeof(*w->moves));
	}
	w->moves[w->nmoves].cookie = ev->cookie;
	w->moves[w->nmoves].wd = tree_wd(child);
	w->moves[w->nmoves].drain = w->drains;
	w->nmoves++;
}

/* Completes a directory rename inside the trees; 0 if none was pending. */
static int
moved_to(struct inwatch *w, struct tnode *parent, const struct event *ev)
{
	struct tnode *n;
	const char *path;
	size_t i, plen;

	for (i = 0; i < w->nmoves; i++)
		if (w->moves[i].cookie == ev->cookie)
			break;
	if (i == w->nmoves)
		return 0;
	n = tree_lookup(w->tree, w->moves[i].wd);
	w->moves[i] = w->moves[--w->nmoves];
	if (n == NULL || tree_within(parent, n))
		return 0;
	n = tree_move(w->tree, n, parent, ev->name, ev->namelen);
	path = tree_path(w->tree, n, NULL, 0, 1, &plen);
	if (w->opts.ignore != NULL &&
	    w->opts.ignore(w->opts.ignore_arg, path, plen))
		tree_remove(w->tree, n, drop_watch, w);
	return 1;
}

/*
 * The directory a mount covered, as far as can be told once it is gone:
 * the nearest of node and its ancestors whose path still leads somewhere.
 * Returns an allocated path.
 */
static char *
mount_point(struct inwatch *w, struct tnode *node)
{
	struct stat sb;
	struct tnode *n;
	char *p;
	size_t len;

	for (n = node; tree_parent(n) != NULL; n = tree_parent(n)) {
		p = tree_path(w->tree, n, NULL, 0, 1, &len);
		if (stat(p, &sb) == 0)
			return xmemdup(p, len);
	}
	p = tree_path(w->tree, node, NULL, 0, 1, &len);
	return xmemdup(p, len);
}

/*
 * A filesystem under the trees was unmounted: each of its watches gets
 * IN_UNMOUNT, in no useful order, then IN_IGNORED.  Each is remembered,
 * so that at the end of the drain one warning names the shallowest, and
 * once a watch is gone, whatever the mount covered is watched instead.
 */
static void
unmounted(struct inwatch *w, struct tnode *node)
{
	struct remount *r;
	const char *name;
	size_t len;

	w->remounts = xreallocarray(w->remounts, w->nremounts + 1,
	    sizeof(*w->remounts));
	r = &w->remounts[w->nremounts++];
	name = tree_name(node, &len);
	r->parent = tree_wd(tree_parent(node));
	r->name = xmemdup(name, len);
	r->path = mount_point(w, node);
	r->warned = 0;
}

static int
shorter_path(const void *a, const void *b)
{
	const struct remount *x = a, *y = b;
	size_t lx = strlen(x->path), ly = strlen(y->path);

	return lx < ly ? -1 : lx > ly;
}

static int
under(const char *path, const char *top)
{
	return top != NULL && strncmp(path, top, strlen(top)) == 0;
}

static void
rewatch_unmounted(struct inwatch *w)
{
	struct remount *r;
	struct tnode *parent, *child;
	size_t i, k, len;
	char *v;

	if (w->nremounts == 0)
		return;
	qsort(w->remounts, w->nremounts, sizeof(*w->remounts), shorter_path);
	for (i = 0; i < w->nremounts; i++) {
		r = &w->remounts[i];
		if (r->warned || under(r->path, w->unmounted))
			continue;
		for (k = 0; k < i && !under(r->path, w->remounts[k].path); k++)
			;
		if (k < i)
			continue;
		free(w->unmounted);
		w->unmounted = xstrdup(r->path);
		v = log_vis(r->path, strlen(r->path));
		log_warnx("the filesystem under %s was unmounted; watching "
		    "what it covered instead", v);
		free(v);
	}
	for (i = 0; i < w->nremounts;) {
		r = &w->remounts[i];
		r->warned = 1;
		len = strlen(r->name);
		parent = tree_lookup(w->tree, r->parent);
		/* Its IGNORED has not come yet: try again after the next drain. */
		if (parent != NULL && tree_child(w->tree, parent, r->name,
		    len) != NULL) {
			i++;
			continue;
		}
		/* Not new: it was there all along, under the mount. */
		if (parent != NULL &&
		    (child = add_dir(w, parent, r->name, len)) != NULL) {
			push(w, tree_wd(child));
			walk(w, 0);
		}
		free(r->name);
		free(r->path);
		w->remounts[i] = w->remounts[--w->nremounts];
	}
}

/*
 * The kernel queues a rename's MOVE_SELF after its MOVED_FROM and
 * MOVED_TO: a directory that gets it while its move is pending left the
 * trees.  Forgets it and returns 1; returns 0 when node is not pending.
 */
static int
left(struct inwatch *w, struct tnode *node)
{
	size_t i;

	for (i = 0; i < w->nmoves; i++)
		if (w->moves[i].wd == tree_wd(node)) {
			w->moves[i] = w->moves[--w->nmoves];
			tree_remove(w->tree, node, drop_watch, w);
			return 1;
		}
	return 0;
}

/*
 * Whether node lies in a directory that left its parent and has not
 * arrived anywhere yet.  What happens there, if it left the trees, is no
 * longer ours to report; if it moved within them, its MOVED_TO comes
 * next and ends the wait.
 */
static int
in_limbo(const struct inwatch *w, const struct tnode *node)
{
	struct tnode *m;
	size_t i;

	for (i = 0; i < w->nmoves; i++)
		if ((m = tree_lookup(w->tree, w->moves[i].wd)) != NULL &&
		    tree_within(node, m))
			return 1;
	return 0;
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

/*
 * Whether a read is to be kept from everyone: of a directory, one of our
 * own (see own_read()), or one reported by the watch on its parent, since
 * its own watch reports it too; of the filter's rules file, one of ours.
 */
static int
ours(struct inwatch *w, struct tnode *node, const struct event *ev, int isdir)
{
	int which = TREE_READ_DIR;

	if (isdir && ev->namelen > 0)
		return 1;
	if (!isdir) {
		if (w->opts.rules_name == NULL ||
		    strcmp(ev->name, w->opts.rules_name) != 0)
			return 0;
		which = TREE_READ_RULES;
	}
	if (tree_own_reads(node, which) == 0)
		return 0;
	if (ev->mask & IN_CLOSE_NOWRITE)
		tree_count_own_read(node, which, -1);
	return 1;
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
		overflow(w);
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
	/* A watch dropped already: its late records mean nothing now. */
	if ((node = tree_lookup(w->tree, ev->wd)) == NULL)
		return;
	if (w->nmoves > 0 && (ev->mask & IN_MOVE_SELF) && left(w, node))
		return;
	if (w->nmoves > 0 && in_limbo(w, node) && !(ev->mask & IN_IGNORED))
		return;
	if ((ev->mask & DIR_READS) && (isdir || ev->namelen > 0) &&
	    ours(w, node, ev, isdir))
		return;
	path = tree_path(w->tree, node, ev->name, ev->namelen, isdir, &plen);
	if (ev->mask & IN_IGNORED) {
		emit(w, path, plen, ev->mask, ev->cookie);
		if (tree_parent(node) == NULL)
			lose_root(w, node, "was deleted or unmounted");
		else
			tree_remove(w->tree, node, drop_watch, w);
		return;
	}
	if ((ev->mask & IN_UNMOUNT) && tree_parent(node) == NULL) {
		emit(w, path, plen, ev->mask, ev->cookie);
		lose_root(w, node, "was unmounted");
		return;
	}
	if (ev->mask & IN_UNMOUNT) {
		/* After the emit: unmounted() builds paths of its own. */
		emit(w, path, plen, ev->mask, ev->cookie);
		unmounted(w, node);
		return;
	}
	if ((ev->mask & IN_MOVE_SELF) && tree_parent(node) == NULL) {
		emit(w, path, plen, ev->mask, ev->cookie);
		lose_root(w, node, "was moved away");
		return;
	}
	if (isdir && (ev->mask & IN_MOVED_FROM))
		moved_from(w, node, ev);
	emit(w, path, plen, ev->mask, ev->cookie);
	if (ev->namelen == 0)
		return;
	if (w->opts.rules_name != NULL && !isdir &&
	    (ev->mask & (IN_CLOSE_WRITE | IN_MOVE | IN_CREATE | IN_DELETE)) &&
	    strcmp(ev->name, w->opts.rules_name) == 0) {
		refilter(w, node, 1);
		return;
	}
	/* A symlink made after the start: followed like those scans find. */
	if (!isdir && w->opts.follow && (ev->mask & (IN_CREATE | IN_MOVED_TO)))
		isdir = links_to_dir(w, node, ev);
	if (!isdir)
		return;
	if ((ev->mask & IN_MOVED_TO) && moved_to(w, node, ev))
		return;
	if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
		if ((node = tree_lookup(w->tree, ev->wd)) == NULL)
			return;
		if ((child = add_dir(w, node, ev->name, ev->namelen)) != NULL) {
			push(w, tree_wd(child));
			walk(w, ev->mask & (IN_CREATE | IN_MOVED_TO));
		}
	}
}

/*
 * A directory that left its parent in an earlier drain, and neither
 * arrived anywhere nor got its MOVE_SELF (see left()), is forgotten.  Not
 * in the same drain: the rename may be queueing its MOVED_TO on another
 * CPU right now, and the MOVE_SELF that follows makes sure of a next one.
 */
static void
settle_moves(struct inwatch *w)
{
	struct tnode *n;
	size_t i = 0;

	while (i < w->nmoves) {
		if (w->moves[i].drain == w->drains) {
			i++;
			continue;
		}
		if ((n = tree_lookup(w->tree, w->moves[i].wd)) != NULL)
			tree_remove(w->tree, n, drop_watch, w);
		w->moves[i] = w->moves[--w->nmoves];
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
		before = wall_ns();
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
	settle_moves(w);
	rewatch_unmounted(w);
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
