/*
 * Function bounds from .eh_frame (the LSB's "Exception Frames"): every
 * FDE says where one function, or one part of it, starts (pc_begin) and
 * how long it is (pc_range).  A stripped build keeps them: the unwinder
 * needs them at run time (spec/hotpatch.md section 8.3).
 */
#ifndef PF_DISASM_EHFRAME_H
#define PF_DISASM_EHFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct hp_range {
	uint64_t addr, size;
} hp_range;

/* The code ranges of the FDEs of an .eh_frame of len bytes loaded at
 * link-time address sect_addr, in the order of the section; an FDE
 * whose pointer encoding is not one this reader knows, or with an empty
 * range, is passed over.  PF_ERR_CORRUPT when a record runs past the
 * section; *out is then freed. */
pf_ret hp_ehframe_ranges(const uint8_t *p, size_t len, uint64_t sect_addr,
    hp_range **out, size_t *n);

#endif
