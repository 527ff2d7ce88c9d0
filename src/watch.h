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

struct watch_opts {
	uint32_t	 mask;		/* the events the sink wants */
	int		 follow;	/* follow symlinks to directories */
	int		 existing;	/* report what roots hold, as created */
	watch_filter	*ignore;
	void		*ignore_arg;
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
