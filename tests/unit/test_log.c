/*
 * test_log.c: unit tests for escaping file names for a terminal and for
 * JSON, and for the exact lines --print and --json write.
 */
#include <sys/inotify.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vis.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "log.h"

/*
 * Escapes the len bytes at s into a buffer of exactly 4 * len + 1 bytes,
 * so that AddressSanitizer sees any write past the promised size, and
 * checks the text and the returned length.
 */
static void
check_escape_flags(const char *s, size_t len, int flags, const char *want)
{
	char *dst;
	size_t n;

	dst = malloc(4 * len + 1);
	assert_non_null(dst);
	n = log_escape_flags(dst, s, len, flags);
	assert_string_equal(dst, want);
	assert_int_equal(n, strlen(want));
	free(dst);
}

static void
check_escape(const char *s, size_t len, const char *want)
{
	char *dst;
	size_t n;

	check_escape_flags(s, len, 0, want);
	dst = malloc(4 * len + 1);
	assert_non_null(dst);
	n = log_escape(dst, s, len);
	assert_string_equal(dst, want);
	assert_int_equal(n, strlen(want));
	free(dst);
}

#define ESC(lit, want)	check_escape((lit), sizeof(lit) - 1, (want))

/* Writes one event with f to a memory stream and returns the text. */
static char *
capture_text(const char *path, size_t len, uint32_t mask)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp;

	fp = open_memstream(&out, &outlen);
	assert_non_null(fp);
	log_event_text(fp, path, len, mask);
	fclose(fp);
	return out;
}

static char *
capture_json(const char *path, size_t len, uint32_t mask, uint32_t cookie)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp;

	fp = open_memstream(&out, &outlen);
	assert_non_null(fp);
	log_event_json(fp, path, len, mask, cookie);
	fclose(fp);
	return out;
}

static void
check_text(const char *path, size_t len, uint32_t mask, const char *want)
{
	char *out;

	out = capture_text(path, len, mask);
	assert_string_equal(out, want);
	free(out);
}

static void
check_json(const char *path, size_t len, uint32_t mask, uint32_t cookie,
    const char *want)
{
	char *out;

	out = capture_json(path, len, mask, cookie);
	assert_string_equal(out, want);
	free(out);
}

static void
test_log_escape_leaves_plain_ascii_alone(void **state)
{
	(void)state;
	ESC("", "");
	ESC("src/main.c", "src/main.c");
	ESC("a b/~x-y_z.#1 'q' \"d\" $HOME", "a b/~x-y_z.#1 'q' \"d\" $HOME");
}

static void
test_log_escape_writes_c_style_escapes(void **state)
{
	(void)state;
	ESC("a\nb", "a\\nb");
	ESC("\t", "\\t");
	ESC("\r", "\\r");
	ESC("\\", "\\\\");
	ESC("dir\\file", "dir\\\\file");
	ESC("\a\b\f\v", "\\a\\b\\f\\v");
}

static void
test_log_escape_writes_octal_for_other_controls(void **state)
{
	(void)state;
	ESC("\033[31m", "\\033[31m");
	ESC("\001", "\\001");
	ESC("\177", "\\177");
	check_escape("a\0b", 3, "a\\000b");
}

static void
test_log_escape_writes_octal_for_bytes_outside_utf8(void **state)
{
	(void)state;
	ESC("\xff", "\\377");
	ESC("a\xfe\xff" "b", "a\\376\\377b");
	ESC("\x80", "\\200");
	/* A lead byte whose sequence is cut short by the end. */
	ESC("x\xe2\x82", "x\\342\\202");
	/* A lead byte followed by something that is no continuation. */
	ESC("\xc3" "A", "\\303A");
}

static void
test_log_escape_keeps_printable_utf8(void **state)
{
	(void)state;
	ESC("caf\xc3\xa9", "caf\xc3\xa9");
	ESC("\xe2\x82\xac", "\xe2\x82\xac");		/* U+20AC */
	ESC("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");	/* U+1F600 */
	ESC("\xc2\xa0", "\xc2\xa0");			/* U+00A0 */
}

