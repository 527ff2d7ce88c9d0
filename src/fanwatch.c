/*
 * fanwatch.c: the fanotify backend.  One filesystem mark per filesystem
 * that holds a root reports every change on it, each with the handle of
 * the directory it happened in and the entry's name; nothing is walked
 * to start, whatever the size of the trees.
 *
 * A directory's handle is turned into a path once (open_by_handle_at(2)
 * on the root, then the descriptor's /proc link), and remembered by
 * handle: outside every root, ignored, or inside a root at a path.  So
 * the many events of a busy filesystem outside the roots cost a lookup
 * each, and no path is built for them.  A directory renamed or deleted
 * in the trees rewrites or drops what was remembered below it.  Before
 * the filter is asked about a directory's entries, it is told of the
 * directory and of each parent up to the root, top down, each once.
 *
 * The kernel may have dropped a directory by the time its events are
 * read (rm -rf): one that can no longer be opened is named, where the
 * kernel reports the objects of deletions, by the deletion of it read
 * with the same events.
 *
 * Events are made to read as inotify's do: the same names for the same
 * changes, renames as a MOVED_FROM and MOVED_TO sharing a cookie, what a
 * directory moved in holds as MOVED_TO, a directory deleted as
 * DELETE_SELF and IGNORED, and an event identical to the last one read
 * with it merged into it.
 */
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dcache.h"
#include "fanrec.h"
#include "log.h"
#include "scan.h"
#include "watch.h"
#include "backend.h"
#include "fanwatch.h"
#include "xmalloc.h"

#ifndef FAN_REPORT_TARGET_FID
#define FAN_REPORT_TARGET_FID	0x00001000
#endif
#ifndef FAN_RENAME
#define FAN_RENAME		0x10000000
#endif

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

/* Parents of a deleted directory named from later events, at most. */
#define LATER_DEPTH		64

/* Bytes of events kept waiting for their directory to be named. */
#define PENDING_MAX		(256 * 1024)

/* Bytes past a path's end that PCRE2's JIT may read: kept defined. */
#define PATH_SLACK		16

/* File times are taken from a coarse clock: look back this far (ns). */
#define RESCAN_SLACK_NS		50000000LL

/* Events the backend needs whatever the rules want. */
#define TREE_EVENTS		(FAN_CREATE | FAN_DELETE | FAN_ONDIR)

/* A path being built, NUL-terminated, with defined bytes past its end. */
struct pbuf {
	char		*s;
	size_t		 len;
	size_t		 size;
};

struct froot {
	char		*path;		/* as given */
	char		*self;		/* its event path: "./", "w/" */
	size_t		 selflen;
	size_t		 plen;		/* what its entries' paths start with */
	int		 fd;		/* open_by_handle_at(2)'s; -1: gone */
	char		*canon;		/* where the kernel says it is */
	size_t		 canonlen;
	unsigned char	 key[FANREC_KEY_MAX];
	size_t		 keylen;
	unsigned char	 pkey[FANREC_KEY_MAX];	/* its parent's */
	size_t		 pkeylen;	/* 0: none */
	char		*name;		/* its name in its parent */
	int		 hooked;	/* rules read */
};

/* A directory, as resolve() found it. */
struct dir {
	enum dcache_state state;
	size_t		 root;
	size_t		 plen;		/* of its path, for its entries */
};

/* A side of a rename, inside the trees or not. */
struct side {
	int		 inside;
	int		 gone;		/* its directory: see DCACHE_GONE */
	size_t		 root;
	struct pbuf	*path;		/* NULL when not inside */
};

enum walk_report { WALK_CREATED, WALK_MOVED, WALK_CHANGED };

