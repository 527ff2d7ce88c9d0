/*
 * fanrec.c: decoding fanotify events with file handle records, and the
 * event bits of fanotify next to inotify's.  Both come from fsnotify and
 * share most values today; the table says which is which all the same.
 */
#include <sys/fanotify.h>
#include <sys/inotify.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fanrec.h"

/* Kinds of info records from the kernel's uapi, should libc lack them. */
#ifndef FAN_EVENT_INFO_TYPE_OLD_DFID_NAME
#define FAN_EVENT_INFO_TYPE_OLD_DFID_NAME	10
#define FAN_EVENT_INFO_TYPE_NEW_DFID_NAME	12
#endif
#ifndef FAN_RENAME
#define FAN_RENAME	0x10000000
#endif

/* The fixed part of a record: the header (4 bytes), then the fsid. */
#define INFO_HDR	4
#define HANDLE_HDR	8	/* handle_bytes, handle_type */

static const struct {
	uint64_t	 fan;
	uint32_t	 in;
} bits[] = {
	{ FAN_ACCESS, IN_ACCESS },
	{ FAN_MODIFY, IN_MODIFY },
	{ FAN_ATTRIB, IN_ATTRIB },
	{ FAN_CLOSE_WRITE, IN_CLOSE_WRITE },
	{ FAN_CLOSE_NOWRITE, IN_CLOSE_NOWRITE },
	{ FAN_OPEN, IN_OPEN },
	{ FAN_MOVED_FROM, IN_MOVED_FROM },
	{ FAN_MOVED_TO, IN_MOVED_TO },
	{ FAN_CREATE, IN_CREATE },
	{ FAN_DELETE, IN_DELETE },
	{ FAN_DELETE_SELF, IN_DELETE_SELF },
	{ FAN_MOVE_SELF, IN_MOVE_SELF },
	{ FAN_Q_OVERFLOW, IN_Q_OVERFLOW },
	{ FAN_ONDIR, IN_ISDIR },
};
#define NBITS	(sizeof(bits) / sizeof(bits[0]))

uint32_t
fanrec_to_inotify(uint64_t mask)
{
	uint32_t in = 0;
	size_t i;

	for (i = 0; i < NBITS; i++)
		if (mask & bits[i].fan)
			in |= bits[i].in;
	return in;
}

uint64_t
fanrec_from_inotify(uint32_t mask, int rename)
{
	uint64_t fan = 0;
	size_t i;

	for (i = 0; i < NBITS; i++)
		if ((mask & bits[i].in) && bits[i].fan != FAN_Q_OVERFLOW &&
		    bits[i].fan != FAN_ONDIR)
			fan |= bits[i].fan;
	if (rename && (fan & (FAN_MOVED_FROM | FAN_MOVED_TO)))
		fan = (fan & ~(uint64_t)(FAN_MOVED_FROM | FAN_MOVED_TO)) |
		    FAN_RENAME;
	return fan;
}

size_t
fanrec_order(uint32_t mask, int deleted_first, uint32_t *out)
{
	static const uint32_t order[] = {
		IN_CREATE, IN_OPEN, IN_ACCESS, IN_MODIFY, IN_ATTRIB,
		IN_CLOSE_WRITE, IN_CLOSE_NOWRITE, IN_MOVED_FROM, IN_MOVED_TO,
		IN_DELETE, IN_DELETE_SELF, IN_MOVE_SELF, IN_Q_OVERFLOW,
	};
	size_t i, n = 0;

	if (deleted_first && (mask & IN_DELETE) && (mask & IN_CREATE)) {
		out[n++] = IN_DELETE;
		mask &= ~(uint32_t)IN_DELETE;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (mask & order[i])
			out[n++] = order[i];
	return n;
}

/*
 * Decodes the info record of rlen bytes at p, of a kind that carries a
 * handle (and, with names, a name after it), into *o.  Returns 0, or -1
 * when it does not hold together.
 */
static int
decode_fid(const unsigned char *p, size_t rlen, int named,
    struct fanrec_obj *o)
{
	uint32_t hbytes;
	size_t at, end;

	if (rlen < INFO_HDR + FANREC_FSID_LEN + HANDLE_HDR)
		return -1;
	memcpy(&hbytes, p + INFO_HDR + FANREC_FSID_LEN, sizeof(hbytes));
	if (hbytes > FANREC_HANDLE_MAX)
		return -1;
	at = INFO_HDR + FANREC_FSID_LEN + HANDLE_HDR + hbytes;
	if (at > rlen)
		return -1;
	o->key = p + INFO_HDR;
	o->keylen = FANREC_FSID_LEN + HANDLE_HDR + hbytes;
	o->name = NULL;
	o->namelen = 0;
	if (!named)
		return 0;
	/* The name runs to a NUL within the record; padding follows it. */
	for (end = at; end < rlen && p[end] != '\0'; end++)
		;
	if (end == rlen || end == at)
		return -1;
	o->name = (const char *)p + at;
	o->namelen = end - at;
	return 0;
}

int
fanrec_next(const void *buf, size_t len, size_t *off, struct fanrec *ev)
{
	struct fanotify_event_metadata md;
	const unsigned char *p = (const unsigned char *)buf + *off, *r;
	struct fanotify_event_info_header h;
	struct fanrec_obj *o;
	size_t at, left = len - *off;
	int named;

	if (*off >= len)
		return 0;
	if (left < sizeof(md))
		goto bad;
	memcpy(&md, p, sizeof(md));
	if (md.vers != FANOTIFY_METADATA_VERSION ||
	    md.metadata_len < sizeof(md) || md.event_len < md.metadata_len ||
	    md.event_len > left)
		goto bad;
	memset(ev, 0, sizeof(*ev));
	ev->mask = md.mask;
	ev->pid = md.pid;
	for (at = md.metadata_len; at < md.event_len; at += h.len) {
		if (md.event_len - at < sizeof(h))
			goto bad;
		r = p + at;
		memcpy(&h, r, sizeof(h));
		if (h.len < sizeof(h) || h.len > md.event_len - at)
			goto bad;
		named = 1;
		switch (h.info_type) {
		case FAN_EVENT_INFO_TYPE_FID:
			o = &ev->obj;
			named = 0;
			break;
		case FAN_EVENT_INFO_TYPE_DFID:
			o = &ev->dir;
			named = 0;
			break;
		case FAN_EVENT_INFO_TYPE_DFID_NAME:
		case FAN_EVENT_INFO_TYPE_OLD_DFID_NAME:
			o = &ev->dir;
			break;
		case FAN_EVENT_INFO_TYPE_NEW_DFID_NAME:
			o = &ev->to;
			break;
		default:
			continue;
		}
		if (decode_fid(r, h.len, named, o) == -1)
			goto bad;
	}
	*off += md.event_len;
	return 1;
bad:
	errno = EINVAL;
	return -1;
}
