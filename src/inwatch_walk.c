/*
 * inwatch_walk.c: watching and scanning for the inotify backend.  Owns
 * the walk: a watch on each directory the trees reach and a scan of what
 * it holds, through one component at a time where a path is too long;
 * the count of watchrun's own reads of each directory, so that they reach
 * nobody; the filter's rules files, read as their directory is scanned
 * and read again, with the trees refiltered, when one changes.
 *
 * A directory that appears is watched first and scanned second, so that
 * whatever is created in it meanwhile shows up in the scan, as an event,
 * or both (the batches downstream swallow the duplicate).  What the scan
 * of a created directory finds is reported as CREATE, and a regular file
 * as CREATE|WRITE too, since it may have been written before the watch
 * existed; what a directory moved in holds is reported as MOVED_TO.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "log.h"
#include "scan.h"
#include "tree.h"
#include "watch.h"
#include "inwatch.h"
#include "inwatch_int.h"
#include "xmalloc.h"

struct walk_ctx {
	struct inwatch	*w;
	int		 wd;
	uint32_t	 report;	/* CREATE, MOVED_TO or 0 */
};

void
inwatch_warn_path(const char *path, size_t len, const char *what, int err)
{
	char *v, msg[256];

	v = log_vis(path, len);
	log_warnx("%s%s: %s", what, v, events_strerror(err, msg, sizeof(msg)));
	free(v);
}

int
inwatch_add(struct inwatch *w, const char *path, uint32_t mask)
{
	int wd;

	wd = events_add(w->ifd, path, mask);
	/* mask replaced what the parent's watch asked for: ask again. */
	if (wd != -1 && w->nparents > 0 &&
	    (mask & PARENT_EVENTS) != PARENT_EVENTS && inwatch_is_parent(w, wd))
		(void)events_add(w->ifd, path, PARENT_EVENTS | IN_MASK_ADD |
		    (mask & IN_DONT_FOLLOW));
	return wd;
}

void
inwatch_push(struct inwatch *w, int wd)
{
	if (w->nstack == w->stacksize) {
		w->stacksize = w->stacksize == 0 ? 64 : w->stacksize * 2;
		w->stack = xreallocarray(w->stack, w->stacksize,
		    sizeof(*w->stack));
	}
	w->stack[w->nstack++] = wd;
}

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

/* Counts the directories below path, for the watch-limit message. */
static size_t
count_dirs(const char *path)
{
	struct count_ctx c = { 0 };
	void *buf;
	char *p;

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
 * the reads of ours whose CLOSE has yet to come, and inwatch_ours() drops
 * reads of it until then.  Only when the watch reports reads at all.
 */
static void
own_read(struct inwatch *w, struct tnode *node)
{
	if (w->kmask & IN_CLOSE_NOWRITE)
		tree_count_own_read(node, TREE_READ_DIR, 1);
}

/*
 * Whether a read is to be kept from everyone: of a directory, one of our
 * own (see own_read()), or one reported by the watch on its parent, since
 * its own watch reports it too; of the filter's rules file, one of ours.
 */
int
inwatch_ours(struct inwatch *w, struct tnode *node, const struct event *ev,
    int isdir)
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
	return inwatch_add(w, proc, w->kmask & ~IN_DONT_FOLLOW);
}

void
inwatch_add_failed(struct inwatch *w, const char *path, size_t len, int err)
{
	size_t lost;

	switch (err) {
	case ENOENT:
	case ENOTDIR:
		/* Gone or replaced before we got to it: nothing to watch. */
		return;
	case ENOSPC:
		lost = 1 + count_dirs(path);
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
		inwatch_warn_path(path, len, "cannot watch ", err);
	}
}

struct tnode *
inwatch_add_dir(struct inwatch *w, struct tnode *parent, const char *name,
    size_t len)
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
		wd = inwatch_add(w, path, w->kmask);
	else if ((fd = open_deep(w, parent, name, len)) != -1) {
		wd = add_by_fd(w, fd);
		close_keep_errno(fd);
	} else
		wd = -1;
	if (wd == -1) {
		path = tree_path(w->tree, parent, name, len, 0, &plen);
		inwatch_add_failed(w, path, plen, errno);
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
			inwatch_emit(w, path, plen, c->report | (isdir ?
			    IN_ISDIR : type == DT_REG && c->report == IN_CREATE ?
			    IN_CLOSE_WRITE : 0), 0);
		else
			inwatch_report_changed(w, dirfd, name, path, plen,
			    isdir);
	}
	if (isdir && (child = inwatch_add_dir(w, node, name, len)) != NULL)
		inwatch_push(w, tree_wd(child));
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

void
inwatch_walk(struct inwatch *w, uint32_t report)
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
			inwatch_warn_path(path, plen, "cannot read ", saved);
		}
	}
}

void
inwatch_refilter_below(struct inwatch *w, struct tnode *node, int reread)
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
			tree_remove(w->tree, n, inwatch_drop_watch, w);
	}
	free(wds);
	tree_clear_marks(w->tree);
	tree_set_mark(node, 1);
	w->rewalking = 1;
	inwatch_push(w, wd);
	inwatch_walk(w, 0);
	w->rewalking = 0;
}

void
inwatch_refilter(struct inwatch *w)
{
	struct tnode *n;
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].wd != -1 &&
		    (n = tree_lookup(w->tree, w->roots[i].wd)) != NULL)
			inwatch_refilter_below(w, n, 0);
}
