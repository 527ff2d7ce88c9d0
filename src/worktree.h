/*
 * worktree.h: git's ignore rules for the trees.  Owns, for each root, the
 * git work tree it lies in (found by a .git directory or file at the root
 * or above it) and how its event paths map to paths in that work tree;
 * and for each work tree the ignore patterns read from its files: the
 * global excludes file (core.excludesFile, else $XDG_CONFIG_HOME/git/
 * ignore), $GIT_DIR/info/exclude, and the .gitignore of each directory
 * between the top and the root, and of each directory watched; and a
 * watch on the files outside the trees, to read them again when they
 * change.  Does the reading; gitignore.c does the matching.
 */
#ifndef WATCHRUN_WORKTREE_H
#define WATCHRUN_WORKTREE_H

struct gitignore_why;
struct worktrees;

struct worktrees *worktrees_new(void);
void		 worktrees_free(struct worktrees *);	/* NULL is a no-op */

/*
 * Notes root (as given, borrowed) and, when it lies in a git work tree,
 * reads that tree's global and info/exclude files and the .gitignore
 * files from its top down to the root's parent.
 */
void		 worktrees_add_root(struct worktrees *, const char *root);

/* Whether some root lies in a git work tree. */
int		 worktrees_any(const struct worktrees *);

/*
 * Reads the .gitignore of the directory open as dirfd, whose event path
 * is the len bytes at path (ending in '/'), in place of what it had.
 * Returns 1 when there was a .gitignore to read, 0 when not.
 */
int		 worktrees_read_dir(struct worktrees *, int dirfd,
		    const char *path, size_t len);

/*
 * The descriptor that tells of changes to the ignore files outside the
 * trees (the global one, info/exclude, those above a root), or -1 when
 * none is watched; worktrees_reread() reads it, reads again each file
 * that changed, and returns 1 when one did.
 */
int		 worktrees_fd(const struct worktrees *);
int		 worktrees_reread(struct worktrees *);

/*
 * Whether git's rules ignore the event path at path, len bytes (a
 * directory ending in '/').  full: check every ancestor too, else only
 * the path itself against the patterns that apply to it (enough for a
 * path in a watched directory).  Fills why when not NULL.  A root itself
 * and a path outside every work tree are never ignored.
 */
int		 worktrees_check(struct worktrees *, const char *path,
		    size_t len, int full, struct gitignore_why *why);

#endif
