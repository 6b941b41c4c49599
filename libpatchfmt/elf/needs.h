/*
 * The run-time dependencies of an ELF file (spec/elf-needs.md): what it
 * needs, recorded when a package is made, and whether a target tree can
 * satisfy it, checked when the package is installed.
 *
 * Reading ELF files is split by role: pf_elf_needs_read() runs only when a
 * package is built; the reader of version definitions, the codec and the
 * check are part of the applier, which must read the libraries it finds.
 */
#ifndef PF_ELF_NEEDS_H
#define PF_ELF_NEEDS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

/* 3. Field tags (odd tags are critical). */
#define PF_N_NEED               1       /* nested: one needed library */
#define PF_N_RUNPATH            3       /* string, repeated */
#define PF_N_NEED_SONAME        1       /* string, exactly once */
#define PF_N_NEED_VERSION       3       /* string, repeated */

/* 4. Limits; readers, encoders and decoders all enforce them. */
#define PF_NEEDS_MAX_LIBS       1024
#define PF_NEEDS_MAX_VERSIONS   256
#define PF_NEEDS_MAX_RUNPATHS   256
#define PF_NEEDS_MAX_STRING     4096

/*
 * One shared library by soname, with symbol versions: in a pf_elf_needs
 * the versions required of it, in a pf_elf_provided those it defines.
 * Versions are sorted (strcmp) and distinct.
 */
typedef struct pf_elf_lib {
	char *soname;
	char **versions;
	size_t n_versions;
} pf_elf_lib;

typedef struct pf_elf_needs {
	pf_elf_lib *libs;               /* DT_NEEDED: sorted, distinct */
	size_t n_libs;
	/*
	 * DT_RUNPATH, or DT_RPATH when there is no DT_RUNPATH (ld.so ignores
	 * DT_RPATH then), split at ':'.  Kept in file order, because the
	 * order is the search order, without repeats or empty entries;
	 * "$ORIGIN" is kept as it is written.
	 */
	char **runpaths;
	size_t n_runpaths;
} pf_elf_needs;

/* Libraries a package itself installs: DT_SONAME and version definitions. */
typedef struct pf_elf_provided {
	pf_elf_lib *libs;               /* sorted, distinct */
	size_t n_libs;
} pf_elf_provided;

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
/* Frees what needs owns and leaves it empty; part of the applier. */
void pf_elf_needs_free(pf_elf_needs *needs);

/*
 * Adds the library in memory to prov (zeroed before the first call): its
 * DT_SONAME, or name when it has none (NULL: skip such files), with every
 * version it defines.  A file that is not a shared library adds nothing.
 */
pf_ret pf_elf_provides_read(const uint8_t *p, size_t n, const char *name,
    pf_elf_provided *prov, pf_err *err);
void pf_elf_provided_free(pf_elf_provided *prov);

/*
 * The manifest encoding (spec/elf-needs.md section 3).  The encoder
 * refuses (PF_ERR_USAGE) what the decoder would refuse; the decoder fills
 * out (zeroed by the caller) and leaves it empty on failure.
 */
pf_ret pf_elf_needs_encode(const pf_elf_needs *needs, pf_buf *out);
pf_ret pf_elf_needs_decode(const uint8_t *p, size_t n, pf_elf_needs *out,
    pf_err *err);

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
