/*
 * inwatch_int.h: private to the inotify backend.  The backend is split
 * along its concerns into inwatch.c (its operations, and each record
 * handed to the right handler), inwatch_walk.c (watching and scanning
 * directories), inwatch_move.c (pairing renames), inwatch_recover.c
 * (overflows and unmounts) and inwatch_root.c (the roots); all of them
 * read and change one struct inwatch, which is why it is declared here
 * and not in inwatch.c.  No other module includes this header: the rest
 * of watchrun sees the backend through inwatch.h and backend.h only.
 */
#ifndef WATCHRUN_INWATCH_INT_H
#define WATCHRUN_INWATCH_INT_H

/* Events the tree needs whatever the rules want. */
#define TREE_EVENTS	(IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | \
			    IN_MOVE_SELF | IN_DELETE_SELF)

/* Reading a directory: what watchrun's own scans cause too. */
#define DIR_READS	(IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE)

/*
 * What the watch on a root's parent asks for.  The kernel says nothing
 * on the root's own watch when it is deleted, or replaced by a rename,
 * while it is some process's current directory (DELETE_SELF waits for
 * the last user); its parent hears of it.  A root renamed away gets its
 * MOVE_SELF whoever holds it.
 */
#define PARENT_EVENTS	(IN_DELETE | IN_MOVED_TO)

/* A directory that left its parent, until it arrives or is forgotten. */
struct move {
	uint32_t	 cookie;
	int		 wd;		/* the directory that left its parent */
	uint64_t	 drain;		/* the drain that saw it leave */
};

/* A directory whose filesystem was unmounted, to be watched again. */
struct remount {
	int		 parent;	/* its parent's watch */
	char		*name;
	char		*path;
	int		 warned;
};

struct root {
	char		*path;		/* as given */
	int		 wd;		/* -1 once gone */
	dev_t		 dev;		/* the directory it was when added */
	ino_t		 ino;
	/*
	 * Where the root really is, with no symlink, "." or "..", and the
	 * watch on its parent (-1: none); real is NULL when there is no
	 * parent to watch.
	 */
	char		*real;
	size_t		 nameoff;	/* its last component, within real */
	int		 pwd;
};

struct inwatch {
	struct watch_opts opts;
	int		 ifd;
	uint32_t	 kmask;		/* what inotify_add_watch asks for */
	struct tree	*tree;
	char		*buf;		/* aligned for struct inotify_event */
	void		*scanbuf;
	int		*stack;		/* directories waiting for a scan */
	size_t		 nstack;
	size_t		 stacksize;
	struct move	*moves;
	size_t		 nmoves;
	size_t		 movesize;
	struct root	*roots;
	size_t		 nroots;
	size_t		 nparents;	/* roots whose parent is watched */
	size_t		 unwatched;
	size_t		 unscanned;	/* for want of descriptors */
	int		 started;	/* the initial walk is over */
	int		 rescanning;
	int		 rewalking;	/* the filter's rules changed */
	int64_t		 since;		/* rescan: report changes after this */
	int64_t		 drained_at;	/* when the queue was last empty */
	uint64_t	 drains;	/* drains of the queue so far */
	char		*unmounted;	/* the last unmount reported, or NULL */
	struct remount	*remounts;	/* watches lost to unmounts */
	size_t		 nremounts;
};

/* inwatch.c */

/*
 * Hands the path event (path borrowed) to the sink, unless its mask is
 * not wanted or the filter ignores path.
 */
void		 inwatch_emit(struct inwatch *, const char *path, size_t len,
		    uint32_t mask, uint32_t cookie);

/* Removes the watch wd: the tree's drop callback (arg is the inwatch). */
void		 inwatch_drop_watch(void *arg, int wd);

/* inwatch_walk.c */

/*
 * Adds or updates the watch on path for the tree, as events_add() does;
 * on a directory that is also a root's parent, what the parent's watch
 * asks for is kept.
 */
int		 inwatch_add(struct inwatch *, const char *path, uint32_t mask);

