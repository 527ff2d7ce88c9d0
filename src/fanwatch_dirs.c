/*
 * fanwatch_dirs.c: directory keys for the fanotify backend.  Owns what a
 * directory's handle names.  A handle is turned into a path once
 * (open_by_handle_at(2) on a root of its filesystem, then the
 * descriptor's /proc link), and remembered by key: outside every root,
 * ignored, or inside a root at a path.  So the many events of a busy
 * filesystem outside the roots cost a lookup each, and no path is built
 * for them.  A directory renamed or deleted in the trees rewrites or
 * drops what was remembered below it.  Before the filter is asked about
 * a directory's entries, it is told of the directory and of each parent
 * up to the root, top down, each once (its rules files read lazily), and
 * a rules file changed is read again and the filter asked again.
 *
 * The kernel may have dropped a directory by the time its events are
 * read (rm -rf): one that can no longer be opened is named, where the
 * kernel reports the objects of deletions, by the deletion of it read
 * with the same events.
 */
#include <sys/fanotify.h>
#include <sys/types.h>

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dcache.h"
#include "fanrec.h"
#include "watch.h"
#include "fanwatch_int.h"
#include "xmalloc.h"

/* Parents of a deleted directory named from later events, at most. */
#define LATER_DEPTH		64

/* Reads where the descriptor fd leads, as an allocated string; NULL. */
char *
fanwatch_fd_path(int fd, size_t *lenp)
{
	char proc[64], *p = NULL;
	size_t size = 256;
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (;;) {
		p = xreallocarray(p, size, 1);
		if ((n = readlink(proc, p, size)) == -1) {
			free(p);
			return NULL;
		}
		if ((size_t)n < size)
			break;
		size *= 2;
	}
	p[n] = '\0';
	*lenp = (size_t)n;
	return p;
}

/* Whether the link text of a descriptor says its object is gone. */
int
fanwatch_deleted(const char *p, size_t len)
{
	static const char mark[] = " (deleted)";

	return len >= sizeof(mark) - 1 &&
	    strcmp(p + len - (sizeof(mark) - 1), mark) == 0;
}

int
fanwatch_same_key(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	return alen == blen && alen > 0 && memcmp(a, b, alen) == 0;
}

