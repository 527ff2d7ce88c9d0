/*
 * fanwatch.h: the fanotify backend.  Owns the fanotify descriptor, one
 * filesystem mark per filesystem that holds a root, and what it learnt of
 * the directories that events named: where each lies, or that it lies
 * outside every root or is ignored.  No directory is walked to start
 * watching; the backend_ops in backend.h are its interface.
 */
#ifndef WATCHRUN_FANWATCH_H
#define WATCHRUN_FANWATCH_H

/*
 * Explains why fanotify could not be had, errno err being what opening
 * the backend left: names the fix in one line.  Writes to buf and
 * returns it.
 */
const char	*fanwatch_strerror(int err, char *buf, size_t size);

#endif
