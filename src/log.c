/*
 * log.c: output and escaping.  A file name is bytes: it is copied to the
 * terminal only where it is printable UTF-8, and to JSON only where it is
 * valid UTF-8; everything else is escaped in a way that can be reversed.
 */
#include <sys/inotify.h>

#include <err.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mask.h"
#include "xmalloc.h"

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
}

/*
 * Decodes one UTF-8 sequence of at most len bytes at s.  Returns its
 * length and stores the code point, or returns 0 when the bytes are not
 * valid UTF-8 (overlong forms and surrogates included).
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c, min;
	size_t n, i;

	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Code points that a terminal would act on or hide rather than show. */
static int
unsafe_cp(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	    c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

static size_t
escape_byte(char *dst, unsigned char c)
{
	static const char cstyle[] = "\n" "n" "\t" "t" "\r" "r" "\a" "a"
	    "\b" "b" "\f" "f" "\v" "v" "\\" "\\";
	size_t i;

	for (i = 0; i + 1 < sizeof(cstyle); i += 2)
		if ((unsigned char)cstyle[i] == c) {
			dst[0] = '\\';
			dst[1] = cstyle[i + 1];
			return 2;
		}
	dst[0] = '\\';
	dst[1] = (char)('0' + ((c >> 6) & 7));
	dst[2] = (char)('0' + ((c >> 3) & 7));
	dst[3] = (char)('0' + (c & 7));
	return 4;
}

size_t
log_escape(char *dst, const char *s, size_t len)
{
	return log_escape_flags(dst, s, len, 0);
}

size_t
log_escape_flags(char *dst, const char *s, size_t len, int flags)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, j, n, out = 0;
	uint32_t cp;

	while (i < len) {
		n = utf8_decode(u + i, len - i, &cp);
		if (n == 0 || unsafe_cp(cp) ||
		    (cp == '\\' && !(flags & LOG_KEEP_BACKSLASH))) {
			/* Escape the whole sequence, or the one bad byte. */
			if (n == 0)
				n = 1;
			for (j = 0; j < n; j++)
				out += escape_byte(dst + out, u[i + j]);
		} else {
			memcpy(dst + out, u + i, n);
			out += n;
		}
		i += n;
	}
	dst[out] = '\0';
	return out;
}

const char *
log_dirs(size_t n)
{
	return n == 1 ? "directory" : "directories";
}

char *
log_vis(const char *s, size_t len)
{
	char *dst;

	dst = xreallocarray(NULL, len + 1, 4);
	log_escape(dst, s, len);
	return dst;
}

char *
log_vis_text(const char *s, size_t len)
{
	char *dst;

	dst = xreallocarray(NULL, len + 1, 4);
	log_escape_flags(dst, s, len, LOG_KEEP_BACKSLASH);
	return dst;
}

void
log_event_text(FILE *fp, const char *path, size_t len, uint32_t mask)
{
	char names[256], stackbuf[1024], *esc = stackbuf;

	mask_format(mask, names, sizeof(names));
	if (len > (sizeof(stackbuf) - 1) / 4)
		esc = xreallocarray(NULL, len + 1, 4);
	log_escape(esc, path, len);
	fprintf(fp, "%s %s\n", names, esc);
	if (esc != stackbuf)
		free(esc);
}

static void
json_string(FILE *fp, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	putc('"', fp);
	while (i < len) {
		n = utf8_decode(u + i, len - i, &cp);
		if (n == 0) {
			fprintf(fp, "\\udc%02x", u[i]);
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			fprintf(fp, "\\%c", (int)cp);
		else if (cp == '\n')
			fputs("\\n", fp);
		else if (cp == '\t')
			fputs("\\t", fp);
		else if (unsafe_cp(cp))
			fprintf(fp, "\\u%04x", (unsigned int)cp);
		else
			fwrite(u + i, 1, n, fp);
		i += n;
	}
	putc('"', fp);
}

void
log_event_json(FILE *fp, const char *path, size_t len, uint32_t mask,
    uint32_t cookie)
{
	const char *names[32];
	size_t i, n;

	fputs("{\"path\":", fp);
	json_string(fp, path, len);
	fputs(",\"events\":[", fp);
	n = mask_names(mask, names, 32);
	for (i = 0; i < n && i < 32; i++)
		fprintf(fp, "%s\"%s\"", i > 0 ? "," : "", names[i]);
	fputs("]", fp);
	if (cookie != 0)
		fprintf(fp, ",\"cookie\":%u", (unsigned int)cookie);
	fputs("}\n", fp);
}
