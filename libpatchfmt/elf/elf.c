#include <config.h>

#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>

#include "elf/elf.h"

/* Looks for NT_GNU_BUILD_ID among the notes of one data block. */
static bool
find_build_id(Elf_Data *d, pf_elf_info *info)
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;

	while (d != NULL && off < d->d_size &&
	    (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    memcmp((const char *)d->d_buf + name_off, "GNU", 4) == 0 &&
		    nh.n_descsz > 0 && nh.n_descsz <= PF_BUILD_ID_MAX) {
			memcpy(info->build_id, (const char *)d->d_buf + desc_off,
			    nh.n_descsz);
			info->build_id_len = nh.n_descsz;
			return true;
		}
		off = next;
	}
	return false;
}

/* Program headers work on stripped files without section headers too. */
static void
scan_notes(Elf *e, pf_elf_info *info)
{
	GElf_Phdr ph;
	Elf_Data *d;
	size_t i, n;

	if (elf_getphdrnum(e, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		if (gelf_getphdr(e, (int)i, &ph) == NULL ||
		    ph.p_type != PT_NOTE)
			continue;
		d = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz,
		    ELF_T_NHDR);
		if (find_build_id(d, info))
			return;
	}
}

void
pf_elf_inspect(const uint8_t *p, size_t n, pf_elf_info *info)
{
	GElf_Ehdr eh;
	Elf *e;

	memset(info, 0, sizeof *info);
	if (n < EI_NIDENT || memcmp(p, ELFMAG, SELFMAG) != 0)
		return;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return;
	/* libelf only reads the buffer; the cast drops a const it keeps. */
	e = elf_memory((char *)(uintptr_t)p, n);
	if (e == NULL)
		return;
	if (elf_kind(e) == ELF_K_ELF && gelf_getehdr(e, &eh) != NULL) {
		info->is_elf = true;
		info->x86 = eh.e_machine == EM_X86_64 || eh.e_machine == EM_386;
		scan_notes(e, info);
	}
	elf_end(e);
}
