/*
 * Approximate matching of new against old (spec/delta.md section 8,
 * informative): a suffix array of old, exact matches found by binary
 * search, extended while enough bytes agree.
 */
#ifndef PF_DELTA_MATCH_H
#define PF_DELTA_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cpus.h"
#include "common/err.h"

/*
 * new[new_pos, +copy_len) is old[old_pos, +copy_len) plus the diff bytes;
 * the extra_len bytes after it are literals.  Segments tile new in order.
 */
typedef struct pf_seg {
	uint64_t new_pos;
	uint64_t old_pos;
	uint64_t copy_len;
	uint64_t extra_len;
	/* The copy reads NEW's earlier bytes (spec/delta.md 5.3), not OLD. */
	bool from_new;
} pf_seg;

typedef struct pf_seg_list {
	pf_seg *v;
	size_t n;
	size_t cap;
} pf_seg_list;

/*
 * The segments depend on the inputs alone, not on where the halves of a
 * big NEW ran (on a helper of cpus, which may be NULL, or inline).
 */
pf_ret pf_delta_match(const uint8_t *old, size_t old_len,
    const uint8_t *new_data, size_t new_len, pf_cpus *cpus,
    pf_seg_list *out, pf_err *err);

#endif
