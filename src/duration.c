/*
 * duration.c: parsing and printing durations.  Integer arithmetic only,
 * so that "1.5s" is exactly 1500000 microseconds.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"

static const struct {
	const char	*unit;
	uint64_t	 us;
} units[] = {
	{ "us", 1 },
	{ "ms", 1000 },
	{ "s", 1000000 },
	{ "m", 60000000 },
	{ "h", 3600000000ULL },
};

int
duration_parse(const char *s, size_t len, uint64_t *usp, const char **errstr)
{
	uint64_t whole = 0, frac = 0, fracdiv = 1, scale = 0, us;
	size_t i = 0, u, ndigits = 0, nfrac = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, ndigits++) {
		if (whole > DURATION_MAX_US) {
			*errstr = "too large";
			return -1;
		}
		whole = whole * 10 + (uint64_t)(s[i] - '0');
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			/* Nine digits reach below a microsecond of an hour. */
			if (nfrac++ < 9) {
				frac = frac * 10 + (uint64_t)(s[i] - '0');
				fracdiv *= 10;
			}
		}
		if (nfrac == 0) {
			*errstr = "expected a digit after '.'";
			return -1;
		}
	}
	if (ndigits == 0) {
		*errstr = len == 0 ? "empty duration" :
		    "expected a number such as 100ms or 1.5s";
		return -1;
	}
	if (i == len) {
		if (whole == 0 && frac == 0) {
			*usp = 0;
			return 0;
		}
		*errstr = "missing unit (us, ms, s, m or h)";
		return -1;
	}
	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++)
		if (strlen(units[u].unit) == len - i &&
		    memcmp(units[u].unit, s + i, len - i) == 0)
			scale = units[u].us;
	if (scale == 0) {
		*errstr = "unknown unit (use us, ms, s, m or h)";
		return -1;
	}
	if (whole > DURATION_MAX_US / scale) {
		*errstr = "too large (at most 24h)";
		return -1;
	}
	us = whole * scale + frac * scale / fracdiv;
	if (us > DURATION_MAX_US) {
		*errstr = "too large (at most 24h)";
		return -1;
	}
	*usp = us;
	return 0;
}

/*
 * Writes us in unit u as "N" or "N.F" followed by the unit's name, if it
 * is at least one such unit and can be written exactly with at most nine
 * decimals; returns its length, or 0 when it cannot.
 */
static size_t
format_in(uint64_t us, size_t u, char *buf, size_t size)
{
	uint64_t scale = units[u].us, frac = us % scale;
	char digits[16];
	size_t nd = 0;
	int n;

	if (us < scale)
		return 0;	/* "100ms", not "0.1s" */
	while (frac != 0 && nd < 9) {
		frac *= 10;
		digits[nd++] = (char)('0' + frac / scale);
		frac %= scale;
	}
	if (frac != 0)
		return 0;
	digits[nd] = '\0';
	n = snprintf(buf, size, "%llu%s%s%s", (unsigned long long)(us / scale),
	    nd > 0 ? "." : "", digits, units[u].unit);
	return n < 0 ? 0 : (size_t)n;
}

void
duration_format(uint64_t us, char *buf, size_t size)
{
	char best[64], cand[64];
	size_t u, len, bestlen = SIZE_MAX;

	if (us == 0) {
		snprintf(buf, size, "0");
		return;
	}
	/* The shortest exact text; on a tie, the larger unit. */
	for (u = sizeof(units) / sizeof(units[0]); u-- > 0;) {
		len = format_in(us, u, cand, sizeof(cand));
		if (len > 0 && len < bestlen) {
			memcpy(best, cand, len + 1);
			bestlen = len;
		}
	}
	snprintf(buf, size, "%s", best);
}