/* Opens rel (len bytes, below root r) with flags; -1 with errno set. */
int
fanwatch_open_rel(const struct froot *r, const char *rel, size_t len, int flags)
{
	const char *slash;
	char *c;
	int fd, next;

	while (len > 0 && rel[len - 1] == '/')
		len--;
	if (len == 0)
		return openat(r->fd, ".", flags);
	if (len < PATH_MAX) {
		c = xmemdup(rel, len);
		fd = openat(r->fd, c, flags);
		free(c);
		return fd;
	}
	/* Too long for one system call: a component at a time. */
	if ((fd = openat(r->fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	while (len > 0) {
		slash = memchr(rel, '/', len);
		c = xmemdup(rel, slash != NULL ? (size_t)(slash - rel) : len);
		next = openat(fd, c, slash != NULL ? O_PATH | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC : flags);
		free(c);
		close(fd);
		if ((fd = next) == -1)
			return -1;
		if (slash == NULL)
			break;
		len -= (size_t)(slash - rel) + 1;
		rel = slash + 1;
	}
	return fd;
}

/* Tells the filter of the directory at path (in root r), open as fd. */
void
fanwatch_hook_fd(struct fanwatch *w, int fd, const char *path, size_t len)
{
	if (w->opts.dir_hook != NULL)
		(void)w->opts.dir_hook(w->opts.ignore_arg, fd, path, len);
}

/* Tells the filter of the directory at path, in root r: reads its rules. */
static void
hook(struct fanwatch *w, const struct froot *r, const char *path, size_t len)
{
	int fd;

	if (w->opts.dir_hook == NULL)
		return;
	if (len == r->selflen && memcmp(path, r->self, len) == 0)
		fd = dup(r->fd);
	else
		fd = fanwatch_open_rel(r, path + r->plen, len - r->plen,
		    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return;		/* gone already: nothing to read */
	fanwatch_hook_fd(w, fd, path, len);
	close(fd);
}

static void
hook_root(struct fanwatch *w, struct froot *r)
{
	if (r->hooked)
		return;
	r->hooked = 1;
	hook(w, r, r->self, r->selflen);
}

/*
 * Makes sure that the filter was told of v's directory and of each
 * parent up to its root, top down, each once; finds on the way whether
 * the filter ignores it or a parent.
 */
static void
hook_chain(struct fanwatch *w, struct dcval *v)
{
	struct froot *r = &w->roots[v->root];
	size_t at;

	hook_root(w, r);
	for (at = r->plen; at < v->len; at++) {
		if (v->path[at] != '/')
			continue;
		if (fanwatch_ignored(w, v->path, at + 1)) {
			v->state = DCACHE_IGNORED;
			return;
		}
		if (w->opts.dir_hook != NULL &&
		    dcache_get(w->hooked, v->path, at + 1) == NULL) {
			hook(w, r, v->path, at + 1);
			(void)dcache_put(w->hooked, v->path, at + 1,
			    DCACHE_INSIDE, v->root, v->path, at + 1);
		}
	}
	v->hooked = 1;
}

/*
 * Where the directory at abs (as the kernel names it) lies: remembers it
 * under key as inside the deepest root that holds it, or as outside.
 */
static struct dcval *
classify(struct fanwatch *w, const unsigned char *key, size_t keylen,
    const char *abs, size_t len)
{
	const struct froot *r;
	size_t i, best = SIZE_MAX, rel;

	if (w->stale)
		fanwatch_refresh_roots(w);
	for (i = 0; i < w->nroots; i++) {
		r = &w->roots[i];
		if (r->fd == -1 || r->canonlen > len ||
		    memcmp(r->canon, abs, r->canonlen) != 0)
			continue;
		if (r->canonlen > 1 && abs[r->canonlen] != '/' &&
		    abs[r->canonlen] != '\0')
			continue;
		if (best == SIZE_MAX || r->canonlen > w->roots[best].canonlen)
			best = i;
	}
	if (best == SIZE_MAX)
		return dcache_put(w->dirs, key, keylen, DCACHE_OUTSIDE, 0,
		    NULL, 0);
	r = &w->roots[best];
	rel = r->canonlen + (r->canonlen > 1);
	if (rel >= len)
		fanwatch_pb_make(&w->scratch, r->self, r->selflen, NULL, 0, 0);
	else
		fanwatch_pb_make(&w->scratch, r->self, r->plen, abs + rel,
		    len - rel, 1);
	return dcache_put(w->dirs, key, keylen, DCACHE_INSIDE, best,
	    w->scratch.s, w->scratch.len);
}

static enum dcache_state resolve_into(struct fanwatch *,
    const unsigned char *, size_t, struct dir *, struct pbuf *, int);

/* Whether ev names a directory it deletes or moves away: its object. */
static int
names_dir(const struct fanrec *ev)
{
	return (ev->mask & (FAN_DELETE | FAN_RENAME)) &&
	    (ev->mask & FAN_ONDIR) && ev->dir.key != NULL &&
	    ev->dir.name != NULL && ev->obj.key != NULL;
}

/*
 * Notes, for the events being read, where the first event that names
 * each directory (see names_dir()) lies.
 */
void
fanwatch_index_names(struct fanwatch *w)
{
	struct fanrec ev;
	struct dcval *v;
	size_t at = 0, off = 0;

	dcache_clear(w->names);
	if (!w->target)
		return;
	while (fanrec_next(w->cur, w->curlen, &off, &ev) == 1) {
		if (names_dir(&ev) &&
		    dcache_get(w->names, ev.obj.key, ev.obj.keylen) == NULL) {
			v = dcache_put(w->names, ev.obj.key, ev.obj.keylen,
			    DCACHE_GONE, 0, NULL, 0);
			v->at = at;
		}
		at = off;
	}
}

/*
 * The entry (parent and name) that an event read after the one being
 * handled deletes or moves away the directory key from; 0 when none.
 */
static int
later_entry(struct fanwatch *w, const unsigned char *key, size_t keylen,
    struct fanrec_obj *parent)
{
	struct fanrec ev;
	struct dcval *v;
	size_t off = w->nextoff;

	if (w->cur == NULL ||
	    (v = dcache_get(w->names, key, keylen)) == NULL)
		return 0;
	/* The first is the one, unless it came before this event. */
	if (v->at >= off)
		off = v->at;
	while (fanrec_next(w->cur, w->curlen, &off, &ev) == 1)
		if (names_dir(&ev) &&
		    fanwatch_same_key(ev.obj.key, ev.obj.keylen, key, keylen)) {
			*parent = ev.dir;
			return 1;
		}
	return 0;
}

/*
 * A directory that can no longer be opened: named from an event read
 * with it or since that deletes it or moves it away, if there is one yet
 * and its parent can be named; else it is gone, for now.
 */
static struct dcval *
name_gone(struct fanwatch *w, const unsigned char *key, size_t keylen,
    int depth)
{
	struct fanrec_obj parent;
	struct pbuf ppath = { NULL, 0, 0 };
	struct dcval *v;
	struct dir pd;

	/* Without the objects of deletions, it never will be named. */
	if (!w->target)
		return dcache_put(w->dirs, key, keylen, DCACHE_OUTSIDE, 0,
		    NULL, 0);
	if (depth >= LATER_DEPTH || !later_entry(w, key, keylen, &parent))
		return dcache_put(w->dirs, key, keylen, DCACHE_GONE, 0, NULL,
		    0);
	if (resolve_into(w, parent.key, parent.keylen, &pd, &ppath,
	    depth + 1) != DCACHE_INSIDE) {
		free(ppath.s);
		return dcache_put(w->dirs, key, keylen, pd.state, 0, NULL, 0);
	}
	fanwatch_pb_make(&w->scratch, ppath.s, pd.plen, parent.name,
	    parent.namelen, 1);
	free(ppath.s);
	v = dcache_put(w->dirs, key, keylen, fanwatch_ignored(w, w->scratch.s,
	    w->scratch.len) ? DCACHE_IGNORED : DCACHE_INSIDE, pd.root,
	    w->scratch.s, w->scratch.len);
	/* Its parents were told of; it has no rules left to read. */
	v->hooked = 1;
	return v;
}

/* What the directory key is, learnt now: remembered from now on. */
static struct dcval *
learn(struct fanwatch *w, const unsigned char *key, size_t keylen,
    int depth)
{
	struct {
		struct file_handle fh;
		unsigned char	 bytes[FANREC_HANDLE_MAX];
	} h;
	const struct froot *r;
	struct dcval *v;
	char *abs;
	size_t len;
	int fd;

	if (keylen < FANREC_FSID_LEN + 8 ||
	    (r = fanwatch_root_on_fs(w, key)) == NULL)
		return dcache_put(w->dirs, key, keylen, DCACHE_OUTSIDE, 0,
		    NULL, 0);
	memcpy(&h.fh, key + FANREC_FSID_LEN, keylen - FANREC_FSID_LEN);
	if ((fd = open_by_handle_at(r->fd, &h.fh, O_PATH | O_CLOEXEC)) == -1)
		return name_gone(w, key, keylen, depth);
	abs = fanwatch_fd_path(fd, &len);
	close(fd);
	if (abs == NULL || fanwatch_deleted(abs, len) || abs[0] != '/') {
		free(abs);
		return name_gone(w, key, keylen, depth);
	}
	v = classify(w, key, keylen, abs, len);
	free(abs);
	return v;
}

/*
 * Resolves the directory key into *d; when it lies inside the trees, pb
 * holds its event path, and d->plen says how much of it its entries'
 * paths start with.  Returns d->state.
 */
static enum dcache_state
resolve_into(struct fanwatch *w, const unsigned char *key, size_t keylen,
    struct dir *d, struct pbuf *pb, int depth)
{
	struct froot *r;
	struct dcval *v;
	size_t i;

	if ((i = fanwatch_root_by_key(w, key, keylen)) != SIZE_MAX) {
		r = &w->roots[i];
		hook_root(w, r);
		fanwatch_pb_make(pb, r->self, r->selflen, NULL, 0, 0);
		d->state = DCACHE_INSIDE;
		d->root = i;
		d->plen = r->plen;
		return d->state;
	}
	if ((v = dcache_get(w->dirs, key, keylen)) == NULL)
		v = learn(w, key, keylen, depth);
	else if (v->state == DCACHE_GONE)
		v = name_gone(w, key, keylen, depth);
	if (v->state == DCACHE_INSIDE && !v->hooked)
		hook_chain(w, v);
	d->state = v->state;
	d->root = v->root;
	if (v->state != DCACHE_INSIDE)
		return d->state;
	r = &w->roots[v->root];
	fanwatch_pb_make(pb, v->path, v->len, NULL, 0, 0);
	/* The root itself, reached by another handle (a bind mount). */
	d->plen = v->len == r->selflen && memcmp(v->path, r->self,
	    v->len) == 0 ? r->plen : v->len;
	return d->state;
}

/* As resolve_into(), the path into w->dirpath. */
enum dcache_state
fanwatch_resolve(struct fanwatch *w, const unsigned char *key, size_t keylen,
    struct dir *d)
{
	return resolve_into(w, key, keylen, d, &w->dirpath, 0);
}

/* Forgets what was known at and below the directory at path. */
void
fanwatch_forget_below(struct fanwatch *w, const char *path, size_t len)
{
	(void)dcache_drop_below(w->dirs, path, len);
	(void)dcache_drop_below(w->hooked, path, len);
}

/*
 * The filter changed its mind: what it was said to ignore is learnt
 * again, and what was inside is checked again, parents first.
 */
static int
recheck(void *arg, struct dcval *v)
{
	struct fanwatch *w = arg;

	if (v->state == DCACHE_IGNORED)
		return 1;
	if (v->state == DCACHE_INSIDE && v->hooked)
		hook_chain(w, v);
	return 0;
}

void
fanwatch_refilter_dirs(struct fanwatch *w)
{
	dcache_each(w->dirs, recheck, w);
}

/*
 * The rules file in a directory of root i changed: path is the
 * directory's path or what its entries' paths start with.
 */
void
fanwatch_rules_changed(struct fanwatch *w, size_t i, const char *path,
    size_t len)
{
	struct froot *r = &w->roots[i];

	if ((len == r->selflen && memcmp(path, r->self, len) == 0) ||
	    (len == r->plen && memcmp(path, r->self, len) == 0)) {
		r->hooked = 0;
		hook_root(w, r);
	} else {
		/* Its parents were told of when its entry was resolved. */
		hook(w, r, path, len);
		(void)dcache_put(w->hooked, path, len, DCACHE_INSIDE, i, path,
		    len);
	}
	fanwatch_refilter_dirs(w);
}

int
fanwatch_is_rules_file(const struct fanwatch *w, const char *name)
{
	return w->opts.dir_hook != NULL && w->opts.rules_name != NULL &&
	    name != NULL && strcmp(name, w->opts.rules_name) == 0;
}
