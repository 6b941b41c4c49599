/*
 * The versioned structs of libpatchfmt.h: the caller sets the first
 * field, size, to the sizeof of the struct it was compiled with, and the
 * library fills only what fits, so that fields added at the end in a
 * later version break no caller (libpatchfmt/README.md, Ownership).
 */
#ifndef PF_COMMON_SIZED_H
#define PF_COMMON_SIZED_H

#include <stddef.h>
#include <string.h>

/*
 * Copies full (n bytes, a whole struct whose first field is its size_t
 * size) into out as far as out->size says, keeping out->size.
 */
static inline void
pf_sized_copy(void *out, const void *full, size_t n)
{
	size_t want;

	memcpy(&want, out, sizeof want);
	if (want > n)
		want = n;
	if (want > sizeof want)
		memcpy((char *)out + sizeof want, (const char *)full +
		    sizeof want, want - sizeof want);
}

#endif
