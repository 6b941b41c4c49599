/*
 * Codec 4 (spec/patchfmt.md section 5.5, spec/vcdiff.md section 6): the
 * walk of a VCDIFF blob while the reader verifies it, and its decoding.
 * Each function does nothing for a blob of another codec.
 */
#ifndef PF_PACKAGE_VCDIFF_BLOB_H
#define PF_PACKAGE_VCDIFF_BLOB_H

#include "delta/vcdiff.h"
#include "format/manifest.h"

void pf_vcdiff_blob_begin(const pf_manifest *m, size_t idx, pf_vcd_check *c);
pf_ret pf_vcdiff_blob_feed(const pf_manifest *m, size_t idx, pf_vcd_check *c,
    const uint8_t *p, size_t n, pf_err *err);
pf_ret pf_vcdiff_blob_end(const pf_manifest *m, size_t idx, pf_vcd_check *c,
    pf_err *err);

/* Decodes exactly size bytes against base, or fails as corrupt. */
pf_ret pf_vcdiff_decode_exact(pf_istream *in, const pf_source *base,
    pf_ostream *out, uint64_t size, pf_err *err);

#endif
