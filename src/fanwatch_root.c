/*
 * fanwatch_root.c: the roots of the fanotify backend.  Owns adding a
 * root (its descriptor, its key and its parent's, where the kernel says
 * it is) and the mark on each filesystem that holds one, changed when
 * the rules want other events and removed with the last root on it;
 * where the roots are, learnt again after a directory moved; and a
 * root's end, deleted or moved away, reported as inotify reports it and
 * then no longer watched.
 */
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include <err.h>
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
#include "watch.h"
#include "fanwatch.h"
#include "fanwatch_int.h"
#include "xmalloc.h"

/* Events the backend needs whatever the rules want. */
#define TREE_EVENTS		(FAN_CREATE | FAN_DELETE | FAN_ONDIR)

/* Why a root's filesystem could not be marked, errno err. */
static const char *
mark_strerror(int err, char *buf, size_t size)
{
	switch (err) {
	case EXDEV:
		snprintf(buf, size, "fanotify cannot mark this filesystem "
		    "(a btrfs subvolume, or an id shared with another); use "
		    "--backend inotify");
		break;
	case EOPNOTSUPP:
	case ENODEV:
		snprintf(buf, size, "fanotify cannot mark this filesystem "
		    "(it has no file handles); use --backend inotify");
		break;
	case ENOSPC:
		snprintf(buf, size, "fanotify mark limit reached (see "
		    "fs.fanotify.max_user_marks)");
		break;
	default:
		fanwatch_strerror(err, buf, size);
		break;
	}
	return buf;
}

/* The fanotify bits that the inotify bits mask needs, and the tree. */
uint64_t
fanwatch_kernel_mask(const struct fanwatch *w, uint32_t mask)
{
	uint64_t fan;

	/*
	 * A directory's own end is told with its name's: see on_entry()
	 * in fanwatch.c.
	 */
	mask &= ~(uint32_t)(IN_DELETE_SELF | IN_MOVE_SELF);
	fan = fanrec_from_inotify(mask, w->target) | TREE_EVENTS |
	    (w->target ? FAN_RENAME : FAN_MOVED_FROM | FAN_MOVED_TO);
	/* Every change to a file of the filter's rules. */
	if (w->opts.dir_hook != NULL && w->opts.rules_name != NULL)
		fan |= FAN_CLOSE_WRITE;
	return fan;
}

void
fanwatch_free_root(struct froot *r)
{
	if (r->fd != -1)
		close(r->fd);
	r->fd = -1;
	free(r->path);
	free(r->self);
	free(r->canon);
	free(r->name);
}

static void
warn_path(const char *path, size_t len, const char *what, const char *why)
{
	char *v;

	v = log_vis(path, len);
	log_warnx("%s%s: %s", what, v, why);
	free(v);
}

/* Stores the key of the object at path in dirfd; -1 with errno set. */
static int
key_of(int dirfd, const char *path, int flags, const unsigned char *fsid,
    unsigned char *key, size_t *keylenp)
{
	struct {
		struct file_handle fh;
		unsigned char	 bytes[FANREC_HANDLE_MAX];
	} h;
	int mntid;

	h.fh.handle_bytes = FANREC_HANDLE_MAX;
	if (name_to_handle_at(dirfd, path, &h.fh, &mntid, flags) == -1)
		return -1;
	memcpy(key, fsid, FANREC_FSID_LEN);
	memcpy(key + FANREC_FSID_LEN, &h.fh, 8 + h.fh.handle_bytes);
	*keylenp = FANREC_FSID_LEN + 8 + h.fh.handle_bytes;
	return 0;
}

/* The live root whose directory key names, or SIZE_MAX. */
size_t
fanwatch_root_by_key(const struct fanwatch *w, const unsigned char *key,
    size_t len)
{
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].fd != -1 &&
		    fanwatch_same_key(w->roots[i].key, w->roots[i].keylen, key,
		    len))
			return i;
	return SIZE_MAX;
}

