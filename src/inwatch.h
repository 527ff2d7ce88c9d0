/*
 * inwatch.h: the inotify backend.  Owns the inotify descriptor and the
 * watch tree: sets a watch on every directory below the roots, watches and
 * scans directories that appear, follows renames, and recovers from queue
 * overflows by rescanning.  Paths it will not watch or report are decided
 * by the filter of its watch_opts.
 */
#ifndef WATCHRUN_INWATCH_H
#define WATCHRUN_INWATCH_H

struct inwatch;

/*
 * Opens inotify.  Returns NULL with errno set when it cannot; opts is
 * copied.
 */
struct inwatch	*inwatch_new(const struct watch_opts *opts);
void		 inwatch_free(struct inwatch *);	/* NULL is a no-op */

/*
 * Watches the directory path (copied) and everything below it.  Returns 0,
 * or -1 after reporting why path cannot be watched at all.
 */
int		 inwatch_root(struct inwatch *, const char *path);

/*
 * Says that the initial roots are all added: from now on, reaching the
 * watch limit is a warning rather than something the caller reports.
 */
void		 inwatch_started(struct inwatch *);

/* Stops watching the root added as path; -1 when there is none. */
int		 inwatch_unroot(struct inwatch *, const char *path);

/* Watches for the events mask from now on, on every directory. */
void		 inwatch_set_mask(struct inwatch *, uint32_t mask);

/*
 * The filter changed its mind: drops what it now ignores and watches
 * what it no longer ignores, in every tree.
 */
void		 inwatch_refilter(struct inwatch *);

/* The inotify descriptor, to wait on. */
int		 inwatch_fd(const struct inwatch *);

/*
 * Reads and handles every queued record, until the queue is empty;
 * returns how many records it read (0: the queue was empty).
 */
size_t		 inwatch_read(struct inwatch *);

/*
 * Handles the len bytes at buf as records read from inotify and returns
 * how many there were; inwatch_read() does this with what it reads.  For
 * replaying recorded streams and for tests.
 */
size_t		 inwatch_feed(struct inwatch *, const void *buf, size_t len);

/* Directories watched, roots still present. */
size_t		 inwatch_dirs(const struct inwatch *);
size_t		 inwatch_roots(const struct inwatch *);

/* Directories left unwatched because the watch limit was reached. */
size_t		 inwatch_unwatched(const struct inwatch *);

/* Directories left unread for want of file descriptors. */
size_t		 inwatch_unscanned(const struct inwatch *);

#endif
