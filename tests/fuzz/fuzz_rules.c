/*
 * fuzz_rules.c: libFuzzer harness for the Watchfile parser.  Any input
 * must parse to rules or to errors, within bounded time and memory, and
 * leave nothing allocated once the ruleset is freed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset rs;
	FILE *devnull;

	if ((devnull = fopen("/dev/null", "w")) == NULL)
		return 0;
	memset(&rs, 0, sizeof(rs));
	(void)rules_parse_buffer(&rs, "fuzz", (const char *)data, size,
	    RULES_DEFAULT_DEBOUNCE, devnull);
	rules_print(&rs, devnull);
	rules_free(&rs);
	fclose(devnull);
	return 0;
}
