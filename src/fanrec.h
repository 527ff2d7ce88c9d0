/*
 * fanrec.h: fanotify's event records.  Decodes what a fanotify descriptor
 * reporting directory handles and names gives (FAN_REPORT_DFID_NAME, with
 * FAN_REPORT_FID and, where the kernel has it, FAN_REPORT_TARGET_FID),
 * and maps fanotify's event bits to inotify's, in which everything above
 * the backends speaks, and back.  Makes no system calls.
 */
#ifndef WATCHRUN_FANREC_H
#define WATCHRUN_FANREC_H

/*
 * An object's key: its filesystem id (8 bytes), then its file handle as
 * struct file_handle lays it out (handle_bytes, handle_type, f_handle).
 * Together they name one object on the machine; the handle alone can be
 * given to open_by_handle_at(2) on that filesystem.
 */
#define FANREC_FSID_LEN		8
#define FANREC_HANDLE_MAX	128	/* MAX_HANDLE_SZ */
#define FANREC_KEY_MAX		(FANREC_FSID_LEN + 8 + FANREC_HANDLE_MAX)

/* One object of an event; key and name point into the buffer decoded. */
struct fanrec_obj {
	const unsigned char *key;	/* NULL when the event has none */
	size_t		 keylen;
	const char	*name;		/* NUL-terminated; NULL: no name */
	size_t		 namelen;
};

/*
 * A decoded event.  dir is the directory an entry of which the event is
 * about, with that entry's name (for a rename, the old one), or the
 * directory itself, named "." or not named; to is a rename's new
 * directory and name; obj is the object itself, when the kernel says.
 */
struct fanrec {
	uint64_t	 mask;
	int		 pid;
	struct fanrec_obj dir;
	struct fanrec_obj to;
	struct fanrec_obj obj;
};

/*
 * Decodes the event at *off in the len bytes at buf (as read(2) gave
 * them, aligned as it aligns them) into *ev and moves *off past it.
 * Returns 1 for an event, 0 at the end of the buffer, and -1 with errno
 * EINVAL when the event is truncated or malformed (*off is then left
 * alone).  Records of kinds it does not know are skipped.
 */
int		 fanrec_next(const void *buf, size_t len, size_t *off,
		    struct fanrec *ev);

/* The inotify bits (IN_*, with IN_ISDIR) of fanotify's bits mask. */
uint32_t	 fanrec_to_inotify(uint64_t mask);

/*
 * The fanotify bits that report the inotify bits mask: with rename, a
 * rename is FAN_RENAME, else FAN_MOVED_FROM and FAN_MOVED_TO.
 */
uint64_t	 fanrec_from_inotify(uint32_t mask, int rename);

/*
 * Fills bits with the single inotify bits of mask (IN_ISDIR aside), in
 * the order the changes they stand for happen when the kernel merged
 * them into one event: created, opened, read, written, closed, deleted.
 * A name both created and deleted was deleted first when deleted_first
 * is set.  bits has room for 32; returns how many.
 */
size_t		 fanrec_order(uint32_t mask, int deleted_first,
		    uint32_t *bits);

#endif
