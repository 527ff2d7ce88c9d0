/*
 * backend.h: what a backend is to the watch layer (watch.c).  A backend
 * turns one kind of kernel notice (inotify watches, a fanotify filesystem
 * mark, or none at all: polling) into the path events of watch.h, for the
 * roots it is given.  Each backend's instance is opaque; these operations
 * are all the watch layer knows of it.  A backend calls the sink and the
 * filter of its watch_opts from within root(), read() and refilter(), and
 * from nowhere else.
 */
#ifndef WATCHRUN_BACKEND_H
#define WATCHRUN_BACKEND_H

struct backend_ops {
	const char	*name;
	/* Returns NULL with errno set when the kernel refuses. */
	void		*(*open)(const struct watch_opts *);
	void		 (*close)(void *);
	/*
	 * Watches path and what lies below it: returns 0, or -1 after
	 * reporting why it cannot.
	 */
	int		 (*root)(void *, const char *path);
	void		 (*started)(void *);
	int		 (*unroot)(void *, const char *path);
	void		 (*set_mask)(void *, uint32_t mask);
	void		 (*refilter)(void *);
	/* The descriptor to wait on, or -1 for a backend that only polls. */
	int		 (*fd)(const void *);
	/* When read() is next due without fd being readable (loop_now()). */
	uint64_t	 (*due)(const void *);
	/*
	 * After a read() that began at began (loop_now()): the time before
	 * which every change has been reported.  NULL: began, as for a
	 * kernel queue, read until empty.  Polling answers when its last
	 * poll began, or 0 while it holds back a file still being written.
	 */
	uint64_t	 (*seen)(const void *, uint64_t began);
	/* Handles what is there to handle; returns how many notices. */
	size_t		 (*read)(void *, uint64_t now);
	size_t		 (*dirs)(const void *);
	size_t		 (*roots)(const void *);
	size_t		 (*unwatched)(const void *);
	size_t		 (*unscanned)(const void *);
};

extern const struct backend_ops inwatch_backend;
extern const struct backend_ops fanwatch_backend;
extern const struct backend_ops pollwatch_backend;

#endif
