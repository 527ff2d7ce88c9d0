/*
 * watch.c: the watch layer.  Picks a backend for each root, opens each
 * backend once, on the first root that needs it, and hands every call on
 * to the backend (or backends) concerned.
 *
 * With --backend auto, a root on a filesystem where the kernel cannot see
 * every writer (remote, FUSE: see remote_fs()) is polled; any other root
 * gets inotify, unless inotify's watch limit cuts its tree short and
 * fanotify can be had, in which case the root moves to a fanotify
 * filesystem mark, which needs no watch per directory.
 *
 * When more than one backend has a descriptor, they sit in an epoll set
 * of their own, whose descriptor is the one to wait on; with one, its own
 * descriptor is, so that the common case costs nothing more.
 */
#include <sys/epoll.h>
#include <sys/statfs.h>

#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duration.h"
#include "events.h"
#include "log.h"
#include "watch.h"
#include "backend.h"
#include "fanwatch.h"
#include "xmalloc.h"

/* Polling's interval when --backend poll names none. */
#define POLL_INTERVAL_DEFAULT	1000000

/* The backends, in the order watch_summary() names them. */
static const struct backend_ops *const backends[] = {
	&inwatch_backend,
	&fanwatch_backend,
	&pollwatch_backend,
};
#define NBACKENDS	(sizeof(backends) / sizeof(backends[0]))

struct wroot {
	char		*path;
	size_t		 backend;	/* index into backends[] */
};

struct watch {
	struct watch_opts opts;
	void		*be[NBACKENDS];	/* NULL until first needed */
	int		 failed[NBACKENDS]; /* could not be opened */
	struct wroot	*roots;
	size_t		 nroots;
	int		 epfd;		/* -1 until two backends have fds */
	size_t		 forgiven;	/* unwatched dirs moved to fanotify */
};

struct watch *
watch_new(const struct watch_opts *opts)
{
	struct watch *w;

	w = xcalloc(1, sizeof(*w));
	w->opts = *opts;
	if (w->opts.poll_interval == 0)
		w->opts.poll_interval = POLL_INTERVAL_DEFAULT;
	w->epfd = -1;
	return w;
}

void
watch_free(struct watch *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < NBACKENDS; i++)
		if (w->be[i] != NULL)
			backends[i]->close(w->be[i]);
	for (i = 0; i < w->nroots; i++)
		free(w->roots[i].path);
	free(w->roots);
	if (w->epfd != -1)
		close(w->epfd);
	free(w);
}

/*
 * Filesystems whose changes may come from elsewhere than this kernel, so
 * that neither inotify nor fanotify hears of them.  The magic numbers are
 * statfs(2)'s f_type, from <linux/magic.h> and the filesystems' sources.
 */
static const char *
remote_fs(const char *path)
{
	static const struct {
		unsigned long	 magic;
		const char	*name;
	} remote[] = {
		{ 0x6969, "NFS" },
		{ 0x517b, "SMB" },
		{ 0xff534d42, "CIFS" },
		{ 0xfe534d42, "SMB2" },
		{ 0x65735546, "FUSE" },
		{ 0x01021997, "9p" },
		{ 0x00c36400, "Ceph" },
		{ 0x5346414f, "AFS" },
		{ 0x6b414653, "AFS" },
		{ 0x73757245, "Coda" },
		{ 0x564c, "NCP" },
		{ 0x7461636f, "OCFS2" },
		{ 0x01161970, "GFS2" },
		{ 0x0bd00bd0, "Lustre" },
		{ 0x47504653, "GPFS" },
		{ 0x20030528, "OrangeFS" },
		{ 0x786f4256, "VirtualBox shared folder" },
		{ 0x53464846, "WSL drvfs" },
	};
	struct statfs sf;
	size_t i;

	if (statfs(path, &sf) == -1)
		return NULL;	/* the backend's root() says why */
	for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if ((unsigned long)sf.f_type == remote[i].magic)
			return remote[i].name;
	return NULL;
}

/* Adds the descriptor of backend i to the epoll set, if there is one. */
static void
join_set(struct watch *w, size_t i)
{
	struct epoll_event ev;
	int fd = backends[i]->fd(w->be[i]);

	if (w->epfd == -1 || fd == -1)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = i;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		err(1, "epoll_ctl");
}