struct fanwatch {
	struct watch_opts opts;
	int		 fd;
	int		 target;	/* kernel reports objects, FAN_RENAME */
	uint64_t	 fmask;		/* what the marks ask for */
	struct froot	*roots;
	size_t		 nroots;
	size_t		 live;
	struct dcache	*dirs;		/* by key */
	struct dcache	*hooked;	/* by path: rules read */
	struct dcache	*names;		/* see index_names() */
	char		*pending;	/* events waiting: see feed() */
	size_t		 npending;
	char		*joined;	/* those, then those read */
	char		*buf;		/* aligned for the metadata */
	void		*scanbuf;
	struct pbuf	 dirpath;	/* resolve()'s */
	struct pbuf	 ev[2];		/* an event's paths */
	struct pbuf	 scratch;
	struct pbuf	 last;		/* the last emitted, for merging */
	uint32_t	 lastmask;
	uint32_t	 lastcookie;
	int		 haslast;
	uint32_t	 cookie;
	pid_t		 self;
	int		 stale;		/* a directory moved: roots may have */
	/* The events being read, for naming deleted directories. */
	const char	*cur;
	size_t		 curlen;
	size_t		 nextoff;
	/* Without FAN_RENAME: a MOVED_FROM waiting for its MOVED_TO. */
	struct pbuf	 from;
	int		 hasfrom;
	int		 fromdir;
	int		 frompid;
	size_t		 fromroot;
	uint32_t	 fromcookie;
	int64_t		 since;
	int64_t		 drained_at;
	size_t		 unscanned;
};

static int64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Makes pb the len bytes at a, then the blen at b, then '/' if slash;
 * neither a nor b may lie in pb.
 */
static void
pb_make(struct pbuf *pb, const char *a, size_t alen, const char *b,
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

static int
ignored(struct fanwatch *w, const char *path, size_t len)
{
	return w->opts.ignore != NULL &&
	    w->opts.ignore(w->opts.ignore_arg, path, len);
}

static void
emit_pid(struct fanwatch *w, const char *path, size_t len, uint32_t mask,
    uint32_t cookie, int pid)
{
	struct pevent pev;

	if ((mask & w->opts.mask) == 0)
		return;
	if (len > 0 && ignored(w, path, len))
		return;
	/* inotify merges an event into the same one queued last. */
	if (w->haslast && w->lastmask == mask && w->lastcookie == cookie &&
	    w->last.len == len && memcmp(w->last.s, path, len) == 0)
		return;
	pb_make(&w->last, path, len, NULL, 0, 0);
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

static void
warn_path(const char *path, size_t len, const char *what, const char *why)
{
	char *v;

	v = log_vis(path, len);
	log_warnx("%s%s: %s", what, v, why);
	free(v);
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
static uint64_t
kernel_mask(const struct fanwatch *w, uint32_t mask)
{
	uint64_t fan;

	/* A directory's own end is told with its name's: see on_entry(). */
	mask &= ~(uint32_t)(IN_DELETE_SELF | IN_MOVE_SELF);
	fan = fanrec_from_inotify(mask, w->target) | TREE_EVENTS |
	    (w->target ? FAN_RENAME : FAN_MOVED_FROM | FAN_MOVED_TO);
	/* Every change to a file of the filter's rules. */
	if (w->opts.dir_hook != NULL && w->opts.rules_name != NULL)
		fan |= FAN_CLOSE_WRITE;
	return fan;
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

static struct fanwatch *
fanwatch_new(const struct watch_opts *opts)
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
	w->fmask = kernel_mask(w, opts->mask);
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
	w->drained_at = wall_ns();
	/* Events come from where things are, not from where links lead. */
	if (opts->follow)
		log_warnx("fanotify: --follow-symlinks: directories that "
		    "links lead to are watched only where they lie inside a "
		    "root");
	return w;
}

static void
free_root(struct froot *r)
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
fanwatch_free(struct fanwatch *w)
{
	size_t i;

	if (w == NULL)
		return;
	close(w->fd);
	for (i = 0; i < w->nroots; i++)
		free_root(&w->roots[i]);
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

/* Reads where the descriptor fd leads, as an allocated string; NULL. */
static char *
fd_path(int fd, size_t *lenp)
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
static int
deleted(const char *p, size_t len)
{
	static const char mark[] = " (deleted)";

	return len >= sizeof(mark) - 1 &&
	    strcmp(p + len - (sizeof(mark) - 1), mark) == 0;
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

static int
same_key(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	return alen == blen && alen > 0 && memcmp(a, b, alen) == 0;
}

/* The live root whose directory key names, or SIZE_MAX. */
static size_t
root_by_key(const struct fanwatch *w, const unsigned char *key, size_t len)
{
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].fd != -1 &&
		    same_key(w->roots[i].key, w->roots[i].keylen, key, len))
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
		    same_key(r->pkey, r->pkeylen, dir->key, dir->keylen) &&
		    strcmp(r->name, dir->name) == 0)
			return i;
	}
	return SIZE_MAX;
}

/* A root whose fsid is the one key starts with, for opening handles. */
static const struct froot *
root_on_fs(const struct fanwatch *w, const unsigned char *key)
{
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].fd != -1 &&
		    memcmp(w->roots[i].key, key, FANREC_FSID_LEN) == 0)
			return &w->roots[i];
	return NULL;
}

