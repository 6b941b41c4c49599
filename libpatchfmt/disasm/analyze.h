/*
 * Building a hot patch from two builds of one module (spec/hotpatch.md
 * section 8): which functions changed, their new code, and relocations
 * that tie the new code to the old module in memory.
 */
#ifndef PF_DISASM_ANALYZE_H
#define PF_DISASM_ANALYZE_H

#include "live/hotpatch.h"

/*
 * Compares the old and new ELF files (x86-64 PIE executables or shared
 * objects with a symbol table).  On PF_OK, *out holds the record; changes
 * that cannot be hot-patched are listed in (*out)->refused, and the record
 * is still returned so that a caller can show them.
 */
pf_ret pf_hotpatch_analyze(const uint8_t *old_elf, size_t old_len,
    const uint8_t *new_elf, size_t new_len, pf_hotpatch **out, pf_err *err);

#endif
