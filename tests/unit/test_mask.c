/*
 * test_mask.c: unit tests for the event name table: parsing names into
 * masks, "did you mean" hints, and printing masks back as names.
 */
#include <sys/inotify.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "mask.h"

/* Parses a NUL-terminated string; fails the test if it is rejected. */
static uint32_t
parse_ok(const char *s)
{
	uint32_t mask = 0xdeadbeef;
	size_t off = 999, len = 999;

	if (mask_parse(s, strlen(s), &mask, &off, &len) != 0)
		fail_msg("mask_parse(\"%s\") failed at %zu+%zu", s, off, len);
	return mask;
}

/* Expects s to be rejected with the bad name at off, len bytes long. */
static void
parse_bad(const char *s, size_t wantoff, size_t wantlen)
{
	uint32_t mask = 0;
	size_t off = 999, len = 999;

	assert_int_equal(mask_parse(s, strlen(s), &mask, &off, &len), -1);
	assert_int_equal(off, wantoff);
	assert_int_equal(len, wantlen);
}

static void
test_mask_parses_every_classic_name(void **state)
{
	static const struct {
		const char	*name;
		uint32_t	 mask;
	} names[] = {
		{ "ACCESS", IN_ACCESS },
		{ "MODIFY", IN_MODIFY },
		{ "ATTRIB", IN_ATTRIB },
		{ "OPEN", IN_OPEN },
		{ "MOVED_FROM", IN_MOVED_FROM },
		{ "MOVED_TO", IN_MOVED_TO },
		{ "CREATE", IN_CREATE },
		{ "DELETE", IN_DELETE },
		{ "DELETE_SELF", IN_DELETE_SELF },
		{ "MOVE_SELF", IN_MOVE_SELF },
		{ "UNMOUNT", IN_UNMOUNT },
		{ "Q_OVERFLOW", IN_Q_OVERFLOW },
		{ "IGNORED", IN_IGNORED },
		{ "ISDIR", IN_ISDIR },
		{ "ONLYDIR", IN_ONLYDIR },
		{ "DONT_FOLLOW", IN_DONT_FOLLOW },
		{ "EXCL_UNLINK", IN_EXCL_UNLINK },
		{ "MASK_CREATE", IN_MASK_CREATE },
		{ "MASK_ADD", IN_MASK_ADD },
		{ "ONESHOT", IN_ONESHOT },
		{ "CLOSE_WRITE", IN_CLOSE_WRITE },
		{ "CLOSE_NOWRITE", IN_CLOSE_NOWRITE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_int_equal(parse_ok(names[i].name), names[i].mask);
}

static void
test_mask_write_is_close_write_and_close_is_close_nowrite(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("WRITE"), IN_CLOSE_WRITE);
	assert_int_equal(parse_ok("CLOSE"), IN_CLOSE_NOWRITE);
}

static void
test_mask_kernel_in_close_and_in_move_mean_both_halves(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("IN_CLOSE"),
	    IN_CLOSE_WRITE | IN_CLOSE_NOWRITE);
	assert_int_equal(parse_ok("IN_MOVE"), IN_MOVED_FROM | IN_MOVED_TO);
	assert_int_equal(parse_ok("IN_CLOSE_WRITE"), IN_CLOSE_WRITE);
	assert_int_equal(parse_ok("IN_CLOSE_NOWRITE"), IN_CLOSE_NOWRITE);
	assert_int_equal(parse_ok("IN_MOVED_TO"), IN_MOVED_TO);
	assert_int_equal(parse_ok("IN_ISDIR"), IN_ISDIR);
	assert_int_equal(parse_ok("IN_ALL_EVENTS"), IN_ALL_EVENTS);
}

static void
test_mask_move_and_all(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("MOVE"), IN_MOVED_FROM | IN_MOVED_TO);
	assert_int_equal(parse_ok("ALL"), IN_ALL_EVENTS);
	assert_int_equal(parse_ok("ALL_EVENTS"), IN_ALL_EVENTS);
}

static void
test_mask_kernel_prefix_takes_only_kernel_names(void **state)
{
	(void)state;
	/* WRITE is watchrun's name; the kernel has no IN_WRITE. */
	parse_bad("IN_WRITE", 0, 8);
	parse_bad("IN_", 0, 3);
}

