/*
 * test_events.c: unit tests for events_next(), the decoder of inotify
 * records, on buffers crafted by hand: good, truncated and misaligned.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "events.h"

#define HDR	sizeof(struct inotify_event)

/*
 * Appends one record at *at in buf: the header, then name padded with
 * NULs to namelen bytes (namelen may be shorter than the name, to craft a
 * record whose name has no NUL).  Copies bytes, so buf may be misaligned.
 */
static void
put_record(unsigned char *buf, size_t *at, int wd, uint32_t mask,
    uint32_t cookie, const char *name, uint32_t namelen)
{
	struct inotify_event hdr;
	size_t n;

	memset(&hdr, 0, sizeof(hdr));
	hdr.wd = wd;
	hdr.mask = mask;
	hdr.cookie = cookie;
	hdr.len = namelen;
	memcpy(buf + *at, &hdr, HDR);
	*at += HDR;
	memset(buf + *at, 0, namelen);
	if (name != NULL) {
		n = strlen(name);
		memcpy(buf + *at, name, n < namelen ? n : namelen);
	}
	*at += namelen;
}

static void
test_events_decodes_one_record(void **state)
{
	unsigned char buf[256];
	struct event ev;
	size_t len = 0, off = 0;

	(void)state;
	put_record(buf, &len, 7, IN_CREATE | IN_ISDIR, 0, "foo", 16);
	assert_int_equal(events_next(buf, len, &off, &ev), 1);
	assert_int_equal(ev.wd, 7);
	assert_int_equal(ev.mask, IN_CREATE | IN_ISDIR);
	assert_int_equal(ev.cookie, 0);
	assert_int_equal(ev.namelen, 3);
	assert_string_equal(ev.name, "foo");
	assert_ptr_equal(ev.name, (const char *)buf + HDR);
	assert_int_equal(off, HDR + 16);
	assert_int_equal(events_next(buf, len, &off, &ev), 0);
	assert_int_equal(off, HDR + 16);
}

static void
test_events_decodes_several_records_in_order(void **state)
{
	unsigned char buf[512];
	struct event ev;
	size_t len = 0, off = 0;

	(void)state;
	put_record(buf, &len, 1, IN_MOVED_FROM, 42, "old", 16);
	put_record(buf, &len, 2, IN_MOVED_TO, 42, "a-longer-new-name", 32);
	put_record(buf, &len, 1, IN_DELETE_SELF, 0, NULL, 0);
	put_record(buf, &len, 3, IN_CLOSE_WRITE, 0, "x", 4);

	assert_int_equal(events_next(buf, len, &off, &ev), 1);
	assert_int_equal(ev.wd, 1);
	assert_int_equal(ev.mask, IN_MOVED_FROM);
	assert_int_equal(ev.cookie, 42);
	assert_int_equal(ev.namelen, 3);
	assert_memory_equal(ev.name, "old", 4);
	assert_int_equal(off, HDR + 16);

	assert_int_equal(events_next(buf, len, &off, &ev), 1);
	assert_int_equal(ev.wd, 2);
	assert_int_equal(ev.mask, IN_MOVED_TO);
	assert_int_equal(ev.cookie, 42);
	assert_int_equal(ev.namelen, 17);
	assert_string_equal(ev.name, "a-longer-new-name");
	assert_int_equal(off, 2 * HDR + 48);

	assert_int_equal(events_next(buf, len, &off, &ev), 1);
	assert_int_equal(ev.wd, 1);
	assert_int_equal(ev.mask, IN_DELETE_SELF);
	assert_int_equal(ev.namelen, 0);
	assert_int_equal(off, 3 * HDR + 48);

	assert_int_equal(events_next(buf, len, &off, &ev), 1);
	assert_int_equal(ev.wd, 3);
	assert_int_equal(ev.namelen, 1);
	assert_string_equal(ev.name, "x");
	assert_int_equal(off, 4 * HDR + 52);
	assert_int_equal(off, len);

	assert_int_equal(events_next(buf, len, &off, &ev), 0);
}

