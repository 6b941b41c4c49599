/*
 * Helpers shared by the files of the needs module: sorted string lists,
 * libelf access to the dynamic sections, and file lookup under a root.
 */
#ifndef PF_ELF_NEEDS_INT_H
#define PF_ELF_NEEDS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <gelf.h>
#include <libelf.h>

#include "elf/needs.h"

/* ELF access (needs_elf.c). */

/* An ELF handle over memory, or NULL when it is not an ELF file. */
Elf *pf_needs_elf_memory(const uint8_t *p, size_t n);
/* The first section of this type, with its header, or NULL. */
Elf_Scn *pf_needs_section(Elf *e, GElf_Word type, GElf_Shdr *sh);
/* The string at off of string section strndx, or NULL when damaged. */
const char *pf_needs_string(Elf *e, size_t strndx, size_t off);
/* True for a shared object (ET_DYN) that libelf can read. */
bool pf_needs_is_dso(Elf *e);
/*
 * Fills lib (soname left alone) with the versions the library defines
 * (SHT_GNU_verdef), the base version excepted.
 */
pf_ret pf_needs_verdefs(Elf *e, pf_elf_lib *lib, pf_err *err);
/* How many entries gelf_getdyn() may read from the dynamic data d. */
size_t pf_needs_dyn_count(Elf *e, const Elf_Data *d);
/* The DT_SONAME of e, or NULL. */
const char *pf_needs_soname(Elf *e);

/* Lookup under a root (needs_root.c); nothing ever leaves the root. */

/* At most this many symlinks are followed in one lookup, as in Linux. */
#define PF_NEEDS_MAX_SYMLINKS   40

/*
 * Opens path (absolute or not, always taken from the root) under rootfd:
 * a regular file when flags is 0, a directory when it is O_DIRECTORY.
 * Symlinks are followed inside the root only: absolute targets start
 * again at the root, and ".." stops at it.  Returns a descriptor, or -1
 * with errno set (EINVAL: not a regular file).
 */
int pf_needs_root_open(int rootfd, const char *path, int flags);

/*
 * Appends to dirs the library directories ROOT/etc/ld.so.conf names,
 * following its include lines (needs_ldconf.c).
 */
pf_ret pf_needs_ldconf(int rootfd, char ***dirs, size_t *n, pf_err *err);

#endif
