/*
 * snapshot.h: the polled trees as last seen, and what changed since.
 * Owns one entry per file and directory below the roots, holding the
 * state a poll compares (device, inode, size, times, type), stored as
 * (parent, name) so that a rename is one entry's change; the walk that
 * compares them with the trees; and the path events the differences
 * make.  Makes no system calls: it reaches the filesystem through the
 * operations it is given, so that a test can give it a tree of its own.
 */
#ifndef WATCHRUN_SNAPSHOT_H
#define WATCHRUN_SNAPSHOT_H

#define SNAP_NONE	UINT32_MAX

/* What a poll compares; times in nanoseconds since the epoch. */
struct snap_stat {
	uint64_t	 dev;
	uint64_t	 ino;
	int64_t		 size;
	int64_t		 mtime;
	int64_t		 ctime;
	int64_t		 btime;		/* 0: the filesystem does not say */
	uint32_t	 mode;		/* type and permission bits */
};

/* As scan.h's scan_fn: one entry of a directory being listed. */
typedef int	 snap_name_fn(void *arg, int dirfd, const char *name,
		    size_t len, unsigned char type);

/*
 * The filesystem and the backend, as the snapshot reaches them; each is
 * called with the arg of snap_opts.  Descriptors are the operations' own:
 * the snapshot only hands them back.  Those that fail return -1 with
 * errno set.  Paths are valid only during the call.
 */
struct snap_ops {
	/* Opens the directory at path, following symlinks. */
	int	 (*open_path)(void *, const char *path);
	/* Opens the directory name in dirfd; a symlink only if follow. */
	int	 (*open_at)(void *, int dirfd, const char *name, int follow);
	void	 (*close)(void *, int fd);
	int	 (*stat_fd)(void *, int fd, struct snap_stat *);
	int	 (*stat_at)(void *, int dirfd, const char *name, int follow,
		    struct snap_stat *);
	int	 (*stat_path)(void *, const char *path, int follow,
		    struct snap_stat *);
	/* Calls fn for each entry of the directory open as fd. */
	int	 (*list)(void *, int fd, snap_name_fn *fn, void *fnarg);
	/* Nonzero: the path is to be neither polled nor reported. */
	int	 (*ignored)(void *, const char *path, size_t len);
	/* A directory listed for the first time, or whose rules changed. */
	void	 (*dir_hook)(void *, int fd, const char *path, size_t len);
	void	 (*event)(void *, const char *path, size_t len, uint32_t mask,
		    uint32_t cookie);
	/* A directory that cannot be read (said once until it can). */
	void	 (*cannot_read)(void *, const char *path, size_t len, int err);
	/* Root id is gone: err is errno, or 0 if another took its place. */
	void	 (*lost)(void *, uint32_t id, const char *path, int err);
};

struct snap_opts {
	const struct snap_ops *ops;
	void		*arg;
	uint64_t	 settle;	/* µs between two looks that agree */
	int		 follow;	/* follow symlinks to directories */
	const char	*rules_name;	/* the filter's rules file, or NULL */
};

struct snap;

/* opts is copied; ops and rules_name are borrowed for good. */
struct snap	*snap_new(const struct snap_opts *opts);
void		 snap_free(struct snap *);	/* NULL is a no-op */

/*
 * Adds the directory at path (copied) and records what lies below it, or
 * reports it all as created when existing is set.  now is the monotonic
 * time (µs) and wall the time of day (ns).  Stores the root's id in *idp
 * and returns 0; returns -1 with errno set when path cannot be opened or
 * read, is no directory (ENOTDIR), or lies in a tree already (EEXIST).
 */
int		 snap_add_root(struct snap *, const char *path, int existing,
		    uint64_t now, int64_t wall, uint32_t *idp);

/* Forgets the root id and what lies below it, reporting nothing. */
void		 snap_drop_root(struct snap *, uint32_t id);

/*
 * Compares every tree with the snapshot and reports what changed: files
 * once they settle (two looks settle µs apart agree), the rest at once.
 * Returns how many events it reported.
 */
size_t		 snap_poll(struct snap *, uint64_t now, int64_t wall);

/*
 * Looks again at the files that have yet to settle and whose last look
 * is settle µs old, and reports those that did.  Returns how many events
 * it reported.
 */
size_t		 snap_settle(struct snap *, uint64_t now, int64_t wall);

/* When snap_settle() has something to do; UINT64_MAX: never. */
uint64_t	 snap_settle_due(const struct snap *);

/*
 * The filter changed its mind: drops what it now ignores, then polls,
 * recording what it no longer ignores without reporting it.  Returns how
 * many events it reported.
 */
size_t		 snap_refilter(struct snap *, uint64_t now, int64_t wall);

/* Directories polled, roots left, directories unread for want of fds. */
size_t		 snap_dirs(const struct snap *);
size_t		 snap_roots(const struct snap *);
size_t		 snap_unscanned(const struct snap *);

#endif