/* The live root that the entry dir (a parent and a name) is; SIZE_MAX. */
static size_t
root_by_name(const struct fanwatch *w, const struct fanrec_obj *dir)
{
	const struct froot *r;
	size_t i;

	for (i = 0; i < w->nroots; i++) {
		r = &w->roots[i];
		if (r->fd != -1 && dir->name != NULL &&
		    fanwatch_same_key(r->pkey, r->pkeylen, dir->key,
		    dir->keylen) &&
		    strcmp(r->name, dir->name) == 0)
			return i;
	}
	return SIZE_MAX;
}

/* A root whose fsid is the one key starts with, for opening handles. */
const struct froot *
fanwatch_root_on_fs(const struct fanwatch *w, const unsigned char *key)
{
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].fd != -1 &&
		    memcmp(w->roots[i].key, key, FANREC_FSID_LEN) == 0)
			return &w->roots[i];
	return NULL;
}

/* Learns again where each root is, should a parent have moved. */
void
fanwatch_refresh_roots(struct fanwatch *w)
{
	struct froot *r;
	size_t i, len;
	char *p;

	w->stale = 0;
	for (i = 0; i < w->nroots; i++) {
		r = &w->roots[i];
		if (r->fd == -1 || (p = fanwatch_fd_path(r->fd, &len)) == NULL)
			continue;
		if (fanwatch_deleted(p, len)) {
			free(p);
			continue;
		}
		free(r->canon);
		r->canon = p;
		r->canonlen = len;
	}
}

static void
drop_mark(struct fanwatch *w, const struct froot *gone)
{
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (&w->roots[i] != gone && w->roots[i].fd != -1 &&
		    memcmp(w->roots[i].key, gone->key, FANREC_FSID_LEN) == 0)
			return;		/* its filesystem still holds a root */
	(void)fanotify_mark(w->fd, FAN_MARK_REMOVE | FAN_MARK_FILESYSTEM,
	    w->fmask, gone->fd, ".");
}

struct root_ctx {
	size_t		 root;
};

static int
of_root(void *arg, struct dcval *v)
{
	const struct root_ctx *c = arg;

	return v->state == DCACHE_INSIDE && v->root == c->root;
}

/* Stops watching root i; warns with why, unless why is NULL. */
void
fanwatch_lose_root(struct fanwatch *w, size_t i, const char *why)
{
	struct froot *r = &w->roots[i];
	struct root_ctx c = { i };
	char *v;

	if (r->fd == -1)
		return;
	if (why != NULL) {
		v = log_vis(r->path, strlen(r->path));
		log_warnx("%s %s; no longer watched", v, why);
		free(v);
	}
	drop_mark(w, r);
	close(r->fd);
	r->fd = -1;
	w->live--;
	dcache_each(w->dirs, of_root, &c);
	dcache_each(w->hooked, of_root, &c);
}

/* Reports the root's own end: as inotify does, then IGNORED. */
static void
root_gone(struct fanwatch *w, size_t i, uint32_t mask, int pid,
    const char *why)
{
	struct froot *r = &w->roots[i];

	fanwatch_emit(w, r->self, r->selflen, mask | IN_ISDIR, 0, pid);
	if (mask & IN_DELETE_SELF)
		fanwatch_emit(w, r->self, r->selflen, IN_IGNORED | IN_ISDIR, 0,
		    pid);
	fanwatch_lose_root(w, i, why);
}

/*
 * A root that a deletion or rename of a directory names, if it is one:
 * its end, told from its parent's side, the object's key where the
 * kernel gives it, else by parent and name.  (A root that is a working
 * directory, watchrun's or another's, gets no DELETE_SELF when deleted.)
 * A directory renamed over a root deletes it.
 */
int
fanwatch_ends_root(struct fanwatch *w, const struct fanrec *ev)
{
	size_t i;

	if (!(ev->mask & FAN_ONDIR))
		return 0;
	if ((ev->obj.key == NULL || (i = fanwatch_root_by_key(w, ev->obj.key,
	    ev->obj.keylen)) == SIZE_MAX) &&
	    (i = root_by_name(w, &ev->dir)) == SIZE_MAX) {
		if (ev->to.key == NULL ||
		    (i = root_by_name(w, &ev->to)) == SIZE_MAX)
			return 0;
		root_gone(w, i, IN_DELETE_SELF, ev->pid, "was deleted");
		return 1;
	}
	if (ev->mask & FAN_DELETE)
		root_gone(w, i, IN_DELETE_SELF, ev->pid, "was deleted");
	else
		root_gone(w, i, IN_MOVE_SELF, ev->pid, "was moved away");
	return 1;
}