/* Backend i, opened if need be; NULL after saying why it cannot be. */
static void *
backend(struct watch *w, size_t i, int quiet)
{
	char msg[256];
	size_t k, withfd = 0;
	char why[256];

	if (w->be[i] != NULL)
		return w->be[i];
	if (w->failed[i])
		return NULL;
	if ((w->be[i] = backends[i]->open(&w->opts)) == NULL) {
		w->failed[i] = 1;
		if (!quiet && i == 0)
			log_warnx("inotify_init1: %s", events_strerror(errno,
			    msg, sizeof(msg)));
		else if (!quiet)
			log_warnx("%s: %s", backends[i]->name,
			    backends[i] == &fanwatch_backend ?
			    fanwatch_strerror(errno, why, sizeof(why)) :
			    strerror(errno));
		return NULL;
	}
	for (k = 0; k < NBACKENDS; k++)
		if (w->be[k] != NULL && backends[k]->fd(w->be[k]) != -1)
			withfd++;
	if (withfd == 2 && w->epfd == -1) {
		if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
			err(1, "epoll_create1");
		for (k = 0; k < NBACKENDS; k++)
			if (w->be[k] != NULL)
				join_set(w, k);
	} else
		join_set(w, i);
	return w->be[i];
}

static size_t
index_of(enum watch_kind kind)
{
	switch (kind) {
	case WATCH_FANOTIFY:
		return 1;
	case WATCH_POLL:
		return 2;
	default:
		return 0;
	}
}

/*
 * Under auto, a root whose tree inotify could not watch whole moves to a
 * fanotify mark when one can be had; returns whether it did.
 */
static int
beyond_limit(struct watch *w, const char *path, size_t before)
{
	size_t missed = inwatch_backend.unwatched(w->be[0]) - before;
	void *fan;

	if (missed == 0 || (fan = backend(w, 1, 1)) == NULL)
		return 0;
	(void)inwatch_backend.unroot(w->be[0], path);
	if (fanwatch_backend.root(fan, path) == -1)
		return 0;
	w->forgiven += missed;
	log_info("%s: more directories than inotify's watch limit allows: "
	    "watching it with fanotify instead", path);
	return 1;
}

int
watch_root(struct watch *w, const char *path)
{
	const char *fs;
	size_t i, before = 0;
	void *be;

	if (w->opts.kind == WATCH_AUTO)
		i = (fs = remote_fs(path)) != NULL ? 2 : 0;
	else
		i = index_of(w->opts.kind);
	if ((be = backend(w, i, 0)) == NULL)
		return -1;
	if (i == 0)
		before = inwatch_backend.unwatched(be);
	if (backends[i]->root(be, path) == -1)
		return -1;
	if (w->opts.kind == WATCH_AUTO && i == 0 &&
	    beyond_limit(w, path, before))
		i = 1;
	w->roots = xreallocarray(w->roots, w->nroots + 1, sizeof(*w->roots));
	w->roots[w->nroots].path = xstrdup(path);
	w->roots[w->nroots].backend = i;
	w->nroots++;
	return 0;
}

void
watch_started(struct watch *w)
{
	size_t i;

	for (i = 0; i < NBACKENDS; i++)
		if (w->be[i] != NULL)
			backends[i]->started(w->be[i]);
}

int
watch_unroot(struct watch *w, const char *path)
{
	size_t i, k;

	for (k = 0; k < w->nroots; k++)
		if (strcmp(w->roots[k].path, path) == 0)
			break;
	if (k == w->nroots)
		return -1;
	i = w->roots[k].backend;
	free(w->roots[k].path);
	w->roots[k] = w->roots[--w->nroots];
	return backends[i]->unroot(w->be[i], path);
}

void
watch_set_mask(struct watch *w, uint32_t mask)
{
	size_t i;

	w->opts.mask = mask;
	for (i = 0; i < NBACKENDS; i++)
		if (w->be[i] != NULL)
			backends[i]->set_mask(w->be[i], mask);
}

void
watch_refilter(struct watch *w)
{
	size_t i;

	for (i = 0; i < NBACKENDS; i++)
		if (w->be[i] != NULL)
			backends[i]->refilter(w->be[i]);
}

int
watch_fd(const struct watch *w)
{
	size_t i;
	int fd;

	if (w->epfd != -1)
		return w->epfd;
	for (i = 0; i < NBACKENDS; i++)
		if (w->be[i] != NULL && (fd = backends[i]->fd(w->be[i])) != -1)
			return fd;
	return -1;
}

uint64_t
watch_due(const struct watch *w)
{
	uint64_t due, first = UINT64_MAX;
	size_t i;

	for (i = 0; i < NBACKENDS; i++)
		if (w->be[i] != NULL &&
		    (due = backends[i]->due(w->be[i])) < first)
			first = due;
	return first;
}

size_t
watch_read(struct watch *w, uint64_t now)
{
	size_t i, got = 0;

	/* Reading a backend with nothing queued costs one EAGAIN. */
	for (i = 0; i < NBACKENDS; i++)
		if (w->be[i] != NULL && (backends[i]->fd(w->be[i]) != -1 ||
		    backends[i]->due(w->be[i]) <= now))
			got += backends[i]->read(w->be[i], now);
	return got;
}

