/*
 * The manifest fields of patches in the field (spec/patchfmt.md sections
 * 5.1.3 to 5.1.5): provenance, install hooks and the phased rollout.
 */
#ifndef PF_FORMAT_ROLLOUT_H
#define PF_FORMAT_ROLLOUT_H

#include <stdio.h>

#include "libpatchfmt.h"
#include "format/types.h"
#include "common/buf.h"
#include "common/err.h"
#include "format/field.h"

/* Appends fields 20, 21 and 23 (they follow the release, field 19). */
void pf_rollout_encode(pf_buf *out, const pf_manifest *m);
/* One top-level field with tag 20, 21 or 23. */
pf_ret pf_rollout_decode(pf_manifest *m, const pf_field *f, pf_err *err);
void pf_rollout_clear(pf_manifest *m);
/* "pre-apply", "health"...; NULL for an unknown kind. */
const char *pf_hook_name(pf_hook_kind k);
/* The hook of this kind, or NULL. */
const pf_hook *pf_manifest_hook(const pf_manifest *m, pf_hook_kind k);
/* For patch-inspect: lines of text, or members of the JSON object
 * (each starting with a comma). */
void pf_rollout_print_text(const pf_manifest *m, FILE *f);
void pf_rollout_print_json(const pf_manifest *m, FILE *f);

/* Walking a nested structure, as the manifest does (manifest.c). */
typedef pf_ret (*pf_field_fn)(void *obj, const pf_field *f, pf_err *err);
pf_ret pf_struct_walk(const uint8_t *p, size_t n, const char *what,
    pf_field_fn fn, void *obj, pf_err *err);
/* An unknown field: skipped, or refused when critical (section 4.3). */
pf_ret pf_struct_unknown(const pf_field *f, const char *what, pf_err *err);

#endif
