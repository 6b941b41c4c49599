/*
 * What the builder needs to know of an ELF file: whether it is one, its
 * machine (x86 code compresses better behind the BCJ filter) and its GNU
 * build ID.  The only code besides disasm/ that includes libelf.
 */
#ifndef PF_ELF_ELF_H
#define PF_ELF_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libpatchfmt.h"

typedef struct pf_elf_info {
	bool is_elf;
	bool x86;                       /* EM_X86_64 or EM_386 */
	uint8_t build_id[PF_BUILD_ID_MAX];
	size_t build_id_len;
} pf_elf_info;

/* Never fails: anything that is not a readable ELF file is "not ELF". */
void pf_elf_inspect(const uint8_t *p, size_t n, pf_elf_info *info);

#endif
