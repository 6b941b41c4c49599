/*
 * The dpkg origin of a package (spec/patchfmt.md section 5.1.7): the
 * Debian package its builds were, so that an applier can check dpkg's
 * database before it writes.
 */
#ifndef PF_FORMAT_DPKG_H
#define PF_FORMAT_DPKG_H

#include "libpatchfmt.h"
#include "common/buf.h"
#include "common/err.h"
#include "format/field.h"
#include "format/types.h"

/* Section 5.1.7: top-level field 41 (critical) and its fields. */
#define PF_M_DPKG               41
#define PF_DP_PACKAGE           1       /* string, required */
#define PF_DP_FROM              3       /* string, required */
#define PF_DP_TO                5       /* string */
#define PF_DP_ARCH              6       /* string */
#define PF_DP_DEPENDS           8       /* string, for people */

struct pf_dpkg_origin {
	char *package;          /* Package of both control files */
	char *from_version;     /* Version of OLD: what must be installed */
	char *to_version;       /* Version of NEW, or NULL */
	char *arch;             /* Architecture, or NULL */
	char *depends;          /* Depends of NEW, or NULL */
};

void pf_dpkg_encode(pf_buf *out, const pf_manifest *m);
pf_ret pf_dpkg_decode(pf_manifest *m, const pf_field *f, pf_err *err);
void pf_dpkg_free(pf_dpkg_origin *d);

#endif
