#include <config.h>

#include <stdlib.h>

#include "compress/lzma_int.h"

uint32_t
pf_lzma_dict_for(uint64_t n)
{
	uint32_t d = 4096;

	/* Up to 8 MiB: the applier's memory stays small whatever the file. */
	while (d < n && d < (UINT32_C(8) << 20))
		d <<= 1;
	return d;
}

pf_ret
pf_lzma_encode(const uint8_t *in, size_t n, const pf_lzma_opts *o,
    pf_buf *out, uint32_t *dict_size, pf_err *err)
{
	lzma_options_lzma lz;
	lzma_filter f[3];
	size_t pos, bound;
	lzma_ret lr;
	pf_ret r;

	if ((r = pf_lzma_options(&lz, o, o->dict_size, n, err)) != PF_OK)
		return r;
	pf_lzma_chain(f, &lz, o->x86);
	/* LZMA2 stores incompressible chunks with a small overhead. */
	bound = n + n / 64 + 1024;
	if (!pf_buf_reserve(out, bound))
		return pf_err_nomem(err);
	pos = out->len;
	lr = lzma_raw_buffer_encode(f, &pf_lzma_allocator, in, n, out->data,
	    &pos, out->cap);
	if (lr != LZMA_OK)
		return pf_err_set(err, lr == LZMA_MEM_ERROR ? PF_ERR_NOMEM :
		    PF_ERR_USAGE, "lzma compression failed (%d)", (int)lr);
	out->len = pos;
	*dict_size = lz.dict_size;
	return PF_OK;
}

/* Streaming: what one call to lzma_code may write before it is flushed. */
#define ENC_OUT_STEP (256u << 10)

struct pf_lzma_enc {
	lzma_stream s;
	uint8_t *buf;
};

pf_ret
pf_lzma_enc_new(pf_lzma_enc **out, const pf_lzma_opts *o, uint64_t total,
    uint32_t *dict_size, pf_err *err)
{
	lzma_options_lzma lz;
	lzma_filter f[3];
	pf_lzma_enc *e;
	pf_ret r;

	*out = NULL;
	if ((r = pf_lzma_options(&lz, o, o->dict_size, total, err)) != PF_OK)
		return r;
	pf_lzma_chain(f, &lz, o->x86);
	if ((e = calloc(1, sizeof *e)) == NULL ||
	    (e->buf = malloc(ENC_OUT_STEP)) == NULL) {
		free(e);
		return pf_err_nomem(err);
	}
	e->s = (lzma_stream)LZMA_STREAM_INIT;
	e->s.allocator = &pf_lzma_allocator;
	if (lzma_raw_encoder(&e->s, f) != LZMA_OK) {
		pf_lzma_enc_free(e);
		return pf_err_set(err, PF_ERR_NOMEM,
		    "cannot set up an lzma2 encoder");
	}
	if (dict_size != NULL)
		*dict_size = lz.dict_size;
	*out = e;
	return PF_OK;
}

void
pf_lzma_enc_free(pf_lzma_enc *e)
{
	if (e == NULL)
		return;
	lzma_end(&e->s);
	free(e->buf);
	free(e);
}

static pf_ret
enc_run(pf_lzma_enc *e, lzma_action action, pf_ostream *out, pf_err *err)
{
	lzma_ret lr;
	pf_ret r;

	for (;;) {
		e->s.next_out = e->buf;
		e->s.avail_out = ENC_OUT_STEP;
		lr = lzma_code(&e->s, action);
		if (lr != LZMA_OK && lr != LZMA_STREAM_END)
			return pf_err_set(err, lr == LZMA_MEM_ERROR ?
			    PF_ERR_NOMEM : PF_ERR_USAGE,
			    "lzma compression failed (%d)", (int)lr);
		r = out->write(out->opaque, e->buf, ENC_OUT_STEP -
		    e->s.avail_out, err);
		if (r != PF_OK || lr == LZMA_STREAM_END)
			return r;
		if (action == LZMA_RUN && e->s.avail_in == 0)
			return PF_OK;
	}
}

pf_ret
pf_lzma_enc_write(pf_lzma_enc *e, const uint8_t *in, size_t n,
    pf_ostream *out, pf_err *err)
{
	e->s.next_in = in;
	e->s.avail_in = n;
	return n ? enc_run(e, LZMA_RUN, out, err) : PF_OK;
}

pf_ret
pf_lzma_enc_flush(pf_lzma_enc *e, pf_ostream *out, pf_err *err)
{
	e->s.next_in = NULL;
	e->s.avail_in = 0;
	return enc_run(e, LZMA_SYNC_FLUSH, out, err);
}

pf_ret
pf_lzma_enc_finish(pf_lzma_enc *e, pf_ostream *out, pf_err *err)
{
	e->s.next_in = NULL;
	e->s.avail_in = 0;
	return enc_run(e, LZMA_FINISH, out, err);
}
