/*
 * Raw LZMA2 for the three streams of a delta (spec/delta.md section 4),
 * in chunks flushed at block boundaries: lz_dec.c decodes them chunk by
 * chunk, lz_enc.c makes them with lzma.h's streaming encoder.  The delta
 * codec sees chunks of bytes only: liblzma stays in compress/.
 */
#ifndef PF_COMPRESS_LZ_H
#define PF_COMPRESS_LZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/stream.h"

/* IEEE CRC-32, as xz computes it, for the header check field. */
uint32_t pf_delta_crc32(const uint8_t *p, size_t n);

/* True when props is an LZMA properties byte LZMA2 accepts (lc+lp<=4). */
bool pf_lz_props_valid(uint8_t props);

typedef struct pf_lz_dec pf_lz_dec;

pf_ret pf_lz_dec_new(pf_lz_dec **out, uint8_t props, uint32_t dict,
    pf_err *err);
void pf_lz_dec_free(pf_lz_dec *d);
/*
 * Decodes one chunk: reads exactly packed bytes from in (through inbuf)
 * and requires them to decode to exactly raw bytes into out.
 */
pf_ret pf_lz_dec_chunk(pf_lz_dec *d, pf_istream *in, uint64_t packed,
    uint8_t *out, size_t raw, uint8_t *inbuf, size_t inbuf_len,
    const char *what, pf_err *err);

/*
 * Compresses raw as one LZMA2 stream, flushed at every block boundary:
 * block i is raw[off[i]..off[i+1]) and becomes out[packed[i]..packed[i+1]).
 */
pf_ret pf_lz_encode_blocks(const uint8_t *raw, const size_t *off,
    size_t nblocks, uint8_t props, uint32_t dict, pf_buf *out,
    size_t *packed, pf_err *err);

/* The same, one encoder kept across calls (streaming, delta/denc.h):
 * lzma.h's streaming encoder, flushed at block boundaries. */
typedef struct pf_lzma_enc pf_lz_enc;
pf_ret pf_lz_enc_new(pf_lz_enc **e, uint8_t props, uint32_t dict,
    pf_err *err);
pf_ret pf_lz_enc_blocks(pf_lz_enc *e, const uint8_t *raw, const size_t *off,
    size_t nblocks, pf_buf *out, size_t *packed, pf_err *err);
void pf_lz_enc_free(pf_lz_enc *e);

#endif
