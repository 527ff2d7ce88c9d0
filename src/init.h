/*
 * init.h: --init.  Owns the starter rules files: which kind of project a
 * directory holds, told by the files at its top (Makefile, Cargo.toml
 * ...), the commented Watchfile that suits each kind, and writing it
 * without ever replacing a file.
 */
#ifndef WATCHRUN_INIT_H
#define WATCHRUN_INIT_H

/* Whether a file named name is at the top of the project. */
typedef int	 init_exists_cb(const char *name, void *arg);

/*
 * The starter rules file for the project whose files exists() says are
 * there: the first kind of the list in watchrun(1) whose file is there,
 * or a generic template when none is.  Its text is returned, for the
 * caller to free.  *what, a static phrase, says what the file runs, as
 * "make when C sources, headers or makefiles change"; *marker is the
 * file that told the kind, or NULL for the template.  Pure but for the
 * calls to exists.
 */
char	*init_text(init_exists_cb *exists, void *arg, const char **what,
	    const char **marker);

/*
 * --init: writes the starter rules file for the current directory to
 * path (borrowed), which must not exist: O_CREAT|O_EXCL, never over a
 * file, nor through a symbolic link.  Says on standard error what it
 * wrote, unless quiet.  Returns the exit status: 0, or 1 after saying
 * why, a file already there included; a file written in part is removed.
 */
int	 init_write(const char *path, int quiet);

#endif
