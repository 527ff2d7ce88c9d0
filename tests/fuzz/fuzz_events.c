/*
 * fuzz_events.c: libFuzzer harness for the inotify record decoder.  Any
 * buffer must decode to records that lie wholly inside it, or stop with
 * EINVAL, and the offset must only move forward.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "log.h"
#include "mask.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event ev;
	char names[512], *esc;
	size_t off = 0, prev;
	int rc;

	for (;;) {
		prev = off;
		rc = events_next(data, size, &off, &ev);
		if (rc != 1)
			break;
		if (off <= prev || off > size)
			abort();
		if ((const uint8_t *)ev.name < data ||
		    (const uint8_t *)ev.name + ev.namelen > data + size)
			abort();
		if (ev.namelen > 0 && ev.name[ev.namelen] != '\0')
			abort();
		/* What --print does with a record: name and escape it. */
		mask_format(ev.mask, names, sizeof(names));
		esc = log_vis(ev.name, ev.namelen);
		free(esc);
	}
	if (rc == -1 && errno != EINVAL)
		abort();
	return 0;
}
