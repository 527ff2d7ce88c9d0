/*
 * batch.h: the paths one run of a rule will get.  An ordered set: each
 * distinct path once, in order of its first change, with the union of
 * its events.  Past a cap on paths or bytes it stops growing and marks
 * itself truncated, so memory stays bounded under any storm.
 */
#ifndef WATCHRUN_BATCH_H
#define WATCHRUN_BATCH_H

struct batch;

/* Default caps: 100,000 paths or 64 MiB of path text. */
#define BATCH_MAX_PATHS	100000
#define BATCH_MAX_BYTES	(64UL * 1024 * 1024)

struct batch	*batch_new(size_t maxpaths, size_t maxbytes);
void		 batch_free(struct batch *);	/* NULL is a no-op */

/*
 * Adds the len bytes at path with its events.  Returns 1 when the path is
 * new, 0 when it was there (its events are merged), and -1 when the batch
 * is full and the path was left out (the batch is then truncated).
 */
int		 batch_add(struct batch *, const char *path, size_t len,
		    uint32_t mask);

size_t		 batch_count(const struct batch *);

/* The i-th path, NUL-terminated and owned by the batch. */
const char	*batch_path(const struct batch *, size_t i, size_t *lenp);

/*
 * The path of the batch changed last and its events, or NULL when none
 * was added.  A path left out of a full batch is never the last.
 */
const char	*batch_last(const struct batch *, size_t *lenp,
		    uint32_t *maskp);

int		 batch_truncated(const struct batch *);

/* Changes the caps; paths already in the batch stay. */
void		 batch_set_limits(struct batch *, size_t maxpaths,
		    size_t maxbytes);

/* Marks the batch as following a queue overflow: it may miss changes. */
void		 batch_set_overflow(struct batch *);
int		 batch_overflow(const struct batch *);

/* Empties the batch and drops its flags; large buffers are released. */
void		 batch_clear(struct batch *);

#endif
