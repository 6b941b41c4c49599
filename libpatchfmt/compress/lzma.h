/*
 * Raw LZMA2, optionally behind the x86 BCJ filter (spec section 5.5,
 * codecs 1 and 2).  compress/ is the only folder that includes <lzma.h>:
 * the delta codec's streams (lz.h) and VCDIFF's .xz streams (xz.h) are
 * made here too.
 */
#ifndef PF_COMPRESS_LZMA_H
#define PF_COMPRESS_LZMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/stream.h"

/*
 * The largest dictionary the decoder accepts, so that decoding never needs
 * more memory than this (the format's limit, spec sections 5.5 and 10.3;
 * package/reader.c asserts that the two agree).
 */
#define PF_LZMA_MAX_DICT        (UINT64_C(64) << 20)

/* LZMA2 settings for one stream; zero fields mean the preset's value. */
typedef struct pf_lzma_opts {
	uint32_t preset;        /* 0-9 */
	bool extreme;
	bool x86;               /* BCJ filter in front of LZMA2 */
	uint32_t dict_size;     /* 0: fitted to the input */
	uint32_t lc, lp, pb;
	bool set_lclppb;
} pf_lzma_opts;

/* The dictionary the encoder picks for n bytes: small inputs, small dict. */
uint32_t pf_lzma_dict_for(uint64_t n);

/* Compresses in[0..n) into out (appended); *dict_size gets the parameter. */
pf_ret pf_lzma_encode(const uint8_t *in, size_t n, const pf_lzma_opts *o,
    pf_buf *out, uint32_t *dict_size, pf_err *err);

/*
 * The same as a stream, for inputs too large to hold: total is the size
 * the input will have (it picks the dictionary unless o sets one;
 * *dict_size, unless NULL, gets it); output goes to out as it is made.
 * A flush (LZMA_SYNC_FLUSH) makes all input so far decodable from the
 * output so far: the delta codec's blocks (compress/lz.h).
 */
typedef struct pf_lzma_enc pf_lzma_enc;
pf_ret pf_lzma_enc_new(pf_lzma_enc **e, const pf_lzma_opts *o,
    uint64_t total, uint32_t *dict_size, pf_err *err);
pf_ret pf_lzma_enc_write(pf_lzma_enc *e, const uint8_t *in, size_t n,
    pf_ostream *out, pf_err *err);
pf_ret pf_lzma_enc_flush(pf_lzma_enc *e, pf_ostream *out, pf_err *err);
pf_ret pf_lzma_enc_finish(pf_lzma_enc *e, pf_ostream *out, pf_err *err);
void pf_lzma_enc_free(pf_lzma_enc *e);

/*
 * Decompresses exactly out_size bytes from in to out, refusing more or
 * fewer, and anything after the end of the LZMA2 data.
 */
pf_ret pf_lzma_decode(pf_istream *in, uint64_t dict_size, bool x86,
    pf_ostream *out, uint64_t out_size, pf_err *err);

#endif
