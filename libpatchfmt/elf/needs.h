/*
 * The run-time dependencies of an ELF file (spec/elf-needs.md): what it
 * needs, recorded when a package is made, and whether a target tree can
 * satisfy it, checked when the package is installed.
 *
 * Reading ELF files is split by role: pf_elf_needs_read() runs only when a
 * package is built; the reader of version definitions and the check are
 * part of the applier, which must read the libraries it finds.  The
 * record's types and codec are the format's (format/needs.h).
 */
#ifndef PF_ELF_NEEDS_H
#define PF_ELF_NEEDS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "format/needs.h"

/*
 * Build side.  Fills out (which the caller zeroes first) from an ELF file
 * in memory.  Anything that is not ELF, or has no dynamic section, gives
 * an empty result; a damaged dynamic or version section is PF_ERR_CORRUPT
 * and needs beyond the limits above PF_ERR_UNSUPPORTED (out is left empty).
 * Sections are found through the section headers, which every linker
 * writes; a file stripped of them reads as needing nothing.
 */
pf_ret pf_elf_needs_read(const uint8_t *p, size_t n, pf_elf_needs *out,
    pf_err *err);

/*
 * Adds the library in memory to prov (zeroed before the first call): its
 * DT_SONAME, or name when it has none (NULL: skip such files), with every
 * version it defines.  A file that is not a shared library adds nothing.
 */
pf_ret pf_elf_provides_read(const uint8_t *p, size_t n, const char *name,
    pf_elf_provided *prov, pf_err *err);

/*
 * Checks that every library in needs can be found under the directory
 * rootfd, the way ld.so would search for it, and defines every version
 * required of it; extra (may be NULL) lists libraries the package itself
 * installs, which win over what is on disk.  file_path is the needing
 * file, relative to the root, for messages and $ORIGIN.  Unmet needs are
 * PF_ERR_DEPENDENCY, with one line per missing item in the message.
 */
pf_ret pf_elf_needs_check(int rootfd, const char *file_path,
    const pf_elf_needs *needs, const pf_elf_provided *extra, pf_err *err);

#endif
