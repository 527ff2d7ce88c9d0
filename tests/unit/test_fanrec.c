/*
 * test_fanrec.c: unit tests for decoding fanotify's events with handle
 * records: a name's directory and name, a rename's two sides, the object
 * itself, records skipped or refused, and the event bits next to
 * inotify's.  Buffers are built here as the kernel lays them out.
 */
#include <sys/fanotify.h>
#include <sys/inotify.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fanrec.h"

#ifndef FAN_RENAME
#define FAN_RENAME	0x10000000
#endif

struct buf {
	unsigned char	 b[4096] __attribute__((aligned(8)));
	size_t		 len;
	size_t		 start;		/* of the event being built */
};

static void
begin(struct buf *b, uint64_t mask, int pid)
{
	struct fanotify_event_metadata md;

	memset(&md, 0, sizeof(md));
	md.vers = FANOTIFY_METADATA_VERSION;
	md.metadata_len = sizeof(md);
	md.mask = mask;
	md.fd = FAN_NOFD;
	md.pid = pid;
	b->start = b->len;
	memcpy(b->b + b->len, &md, sizeof(md));
	b->len += sizeof(md);
}

/* Ends the event: its length goes into its header. */
static void
end(struct buf *b)
{
	struct fanotify_event_metadata md;

	memcpy(&md, b->b + b->start, sizeof(md));
	md.event_len = (uint32_t)(b->len - b->start);
	memcpy(b->b + b->start, &md, sizeof(md));
}

/* A handle record: fsid 1:2, a handle of hlen bytes of hbyte, a name. */
static void
record(struct buf *b, uint8_t type, unsigned char hbyte, uint32_t hlen,
    const char *name)
{
	struct fanotify_event_info_header h;
	int32_t fsid[2] = { 1, 2 }, htype = 1;
	size_t at = b->len, n;

	b->len += sizeof(h);
	memcpy(b->b + b->len, fsid, sizeof(fsid));
	b->len += sizeof(fsid);
	memcpy(b->b + b->len, &hlen, sizeof(hlen));
	memcpy(b->b + b->len + 4, &htype, sizeof(htype));
	b->len += 8;
	memset(b->b + b->len, hbyte, hlen);
	b->len += hlen;
	if (name != NULL) {
		n = strlen(name) + 1;
		memcpy(b->b + b->len, name, n);
		b->len += n;
	}
	/* Padded to 4 bytes, as the kernel pads. */
	while (b->len % 4 != 0)
		b->b[b->len++] = 0;
	memset(&h, 0, sizeof(h));
	h.info_type = type;
	h.len = (uint16_t)(b->len - at);
	memcpy(b->b + at, &h, sizeof(h));
}

static void
assert_name(const struct fanrec_obj *o, const char *name)
{
	assert_non_null(o->name);
	assert_int_equal(o->namelen, strlen(name));
	assert_memory_equal(o->name, name, strlen(name) + 1);
}

static void
test_fanrec_decodes_directory_name_and_object(void **state)
{
	struct buf b = { .len = 0 };
	struct fanrec ev;
	size_t off = 0;

	(void)state;
	begin(&b, FAN_CREATE, 42);
	record(&b, FAN_EVENT_INFO_TYPE_DFID_NAME, 0xaa, 8, "file.c");
	record(&b, FAN_EVENT_INFO_TYPE_FID, 0xbb, 12, NULL);
	end(&b);
	assert_int_equal(fanrec_next(b.b, b.len, &off, &ev), 1);
	assert_int_equal(off, b.len);
	assert_int_equal(ev.mask, FAN_CREATE);
	assert_int_equal(ev.pid, 42);
	assert_name(&ev.dir, "file.c");
	/* fsid, handle_bytes and handle_type, the handle. */
	assert_int_equal(ev.dir.keylen, 8 + 8 + 8);
	assert_int_equal(ev.dir.key[16], 0xaa);
	assert_int_equal(ev.dir.key[23], 0xaa);
	assert_non_null(ev.obj.key);
	assert_int_equal(ev.obj.keylen, 8 + 8 + 12);
	assert_int_equal(ev.obj.key[16], 0xbb);
	assert_null(ev.obj.name);
	assert_null(ev.to.key);
	assert_int_equal(fanrec_next(b.b, b.len, &off, &ev), 0);
}