static void
test_log_escape_escapes_c1_controls_byte_by_byte(void **state)
{
	(void)state;
	ESC("\xc2\x9b", "\\302\\233");			/* U+009B CSI */
	ESC("\xc2\x80", "\\302\\200");
	ESC("\xc2\x9f", "\\302\\237");
}

static void
test_log_escape_escapes_direction_and_invisible_marks(void **state)
{
	(void)state;
	ESC("a\xe2\x80\xae" "b", "a\\342\\200\\256b");	/* U+202E */
	ESC("\xe2\x80\x8e", "\\342\\200\\216");		/* U+200E */
	ESC("\xe2\x80\xa8", "\\342\\200\\250");		/* U+2028 */
	ESC("\xe2\x81\xa6", "\\342\\201\\246");		/* U+2066 */
	ESC("\xef\xbb\xbf", "\\357\\273\\277");		/* U+FEFF */
}

static void
test_log_escape_escapes_overlong_and_surrogate_forms(void **state)
{
	(void)state;
	ESC("\xc0\xaf", "\\300\\257");			/* overlong '/' */
	ESC("\xc1\xbf", "\\301\\277");
	ESC("\xe0\x80\xaf", "\\340\\200\\257");		/* overlong '/' */
	ESC("\xf0\x80\x80\xaf", "\\360\\200\\200\\257");
	ESC("\xed\xa0\x80", "\\355\\240\\200");		/* U+D800 */
	ESC("\xed\xbf\xbf", "\\355\\277\\277");		/* U+DFFF */
	ESC("\xf4\x90\x80\x80", "\\364\\220\\200\\200");	/* > U+10FFFF */
	ESC("\xf5\x80\x80\x80", "\\365\\200\\200\\200");
}

static void
test_log_escape_fills_at_most_four_bytes_per_byte(void **state)
{
	char src[64];

	(void)state;
	memset(src, 0xff, sizeof(src));
	check_escape(src, sizeof(src),
	    "\\377\\377\\377\\377\\377\\377\\377\\377"
	    "\\377\\377\\377\\377\\377\\377\\377\\377"
	    "\\377\\377\\377\\377\\377\\377\\377\\377"
	    "\\377\\377\\377\\377\\377\\377\\377\\377"
	    "\\377\\377\\377\\377\\377\\377\\377\\377"
	    "\\377\\377\\377\\377\\377\\377\\377\\377"
	    "\\377\\377\\377\\377\\377\\377\\377\\377"
	    "\\377\\377\\377\\377\\377\\377\\377\\377");
}

/* The header promises that unvis(3) reverses the escaping. */
static void
test_log_escape_is_reversed_by_strunvis(void **state)
{
	static const char *inputs[] = {
		"plain", "a\nb\tc\\d", "\033[2J", "\xff\xfe", "caf\xc3\xa9",
		"\xc2\x9bx", "\xe2\x80\xae", "\xc0\xaf\xed\xa0\x80", "\\033",
		"\\\\n", "\r\a\b\f\v\177",
	};
	char esc[256], back[256];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		log_escape(esc, inputs[i], strlen(inputs[i]));
		n = strunvis(back, esc);
		assert_int_equal(n, (int)strlen(inputs[i]));
		assert_string_equal(back, inputs[i]);
	}
	log_escape(esc, "a\0b", 3);
	assert_int_equal(strunvis(back, esc), 3);
	assert_memory_equal(back, "a\0b", 3);
}

