#include <config.h>

#include <stdlib.h>

#include "compress/lz.h"
#include "compress/lz_filter.h"

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

struct pf_lz_enc {
	lzma_stream s;
};

pf_ret
pf_lz_enc_new(pf_lz_enc **out, uint8_t props, uint32_t dict, pf_err *err)
{
	pf_lz_enc *e = malloc(sizeof *e);
	pf_ret r;

	*out = NULL;
	if (e == NULL)
		return pf_err_nomem(err);
	e->s = (lzma_stream)LZMA_STREAM_INIT;
	if ((r = lz_enc_init(&e->s, props, dict, err)) != PF_OK) {
		pf_lz_enc_free(e);
		return r;
	}
	*out = e;
	return PF_OK;
}

void
pf_lz_enc_free(pf_lz_enc *e)
{
	if (e == NULL)
		return;
	lzma_end(&e->s);
	free(e);
}

pf_ret
pf_lz_enc_blocks(pf_lz_enc *e, const uint8_t *raw, const size_t *off,
    size_t nblocks, pf_buf *out, size_t *packed, pf_err *err)
{
	size_t i, n;
	pf_ret r;

	packed[0] = out->len;
	for (i = 0; i < nblocks; i++) {
		n = off[i + 1] - off[i];
		r = lz_enc_block(&e->s, n ? raw + off[i] : NULL, n, out, err);
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
