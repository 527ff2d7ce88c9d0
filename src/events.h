/*
 * events.h: the kernel interface.  Owns the inotify descriptor: creating
 * it, adding and removing watches, and decoding the records read from it.
 * Knows nothing of paths, rules or commands.
 */
#ifndef WATCHRUN_EVENTS_H
#define WATCHRUN_EVENTS_H

/* A decoded record.  name points into the caller's buffer. */
struct event {
	int		 wd;
	uint32_t	 mask;
	uint32_t	 cookie;
	size_t		 namelen;	/* without the kernel's NUL padding */
	const char	*name;		/* NUL-terminated when namelen > 0 */
};

/* Bytes one read(2) should offer: room for many records. */
#define EVENTS_BUFSIZE	65536

/* The largest record: header and a name of NAME_MAX bytes with its NUL. */
#define EVENTS_MAXRECORD	(16 + 255 + 1)

/* Returns a non-blocking, close-on-exec inotify descriptor, or -1. */
int	 events_open(void);

/*
 * Adds or updates the watch on path.  Returns the watch descriptor, or -1
 * with errno set as inotify_add_watch(2) does.
 */
int	 events_add(int fd, const char *path, uint32_t mask);

/* Removes a watch; returns 0 or -1 with errno set. */
int	 events_rm(int fd, int wd);

/*
 * Decodes the record at *off in the len bytes at buf into *ev and moves
 * *off past it.  Returns 1 for a record, 0 at the end of the buffer, and
 * -1 with errno EINVAL when the record is truncated.
 */
int	 events_next(const void *buf, size_t len, size_t *off,
	    struct event *ev);

/*
 * Explains a failure of events_open() or events_add() with errno err:
 * for the limits, names the sysctl and its current value.  Writes to buf
 * and returns it.
 */
const char *events_strerror(int err, char *buf, size_t size);

/* Reads /proc/sys/fs/inotify/<name>; returns -1 when unreadable. */
long	 events_limit(const char *name);

#endif