static void
test_log_escape_keep_backslash_leaves_backslashes(void **state)
{
	(void)state;
	check_escape_flags("\\.c$", 4, LOG_KEEP_BACKSLASH, "\\.c$");
	check_escape_flags("a\\\\b", 4, LOG_KEEP_BACKSLASH, "a\\\\b");
	/* Everything else is escaped as before. */
	check_escape_flags("\\\n", 2, LOG_KEEP_BACKSLASH, "\\\\n");
	check_escape_flags("\033\xff", 2, LOG_KEEP_BACKSLASH, "\\033\\377");
	check_escape_flags("caf\xc3\xa9", 5, LOG_KEEP_BACKSLASH,
	    "caf\xc3\xa9");
	check_escape_flags("\\", 1, 0, "\\\\");
}

static void
test_log_vis_returns_an_escaped_copy(void **state)
{
	char *s;

	(void)state;
	s = log_vis("a\nb\xff", 4);
	assert_string_equal(s, "a\\nb\\377");
	free(s);
	s = log_vis("", 0);
	assert_string_equal(s, "");
	free(s);
}

static void
test_log_event_text_prints_names_and_path(void **state)
{
	(void)state;
	check_text("src/new/", 8, IN_CREATE | IN_ISDIR,
	    "CREATE|ISDIR src/new/\n");
	check_text("a.c", 3, IN_CLOSE_WRITE, "WRITE a.c\n");
	check_text("x", 1, IN_MOVED_FROM | IN_MOVED_TO,
	    "MOVED_FROM|MOVED_TO x\n");
	check_text("", 0, IN_Q_OVERFLOW, "Q_OVERFLOW \n");
}

static void
test_log_event_text_escapes_the_path(void **state)
{
	(void)state;
	check_text("a\nb", 3, IN_CREATE, "CREATE a\\nb\n");
	check_text("\033]0;x\a", 6, IN_DELETE, "DELETE \\033]0;x\\a\n");
	check_text("caf\xc3\xa9\xff", 6, IN_MODIFY,
	    "MODIFY caf\xc3\xa9\\377\n");
	check_text("a b\\c", 5, IN_ATTRIB, "ATTRIB a b\\\\c\n");
}

static void
test_log_event_text_handles_long_paths(void **state)
{
	char path[1000], want[4100];
	size_t i, at;

	(void)state;
	memset(path, 0xff, sizeof(path));
	at = (size_t)snprintf(want, sizeof(want), "DELETE ");
	for (i = 0; i < sizeof(path); i++, at += 4)
		memcpy(want + at, "\\377", 4);
	memcpy(want + at, "\n", 2);
	check_text(path, sizeof(path), IN_DELETE, want);
	memset(path, 'p', sizeof(path));
	memcpy(want, "DELETE ", 7);
	memcpy(want + 7, path, sizeof(path));
	memcpy(want + 7 + sizeof(path), "\n", 2);
	check_text(path, sizeof(path), IN_DELETE, want);
}

static void
test_log_event_json_writes_path_and_events(void **state)
{
	(void)state;
	check_json("src/new/", 8, IN_CREATE | IN_ISDIR, 0,
	    "{\"path\":\"src/new/\",\"events\":[\"CREATE\",\"ISDIR\"]}\n");
	check_json("a.c", 3, IN_CLOSE_WRITE, 0,
	    "{\"path\":\"a.c\",\"events\":[\"WRITE\"]}\n");
	check_json("", 0, IN_Q_OVERFLOW, 0,
	    "{\"path\":\"\",\"events\":[\"Q_OVERFLOW\"]}\n");
	check_json("x", 1, 0, 0, "{\"path\":\"x\",\"events\":[]}\n");
}

static void
test_log_event_json_adds_cookie_only_when_nonzero(void **state)
{
	(void)state;
	check_json("old", 3, IN_MOVED_FROM, 1234, "{\"path\":\"old\","
	    "\"events\":[\"MOVED_FROM\"],\"cookie\":1234}\n");
	check_json("big", 3, IN_MOVED_TO | IN_ISDIR, UINT32_MAX,
	    "{\"path\":\"big\",\"events\":[\"MOVED_TO\",\"ISDIR\"],"
	    "\"cookie\":4294967295}\n");
	check_json("new", 3, IN_MOVED_TO, 0,
	    "{\"path\":\"new\",\"events\":[\"MOVED_TO\"]}\n");
}