static void
test_events_strips_nul_padding_from_names(void **state)
{
	unsigned char buf[256];
	struct event ev;
	size_t len = 0, off = 0;

	(void)state;
	/* One NUL exactly at the end, then much padding. */
	put_record(buf, &len, 1, IN_CREATE, 0, "abc", 4);
	put_record(buf, &len, 1, IN_CREATE, 0, "d", 64);
	assert_int_equal(events_next(buf, len, &off, &ev), 1);
	assert_int_equal(ev.namelen, 3);
	assert_string_equal(ev.name, "abc");
	assert_int_equal(events_next(buf, len, &off, &ev), 1);
	assert_int_equal(ev.namelen, 1);
	assert_string_equal(ev.name, "d");
	assert_int_equal(off, 2 * HDR + 68);
}

static void
test_events_record_with_len_zero_has_no_name(void **state)
{
	unsigned char buf[64];
	struct event ev;
	size_t len = 0, off = 0;

	(void)state;
	put_record(buf, &len, -1, IN_Q_OVERFLOW, 0, NULL, 0);
	assert_int_equal(len, HDR);
	assert_int_equal(events_next(buf, len, &off, &ev), 1);
	assert_int_equal(ev.wd, -1);
	assert_int_equal(ev.mask, IN_Q_OVERFLOW);
	assert_int_equal(ev.namelen, 0);
	assert_int_equal(off, HDR);
	assert_int_equal(events_next(buf, len, &off, &ev), 0);
}

static void
test_events_empty_buffer_is_the_end(void **state)
{
	unsigned char buf[1] = { 0 };
	struct event ev;
	size_t off = 0;

	(void)state;
	assert_int_equal(events_next(buf, 0, &off, &ev), 0);
	off = 5;
	assert_int_equal(events_next(buf, 0, &off, &ev), 0);
}

static void
test_events_rejects_truncated_header(void **state)
{
	unsigned char buf[256];
	struct event ev;
	size_t len = 0, off = 0, cut;

	(void)state;
	put_record(buf, &len, 1, IN_CREATE, 0, "a", 16);
	for (cut = 1; cut < HDR; cut++) {
		off = 0;
		errno = 0;
		assert_int_equal(events_next(buf, cut, &off, &ev), -1);
		assert_int_equal(errno, EINVAL);
	}
	/* A good record followed by part of a header. */
	put_record(buf, &len, 2, IN_CREATE, 0, "b", 16);
	off = 0;
	assert_int_equal(events_next(buf, HDR + 16 + 5, &off, &ev), 1);
	assert_int_equal(ev.wd, 1);
	errno = 0;
	assert_int_equal(events_next(buf, HDR + 16 + 5, &off, &ev), -1);
	assert_int_equal(errno, EINVAL);
}

