/*
 * ownout.h: watchrun's own output files.  Owns what identifies the files
 * its standard output and standard error write to, when those are files:
 * their device and inode, and the names they are known by.  Changes to
 * them are watchrun's own (and its commands', which share that output):
 * reporting them would make `watchrun --print -w . > out` print for ever.
 */
#ifndef WATCHRUN_OWNOUT_H
#define WATCHRUN_OWNOUT_H

struct ownout;
struct pevent;

/*
 * Notes the regular files open as standard output and standard error.
 * Returns NULL when neither is one: nothing to recognise.
 */
struct ownout	*ownout_new(void);
void		 ownout_free(struct ownout *);	/* NULL is a no-op */

/*
 * Whether pev is about one of the files, told by device and inode.  Only
 * an event whose last path component is one of their names costs a
 * stat(2); so does a MOVED_TO, which may give one of them a new name.
 */
int		 ownout_is(struct ownout *, const struct pevent *pev);

#endif
