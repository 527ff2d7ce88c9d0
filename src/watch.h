/*
 * watch.h: from the kernel's change notices to path events.  Owns the
 * backends and which root each one watches: inotify by default, a
 * fanotify filesystem mark where inotify's watches would not do, polling
 * where the kernel sees no change (remote and FUSE filesystems).
 * Everything above this layer sees one stream of path events, whatever
 * the backend of their root.
 */
#ifndef WATCHRUN_WATCH_H
#define WATCHRUN_WATCH_H

/*
 * A path event.  path is the root joined with the path below it, ending in
 * '/' for a directory; it is valid only during the callback.  After a
 * queue overflow comes one event with mask IN_Q_OVERFLOW and an empty
 * path, then one with mask IN_Q_OVERFLOW (and IN_ISDIR) per path that the
 * rescan found changed.  pid is the process that made the change when the
 * backend knows it (fanotify), 0 when it does not.
 */
struct pevent {
	const char	*path;
	size_t		 len;
	uint32_t	 mask;
	uint32_t	 cookie;
	int		 pid;
};

enum watch_kind {
	WATCH_AUTO,		/* inotify, polling or fanotify, by root */
	WATCH_INOTIFY,
	WATCH_FANOTIFY,
	WATCH_POLL
};

typedef void	 watch_sink(void *arg, const struct pevent *);
/* Returns nonzero when the path is to be neither watched nor reported. */
typedef int	 watch_filter(void *arg, const char *path, size_t len);
/*
 * Told (with the filter's arg) of each directory about to be scanned,
 * open as dirfd, with its path (ending in '/'), before the filter is
 * asked about its entries.  Returns 1 when it read the rules file in it.
 */
typedef int	 watch_dir_hook(void *arg, int dirfd, const char *path,
		    size_t len);

struct watch_opts {
	uint32_t	 mask;		/* the events the sink wants */
	int		 follow;	/* follow symlinks to directories */
	int		 existing;	/* report what roots hold, as created */
	watch_filter	*ignore;
	void		*ignore_arg;
	/*
	 * With dir_hook, rules_name names a file of the filter's rules that
	 * a directory may hold (".gitignore"): when it changes, dir_hook is
	 * told of the directory again, what the filter now ignores below it
	 * is dropped and what it no longer ignores is watched.
	 */
	watch_dir_hook	*dir_hook;
	const char	*rules_name;
	watch_sink	*sink;
	void		*sink_arg;
	enum watch_kind	 kind;
	uint64_t	 poll_interval;	/* microseconds, for WATCH_POLL */
};

struct watch;

/* Opens no backend yet: each is opened for the first root it is to watch. */
struct watch	*watch_new(const struct watch_opts *opts);
void		 watch_free(struct watch *);	/* NULL is a no-op */

/*
 * Watches the directory path (copied) and everything below it, with the
 * backend opts.kind names, or with the one that suits the root for
 * WATCH_AUTO.  Returns 0, or -1 after reporting why path cannot be
 * watched at all.
 */
int		 watch_root(struct watch *, const char *path);

/*
 * Says that the initial roots are all added: from now on, reaching the
 * watch limit is a warning rather than something the caller reports.
 */
void		 watch_started(struct watch *);

/* Stops watching the root added as path; -1 when there is none. */
int		 watch_unroot(struct watch *, const char *path);

/* Watches for the events mask from now on, on every root. */
void		 watch_set_mask(struct watch *, uint32_t mask);

/*
 * The filter changed its mind: drops what it now ignores and watches
 * what it no longer ignores, in every tree.
 */
void		 watch_refilter(struct watch *);

/*
 * The descriptor to wait on, -1 when only polling: it may change when a
 * root is added.
 */
int		 watch_fd(const struct watch *);

/* When watch_read() is next due for polling (loop_now()); LOOP_NEVER. */
uint64_t	 watch_due(const struct watch *);

/*
 * Reads and handles every notice queued, and polls the roots whose poll
 * is due at now; returns how many notices it read (0: none).
 */
size_t		 watch_read(struct watch *, uint64_t now);

/*
 * After a watch_read() that began at began: the time before which every
 * change has been reported, by every backend.  A kernel queue read until
 * empty has reported all changes before the read began; polling, only
 * those before its last poll began, and none while it holds back a file
 * still being written.
 */
uint64_t	 watch_seen(const struct watch *, uint64_t began);

/* Directories watched (or polled), roots still present. */
size_t		 watch_dirs(const struct watch *);
size_t		 watch_roots(const struct watch *);

/* Directories left unwatched because the watch limit was reached. */
size_t		 watch_unwatched(const struct watch *);

/* Directories left unread for want of file descriptors. */
size_t		 watch_unscanned(const struct watch *);

/*
 * What is watched and how, for the ready line: "3 directories with
 * inotify", or one such part per backend with its roots named.
 * Allocated; the caller frees it.
 */
char		*watch_summary(const struct watch *);

/*
 * Parses a --backend value: auto, inotify, fanotify, poll or
 * poll=INTERVAL.  Returns 0, or -1 with *errstr set.
 */
int		 watch_parse_kind(const char *s, enum watch_kind *kind,
		    uint64_t *interval, const char **errstr);

#endif
