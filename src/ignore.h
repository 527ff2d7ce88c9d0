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
	const char	*source;	/* a file, "Watchfile:3", "-x", or NULL */
	size_t		 line;		/* in source, for a git ignore file */
};

/*
 * rs (borrowed) holds the roots and the ignore patterns, m (borrowed)
 * matches them.  defaults: apply the default list; vcs: apply git's
 * ignore rules where a root lies in a git work tree (their files outside
 * the trees are read now).
 */
struct ignore	*ignore_new(const struct ruleset *rs, struct matcher *m,
		    int defaults, int vcs);
void		 ignore_free(struct ignore *);	/* NULL is a no-op */

/*
 * The roots and ignore patterns are now those of rs (borrowed): the
 * rules file was read again.
 */
void		 ignore_set_rules(struct ignore *, const struct ruleset *rs);

/*
 * A descriptor that becomes readable when an ignore file outside the
 * trees changes (-1: none); then ignore_reread() reads what changed and
 * returns 1 when the filter's decisions may have changed.
 */
int		 ignore_fd(const struct ignore *);
int		 ignore_reread(struct ignore *);

/* Whether git's rules apply anywhere: then read_dir is worth calling. */
int		 ignore_uses_vcs(const struct ignore *);

/*
 * Reads the rules that the directory open as dirfd holds (its
 * .gitignore), the directory's path being the len bytes at path.
 * Returns 1 when there was such a file to read.
 */
int		 ignore_read_dir(struct ignore *, int dirfd, const char *path,
		    size_t len);

/* Whether the default list ignores the len bytes at path. */
int		 ignore_default(const char *path, size_t len,
		    const char **whatp);

/*
 * Whether path, len bytes, is ignored; fills why (which may be NULL) with
 * the reason.  The strings in why are owned by the filter, valid until it
 * reads rules again.  Git's rules are applied to the path alone, as is
 * enough for a path in a watched directory; ignore_explain() checks its
 * ancestors too.
 */
int		 ignore_path(struct ignore *, const char *path, size_t len,
		    struct ignore_why *why);
int		 ignore_explain(struct ignore *, const char *path, size_t len,
		    struct ignore_why *why);

#endif