uint64_t
watch_seen(const struct watch *w, uint64_t began)
{
	uint64_t seen, until = began;
	size_t i;

	for (i = 0; i < NBACKENDS; i++)
		if (w->be[i] != NULL && backends[i]->seen != NULL &&
		    (seen = backends[i]->seen(w->be[i], began)) < until)
			until = seen;
	return until;
}

enum count { DIRS, ROOTS, UNWATCHED, UNSCANNED };

static size_t
total(const struct watch *w, enum count what)
{
	const struct backend_ops *ops;
	size_t i, n = 0;

	for (i = 0; i < NBACKENDS; i++) {
		if (w->be[i] == NULL)
			continue;
		ops = backends[i];
		switch (what) {
		case DIRS:
			n += ops->dirs(w->be[i]);
			break;
		case ROOTS:
			n += ops->roots(w->be[i]);
			break;
		case UNWATCHED:
			n += ops->unwatched(w->be[i]);
			break;
		case UNSCANNED:
			n += ops->unscanned(w->be[i]);
			break;
		}
	}
	return n;
}

size_t
watch_dirs(const struct watch *w)
{
	return total(w, DIRS);
}

size_t
watch_roots(const struct watch *w)
{
	return total(w, ROOTS);
}

size_t
watch_unwatched(const struct watch *w)
{
	return total(w, UNWATCHED) - w->forgiven;
}

size_t
watch_unscanned(const struct watch *w)
{
	return total(w, UNSCANNED);
}

/* Appends to *sp (allocated) the text fmt makes. */
static void __attribute__((__format__(__printf__, 2, 3)))
append(char **sp, const char *fmt, ...)
{
	va_list ap;
	char *more, *s;

	va_start(ap, fmt);
	if (vasprintf(&more, fmt, ap) == -1)
		err(1, "vasprintf");
	va_end(ap);
	if (asprintf(&s, "%s%s", *sp != NULL ? *sp : "", more) == -1)
		err(1, "asprintf");
	free(more);
	free(*sp);
	*sp = s;
}

char *
watch_summary(const struct watch *w)
{
	char *s = NULL, *v, every[32];
	size_t i, k, n, used = 0, parts = 0;

	for (i = 0; i < NBACKENDS; i++)
		if (w->be[i] != NULL && backends[i]->roots(w->be[i]) > 0)
			used++;
	for (i = 0; i < NBACKENDS; i++) {
		if (w->be[i] == NULL || backends[i]->roots(w->be[i]) == 0)
			continue;
		if (parts++ > 0)
			append(&s, ", ");
		if (i == 1) {
			n = backends[i]->roots(w->be[i]);
			append(&s, "%zu %s with fanotify", n,
			    n == 1 ? "tree" : "trees");
		} else {
			n = backends[i]->dirs(w->be[i]);
			append(&s, "%zu %s", n, log_dirs(n));
			if (i == 0)
				append(&s, " with inotify");
			else {
				duration_format(w->opts.poll_interval, every,
				    sizeof(every));
				append(&s, " by polling every %s", every);
			}
		}
		if (used < 2)
			continue;
		append(&s, " (");
		for (k = 0, n = 0; k < w->nroots; k++) {
			if (w->roots[k].backend != i)
				continue;
			v = log_vis(w->roots[k].path,
			    strlen(w->roots[k].path));
			append(&s, "%s%s", n++ > 0 ? ", " : "", v);
			free(v);
		}
		append(&s, ")");
	}
	if (s == NULL)
		s = xstrdup("nothing");
	return s;
}

int
watch_parse_kind(const char *s, enum watch_kind *kind, uint64_t *interval,
    const char **errstr)
{
	const char *eq;

	*interval = 0;
	if (strcmp(s, "auto") == 0)
		*kind = WATCH_AUTO;
	else if (strcmp(s, "inotify") == 0)
		*kind = WATCH_INOTIFY;
	else if (strcmp(s, "fanotify") == 0)
		*kind = WATCH_FANOTIFY;
	else if (strncmp(s, "poll", 4) == 0 && (s[4] == '\0' || s[4] == '=')) {
		*kind = WATCH_POLL;
		if (s[4] == '\0')
			return 0;
		eq = s + 5;
		if (duration_parse(eq, strlen(eq), interval, errstr) == -1)
			return -1;
		if (*interval == 0) {
			*errstr = "a poll interval must be more than 0";
			return -1;
		}
	} else {
		*errstr = "not auto, inotify, fanotify, poll or poll=INTERVAL";
		return -1;
	}
	return 0;
}
