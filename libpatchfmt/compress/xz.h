/*
 * .xz streams continued across calls, as xdelta3's LZMA secondary
 * compressor uses them (spec/vcdiff.md section 3.3): one stream per kind
 * of section, flushed at the end of every window, never finished.
 */
#ifndef PF_COMPRESS_XZ_H
#define PF_COMPRESS_XZ_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

typedef struct pf_xz pf_xz;

/* A decoder whose memory use liblzma keeps under memlimit bytes. */
pf_ret pf_xz_dec_new(pf_xz **out, uint64_t memlimit, pf_err *err);
/*
 * Decodes all n bytes of in, which must give exactly out_size bytes of
 * output, neither more nor less, and must not end the stream.
 */
pf_ret pf_xz_dec_next(pf_xz *x, const uint8_t *in, size_t n, uint8_t *out,
    size_t out_size, pf_err *err);

/*
 * An encoder: LZMA2 at preset 9 extreme with the given dictionary (which
 * bounds the decoder's memory too) and lc/lp/pb, no check.
 */
pf_ret pf_xz_enc_new(pf_xz **out, uint32_t dict_size, uint32_t lc,
    uint32_t lp, uint32_t pb, pf_err *err);
/* Compresses in and appends the flushed output to out. */
pf_ret pf_xz_enc_next(pf_xz *x, const uint8_t *in, size_t n, pf_buf *out,
    pf_err *err);

void pf_xz_free(pf_xz *x);

#endif
