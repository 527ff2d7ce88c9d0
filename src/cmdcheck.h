/*
 * cmdcheck.h: whether a command given as argv can be started.  Finds its
 * program as execvp(3) would, so that a command that cannot run is
 * reported at start instead of at the first change.  Owns nothing.
 */
#ifndef WATCHRUN_CMDCHECK_H
#define WATCHRUN_CMDCHECK_H

/*
 * Finds the program file names, as execvp(3) does: file itself when it
 * holds a '/', else each directory of PATH in turn (an empty element is
 * the current directory; with PATH unset, confstr(_CS_PATH)).  Returns 0
 * when one is a regular file this process may execute.  Otherwise returns
 * -1 with errno EACCES when a candidate exists but cannot be executed
 * (a directory, no execute permission, a directory on the way that cannot
 * be searched), or ENOENT, or, for a file with a '/', what stat(2) said.
 * file is borrowed.
 */
int	 cmdcheck_find(const char *file);

#endif
