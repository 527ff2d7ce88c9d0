/*
 * gitignore.h: git's ignore rules (gitignore(5)).  Owns the compiled
 * patterns of the ignore files the caller loads: the global excludes
 * file, $GIT_DIR/info/exclude and any directory's .gitignore, the last
 * in one table keyed by directory.  Says whether a path is ignored and
 * which line decided.  Makes no system calls: the caller reads the files.
 *
 * Paths are bytes relative to the top of the work tree, without a leading
 * "./" and without repeated slashes: "src/main.c".  A directory is marked
 * by isdir or by one trailing '/', as in "build/".  Matching is case
 * sensitive (core.ignoreCase is not modelled).
 */
#ifndef WATCHRUN_GITIGNORE_H
#define WATCHRUN_GITIGNORE_H

/* What a pattern file is, from the lowest precedence to the highest. */
#define GITIGNORE_GLOBAL	0	/* core.excludesFile */
#define GITIGNORE_INFO		1	/* $GIT_DIR/info/exclude */
#define GITIGNORE_DIR		2	/* the .gitignore of a directory */

struct gitignore;

/*
 * The line that decided a check, as git check-ignore -v names it.  The
 * strings are owned by the gitignore and stay valid until that file is
 * set again or removed, or the gitignore is freed.
 */
struct gitignore_why {
	const char	*source;	/* the file; NULL: no line matched */
	const char	*pattern;	/* the line, trailing spaces trimmed */
	size_t		 line;		/* from 1; 0 when no line matched */
	size_t		 matchlen;	/* the line matched path[0..matchlen) */
	int		 negated;	/* a '!' line: the path is kept */
};

struct gitignore	*gitignore_new(void);
void			 gitignore_free(struct gitignore *); /* NULL: no-op */

/*
 * Loads the len bytes at buf as the patterns of one file, in place of
 * what that file had; a NULL buf or a len of 0 removes the file.  level
 * is one of the GITIGNORE_ values; for GITIGNORE_DIR, the dirlen bytes at
 * dir name the directory holding the .gitignore ("" for the top, a
 * trailing '/' allowed), otherwise dir is unused and may be NULL.  source
 * (NUL-terminated, copied; NULL for a default such as "src/.gitignore")
 * is how a why names the file.  Lines are split on '\n' with one '\r'
 * before it dropped; a UTF-8 byte order mark at the start is skipped; a
 * line is cut at a NUL byte; a line that can match nothing is not kept.
 * No pointer is kept.  Returns 0, or -1 with errno = EINVAL for an
 * unknown level; gitignore_npatterns() and gitignore_walk() count.
 */
int			 gitignore_set_file(struct gitignore *, int level,
			    const char *dir, size_t dirlen, const char *buf,
			    size_t len, const char *source);

/*
 * Says whether the len bytes at path are ignored: 1 when they are, also
 * when an ancestor directory is (git cannot re-include a path below an
 * excluded directory), 0 when they are not.  isdir says that the path is
 * a directory.  Fills why when not NULL: with the deciding line (a '!'
 * line when 0 is returned because a negation re-included the path), or
 * with source NULL when no line matched.  Checks every ancestor, so costs
 * about depth times gitignore_check_name().
 */
int			 gitignore_check(const struct gitignore *,
			    const char *path, size_t len, int isdir,
			    struct gitignore_why *why);

/*
 * Like gitignore_check(), for a caller who knows that no ancestor
 * directory of path is ignored (one never watches an ignored directory):
 * checks the path alone against the files of its ancestor directories.
 * Allocates nothing; with no file loaded it returns at once.
 */
int			 gitignore_check_name(const struct gitignore *,
			    const char *path, size_t len, int isdir,
			    struct gitignore_why *why);

/* Returns the number of patterns loaded; with 0, nothing is ignored. */
size_t			 gitignore_npatterns(const struct gitignore *);

/*
 * Calls fn for each loaded file: the global file, info/exclude, then the
 * .gitignore files by the byte order of their directories.  fn gets arg,
 * the level, the directory ("" for the top and for the first two), the
 * source and the file's number of patterns; the strings are borrowed for
 * the call.  fn must not change the gitignore.
 */
void			 gitignore_walk(const struct gitignore *,
			    void (*fn)(void *arg, int level, const char *dir,
			    const char *source, size_t npatterns), void *arg);

#endif
