/*
 * pollwatch.c: placeholder until the backend is written.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "watch.h"
#include "backend.h"

static void *
be_open(const struct watch_opts *opts)
{
	(void)opts;
	errno = ENOSYS;
	return NULL;
}

const struct backend_ops pollwatch_backend = {
	.name = "poll",
	.open = be_open,
};
