/*
 * dpkg's database under a root, read and never written (spec/patchfmt.md
 * section 5.1.7): the installed version of a package in
 * var/lib/dpkg/status, and the MD5 sums of its files in
 * var/lib/dpkg/info/PACKAGE.md5sums.
 */
#ifndef PF_INSTALL_DPKG_H
#define PF_INSTALL_DPKG_H

#include <stdbool.h>
#include <stddef.h>

#include "libpatchfmt.h"
#include "common/err.h"

/* What dpkg's status says of a package: pf_dpkg_state (libpatchfmt.h). */

/*
 * The installed version of package (of arch, when both name one) in the
 * text of a status file, or NULL in *version when it is not installed.
 */
pf_ret pf_dpkg_status_version(const char *text, size_t len,
    const char *package, const char *arch, char **version, pf_err *err);

/* Whether a Status value says "installed" (its last word). */
bool pf_dpkg_installed(const char *status);
/* deb-version(7) order: <0, 0 or >0 as a is older, equal or newer. */
int pf_dpkg_vercmp(const char *a, const char *b);
/*
 * Whether the status text meets a Depends line (install/dpkg_depends.c):
 * every clause has an installed alternative at a fitting version, or,
 * without a version, one that an installed package Provides.
 * PF_ERR_DEPENDENCY names the first clause that is not met.
 */
pf_ret pf_dpkg_check_depends(const char *text, size_t len,
    const char *depends, const char *package, pf_err *err);

/*
 * Section 5.1.7: checks dpkg's status under root against the package's
 * dpkg origin (m->dpkg; PF_OK with nothing to check).  PF_ERR_MISMATCH
 * with a message when the package is absent or at another version,
 * told apart by *state.
 */
pf_ret pf_dpkg_check(const char *root, const pf_manifest *m,
    pf_dpkg_state *state, pf_err *err);

/* A file the package puts in place that dpkg's md5sums list otherwise. */
typedef struct pf_dpkg_mismatch {
	char *path;
	char expected[33];      /* in PACKAGE.md5sums */
	char found[33];         /* of the file under the root */
} pf_dpkg_mismatch;

/*
 * The files of the package (m->dpkg) whose content under root is not
 * what var/lib/dpkg/info/PACKAGE.md5sums (or PACKAGE:ARCH.md5sums) says.
 * None when there is no origin or no list.  Free with
 * pf_dpkg_mismatches_free.
 */
pf_ret pf_dpkg_md5_mismatches(const char *root, const pf_manifest *m,
    pf_dpkg_mismatch **out, size_t *n, pf_err *err);
void pf_dpkg_mismatches_free(pf_dpkg_mismatch *v, size_t n);

/*
 * Opens ROOT/rel for reading without following a symlink on the way,
 * as the rest of the root is reached; -1 with errno when it cannot.
 */
int pf_dpkg_open(const char *root, const char *rel);

#endif