static void
test_log_event_json_escapes_json_specials(void **state)
{
	(void)state;
	check_json("a\"b\\c", 5, IN_CREATE, 0,
	    "{\"path\":\"a\\\"b\\\\c\",\"events\":[\"CREATE\"]}\n");
	check_json("a\nb\tc", 5, IN_CREATE, 0,
	    "{\"path\":\"a\\nb\\tc\",\"events\":[\"CREATE\"]}\n");
	check_json("\033\r\177", 3, IN_CREATE, 0,
	    "{\"path\":\"\\u001b\\u000d\\u007f\",\"events\":[\"CREATE\"]}\n");
	check_json("\xc2\x9b\xe2\x80\xae", 5, IN_CREATE, 0,
	    "{\"path\":\"\\u009b\\u202e\",\"events\":[\"CREATE\"]}\n");
	check_json("a/b c", 5, IN_CREATE, 0,
	    "{\"path\":\"a/b c\",\"events\":[\"CREATE\"]}\n");
}

static void
test_log_event_json_keeps_valid_utf8(void **state)
{
	(void)state;
	check_json("caf\xc3\xa9/\xf0\x9f\x98\x80", 10, IN_CREATE, 0,
	    "{\"path\":\"caf\xc3\xa9/\xf0\x9f\x98\x80\","
	    "\"events\":[\"CREATE\"]}\n");
}

static void
test_log_event_json_writes_bad_bytes_as_surrogate_escapes(void **state)
{
	(void)state;
	check_json("a\xff", 2, IN_CREATE, 0,
	    "{\"path\":\"a\\udcff\",\"events\":[\"CREATE\"]}\n");
	check_json("\x80\xc3(", 3, IN_CREATE, 0,
	    "{\"path\":\"\\udc80\\udcc3(\",\"events\":[\"CREATE\"]}\n");
	/* Overlong and surrogate forms are not UTF-8 either. */
	check_json("\xc0\xaf\xed\xa0\x80", 5, IN_CREATE, 0,
	    "{\"path\":\"\\udcc0\\udcaf\\udced\\udca0\\udc80\","
	    "\"events\":[\"CREATE\"]}\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_escape_leaves_plain_ascii_alone),
		cmocka_unit_test(test_log_escape_writes_c_style_escapes),
		cmocka_unit_test(
		    test_log_escape_writes_octal_for_other_controls),
		cmocka_unit_test(
		    test_log_escape_writes_octal_for_bytes_outside_utf8),
		cmocka_unit_test(test_log_escape_keeps_printable_utf8),
		cmocka_unit_test(
		    test_log_escape_escapes_c1_controls_byte_by_byte),
		cmocka_unit_test(
		    test_log_escape_escapes_direction_and_invisible_marks),
		cmocka_unit_test(
		    test_log_escape_escapes_overlong_and_surrogate_forms),
		cmocka_unit_test(
		    test_log_escape_fills_at_most_four_bytes_per_byte),
		cmocka_unit_test(test_log_escape_is_reversed_by_strunvis),
		cmocka_unit_test(
		    test_log_escape_keep_backslash_leaves_backslashes),
		cmocka_unit_test(test_log_vis_returns_an_escaped_copy),
		cmocka_unit_test(test_log_event_text_prints_names_and_path),
		cmocka_unit_test(test_log_event_text_escapes_the_path),
		cmocka_unit_test(test_log_event_text_handles_long_paths),
		cmocka_unit_test(test_log_event_json_writes_path_and_events),
		cmocka_unit_test(
		    test_log_event_json_adds_cookie_only_when_nonzero),
		cmocka_unit_test(test_log_event_json_escapes_json_specials),
		cmocka_unit_test(test_log_event_json_keeps_valid_utf8),
		cmocka_unit_test(
		    test_log_event_json_writes_bad_bytes_as_surrogate_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
