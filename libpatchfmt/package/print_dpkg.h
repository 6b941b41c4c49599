/*
 * The dpkg origin (spec/patchfmt.md section 5.1.7) for people and as a
 * member of patch-inspect's JSON object; nothing when there is none.
 */
#ifndef PF_PACKAGE_PRINT_DPKG_H
#define PF_PACKAGE_PRINT_DPKG_H

#include <stdio.h>

#include "libpatchfmt.h"

void pf_dpkg_print_text(const pf_manifest *m, FILE *f);
/* ",\"dpkg\":{...}" */
void pf_dpkg_print_json(const pf_manifest *m, FILE *f);

#endif