/* Learns again where each root is, should a parent have moved. */
static void
refresh_roots(struct fanwatch *w)
{
	struct froot *r;
	size_t i, len;
	char *p;

	w->stale = 0;
	for (i = 0; i < w->nroots; i++) {
		r = &w->roots[i];
		if (r->fd == -1 || (p = fd_path(r->fd, &len)) == NULL)
			continue;
		if (deleted(p, len)) {
			free(p);
			continue;
		}
		free(r->canon);
		r->canon = p;
		r->canonlen = len;
	}
}

/* Opens rel (len bytes, below root r) with flags; -1 with errno set. */
static int
open_rel(const struct froot *r, const char *rel, size_t len, int flags)
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
static void
hook_fd(struct fanwatch *w, int fd, const char *path, size_t len)
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
		fd = open_rel(r, path + r->plen, len - r->plen, O_PATH |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return;		/* gone already: nothing to read */
	hook_fd(w, fd, path, len);
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
		if (ignored(w, v->path, at + 1)) {
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
		refresh_roots(w);
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
		pb_make(&w->scratch, r->self, r->selflen, NULL, 0, 0);
	else
		pb_make(&w->scratch, r->self, r->plen, abs + rel, len - rel, 1);
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
static void
index_names(struct fanwatch *w)
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
		    same_key(ev.obj.key, ev.obj.keylen, key, keylen)) {
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
	pb_make(&w->scratch, ppath.s, pd.plen, parent.name, parent.namelen,
	    1);
	free(ppath.s);
	v = dcache_put(w->dirs, key, keylen, ignored(w, w->scratch.s,
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

	if (keylen < FANREC_FSID_LEN + 8 || (r = root_on_fs(w, key)) == NULL)
		return dcache_put(w->dirs, key, keylen, DCACHE_OUTSIDE, 0,
		    NULL, 0);
	memcpy(&h.fh, key + FANREC_FSID_LEN, keylen - FANREC_FSID_LEN);
	if ((fd = open_by_handle_at(r->fd, &h.fh, O_PATH | O_CLOEXEC)) == -1)
		return name_gone(w, key, keylen, depth);
	abs = fd_path(fd, &len);
	close(fd);
	if (abs == NULL || deleted(abs, len) || abs[0] != '/') {
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

	if ((i = root_by_key(w, key, keylen)) != SIZE_MAX) {
		r = &w->roots[i];
		hook_root(w, r);
		pb_make(pb, r->self, r->selflen, NULL, 0, 0);
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
	pb_make(pb, v->path, v->len, NULL, 0, 0);
	/* The root itself, reached by another handle (a bind mount). */
	d->plen = v->len == r->selflen && memcmp(v->path, r->self,
	    v->len) == 0 ? r->plen : v->len;
	return d->state;
}

/* As resolve_into(), the path into w->dirpath. */
static enum dcache_state
resolve(struct fanwatch *w, const unsigned char *key, size_t keylen,
    struct dir *d)
{
	return resolve_into(w, key, keylen, d, &w->dirpath, 0);
}

/* Forgets what was known at and below the directory at path. */
static void
forget_below(struct fanwatch *w, const char *path, size_t len)
{
	(void)dcache_drop_below(w->dirs, path, len);
	(void)dcache_drop_below(w->hooked, path, len);
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
static void
lose_root(struct fanwatch *w, size_t i, const char *why)
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

	emit_pid(w, r->self, r->selflen, mask | IN_ISDIR, 0, pid);
	if (mask & IN_DELETE_SELF)
		emit_pid(w, r->self, r->selflen, IN_IGNORED | IN_ISDIR, 0, pid);
	lose_root(w, i, why);
}

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
	struct stat sb;
	int64_t c, m;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return;
	c = (int64_t)sb.st_ctim.tv_sec * 1000000000LL + sb.st_ctim.tv_nsec;
	m = (int64_t)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
	if (c >= w->since || m >= w->since)
		emit_pid(w, path, len, IN_Q_OVERFLOW | (isdir ? IN_ISDIR : 0),
		    0, 0);
}

static int
walk_entry(void *arg, int dirfd, const char *name, size_t len,
    unsigned char type)
{
	struct walk_ctx *c = arg;
	struct fanwatch *w = c->w;
	struct pbuf *pb = &w->scratch;
	int isdir = type == DT_DIR;

	pb_make(pb, c->dir, c->plen, name, len, isdir);
	if (isdir && ignored(w, pb->s, pb->len))
		return 0;
	switch (c->report) {
	case WALK_CREATED:
		emit_pid(w, pb->s, pb->len, IN_CREATE | (isdir ? IN_ISDIR :
		    type == DT_REG ? IN_CLOSE_WRITE : 0), 0, c->pid);
		break;
	case WALK_MOVED:
		emit_pid(w, pb->s, pb->len, IN_MOVED_TO |
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
static void
walk(struct fanwatch *w, size_t i, const char *path, size_t len,
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
		fd = open_rel(r, dir + r->plen, c.dirlen - r->plen, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		rc = -1;
		if (fd != -1) {
			hook_fd(w, fd, dir, c.dirlen);
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

static void
refilter_dirs(struct fanwatch *w)
{
	dcache_each(w->dirs, recheck, w);
}

/*
 * The rules file in a directory of root i changed: path is the
 * directory's path or what its entries' paths start with.
 */
static void
rules_changed(struct fanwatch *w, size_t i, const char *path, size_t len)
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
	refilter_dirs(w);
}

static int
is_rules_file(const struct fanwatch *w, const char *name)
{
	return w->opts.dir_hook != NULL && w->opts.rules_name != NULL &&
	    name != NULL && strcmp(name, w->opts.rules_name) == 0;
}

static uint32_t
next_cookie(struct fanwatch *w)
{
	if (++w->cookie == 0)
		w->cookie = 1;
	return w->cookie;
}

/*
 * Resolves one side of a rename, the entry name in the directory dir,
 * into *s, its path into pb when it lies inside the trees.
 */
static void
resolve_side(struct fanwatch *w, const struct fanrec_obj *dir, int isdir,
    struct pbuf *pb, struct side *s)
{
	struct dir d;

	s->inside = 0;
	s->gone = 0;
	s->path = NULL;
	if (dir->key == NULL || dir->name == NULL)
		return;
	if (resolve(w, dir->key, dir->keylen, &d) != DCACHE_INSIDE) {
		s->gone = d.state == DCACHE_GONE;
		return;
	}
	pb_make(pb, w->dirpath.s, d.plen, dir->name, dir->namelen, isdir);
	s->root = d.root;
	s->path = pb;
	s->inside = !ignored(w, pb->s, pb->len);
}

/* The directory at from moved to to (either may be outside): follows. */
static void
dir_moved(struct fanwatch *w, const struct side *from, const struct side *to,
    const struct fanrec_obj *obj, int pid)
{
	w->stale = 1;
	if (from->inside && to->inside) {
		(void)dcache_moved(w->dirs, from->path->s, from->path->len,
		    to->path->s, to->path->len, to->root);
		(void)dcache_drop_below(w->hooked, from->path->s,
		    from->path->len);
		/* As inotify's watch on it reports, after the rename. */
		emit_pid(w, to->path->s, to->path->len, IN_MOVE_SELF | IN_ISDIR,
		    0, pid);
		return;
	}
	if (from->inside)
		forget_below(w, from->path->s, from->path->len);
	if (!to->inside)
		return;
	/* What was known of it and below it, outside, no longer holds. */
	(void)dcache_drop_state(w->dirs, DCACHE_OUTSIDE);
	(void)dcache_drop_state(w->dirs, DCACHE_IGNORED);
	if (obj->key != NULL)
		(void)dcache_put(w->dirs, obj->key, obj->keylen,
		    DCACHE_INSIDE, to->root, to->path->s, to->path->len);
	walk(w, to->root, to->path->s, to->path->len, WALK_MOVED, pid);
}

/* The entry name of side s is the filter's rules file: they changed. */
static void
side_rules(struct fanwatch *w, const struct side *s, const char *name,
    size_t namelen)
{
	if (s->inside && is_rules_file(w, name))
		rules_changed(w, s->root, s->path->s, s->path->len - namelen);
}

/*
 * A root that a deletion or rename of a directory names, if it is one:
 * its end, told from its parent's side, the object's key where the
 * kernel gives it, else by parent and name.  (A root that is a working
 * directory, watchrun's or another's, gets no DELETE_SELF when deleted.)
 * A directory renamed over a root deletes it.
 */
static int
ends_root(struct fanwatch *w, const struct fanrec *ev)
{
	size_t i;

	if (!(ev->mask & FAN_ONDIR))
		return 0;
	if ((ev->obj.key == NULL || (i = root_by_key(w, ev->obj.key,
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

static void
emit_side(struct fanwatch *w, const struct side *s, uint32_t mask,
    uint32_t cookie, int pid)
{
	if (s->path != NULL)
		emit_pid(w, s->path->s, s->path->len, mask, cookie, pid);
}

static int
on_rename(struct fanwatch *w, const struct fanrec *ev)
{
	struct side from, to;
	uint32_t cookie, dirbit = ev->mask & FAN_ONDIR ? IN_ISDIR : 0;

	(void)ends_root(w, ev);
	resolve_side(w, &ev->dir, dirbit != 0, &w->ev[0], &from);
	if (from.gone)
		return 0;
	resolve_side(w, &ev->to, dirbit != 0, &w->ev[1], &to);
	if (to.gone)
		return 0;
	cookie = next_cookie(w);
	emit_side(w, &from, IN_MOVED_FROM | dirbit, cookie, ev->pid);
	emit_side(w, &to, IN_MOVED_TO | dirbit, cookie, ev->pid);
	if (dirbit)
		dir_moved(w, &from, &to, &ev->obj, ev->pid);
	else {
		side_rules(w, &from, ev->dir.name, ev->dir.namelen);
		side_rules(w, &to, ev->to.name, ev->to.namelen);
	}
	return 1;
}

/*
 * Without FAN_RENAME (before Linux 5.17) a rename comes as a MOVED_FROM
 * and a MOVED_TO in a row.  The MOVED_FROM is reported as it comes and
 * kept until the next event says whether its MOVED_TO follows; a
 * directory whose MOVED_TO does not follow left the trees.
 */
static void
settle_from(struct fanwatch *w)
{
	if (w->hasfrom && w->fromdir)
		forget_below(w, w->from.s, w->from.len);
	w->hasfrom = 0;
}

static void
on_move_half(struct fanwatch *w, const struct fanrec *ev)
{
	struct side from = { 0, 0, 0, NULL }, to;
	uint32_t dirbit = ev->mask & FAN_ONDIR ? IN_ISDIR : 0, cookie;
	int paired;

	if (ev->mask & FAN_MOVED_FROM) {
		settle_from(w);
		(void)ends_root(w, ev);
		resolve_side(w, &ev->dir, dirbit != 0, &w->from, &from);
		w->fromcookie = next_cookie(w);
		emit_side(w, &from, IN_MOVED_FROM | dirbit, w->fromcookie,
		    ev->pid);
		if (!dirbit)
			side_rules(w, &from, ev->dir.name, ev->dir.namelen);
		w->hasfrom = from.inside;
		w->fromdir = dirbit != 0;
		w->frompid = ev->pid;
		w->fromroot = from.root;
		return;
	}
	paired = w->hasfrom && w->frompid == ev->pid &&
	    w->fromdir == (dirbit != 0);
	if (!paired)
		settle_from(w);
	resolve_side(w, &ev->dir, dirbit != 0, &w->ev[1], &to);
	cookie = paired ? w->fromcookie : next_cookie(w);
	emit_side(w, &to, IN_MOVED_TO | dirbit, cookie, ev->pid);
	if (paired) {
		from.inside = 1;
		from.root = w->fromroot;
		from.path = &w->from;
		w->hasfrom = 0;
	}
	if (dirbit)
		dir_moved(w, &from, &to, &ev->obj, ev->pid);
	else
		side_rules(w, &to, ev->dir.name, ev->dir.namelen);
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
	if ((i = root_by_key(w, self->key, self->keylen)) != SIZE_MAX) {
		path = w->roots[i].self;
		len = w->roots[i].selflen;
	} else if (resolve(w, self->key, self->keylen, &d) == DCACHE_INSIDE) {
		path = w->dirpath.s;
		len = w->dirpath.len;
	} else
		return;
	for (k = 0; k < n; k++)
		emit_pid(w, path, len, bits[k] | IN_ISDIR, 0, ev->pid);
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

	if ((ev->mask & FAN_DELETE) && ends_root(w, ev))
		return 1;
	if (resolve(w, ev->dir.key, ev->dir.keylen, &d) != DCACHE_INSIDE)
		return d.state != DCACHE_GONE;
	r = &w->roots[d.root];
	pb_make(pb, w->dirpath.s, d.plen, ev->dir.name, ev->dir.namelen,
	    isdir);
	n = fanrec_order(in, (in & IN_CREATE) && (in & IN_DELETE) &&
	    exists(r, pb->s, pb->len), bits);
	for (k = 0; k < n; k++) {
		/* A directory's own end comes before its name's. */
		if (bits[k] == IN_DELETE && isdir) {
			emit_pid(w, pb->s, pb->len, IN_DELETE_SELF | IN_ISDIR,
			    0, ev->pid);
			emit_pid(w, pb->s, pb->len, IN_IGNORED | IN_ISDIR, 0,
			    ev->pid);
		}
		emit_pid(w, pb->s, pb->len, bits[k] | (isdir ? IN_ISDIR : 0),
		    0, ev->pid);
	}
	if (isdir && (in & IN_DELETE))
		forget_below(w, pb->s, pb->len);
	else if (isdir && (in & IN_CREATE) && ev->obj.key != NULL)
		(void)dcache_put(w->dirs, ev->obj.key, ev->obj.keylen,
		    ignored(w, pb->s, pb->len) ? DCACHE_IGNORED :
		    DCACHE_INSIDE, d.root, pb->s, pb->len);
	if (!isdir && (in & (IN_CLOSE_WRITE | IN_CREATE | IN_DELETE)) &&
	    is_rules_file(w, ev->dir.name))
		rules_changed(w, d.root, w->dirpath.s, w->dirpath.len);
	return 1;
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
static void
overflow(struct fanwatch *w)
{
	struct froot *r;
	struct stat sb;
	size_t i;

	log_warnx("fanotify event queue overflow: rescanning to catch up "
	    "(a larger fs.fanotify.max_queued_events, now %ld, makes it "
	    "rarer)", queue_limit());
	emit_pid(w, "", 0, IN_Q_OVERFLOW, 0, 0);
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
			lose_root(w, i, "disappeared");
			continue;
		}
		r->hooked = 1;
		walk(w, i, r->self, r->selflen, WALK_CHANGED, 0);
	}
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
		overflow(w);
		return 1;
	}
	/* Our own reads: of directories, and of the filter's rules. */
	if (ev->pid == w->self)
		return 1;
	if (ev->mask & FAN_RENAME)
		return on_rename(w, ev);
	if (ev->mask & (FAN_MOVED_FROM | FAN_MOVED_TO)) {
		on_move_half(w, ev);
		return 1;
	}
	settle_from(w);
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
	index_names(w);
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
fanwatch_read(struct fanwatch *w)
{
	ssize_t n;
	size_t events = 0;
	int64_t before;

	for (;;) {
		before = wall_ns();
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
	settle_from(w);
	return events;
}

static int
fanwatch_root(struct fanwatch *w, const char *path)
{
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
	    (r.canon = fd_path(fd, &r.canonlen)) == NULL) {
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
			free_root(&r);
			return 0;
		}
	if (key_of(fd, "", AT_EMPTY_PATH, (const unsigned char *)&sf.f_fsid,
	    r.key, &r.keylen) == -1 ||
	    fanotify_mark(w->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, w->fmask,
	    fd, ".") == -1) {
		warn_path(path, len, "", mark_strerror(errno, msg,
		    sizeof(msg)));
		free_root(&r);
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
		walk(w, w->nroots - 1, r.self, r.selflen, WALK_CREATED, 0);
	}
	return 0;
}

static int
fanwatch_unroot(struct fanwatch *w, const char *path)
{
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].fd != -1 && strcmp(w->roots[i].path, path) == 0)
			break;
	if (i == w->nroots)
		return -1;
	lose_root(w, i, NULL);
	return 0;
}

static void
fanwatch_set_mask(struct fanwatch *w, uint32_t mask)
{
	uint64_t old = w->fmask, fan;
	size_t i, k;

	w->opts.mask = mask;
	fan = kernel_mask(w, mask);
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

static void
fanwatch_refilter(struct fanwatch *w)
{
	refilter_dirs(w);
}

/* The fanotify backend as the watch layer sees it. */
static void *
be_open(const struct watch_opts *opts)
{
	return fanwatch_new(opts);
}

static void
be_close(void *w)
{
	fanwatch_free(w);
}

static int
be_root(void *w, const char *path)
{
	return fanwatch_root(w, path);
}

static void
be_started(void *w)
{
	(void)w;
}

static int
be_unroot(void *w, const char *path)
{
	return fanwatch_unroot(w, path);
}

static void
be_set_mask(void *w, uint32_t mask)
{
	fanwatch_set_mask(w, mask);
}

static void
be_refilter(void *w)
{
	fanwatch_refilter(w);
}

static int
be_fd(const void *w)
{
	return ((const struct fanwatch *)w)->fd;
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
	return fanwatch_read(w);
}

/* No directory is watched one by one: the ready line counts trees. */
static size_t
be_dirs(const void *w)
{
	(void)w;
	return 0;
}

static size_t
be_roots(const void *w)
{
	return ((const struct fanwatch *)w)->live;
}

static size_t
be_unwatched(const void *w)
{
	(void)w;
	return 0;
}

static size_t
be_unscanned(const void *w)
{
	return ((const struct fanwatch *)w)->unscanned;
}

const struct backend_ops fanwatch_backend = {
	.name = "fanotify",
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