static void
test_fanrec_same_handle_same_key(void **state)
{
	struct buf b = { .len = 0 };
	struct fanrec e1, e2;
	size_t off = 0;

	(void)state;
	begin(&b, FAN_MODIFY, 1);
	record(&b, FAN_EVENT_INFO_TYPE_DFID_NAME, 0x11, 8, "a");
	end(&b);
	begin(&b, FAN_CLOSE_WRITE, 1);
	record(&b, FAN_EVENT_INFO_TYPE_DFID_NAME, 0x11, 8, "longer name");
	end(&b);
	assert_int_equal(fanrec_next(b.b, b.len, &off, &e1), 1);
	assert_int_equal(fanrec_next(b.b, b.len, &off, &e2), 1);
	assert_int_equal(e1.dir.keylen, e2.dir.keylen);
	assert_memory_equal(e1.dir.key, e2.dir.key, e1.dir.keylen);
	assert_name(&e2.dir, "longer name");
}

static void
test_fanrec_decodes_both_sides_of_a_rename(void **state)
{
	struct buf b = { .len = 0 };
	struct fanrec ev;
	size_t off = 0;

	(void)state;
	begin(&b, FAN_RENAME | FAN_ONDIR, 7);
	record(&b, FAN_EVENT_INFO_TYPE_OLD_DFID_NAME, 0x01, 8, "old");
	record(&b, FAN_EVENT_INFO_TYPE_NEW_DFID_NAME, 0x02, 8, "new");
	record(&b, FAN_EVENT_INFO_TYPE_FID, 0x03, 8, NULL);
	end(&b);
	assert_int_equal(fanrec_next(b.b, b.len, &off, &ev), 1);
	assert_name(&ev.dir, "old");
	assert_int_equal(ev.dir.key[16], 0x01);
	assert_name(&ev.to, "new");
	assert_int_equal(ev.to.key[16], 0x02);
	assert_int_equal(ev.obj.key[16], 0x03);
}

static void
test_fanrec_directory_itself_without_name(void **state)
{
	struct buf b = { .len = 0 };
	struct fanrec ev;
	size_t off = 0;

	(void)state;
	begin(&b, FAN_ATTRIB | FAN_ONDIR, 7);
	record(&b, FAN_EVENT_INFO_TYPE_DFID, 0x05, 8, NULL);
	end(&b);
	assert_int_equal(fanrec_next(b.b, b.len, &off, &ev), 1);
	assert_non_null(ev.dir.key);
	assert_null(ev.dir.name);
	assert_null(ev.obj.key);
}

static void
test_fanrec_overflow_has_no_records(void **state)
{
	struct buf b = { .len = 0 };
	struct fanrec ev;
	size_t off = 0;

	(void)state;
	begin(&b, FAN_Q_OVERFLOW, 0);
	end(&b);
	assert_int_equal(fanrec_next(b.b, b.len, &off, &ev), 1);
	assert_int_equal(ev.mask, FAN_Q_OVERFLOW);
	assert_null(ev.dir.key);
	assert_null(ev.obj.key);
}

static void
test_fanrec_skips_unknown_records(void **state)
{
	struct buf b = { .len = 0 };
	struct fanotify_event_info_header h;
	struct fanrec ev;
	size_t off = 0;

	(void)state;
	begin(&b, FAN_MODIFY, 3);
	memset(&h, 0, sizeof(h));
	h.info_type = 99;
	h.len = 12;
	memcpy(b.b + b.len, &h, sizeof(h));
	memset(b.b + b.len + sizeof(h), 0xff, 8);
	b.len += 12;
	record(&b, FAN_EVENT_INFO_TYPE_DFID_NAME, 0x11, 8, "x");
	end(&b);
	assert_int_equal(fanrec_next(b.b, b.len, &off, &ev), 1);
	assert_name(&ev.dir, "x");
}

