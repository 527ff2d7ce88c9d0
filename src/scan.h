/*
 * scan.h: reading a directory's entries with getdents64(2), taking each
 * entry's type from the directory itself rather than from stat(2).
 */
#ifndef WATCHRUN_SCAN_H
#define WATCHRUN_SCAN_H

#include <stdint.h>

/*
 * Called for each entry but "." and "..": dirfd is the open directory,
 * name is NUL-terminated, type a DT_* value (DT_UNKNOWN only when even
 * fstatat(2) failed).  Returning -1 stops the scan.
 */
typedef int	 scan_fn(void *arg, int dirfd, const char *name, size_t len,
		    unsigned char type);

/* The buffer a scan reads into; one is enough for any number of scans. */
#define SCAN_BUFSIZE	32768

/*
 * Scans the directory at path, which is not followed if it is a symlink
 * unless follow is set, reading through buf (SCAN_BUFSIZE bytes).  Returns
 * 0, or -1 with errno set when it cannot be opened or read.
 */
int	 scan_dir(const char *path, int follow, void *buf, scan_fn *fn,
	    void *arg);

/* As scan_dir(), on a directory already open as fd (left open). */
int	 scan_fd(int fd, void *buf, scan_fn *fn, void *arg);

/*
 * Whether the entry name of dirfd (not followed) changed at or after since
 * (CLOCK_REALTIME ns), by its ctime or mtime: what a rescan after lost
 * events reports.  0 when it cannot be stat'ed.
 */
int	 scan_changed_since(int dirfd, const char *name, int64_t since);

#endif