/* Queues the directory of wd for the next walk(). */
void		 inwatch_push(struct inwatch *, int wd);

/*
 * Scans the directories queued, and those they hold, depth first,
 * watching each new one; reports what it finds as report says (IN_CREATE,
 * IN_MOVED_TO, or 0: not at all), or what changed since w->since while
 * rescanning.
 */
void		 inwatch_walk(struct inwatch *, uint32_t report);

/*
 * Watches the directory called by the len bytes at name inside parent and
 * returns its node, new or known, or NULL when it is ignored, unwatchable
 * or reached twice.
 */
struct tnode	*inwatch_add_dir(struct inwatch *, struct tnode *parent,
		    const char *name, size_t len);

/* Reports a directory that could not be watched; counts it at the limit. */
void		 inwatch_add_failed(struct inwatch *, const char *path,
		    size_t len, int err);

/* Warns "<what><path>: <why>", with path escaped for the terminal. */
void		 inwatch_warn_path(const char *path, size_t len,
		    const char *what, int err);

/*
 * Whether the record ev, a read (DIR_READS) in node, is to be kept from
 * everyone: one of watchrun's own reads, counted when it opened the
 * directory, or one the directory's own watch reports too.
 */
int		 inwatch_ours(struct inwatch *, struct tnode *node,
		    const struct event *ev, int isdir);

/*
 * The filter's rules changed below node, or its rules file in node did
 * (reread: read it again first): drops what the filter now ignores there
 * and watches, without reporting, what it no longer ignores.
 */
void		 inwatch_refilter_below(struct inwatch *, struct tnode *node,
		    int reread);

/* inwatch_move.c */

/* Notes that the directory ev names left parent, until it arrives. */
void		 inwatch_moved_from(struct inwatch *, struct tnode *parent,
		    const struct event *ev);

/*
 * Completes a directory rename inside the trees, ev naming its arrival
 * in parent; returns 0 when none was pending.
 */
int		 inwatch_moved_to(struct inwatch *, struct tnode *parent,
		    const struct event *ev);

/*
 * node got MOVE_SELF: when its move is pending, it left the trees;
 * forgets it and returns 1.  Returns 0 otherwise.
 */
int		 inwatch_left(struct inwatch *, struct tnode *node);

/* Whether node lies in a directory that left and has not arrived. */
int		 inwatch_in_limbo(const struct inwatch *,
		    const struct tnode *node);

/* At the end of a drain: forgets what left in an earlier one. */
void		 inwatch_settle_moves(struct inwatch *);

/* inwatch_recover.c */

/* The queue overflowed: says so, then walks every root again. */
void		 inwatch_overflow(struct inwatch *);

/*
 * While rescanning: reports the entry name (path: its path) of the
 * directory open as dirfd when it changed since w->since.
 */
void		 inwatch_report_changed(struct inwatch *, int dirfd,
		    const char *name, const char *path, size_t plen, int isdir);

/* node's filesystem was unmounted: remembers it for the end of the drain. */
void		 inwatch_unmounted(struct inwatch *, struct tnode *node);

/* At the end of a drain: warns of unmounts, watches what they covered. */
void		 inwatch_rewatch_unmounted(struct inwatch *);

/* inwatch_root.c */

/*
 * The root of node is gone (why says how): warns, and drops its tree and
 * the watch on its parent.
 */
void		 inwatch_lose_root(struct inwatch *, struct tnode *node,
		    const char *why);

/*
 * Whether root r is no longer the directory it was when added: deleted,
 * even while a current directory holds it, or replaced.
 */
int		 inwatch_root_gone(const struct root *r);

/*
 * Handles the record ev as one on a root's parent's watch, if it is: a
 * root it names that is gone is lost, and on IN_IGNORED the parent's
 * watch is forgotten.  Only when w->nparents > 0.
 */
void		 inwatch_parent_record(struct inwatch *, const struct event *ev);

/* Whether wd is the watch on some root's parent. */
int		 inwatch_is_parent(const struct inwatch *, int wd);

#endif
