/*
 * The needs record of spec/elf-needs.md as a structure of the format: its
 * types, limits, encoding and decoding, and the sorted lists it is made
 * of.  Reading ELF files and checking a tree are elf/'s (elf/needs.h).
 */
#ifndef PF_FORMAT_NEEDS_H
#define PF_FORMAT_NEEDS_H

#include <stdbool.h>
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

/* Free what a decoder or reader filled in and leave it empty. */
void pf_elf_needs_free(pf_elf_needs *needs);
void pf_elf_provided_free(pf_elf_provided *prov);

/*
 * The manifest encoding (spec/elf-needs.md section 3).  The encoder
 * refuses (PF_ERR_USAGE) what the decoder would refuse; the decoder fills
 * out (zeroed by the caller) and leaves it empty on failure.
 */
pf_ret pf_elf_needs_encode(const pf_elf_needs *needs, pf_buf *out);
pf_ret pf_elf_needs_decode(const uint8_t *p, size_t n, pf_elf_needs *out,
    pf_err *err);

/* Lists (format/needs_list.c).  Every add checks length and count limits. */

/* Inserts s into the sorted, distinct list v unless it is there. */
pf_ret pf_needs_set_add(char ***v, size_t *n, const char *s, size_t max,
    const char *what, pf_err *err);
/* Appends s to v unless it is there already (order-keeping). */
pf_ret pf_needs_list_add(char ***v, size_t *n, const char *s, size_t max,
    const char *what, pf_err *err);
/* Finds or inserts, in soname order, the library named soname. */
pf_ret pf_needs_lib_get(pf_elf_lib **v, size_t *n, const char *soname,
    pf_elf_lib **lib, pf_err *err);
const pf_elf_lib *pf_needs_lib_find(const pf_elf_lib *v, size_t n,
    const char *soname);
bool pf_needs_has(char *const *v, size_t n, const char *s);
void pf_needs_strv_free(char **v, size_t n);
void pf_needs_libs_free(pf_elf_lib *v, size_t n);

#endif
