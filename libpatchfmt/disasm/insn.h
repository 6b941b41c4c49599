/*
 * Address-dependent fields of x86-64 code, found with capstone.
 */
#ifndef PF_DISASM_INSN_H
#define PF_DISASM_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct hp_ref {
	uint64_t field;      /* offset of the field from the function start */
	uint8_t size;        /* of the field: 1, 2 or 4 bytes */
	uint64_t next;       /* offset of the next instruction */
	uint64_t target;     /* absolute link-time address referred to */
	uint8_t memsize;     /* bytes a memory operand reads, 0 for branches */
	bool lea;            /* the address itself escapes */
	bool branch;
	bool ijmp;           /* the function has a "jmp *reg": it may use a
	                        switch table */
} hp_ref;

typedef struct hp_refs {
	hp_ref *v;
	size_t n, cap;
} hp_refs;

/* Decodes len bytes at link-time address addr; *decoded says how far the
 * decoder got (less than len when it met bytes it cannot decode). */
pf_ret hp_insn_refs(const uint8_t *code, size_t len, uint64_t addr,
    hp_refs *out, size_t *decoded);
void hp_refs_free(hp_refs *rs);
/* The instruction that covers byte off of len bytes of code at addr, as
 * text ("+0x1f: lea rdi, [rip + 0xe28]"); "+0x1f: (cannot decode)" when
 * the decoder does not get there. */
void hp_insn_text(const uint8_t *code, size_t len, uint64_t addr,
    uint64_t off, char *buf, size_t n);

#endif