static void
test_mask_names_are_case_insensitive(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("write"), IN_CLOSE_WRITE);
	assert_int_equal(parse_ok("Create"), IN_CREATE);
	assert_int_equal(parse_ok("in_close"),
	    IN_CLOSE_WRITE | IN_CLOSE_NOWRITE);
	assert_int_equal(parse_ok("In_Moved_From"), IN_MOVED_FROM);
	assert_int_equal(parse_ok("mOvEd_To"), IN_MOVED_TO);
}

static void
test_mask_joins_names_with_bar_and_comma(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("WRITE|CREATE"), IN_CLOSE_WRITE | IN_CREATE);
	assert_int_equal(parse_ok("WRITE,CREATE"), IN_CLOSE_WRITE | IN_CREATE);
	assert_int_equal(parse_ok("write,CREATE|in_delete"),
	    IN_CLOSE_WRITE | IN_CREATE | IN_DELETE);
	assert_int_equal(parse_ok("WRITE|WRITE"), IN_CLOSE_WRITE);
	assert_int_equal(parse_ok("CREATE|ISDIR"), IN_CREATE | IN_ISDIR);
}

static void
test_mask_reads_only_len_bytes(void **state)
{
	uint32_t mask = 0;
	size_t off, len;

	(void)state;
	assert_int_equal(mask_parse("WRITE|BOGUS", 5, &mask, &off, &len), 0);
	assert_int_equal(mask, IN_CLOSE_WRITE);
	assert_int_equal(mask_parse("CREATEX", 6, &mask, &off, &len), 0);
	assert_int_equal(mask, IN_CREATE);
}

static void
test_mask_rejects_unknown_name_with_its_location(void **state)
{
	(void)state;
	parse_bad("BOGUS", 0, 5);
	parse_bad("WRITE|BOGUS", 6, 5);
	parse_bad("WRITE|BOGUS|CREATE", 6, 5);
	parse_bad("WRITE,CREATE,WIRTE", 13, 5);
	parse_bad("WRITEX", 0, 6);
	parse_bad("IN_BOGUS", 0, 8);
}

static void
test_mask_rejects_empty_names(void **state)
{
	(void)state;
	parse_bad("", 0, 0);
	parse_bad("WRITE||CREATE", 6, 0);
	parse_bad("WRITE|", 6, 0);
	parse_bad("|WRITE", 0, 0);
	parse_bad("WRITE,,CREATE", 6, 0);
	parse_bad("WRITE|,CREATE", 6, 0);
}

static void
test_mask_suggests_near_names(void **state)
{
	const char *s;

	(void)state;
	s = mask_suggest("WIRTE", 5);
	assert_non_null(s);
	assert_string_equal(s, "WRITE");
	s = mask_suggest("in_close_wirte", 14);
	assert_non_null(s);
	assert_string_equal(s, "IN_CLOSE_WRITE");
	s = mask_suggest("creat", 5);
	assert_non_null(s);
	assert_string_equal(s, "CREATE");
	s = mask_suggest("MOVED_FORM", 10);
	assert_non_null(s);
	assert_string_equal(s, "MOVED_FROM");
	s = mask_suggest("isdri", 5);
	assert_non_null(s);
	assert_string_equal(s, "ISDIR");
}

static void
test_mask_suggests_nothing_for_nonsense(void **state)
{
	char longword[200];

	(void)state;
	assert_null(mask_suggest("nonsense", 8));
	assert_null(mask_suggest("xyzzy", 5));
	assert_null(mask_suggest("src", 3));
	assert_null(mask_suggest("", 0));
	memset(longword, 'W', sizeof(longword));
	assert_null(mask_suggest(longword, sizeof(longword)));
}

static void
test_mask_suggest_reads_only_len_bytes(void **state)
{
	const char *s;

	(void)state;
	s = mask_suggest("WIRTE|nonsense", 5);
	assert_non_null(s);
	assert_string_equal(s, "WRITE");
}

static void
test_mask_format_writes_names_in_bit_order(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(mask_format(IN_DELETE | IN_ACCESS | IN_CLOSE_WRITE,
	    buf, sizeof(buf)), strlen("ACCESS|WRITE|DELETE"));
	assert_string_equal(buf, "ACCESS|WRITE|DELETE");
	assert_int_equal(mask_format(IN_ISDIR | IN_CREATE, buf, sizeof(buf)),
	    12);
	assert_string_equal(buf, "CREATE|ISDIR");
	mask_format(IN_CLOSE, buf, sizeof(buf));
	assert_string_equal(buf, "WRITE|CLOSE");
	mask_format(IN_MOVE, buf, sizeof(buf));
	assert_string_equal(buf, "MOVED_FROM|MOVED_TO");
	mask_format(IN_Q_OVERFLOW, buf, sizeof(buf));
	assert_string_equal(buf, "Q_OVERFLOW");
	mask_format(IN_ONESHOT | IN_ISDIR | IN_ONLYDIR, buf, sizeof(buf));
	assert_string_equal(buf, "ONLYDIR|ISDIR|ONESHOT");
}