int
fanwatch_add_root(void *arg, const char *path)
{
	struct fanwatch *w = arg;
	struct froot r;
	struct statfs sf;
	const char *slash;
	size_t i, len = strlen(path);
	char msg[256];
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		warn_path(path, len, "", strerror(errno));
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.fd = fd;
	if (fstatfs(fd, &sf) == -1 ||
	    (r.canon = fanwatch_fd_path(fd, &r.canonlen)) == NULL) {
		warn_path(path, len, "", strerror(errno));
		close(fd);
		return -1;
	}
	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].fd != -1 &&
		    w->roots[i].canonlen <= r.canonlen &&
		    memcmp(w->roots[i].canon, r.canon,
		    w->roots[i].canonlen) == 0 &&
		    (r.canon[w->roots[i].canonlen] == '/' ||
		    r.canon[w->roots[i].canonlen] == '\0' ||
		    w->roots[i].canonlen == 1)) {
			log_warnx("%s: already watched as part of another root",
			    path);
			fanwatch_free_root(&r);
			return 0;
		}
	if (key_of(fd, "", AT_EMPTY_PATH, (const unsigned char *)&sf.f_fsid,
	    r.key, &r.keylen) == -1 ||
	    fanotify_mark(w->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, w->fmask,
	    fd, ".") == -1) {
		warn_path(path, len, "", mark_strerror(errno, msg,
		    sizeof(msg)));
		fanwatch_free_root(&r);
		return -1;
	}
	if (r.canonlen > 1) {
		slash = strrchr(r.canon, '/');
		r.name = xstrdup(slash + 1);
		if (key_of(fd, "..", 0, (const unsigned char *)&sf.f_fsid,
		    r.pkey, &r.pkeylen) == -1)
			r.pkeylen = 0;
	} else
		r.name = xstrdup("");
	r.path = xstrdup(path);
	if (strcmp(path, ".") == 0) {
		r.self = xstrdup("./");
		r.plen = 0;
	} else if (path[len - 1] == '/') {
		r.self = xstrdup(path);
		r.plen = len;
	} else {
		if (asprintf(&r.self, "%s/", path) == -1)
			err(1, "asprintf");
		r.plen = len + 1;
	}
	r.selflen = strlen(r.self);
	w->roots = xreallocarray(w->roots, w->nroots + 1, sizeof(*w->roots));
	w->roots[w->nroots++] = r;
	w->live++;
	if (w->opts.existing) {
		w->roots[w->nroots - 1].hooked = 1;
		fanwatch_walk(w, w->nroots - 1, r.self, r.selflen, WALK_CREATED,
		    0);
	}
	return 0;
}

int
fanwatch_unroot(void *arg, const char *path)
{
	struct fanwatch *w = arg;
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].fd != -1 && strcmp(w->roots[i].path, path) == 0)
			break;
	if (i == w->nroots)
		return -1;
	fanwatch_lose_root(w, i, NULL);
	return 0;
}

void
fanwatch_set_mask(void *arg, uint32_t mask)
{
	struct fanwatch *w = arg;
	uint64_t old = w->fmask, fan;
	size_t i, k;

	w->opts.mask = mask;
	fan = fanwatch_kernel_mask(w, mask);
	if (fan == old)
		return;
	w->fmask = fan;
	for (i = 0; i < w->nroots; i++) {
		if (w->roots[i].fd == -1)
			continue;
		/* Once per filesystem. */
		for (k = 0; k < i; k++)
			if (w->roots[k].fd != -1 && memcmp(w->roots[k].key,
			    w->roots[i].key, FANREC_FSID_LEN) == 0)
				break;
		if (k < i)
			continue;
		if (fanotify_mark(w->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
		    fan, w->roots[i].fd, ".") == -1)
			log_warnx("fanotify_mark %s: %s", w->roots[i].path,
			    strerror(errno));
		if ((old & ~fan) != 0)
			(void)fanotify_mark(w->fd, FAN_MARK_REMOVE |
			    FAN_MARK_FILESYSTEM, old & ~fan, w->roots[i].fd,
			    ".");
	}
}
