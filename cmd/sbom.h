/*
 * patch-inspect --sbom: CycloneDX 1.5 and SPDX 2.3 JSON (sbom.c).
 */
#ifndef PF_CMD_SBOM_H
#define PF_CMD_SBOM_H

#include <stdio.h>

#include "libpatchfmt.h"

/* kind is "cyclonedx" or "spdx"; -1 for another kind or no memory. */
int pf_sbom_print(FILE *f, const char *kind, const pf_reader *r);

#endif
