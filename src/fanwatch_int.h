/*
 * fanwatch_int.h: private to the fanotify backend.  The backend is split
 * along its concerns into fanwatch.c (its operations, and each event read
 * handed to the right handler), fanwatch_dirs.c (directory keys: naming
 * them, remembering them, the filter's rules read on the way),
 * fanwatch_root.c (the roots and the marks on their filesystems),
 * fanwatch_move.c (renames) and fanwatch_walk.c (the walks of --existing,
 * of a directory moved in and of the rescan after an overflow); all of
 * them read and change one struct fanwatch, which is why it is declared
 * here and not in fanwatch.c.  No other module includes this header: the
 * rest of watchrun sees the backend through fanwatch.h and backend.h.
 */
#ifndef WATCHRUN_FANWATCH_INT_H
#define WATCHRUN_FANWATCH_INT_H

/* Needs <stdint.h>, <sys/types.h>, dcache.h, fanrec.h and watch.h first. */

#ifndef FAN_REPORT_TARGET_FID
#define FAN_REPORT_TARGET_FID	0x00001000
#endif
#ifndef FAN_RENAME
#define FAN_RENAME		0x10000000
#endif

/* A path being built, NUL-terminated, with defined bytes past its end. */
struct pbuf {
	char		*s;
	size_t		 len;
	size_t		 size;
};

/* A root: a tree watched, and where it is. */
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

/* A directory, as fanwatch_resolve() found it. */
struct dir {
	enum dcache_state state;
	size_t		 root;
	size_t		 plen;		/* of its path, for its entries */
};

/* What a walk reports of what it finds. */
enum walk_report { WALK_CREATED, WALK_MOVED, WALK_CHANGED };

/* The backend: everything each of its files reads and changes. */
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
	struct dcache	*names;		/* see fanwatch_index_names() */
	char		*pending;	/* waiting: feed(), fanwatch.c */
	size_t		 npending;
	char		*joined;	/* those, then those read */
	char		*buf;		/* aligned for the metadata */
	void		*scanbuf;
	struct pbuf	 dirpath;	/* fanwatch_resolve()'s */
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

/* fanwatch.c: paths, and what is reported. */

/*
 * Makes pb the alen bytes at a, then the blen at b, then '/' if slash;
 * neither a nor b may lie in pb.  pb owns its bytes.
 */
void		 fanwatch_pb_make(struct pbuf *pb, const char *a, size_t alen,
		    const char *b, size_t blen, int slash);
/* Whether the filter ignores the path (len bytes). */
int		 fanwatch_ignored(struct fanwatch *, const char *path,
		    size_t len);
/*
 * Reports the event (inotify bits mask) on path to the sink, unless the
 * rules want none of mask, the filter ignores path, or it is the event
 * reported last again.
 */
void		 fanwatch_emit(struct fanwatch *, const char *path, size_t len,
		    uint32_t mask, uint32_t cookie, int pid);

/* fanwatch_dirs.c: directory keys, what they name, the filter's rules. */

/*
 * Where the descriptor fd leads, as an allocated string the caller
 * frees, its length in *lenp; NULL with errno set.
 */
char		*fanwatch_fd_path(int fd, size_t *lenp);
/* Whether the link text p (len bytes) of a descriptor says it is gone. */
int		 fanwatch_deleted(const char *p, size_t len);
/* Whether two keys are the same, and not empty. */
int		 fanwatch_same_key(const unsigned char *a, size_t alen,
		    const unsigned char *b, size_t blen);
/*
 * Opens rel (len bytes, below root r) with flags, a component at a time
 * where it is too long for one call; -1 with errno set.
 */
int		 fanwatch_open_rel(const struct froot *r, const char *rel,
		    size_t len, int flags);
/* Tells the filter of the directory at path, open as fd (borrowed). */
void		 fanwatch_hook_fd(struct fanwatch *, int fd, const char *path,
		    size_t len);
/* Notes where, in the events being read, each directory is named. */
void		 fanwatch_index_names(struct fanwatch *);
/*
 * Resolves the directory key into *d, its path into w->dirpath when it
 * lies inside the trees, telling the filter of it and of its parents
 * first.  Returns d->state.
 */
enum dcache_state fanwatch_resolve(struct fanwatch *,
		    const unsigned char *key, size_t keylen, struct dir *d);
/* Forgets what was known at and below the directory at path. */
void		 fanwatch_forget_below(struct fanwatch *, const char *path,
		    size_t len);
/* The filter changed its mind: checks again what was learnt. */
void		 fanwatch_refilter_dirs(struct fanwatch *);
/*
 * The rules file in a directory of root i changed: path is the
 * directory's path or what its entries' paths start with.
 */
void		 fanwatch_rules_changed(struct fanwatch *, size_t i,
		    const char *path, size_t len);
/* Whether name (NULL: none) is the name of the filter's rules files. */
int		 fanwatch_is_rules_file(const struct fanwatch *,
		    const char *name);

/* fanwatch_root.c: the roots, and the marks on their filesystems. */

/* backend_ops' root, unroot and set_mask; arg is a struct fanwatch. */
int		 fanwatch_add_root(void *arg, const char *path);
int		 fanwatch_unroot(void *arg, const char *path);
void		 fanwatch_set_mask(void *arg, uint32_t mask);
/* The fanotify bits that the inotify bits mask needs, and the tree. */
uint64_t	 fanwatch_kernel_mask(const struct fanwatch *, uint32_t mask);
/* Frees what r holds and closes its descriptor; not r itself. */
void		 fanwatch_free_root(struct froot *r);
/* The live root whose directory key names, or SIZE_MAX. */
size_t		 fanwatch_root_by_key(const struct fanwatch *,
		    const unsigned char *key, size_t len);
/* A live root on the filesystem key names, to open handles; NULL. */
const struct froot *fanwatch_root_on_fs(const struct fanwatch *,
		    const unsigned char *key);
/* Learns again where each root is, should a parent have moved. */
void		 fanwatch_refresh_roots(struct fanwatch *);
/* Stops watching root i; warns with why, unless why is NULL. */
void		 fanwatch_lose_root(struct fanwatch *, size_t i,
		    const char *why);
/*
 * If the deletion or rename ev ends a root, reports its end, stops
 * watching it and returns 1; else returns 0.
 */
int		 fanwatch_ends_root(struct fanwatch *, const struct fanrec *ev);

/* fanwatch_move.c: renames. */

/*
 * A rename reported whole (FAN_RENAME).  Returns 0 when a side's
 * directory is gone and not named yet: the event is to wait.
 */
int		 fanwatch_on_rename(struct fanwatch *, const struct fanrec *ev);
/* A half of a rename (FAN_MOVED_FROM or FAN_MOVED_TO), before 5.17. */
void		 fanwatch_on_move_half(struct fanwatch *,
		    const struct fanrec *ev);
/* Ends the wait of a MOVED_FROM for its MOVED_TO: it left the trees. */
void		 fanwatch_settle_from(struct fanwatch *);

/* fanwatch_walk.c: walking the trees. */

/*
 * Reads the directory at path (of root i) and everything below it that
 * the filter does not ignore, telling the filter of each directory first,
 * and reports what it finds as report says.
 */
void		 fanwatch_walk(struct fanwatch *, size_t i, const char *path,
		    size_t len, enum walk_report report, int pid);
/*
 * The queue overflowed: says so, forgets what was learnt, and walks
 * every root for what changed since the queue was last empty.
 */
void		 fanwatch_overflow(struct fanwatch *);

#endif
