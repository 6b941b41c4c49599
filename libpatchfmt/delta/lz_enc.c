#include <config.h>

#include "delta/lz.h"
#include "delta/lz_filter.h"

/* How much packed output one call to lzma_code may produce. */
#define LZ_OUT_STEP (64u << 10)

static pf_ret
lz_enc_init(lzma_stream *s, uint8_t props, uint32_t dict, pf_err *err)
{
	lzma_options_lzma opt;
	lzma_filter filters[2];

	/* The strongest preset: the streams are small next to the files. */
	if (lzma_lzma_preset(&opt, 9 | LZMA_PRESET_EXTREME))
		return pf_err_set(err, PF_ERR_USAGE, "bad lzma2 preset");
	pf_lz_filter(&opt, filters, props, dict);
	if (lzma_raw_encoder(s, filters) != LZMA_OK)
		return pf_err_set(err, PF_ERR_NOMEM,
		    "cannot set up an lzma2 encoder");
	return PF_OK;
}

/* Runs the encoder over what it was given, then flushes it (SYNC_FLUSH). */
static pf_ret
lz_enc_block(lzma_stream *s, const uint8_t *p, size_t n, pf_buf *out,
    pf_err *err)
{
	lzma_action action = LZMA_RUN;
	lzma_ret lr;

	s->next_in = p;
	s->avail_in = n;
	for (;;) {
		if (!pf_buf_reserve(out, LZ_OUT_STEP))
			return pf_err_nomem(err);
		s->next_out = out->data + out->len;
		s->avail_out = LZ_OUT_STEP;
		if (s->avail_in == 0)
			action = LZMA_SYNC_FLUSH;
		lr = lzma_code(s, action);
		out->len += LZ_OUT_STEP - s->avail_out;
		if (lr == LZMA_STREAM_END && action == LZMA_SYNC_FLUSH)
			return PF_OK;
		if (lr == LZMA_MEM_ERROR)
			return pf_err_nomem(err);
		if (lr != LZMA_OK)
			return pf_err_set(err, PF_ERR_USAGE,
			    "lzma2 encoder failed (error %d)", (int)lr);
	}
}

pf_ret
pf_lz_encode_blocks(const uint8_t *raw, const size_t *off, size_t nblocks,
    uint8_t props, uint32_t dict, pf_buf *out, size_t *packed, pf_err *err)
{
	lzma_stream s = LZMA_STREAM_INIT;
	size_t i;
	pf_ret r;

	if ((r = lz_enc_init(&s, props, dict, err)) != PF_OK)
		goto out;
	packed[0] = out->len;
	for (i = 0; i < nblocks; i++) {
		size_t n = off[i + 1] - off[i];

		r = lz_enc_block(&s, n ? raw + off[i] : NULL, n, out, err);
		if (r != PF_OK)
			goto out;
		packed[i + 1] = out->len;
	}
out:
	lzma_end(&s);
	return r;
}
