/*
 * ignore.h: the ignore filter.  Owns the decision whether a path is
 * neither watched nor reported, and why: the default list (version
 * control directories, editors' scratch files), the patterns of the
 * Watchfile and -x, and git's ignore rules where the trees lie in a git
 * work tree.  Paths are event paths: the root joined with the path below
 * it, directories ending in '/'.
 */
#ifndef WATCHRUN_IGNORE_H
#define WATCHRUN_IGNORE_H

struct ignore;
struct matcher;
struct ruleset;

/* What decided, for --explain. */
enum ignore_by {
	IGNORE_NONE,		/* nothing: the path is not ignored */
	IGNORE_DEFAULT,		/* the default list */
	IGNORE_PATTERN,		/* a Watchfile ignore line or -x */
	IGNORE_VCS,		/* a git ignore file */
	IGNORE_VCS_KEPT,	/* a git ignore file's negation keeps it */
};

struct ignore_why {
	enum ignore_by	 by;
	const char	*what;		/* the default entry, or the pattern */
	const char	*source;	/* FILE:LINE, "-x", or NULL */
};

/*
 * rs (borrowed) holds the ignore patterns, m (borrowed) matches them.
 * defaults: apply the default list; vcs: apply git's ignore rules.
 */
struct ignore	*ignore_new(const struct ruleset *rs, struct matcher *m,
		    int defaults, int vcs);
void		 ignore_free(struct ignore *);	/* NULL is a no-op */

/* Whether the default list ignores the len bytes at path. */
int		 ignore_default(const char *path, size_t len,
		    const char **whatp);

/*
 * Whether path, len bytes, is ignored; fills why (which may be NULL) with
 * the reason.  The strings in why are owned by the filter.
 */
int		 ignore_path(struct ignore *, const char *path, size_t len,
		    struct ignore_why *why);

#endif
