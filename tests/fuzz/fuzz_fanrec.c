/*
 * fuzz_fanrec.c: libFuzzer harness for the fanotify record decoder.  Any
 * buffer must decode to events whose keys and names lie wholly inside it,
 * names NUL-terminated and keys no longer than FANREC_KEY_MAX, or stop
 * with EINVAL, and the offset must only move forward.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fanrec.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Aborts unless the object o lies inside the size bytes at data. */
static void
check_obj(const struct fanrec_obj *o, const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size;

	if (o->key != NULL) {
		if (o->key < data || o->keylen > (size_t)(end - o->key) ||
		    o->keylen < FANREC_FSID_LEN + 8 ||
		    o->keylen > FANREC_KEY_MAX)
			abort();
	}
	if (o->name != NULL) {
		if ((const uint8_t *)o->name < data || o->namelen == 0 ||
		    o->namelen >= (size_t)(end - (const uint8_t *)o->name))
			abort();
		if (o->name[o->namelen] != '\0' ||
		    memchr(o->name, '\0', o->namelen) != NULL)
			abort();
		if (o->key == NULL)
			abort();
	} else if (o->namelen != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fanrec ev;
	uint32_t bits[32], in;
	size_t off = 0, prev, n;
	uint8_t *buf;
	int rc;

	/* Aligned as read(2) gives it, and nothing past its end. */
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(buf, data, size);
	for (;;) {
		prev = off;
		rc = fanrec_next(buf, size, &off, &ev);
		if (rc != 1)
			break;
		if (off <= prev || off > size)
			abort();
		check_obj(&ev.dir, buf, size);
		check_obj(&ev.to, buf, size);
		check_obj(&ev.obj, buf, size);
		/* What the backend does with an event's bits. */
		in = fanrec_to_inotify(ev.mask);
		n = fanrec_order(in, (int)(ev.mask & 1), bits);
		if (n > 32)
			abort();
		(void)fanrec_from_inotify(in, ev.pid & 1);
	}
	if (rc == -1 && (errno != EINVAL || off != prev))
		abort();
	if (rc == 0 && off < size)
		abort();
	free(buf);
	return 0;
}
