/*
 * fuzz_gitignore.c: libFuzzer harness for the gitignore parser and
 * matcher.  The input's first line is a path to check, the rest a
 * .gitignore; any input must load and match within bounded time and
 * memory, agree between the full check and the fast one where no
 * directory above the path is ignored, and leave nothing allocated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gitignore.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gitignore *gi;
	struct gitignore_why why;
	const char *text = (const char *)data, *nl;
	size_t plen, at;
	int full, fast, ancestor = 0;

	if ((nl = memchr(text, '\n', size)) == NULL)
		return 0;
	plen = (size_t)(nl - text);
	/* Paths as watchrun gives them: relative, no empty component. */
	if (plen == 0 || text[0] == '/' || memmem(text, plen, "//", 2) != NULL)
		return 0;
	gi = gitignore_new();
	(void)gitignore_set_file(gi, GITIGNORE_DIR, "", 0, nl + 1,
	    size - plen - 1, ".gitignore");
	(void)gitignore_set_file(gi, GITIGNORE_DIR, "a/", 2, nl + 1,
	    size - plen - 1, "a/.gitignore");
	full = gitignore_check(gi, text, plen, 0, &why);
	for (at = 1; at < plen; at++)
		if (text[at - 1] == '/' && text[at] != '/' &&
		    gitignore_check(gi, text, at, 1, NULL))
			ancestor = 1;
	fast = gitignore_check_name(gi, text, plen, 0, NULL);
	if (!ancestor && memchr(text, '\0', plen) == NULL && full != fast)
		abort();
	gitignore_free(gi);
	return 0;
}
