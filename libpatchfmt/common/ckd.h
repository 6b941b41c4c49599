/*
 * Checked arithmetic for every size that comes from input.
 * Each helper returns true on overflow and leaves *r unspecified then.
 */
#ifndef PF_COMMON_CKD_H
#define PF_COMMON_CKD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool
pf_add_overflow_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	return __builtin_add_overflow(a, b, r);
}

static inline bool
pf_mul_overflow_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	return __builtin_mul_overflow(a, b, r);
}

static inline bool
pf_add_overflow_size(size_t a, size_t b, size_t *r)
{
	return __builtin_add_overflow(a, b, r);
}

static inline bool
pf_mul_overflow_size(size_t a, size_t b, size_t *r)
{
	return __builtin_mul_overflow(a, b, r);
}

#endif
