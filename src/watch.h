/*
 * watch.h: from inotify records to path events.  Owns the inotify
 * descriptor and the watch tree: sets a watch on every directory below the
 * roots, watches and scans directories that appear, follows renames, and
 * recovers from queue overflows by rescanning.  Paths it will not watch or
 * report are decided by the ignore filter it is given.
 */
#ifndef WATCHRUN_WATCH_H
#define WATCHRUN_WATCH_H

/*
 * A path event.  path is the root joined with the path below it, ending in
 * '/' for a directory; it is valid only during the callback.  After a
 * queue overflow comes one event with mask IN_Q_OVERFLOW and an empty
 * path, then one with mask IN_Q_OVERFLOW (and IN_ISDIR) per path that the
 * rescan found changed.
 */
struct pevent {
	const char	*path;
	size_t		 len;
	uint32_t	 mask;
	uint32_t	 cookie;
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
};

struct watch;

/*
 * Opens inotify.  Returns NULL with errno set when it cannot; opts is
 * copied.
 */
struct watch	*watch_new(const struct watch_opts *opts);
void		 watch_free(struct watch *);	/* NULL is a no-op */

/*
 * Watches the directory path (copied) and everything below it.  Returns 0,
 * or -1 after reporting why path cannot be watched at all.
 */
int		 watch_root(struct watch *, const char *path);

/*
 * Says that the initial roots are all added: from now on, reaching the
 * watch limit is a warning rather than something the caller reports.
 */
void		 watch_started(struct watch *);

/* Stops watching the root added as path; -1 when there is none. */
int		 watch_unroot(struct watch *, const char *path);

/* Watches for the events mask from now on, on every directory. */
void		 watch_set_mask(struct watch *, uint32_t mask);

/*
 * The filter changed its mind: drops what it now ignores and watches
 * what it no longer ignores, in every tree.
 */
void		 watch_refilter(struct watch *);

/* The inotify descriptor, to wait on. */
int		 watch_fd(const struct watch *);

/*
 * Reads and handles every queued record, until the queue is empty;
 * returns how many records it read (0: the queue was empty).
 */
size_t		 watch_read(struct watch *);

/*
 * Handles the len bytes at buf as records read from inotify and returns
 * how many there were; watch_read() does this with what it reads.  For
 * replaying recorded streams.
 */
size_t		 watch_feed(struct watch *, const void *buf, size_t len);

/* Directories watched, roots still present. */
size_t		 watch_dirs(const struct watch *);
size_t		 watch_roots(const struct watch *);

/* Directories left unwatched because the watch limit was reached. */
size_t		 watch_unwatched(const struct watch *);

/* Directories left unread for want of file descriptors. */
size_t		 watch_unscanned(const struct watch *);

#endif
