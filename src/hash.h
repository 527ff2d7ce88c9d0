/*
 * hash.h: the one string hash, for the tables keyed by paths and
 * literals: FNV-1a, short keys, no setup, spread enough for paths.
 */
#ifndef WATCHRUN_HASH_H
#define WATCHRUN_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t
hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

#endif
