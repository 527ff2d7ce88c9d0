/*
 * mask.c: inotify event names.  The classic table (WRITE is IN_CLOSE_WRITE,
 * CLOSE is IN_CLOSE_NOWRITE) names bits for output; parsing also takes the
 * kernel's own names, with or without their IN_ prefix.
 */
#include <sys/inotify.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mask.h"
#include "suggest.h"

struct mask_name {
	const char	*name;
	uint32_t	 mask;
};

/* One name per bit, in bit order: this is how masks are printed. */
static const struct mask_name classic[] = {
	{ "ACCESS", IN_ACCESS },
	{ "MODIFY", IN_MODIFY },
	{ "ATTRIB", IN_ATTRIB },
	{ "WRITE", IN_CLOSE_WRITE },
	{ "CLOSE", IN_CLOSE_NOWRITE },
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
	{ "NO_LOOP", MASK_NO_LOOP },
	{ "INITIAL", MASK_INITIAL },
	{ "ONLYDIR", IN_ONLYDIR },
	{ "DONT_FOLLOW", IN_DONT_FOLLOW },
	{ "EXCL_UNLINK", IN_EXCL_UNLINK },
	{ "MASK_CREATE", IN_MASK_CREATE },
	{ "MASK_ADD", IN_MASK_ADD },
	{ "ISDIR", IN_ISDIR },
	{ "ONESHOT", IN_ONESHOT },
};

/* Further names accepted without a prefix. */
static const struct mask_name bare_extra[] = {
	{ "CLOSE_WRITE", IN_CLOSE_WRITE },
	{ "CLOSE_NOWRITE", IN_CLOSE_NOWRITE },
	{ "MOVE", IN_MOVE },
	{ "ALL", IN_ALL_EVENTS },
	{ "ALL_EVENTS", IN_ALL_EVENTS },
};

/*
 * The kernel's names, taken after "IN_".  IN_CLOSE and IN_MOVE mean both
 * halves, as the kernel's macros do.
 */
static const struct mask_name kernel[] = {
	{ "ACCESS", IN_ACCESS },
	{ "MODIFY", IN_MODIFY },
	{ "ATTRIB", IN_ATTRIB },
	{ "CLOSE_WRITE", IN_CLOSE_WRITE },
	{ "CLOSE_NOWRITE", IN_CLOSE_NOWRITE },
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
	{ "CLOSE", IN_CLOSE },
	{ "MOVE", IN_MOVE },
	{ "ONLYDIR", IN_ONLYDIR },
	{ "DONT_FOLLOW", IN_DONT_FOLLOW },
	{ "EXCL_UNLINK", IN_EXCL_UNLINK },
	{ "MASK_CREATE", IN_MASK_CREATE },
	{ "MASK_ADD", IN_MASK_ADD },
	{ "ISDIR", IN_ISDIR },
	{ "ONESHOT", IN_ONESHOT },
	{ "ALL_EVENTS", IN_ALL_EVENTS },
	{ "NO_LOOP", MASK_NO_LOOP },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
same_name(const char *name, const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (name[i] == '\0' ||
		    name[i] != toupper((unsigned char)word[i]))
			return 0;
	return name[len] == '\0';
}

static int
lookup(const struct mask_name *t, size_t n, const char *word, size_t len,
    uint32_t *maskp)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (same_name(t[i].name, word, len)) {
			*maskp = t[i].mask;
			return 0;
		}
	return -1;
}

/* Whether word starts with the kernel's "IN_" prefix, in any case. */
static int
has_prefix(const char *word, size_t len)
{
	return len > 3 && toupper((unsigned char)word[0]) == 'I' &&
	    toupper((unsigned char)word[1]) == 'N' && word[2] == '_';
}

static int
lookup_word(const char *word, size_t len, uint32_t *maskp)
{
	if (has_prefix(word, len))
		return lookup(kernel, NELEM(kernel), word + 3, len - 3, maskp);
	if (lookup(classic, NELEM(classic), word, len, maskp) == 0)
		return 0;
	return lookup(bare_extra, NELEM(bare_extra), word, len, maskp);
}

int
mask_parse(const char *s, size_t len, uint32_t *maskp, size_t *badoff,
    size_t *badlen)
{
	uint32_t mask = 0, bit;
	size_t start = 0, i;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '|' && s[i] != ',')
			continue;
		if (lookup_word(s + start, i - start, &bit) == -1) {
			*badoff = start;
			*badlen = i - start;
			return -1;
		}
		mask |= bit;
		start = i + 1;
	}
	*maskp = mask;
	return 0;
}

static void
nearest(const struct mask_name *t, size_t n, const char *word, size_t len,
    const char *prefix, const char **best, size_t *bestd, const char **bestp)
{
	size_t i, d;

	for (i = 0; i < n; i++) {
		d = suggest_distance(t[i].name, strlen(t[i].name), word, len);
		if (d < *bestd) {
			*bestd = d;
			*best = t[i].name;
			*bestp = prefix;
		}
	}
}

const char *
mask_suggest(const char *word, size_t len)
{
	static char buf[64];
	const char *best = NULL, *prefix = "";
	size_t bestd = SIZE_MAX;

	if (has_prefix(word, len))
		nearest(kernel, NELEM(kernel), word + 3, len - 3, "IN_", &best,
		    &bestd, &prefix);
	nearest(classic, NELEM(classic), word, len, "", &best, &bestd,
	    &prefix);
	nearest(bare_extra, NELEM(bare_extra), word, len, "", &best, &bestd,
	    &prefix);
	if (best == NULL || !suggest_close(bestd, len))
		return NULL;
	snprintf(buf, sizeof(buf), "%s%s", prefix, best);
	return buf;
}

size_t
mask_names(uint32_t mask, const char **names, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < NELEM(classic); i++)
		if (mask & classic[i].mask) {
			if (n < max)
				names[n] = classic[i].name;
			n++;
		}
	return n;
}

/* Writes the names of t, each after prefix, one a line to fp. */
static int
list_table(FILE *fp, const struct mask_name *t, size_t n, const char *prefix)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fprintf(fp, "%s%s\n", prefix, t[i].name) < 0)
			return -1;
	return 0;
}

int
mask_list(FILE *fp)
{
	if (list_table(fp, classic, NELEM(classic), "") == -1 ||
	    list_table(fp, bare_extra, NELEM(bare_extra), "") == -1 ||
	    list_table(fp, kernel, NELEM(kernel), "IN_") == -1)
		return -1;
	return 0;
}

size_t
mask_format(uint32_t mask, char *buf, size_t size)
{
	const char *names[NELEM(classic)];
	char all[512];
	size_t i, n, len = 0, k;

	n = mask_names(mask, names, NELEM(names));
	all[0] = '\0';
	for (i = 0; i < n; i++) {
		k = strlen(names[i]);
		if (i > 0)
			all[len++] = '|';
		memcpy(all + len, names[i], k + 1);
		len += k;
	}
	if (size > 0) {
		k = len < size - 1 ? len : size - 1;
		memcpy(buf, all, k);
		buf[k] = '\0';
	}
	return len;
}
