/*
 * rulesfile.h: noticing that the rules file changed.  Owns an inotify
 * instance of its own on the directory that holds the rules file, so
 * that a save is seen whatever the trees' roots and ignores are, and
 * whether the editor writes the file in place or renames a new one over
 * it.  Says only that the file may have changed; reading it is the
 * caller's.
 */
#ifndef WATCHRUN_RULESFILE_H
#define WATCHRUN_RULESFILE_H

struct rulesfile;

/* Watches path (borrowed); NULL, with a warning, when it cannot. */
struct rulesfile *rulesfile_new(const char *path);
void		 rulesfile_free(struct rulesfile *);	/* NULL is a no-op */

/* The descriptor to wait on. */
int		 rulesfile_fd(const struct rulesfile *);

/* Reads what came; returns 1 when the rules file may have changed. */
int		 rulesfile_changed(struct rulesfile *);

#endif