static void
test_mask_format_of_zero_is_empty(void **state)
{
	char buf[16];

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(mask_format(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void
test_mask_format_skips_bits_without_a_name(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(mask_format(0x00001000 | 0x00800000, buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "");
	mask_format(0x00800000 | IN_CREATE, buf, sizeof(buf));
	assert_string_equal(buf, "CREATE");
}

static void
test_mask_format_returns_needed_length_when_truncated(void **state)
{
	char buf[4];

	(void)state;
	assert_int_equal(mask_format(IN_CREATE | IN_ISDIR, NULL, 0), 12);
	assert_int_equal(mask_format(IN_CREATE | IN_ISDIR, buf, sizeof(buf)),
	    12);
	assert_int_equal(mask_format(IN_ALL_EVENTS, buf, 1),
	    strlen("ACCESS|MODIFY|ATTRIB|WRITE|CLOSE|OPEN|MOVED_FROM|"
	    "MOVED_TO|CREATE|DELETE|DELETE_SELF|MOVE_SELF"));
}

static void
test_mask_format_stays_within_size_and_terminates(void **state)
{
	char buf[32];
	size_t size, i;

	(void)state;
	for (size = 1; size <= 20; size++) {
		memset(buf, 'Z', sizeof(buf));
		mask_format(IN_CREATE | IN_ISDIR, buf, size);
		assert_non_null(memchr(buf, '\0', size));
		for (i = size; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 'Z');
	}
}

/*
 * The header promises snprintf(3) behaviour: a truncated result holds as
 * much of the text as fits, not only the names that fit whole.
 */
static void
test_mask_format_truncates_like_snprintf(void **state)
{
	const char *full = "CREATE|ISDIR";
	char buf[32], want[32];
	size_t size;

	(void)state;
	for (size = 1; size <= strlen(full) + 1; size++) {
		memset(buf, 'Z', sizeof(buf));
		snprintf(want, size, "%s", full);
		mask_format(IN_CREATE | IN_ISDIR, buf, size);
		if (strcmp(buf, want) != 0)
			fail_msg("size %zu: got \"%s\", snprintf gives \"%s\"",
			    size, buf, want);
	}
}

static void
test_mask_format_output_parses_back(void **state)
{
	char buf[256];
	uint32_t bit;
	int i;

	(void)state;
	for (i = 0; i < 32; i++) {
		bit = (uint32_t)1 << i;
		if (mask_format(bit, buf, sizeof(buf)) == 0)
			continue;
		assert_int_equal(parse_ok(buf), bit);
	}
	mask_format(IN_ALL_EVENTS | IN_ISDIR, buf, sizeof(buf));
	assert_int_equal(parse_ok(buf), IN_ALL_EVENTS | IN_ISDIR);
}

static void
test_mask_names_lists_names_in_bit_order(void **state)
{
	const char *names[8] = { NULL };

	(void)state;
	assert_int_equal(mask_names(IN_ISDIR | IN_CREATE, names, 8), 2);
	assert_string_equal(names[0], "CREATE");
	assert_string_equal(names[1], "ISDIR");
	assert_null(names[2]);
	assert_int_equal(mask_names(IN_CLOSE_WRITE, names, 8), 1);
	assert_string_equal(names[0], "WRITE");
	assert_int_equal(mask_names(0, names, 8), 0);
}

static void
test_mask_names_counts_past_max_without_storing(void **state)
{
	const char *names[3] = { NULL, NULL, "sentinel" };

	(void)state;
	assert_int_equal(mask_names(IN_ACCESS | IN_MODIFY | IN_CREATE, names,
	    2), 3);
	assert_string_equal(names[0], "ACCESS");
	assert_string_equal(names[1], "MODIFY");
	assert_string_equal(names[2], "sentinel");
	assert_int_equal(mask_names(IN_ALL_EVENTS, NULL, 0), 12);
}

/* The names mask_list() writes, in an array of count lines. */
static char *
list_names(size_t *countp)
{
	char *text = NULL, *p;
	size_t len = 0;
	FILE *fp;

	assert_non_null(fp = open_memstream(&text, &len));
	assert_int_equal(mask_list(fp), 0);
	assert_int_equal(fclose(fp), 0);
	assert_true(len > 0 && text[len - 1] == '\n');
	*countp = 0;
	for (p = text; *p != '\0'; p++)
		if (*p == '\n') {
			*p = '\0';
			(*countp)++;
		}
	return text;
}

static void
test_mask_list_names_parse_once_each_in_upper_case(void **state)
{
	char *text, *a, *b;
	size_t n, i, j;

	(void)state;
	text = list_names(&n);
	for (i = 0, a = text; i < n; i++, a += strlen(a) + 1) {
		assert_true(*a != '\0');
		assert_true(parse_ok(a) != 0);
		assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_"),
		    strlen(a));
		for (j = i + 1, b = a + strlen(a) + 1; j < n;
		    j++, b += strlen(b) + 1)
			if (strcmp(a, b) == 0)
				fail_msg("%s is listed twice", a);
	}
	free(text);
}

/* Whether name is one of the n names in text. */
static int
listed(const char *text, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++, text += strlen(text) + 1)
		if (strcmp(text, name) == 0)
			return 1;
	return 0;
}

static void
test_mask_list_has_every_kind_of_name(void **state)
{
	static const char *const want[] = {
		"ACCESS", "WRITE", "CLOSE", "ISDIR", "NO_LOOP", "INITIAL",
		"CLOSE_WRITE", "MOVE", "ALL", "ALL_EVENTS", "IN_CLOSE_WRITE",
		"IN_CLOSE", "IN_MOVE", "IN_ALL_EVENTS", "IN_NO_LOOP",
	};
	char *text;
	size_t n, i;

	(void)state;
	text = list_names(&n);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!listed(text, n, want[i]))
			fail_msg("%s is not listed", want[i]);
	/* Only names the parser takes: IN_ has no INITIAL, WRITE no IN_. */
	assert_false(listed(text, n, "IN_INITIAL"));
	assert_false(listed(text, n, "IN_WRITE"));
	free(text);
}

static void
test_mask_list_reports_a_failed_write(void **state)
{
	char buf[16];
	FILE *fp;

	(void)state;
	assert_non_null(fp = fmemopen(buf, sizeof(buf), "w"));
	assert_int_equal(setvbuf(fp, NULL, _IONBF, 0), 0);
	assert_int_equal(mask_list(fp), -1);
	(void)fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_parses_every_classic_name),
		cmocka_unit_test(
		    test_mask_write_is_close_write_and_close_is_close_nowrite),
		cmocka_unit_test(
		    test_mask_kernel_in_close_and_in_move_mean_both_halves),
		cmocka_unit_test(test_mask_move_and_all),
		cmocka_unit_test(
		    test_mask_kernel_prefix_takes_only_kernel_names),
		cmocka_unit_test(test_mask_names_are_case_insensitive),
		cmocka_unit_test(test_mask_joins_names_with_bar_and_comma),
		cmocka_unit_test(test_mask_reads_only_len_bytes),
		cmocka_unit_test(
		    test_mask_rejects_unknown_name_with_its_location),
		cmocka_unit_test(test_mask_rejects_empty_names),
		cmocka_unit_test(test_mask_suggests_near_names),
		cmocka_unit_test(test_mask_suggests_nothing_for_nonsense),
		cmocka_unit_test(test_mask_suggest_reads_only_len_bytes),
		cmocka_unit_test(test_mask_format_writes_names_in_bit_order),
		cmocka_unit_test(test_mask_format_of_zero_is_empty),
		cmocka_unit_test(test_mask_format_skips_bits_without_a_name),
		cmocka_unit_test(
		    test_mask_format_returns_needed_length_when_truncated),
		cmocka_unit_test(
		    test_mask_format_stays_within_size_and_terminates),
		cmocka_unit_test(test_mask_format_truncates_like_snprintf),
		cmocka_unit_test(test_mask_format_output_parses_back),
		cmocka_unit_test(test_mask_names_lists_names_in_bit_order),
		cmocka_unit_test(
		    test_mask_names_counts_past_max_without_storing),
		cmocka_unit_test(
		    test_mask_list_names_parse_once_each_in_upper_case),
		cmocka_unit_test(test_mask_list_has_every_kind_of_name),
		cmocka_unit_test(test_mask_list_reports_a_failed_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
