/*
 * The delta codec's streams (compress/lz.h): the streaming raw LZMA2
 * encoder of lzma_enc.c at its strongest preset, flushed at the end of
 * every block so that each block's packed bytes end where its raw bytes
 * do.
 */
#include <config.h>

#include "compress/lz.h"
#include "compress/lzma.h"

pf_ret
pf_lz_enc_new(pf_lz_enc **out, uint8_t props, uint32_t dict, pf_err *err)
{
	/* The strongest preset: the streams are small next to the files. */
	pf_lzma_opts o = { .preset = 9, .extreme = true, .dict_size = dict,
	    .lc = props % 9, .lp = props / 9 % 5, .pb = props / 45,
	    .set_lclppb = true };

	return pf_lzma_enc_new(out, &o, 0, NULL, err);
}

void
pf_lz_enc_free(pf_lz_enc *e)
{
	pf_lzma_enc_free(e);
}

pf_ret
pf_lz_enc_blocks(pf_lz_enc *e, const uint8_t *raw, const size_t *off,
    size_t nblocks, pf_buf *out, size_t *packed, pf_err *err)
{
	pf_ostream os;
	size_t i, n;
	pf_ret r;

	pf_ostream_to_buf(&os, out);
	packed[0] = out->len;
	for (i = 0; i < nblocks; i++) {
		n = off[i + 1] - off[i];
		r = pf_lzma_enc_write(e, n ? raw + off[i] : NULL, n, &os, err);
		if (r == PF_OK)
			r = pf_lzma_enc_flush(e, &os, err);
		if (r != PF_OK)
			return r;
		packed[i + 1] = out->len;
	}
	return PF_OK;
}

pf_ret
pf_lz_encode_blocks(const uint8_t *raw, const size_t *off, size_t nblocks,
    uint8_t props, uint32_t dict, pf_buf *out, size_t *packed, pf_err *err)
{
	pf_lz_enc *e;
	pf_ret r;

	if ((r = pf_lz_enc_new(&e, props, dict, err)) != PF_OK)
		return r;
	r = pf_lz_enc_blocks(e, raw, off, nblocks, out, packed, err);
	pf_lz_enc_free(e);
	return r;
}