static void
test_fanrec_refuses_truncated_events(void **state)
{
	struct buf b = { .len = 0 };
	struct fanrec ev;
	size_t off = 0, full, cut;

	(void)state;
	begin(&b, FAN_MODIFY, 3);
	record(&b, FAN_EVENT_INFO_TYPE_DFID_NAME, 0x11, 8, "name");
	end(&b);
	full = b.len;
	for (cut = 1; cut < full; cut++) {
		off = 0;
		errno = 0;
		assert_int_equal(fanrec_next(b.b, cut, &off, &ev), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(off, 0);
	}
}

static void
test_fanrec_refuses_malformed_records(void **state)
{
	struct buf b = { .len = 0 };
	struct fanotify_event_metadata md;
	struct fanrec ev;
	uint32_t big = FANREC_HANDLE_MAX + 1;
	size_t off = 0;

	(void)state;
	/* A handle longer than any the kernel makes. */
	begin(&b, FAN_MODIFY, 3);
	record(&b, FAN_EVENT_INFO_TYPE_DFID_NAME, 0x11, 8, "name");
	end(&b);
	memcpy(b.b + sizeof(md) + 4 + 8, &big, sizeof(big));
	assert_int_equal(fanrec_next(b.b, b.len, &off, &ev), -1);
	/* A name with no NUL before the end of its record. */
	b.len = 0;
	begin(&b, FAN_MODIFY, 3);
	record(&b, FAN_EVENT_INFO_TYPE_DFID_NAME, 0x11, 8, "abc");
	end(&b);
	b.b[b.len - 1] = 'x';
	off = 0;
	assert_int_equal(fanrec_next(b.b, b.len, &off, &ev), -1);
	/* Another version of the metadata. */
	b.len = 0;
	begin(&b, FAN_MODIFY, 3);
	end(&b);
	b.b[4] = FANOTIFY_METADATA_VERSION + 1;
	off = 0;
	assert_int_equal(fanrec_next(b.b, b.len, &off, &ev), -1);
}

static void
test_fanrec_maps_bits_to_inotify_and_back(void **state)
{
	(void)state;
	assert_int_equal(fanrec_to_inotify(FAN_CREATE | FAN_ONDIR),
	    IN_CREATE | IN_ISDIR);
	assert_int_equal(fanrec_to_inotify(FAN_CLOSE_WRITE | FAN_MODIFY |
	    FAN_OPEN), IN_CLOSE_WRITE | IN_MODIFY | IN_OPEN);
	assert_int_equal(fanrec_to_inotify(FAN_Q_OVERFLOW), IN_Q_OVERFLOW);
	assert_int_equal(fanrec_to_inotify(FAN_RENAME), 0);
	assert_int_equal(fanrec_from_inotify(IN_CLOSE_WRITE | IN_DELETE_SELF,
	    1), FAN_CLOSE_WRITE | FAN_DELETE_SELF);
	assert_int_equal(fanrec_from_inotify(IN_MOVED_TO | IN_ISDIR |
	    IN_Q_OVERFLOW, 1), FAN_RENAME);
	assert_int_equal(fanrec_from_inotify(IN_MOVED_TO, 0), FAN_MOVED_TO);
	assert_int_equal(fanrec_from_inotify(IN_ALL_EVENTS, 0),
	    FAN_ACCESS | FAN_MODIFY | FAN_ATTRIB | FAN_CLOSE | FAN_OPEN |
	    FAN_MOVE | FAN_CREATE | FAN_DELETE | FAN_DELETE_SELF |
	    FAN_MOVE_SELF);
}

static void
test_fanrec_orders_merged_bits_as_they_happen(void **state)
{
	uint32_t out[32];
	size_t n;

	(void)state;
	n = fanrec_order(IN_CLOSE_WRITE | IN_MODIFY | IN_OPEN | IN_CREATE |
	    IN_ISDIR, 0, out);
	assert_int_equal(n, 4);
	assert_int_equal(out[0], IN_CREATE);
	assert_int_equal(out[1], IN_OPEN);
	assert_int_equal(out[2], IN_MODIFY);
	assert_int_equal(out[3], IN_CLOSE_WRITE);
	n = fanrec_order(IN_CREATE | IN_DELETE, 0, out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], IN_CREATE);
	assert_int_equal(out[1], IN_DELETE);
	n = fanrec_order(IN_CREATE | IN_DELETE, 1, out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], IN_DELETE);
	assert_int_equal(out[1], IN_CREATE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fanrec_decodes_directory_name_and_object),
		cmocka_unit_test(test_fanrec_same_handle_same_key),
		cmocka_unit_test(test_fanrec_decodes_both_sides_of_a_rename),
		cmocka_unit_test(test_fanrec_directory_itself_without_name),
		cmocka_unit_test(test_fanrec_overflow_has_no_records),
		cmocka_unit_test(test_fanrec_skips_unknown_records),
		cmocka_unit_test(test_fanrec_refuses_truncated_events),
		cmocka_unit_test(test_fanrec_refuses_malformed_records),
		cmocka_unit_test(test_fanrec_maps_bits_to_inotify_and_back),
		cmocka_unit_test(
		    test_fanrec_orders_merged_bits_as_they_happen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