static void
test_events_rejects_len_past_the_end(void **state)
{
	unsigned char buf[256];
	struct event ev;
	size_t len = 0, off = 0;

	(void)state;
	put_record(buf, &len, 1, IN_CREATE, 0, "name", 16);
	errno = 0;
	assert_int_equal(events_next(buf, len - 1, &off, &ev), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	off = 0;
	assert_int_equal(events_next(buf, HDR, &off, &ev), -1);
	assert_int_equal(errno, EINVAL);
}

static void
test_events_rejects_huge_len_without_overflow(void **state)
{
	struct inotify_event hdr;
	unsigned char buf[256];
	struct event ev;
	size_t off = 0;

	(void)state;
	memset(&hdr, 0, sizeof(hdr));
	hdr.wd = 1;
	hdr.mask = IN_CREATE;
	hdr.len = UINT32_MAX;
	memcpy(buf, &hdr, HDR);
	memset(buf + HDR, 'x', sizeof(buf) - HDR);
	errno = 0;
	assert_int_equal(events_next(buf, sizeof(buf), &off, &ev), -1);
	assert_int_equal(errno, EINVAL);
}

static void
test_events_rejects_name_without_nul(void **state)
{
	unsigned char buf[256];
	struct event ev;
	size_t len = 0, off = 0;

	(void)state;
	put_record(buf, &len, 1, IN_CREATE, 0, "abcd", 4);
	/* A NUL right after the record must not count as the name's end. */
	buf[len] = '\0';
	errno = 0;
	assert_int_equal(events_next(buf, len, &off, &ev), -1);
	assert_int_equal(errno, EINVAL);

	len = 0;
	off = 0;
	put_record(buf, &len, 1, IN_CREATE, 0, "ok", 4);
	put_record(buf, &len, 1, IN_CREATE, 0, "abcdefgh", 8);
	assert_int_equal(events_next(buf, len, &off, &ev), 1);
	errno = 0;
	assert_int_equal(events_next(buf, len, &off, &ev), -1);
	assert_int_equal(errno, EINVAL);
}

/*
 * The kernel's buffer is aligned, a fuzzer's need not be: decoding must
 * copy the header out, which UBSan's alignment check verifies here.
 */
static void
test_events_decodes_misaligned_buffer(void **state)
{
	unsigned char *mem, *buf;
	struct event ev;
	size_t shift, len, off;

	(void)state;
	mem = malloc(1024);
	assert_non_null(mem);
	for (shift = 1; shift < 8; shift++) {
		buf = mem + shift;
		len = 0;
		put_record(buf, &len, 5, IN_MODIFY, 0, "one", 5);
		put_record(buf, &len, 6, IN_MOVED_TO, 99, "second", 11);
		put_record(buf, &len, 7, IN_IGNORED, 0, NULL, 0);
		off = 0;
		assert_int_equal(events_next(buf, len, &off, &ev), 1);
		assert_int_equal(ev.wd, 5);
		assert_int_equal(ev.mask, IN_MODIFY);
		assert_string_equal(ev.name, "one");
		assert_int_equal(off, HDR + 5);
		assert_int_equal(events_next(buf, len, &off, &ev), 1);
		assert_int_equal(ev.wd, 6);
		assert_int_equal(ev.cookie, 99);
		assert_int_equal(ev.namelen, 6);
		assert_string_equal(ev.name, "second");
		assert_int_equal(off, 2 * HDR + 16);
		assert_int_equal(events_next(buf, len, &off, &ev), 1);
		assert_int_equal(ev.wd, 7);
		assert_int_equal(ev.mask, IN_IGNORED);
		assert_int_equal(off, len);
		assert_int_equal(events_next(buf, len, &off, &ev), 0);
	}
	free(mem);
}

static void
test_events_decodes_from_a_given_offset(void **state)
{
	unsigned char buf[256];
	struct event ev;
	size_t len = 0, off, second;

	(void)state;
	put_record(buf, &len, 1, IN_CREATE, 0, "first", 8);
	second = len;
	put_record(buf, &len, 2, IN_DELETE, 0, "second", 8);
	off = second;
	assert_int_equal(events_next(buf, len, &off, &ev), 1);
	assert_int_equal(ev.wd, 2);
	assert_string_equal(ev.name, "second");
	assert_int_equal(off, len);
	off = len + 100;
	assert_int_equal(events_next(buf, len, &off, &ev), 0);
}

static void
test_events_walks_a_full_read_buffer(void **state)
{
	unsigned char *buf;
	struct event ev;
	char name[32];
	size_t len = 0, off = 0, n = 0, want;
	int rc;

	(void)state;
	buf = malloc(EVENTS_BUFSIZE);
	assert_non_null(buf);
	for (want = 0; len + HDR + 32 <= EVENTS_BUFSIZE; want++) {
		snprintf(name, sizeof(name), "file%zu", want);
		put_record(buf, &len, (int)want, IN_CLOSE_WRITE, 0, name,
		    (uint32_t)(want % 3 == 0 ? 0 : 16 * (want % 2 + 1)));
	}
	while ((rc = events_next(buf, len, &off, &ev)) == 1) {
		assert_int_equal(ev.wd, (int)n);
		if (n % 3 == 0)
			assert_int_equal(ev.namelen, 0);
		else {
			snprintf(name, sizeof(name), "file%zu", n);
			assert_string_equal(ev.name, name);
		}
		n++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, want);
	assert_int_equal(off, len);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_decodes_one_record),
		cmocka_unit_test(test_events_decodes_several_records_in_order),
		cmocka_unit_test(test_events_strips_nul_padding_from_names),
		cmocka_unit_test(test_events_record_with_len_zero_has_no_name),
		cmocka_unit_test(test_events_empty_buffer_is_the_end),
		cmocka_unit_test(test_events_rejects_truncated_header),
		cmocka_unit_test(test_events_rejects_len_past_the_end),
		cmocka_unit_test(test_events_rejects_huge_len_without_overflow),
		cmocka_unit_test(test_events_rejects_name_without_nul),
		cmocka_unit_test(test_events_decodes_misaligned_buffer),
		cmocka_unit_test(test_events_decodes_from_a_given_offset),
		cmocka_unit_test(test_events_walks_a_full_read_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
