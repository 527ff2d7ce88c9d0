/*
 * dcache.h: what the fanotify backend knows of directories.  Owns a table
 * of entries keyed by bytes (a directory's filesystem id and file handle,
 * or a path), each saying whether the directory lies outside every root,
 * is ignored, or lies inside a root at a known event path.  Renames and
 * deletions rewrite or drop the entries at or below a path.  The table
 * holds at most a given number of entries: past it, what is cheapest to
 * learn again goes first.  Makes no system calls.
 */
#ifndef WATCHRUN_DCACHE_H
#define WATCHRUN_DCACHE_H

enum dcache_state {
	DCACHE_OUTSIDE,		/* below no root */
	DCACHE_IGNORED,		/* the filter ignores it or a parent */
	DCACHE_INSIDE,		/* inside root, at path */
	DCACHE_GONE,		/* deleted; where it was is not known yet */
};

/*
 * An entry's value.  The caller may change state, hooked and root in
 * place, and at, which the table does not use; path (owned by the table,
 * ending in '/', NUL-terminated) changes only through the table.  A
 * pointer to it is valid until the next call that adds, drops or
 * rewrites entries.
 */
struct dcval {
	enum dcache_state state;
	int		 hooked;	/* the caller's flag: rules read */
	size_t		 root;
	size_t		 at;		/* the caller's, 0 when put */
	char		*path;		/* NULL unless given one */
	size_t		 len;
};

struct dcache;

/* A table of at most max entries (at least 2). */
struct dcache	*dcache_new(size_t max);
void		 dcache_free(struct dcache *);	/* NULL is a no-op */

/* The entry keyed by the keylen bytes at key, or NULL. */
struct dcval	*dcache_get(struct dcache *, const void *key, size_t keylen);

/*
 * Sets the entry keyed by key (bytes copied) to state, root and the len
 * bytes at path (copied; NULL for none), hooked cleared, in place of any
 * it had, and returns it.  When the table is full, the entries not
 * inside a root are dropped first, then, if that leaves it more than
 * half full, every entry.
 */
struct dcval	*dcache_put(struct dcache *, const void *key, size_t keylen,
		    enum dcache_state state, size_t root, const char *path,
		    size_t len);

/* Drops the entry keyed by key, if there is one. */
void		 dcache_del(struct dcache *, const void *key, size_t keylen);

/*
 * A directory moved: every entry whose path is the len bytes at from (a
 * path ending in '/') or lies below it now has to in place of from, the
 * given root, and hooked cleared.  Returns how many were rewritten.
 */
size_t		 dcache_moved(struct dcache *, const char *from, size_t fromlen,
		    const char *to, size_t tolen, size_t root);

/* Drops every entry whose path is the len bytes at path or lies below. */
size_t		 dcache_drop_below(struct dcache *, const char *path,
		    size_t len);

/* Drops every entry in state. */
size_t		 dcache_drop_state(struct dcache *, enum dcache_state state);

/*
 * Calls fn for each entry; the entry is dropped when fn returns nonzero.
 * fn must not change the table but through its return value.
 */
void		 dcache_each(struct dcache *,
		    int (*fn)(void *arg, struct dcval *), void *arg);

void		 dcache_clear(struct dcache *);
size_t		 dcache_count(const struct dcache *);

#endif
