/* Encoding one .xz stream in flushed pieces (compress/xz.h). */
#include <config.h>

#include <stdlib.h>

#include "compress/lzma_int.h"
#include "compress/xz.h"

/* The encoder's struct must match xz_dec.c's: pf_xz_free serves both. */
struct pf_xz {
	lzma_stream s;
};

pf_ret
pf_xz_enc_new(pf_xz **out, uint32_t dict_size, uint32_t lc, uint32_t lp,
    uint32_t pb, pf_err *err)
{
	pf_lzma_opts po = { .preset = 9, .extreme = true, .lc = lc, .lp = lp,
	    .pb = pb, .set_lclppb = true };
	pf_xz *x = calloc(1, sizeof *x);
	lzma_stream init = LZMA_STREAM_INIT;
	lzma_options_lzma o;
	lzma_filter f[3];
	lzma_ret lr;
	pf_ret r;

	*out = NULL;
	if (x == NULL)
		return pf_err_nomem(err);
	x->s = init;
	x->s.allocator = &pf_lzma_allocator;
	if ((r = pf_lzma_options(&o, &po, dict_size, 0, err)) != PF_OK) {
		free(x);
		return r;
	}
	pf_lzma_chain(f, &o, false);
	lr = lzma_stream_encoder(&x->s, f, LZMA_CHECK_NONE);
	if (lr != LZMA_OK) {
		free(x);
		return pf_err_set(err, lr == LZMA_MEM_ERROR ? PF_ERR_NOMEM :
		    PF_ERR_USAGE, "cannot start the xz encoder (%d)", (int)lr);
	}
	*out = x;
	return PF_OK;
}

pf_ret
pf_xz_enc_next(pf_xz *x, const uint8_t *in, size_t n, pf_buf *out,
    pf_err *err)
{
	lzma_ret lr;

	x->s.next_in = in;
	x->s.avail_in = n;
	do {
		if (!pf_buf_reserve(out, 65536))
			return pf_err_nomem(err);
		x->s.next_out = out->data + out->len;
		x->s.avail_out = out->cap - out->len;
		lr = lzma_code(&x->s, LZMA_SYNC_FLUSH);
		out->len = (size_t)(x->s.next_out - out->data);
		if (lr != LZMA_OK && lr != LZMA_STREAM_END)
			return pf_err_set(err, lr == LZMA_MEM_ERROR ?
			    PF_ERR_NOMEM : PF_ERR_USAGE,
			    "the xz encoder failed (%d)", (int)lr);
	} while (lr != LZMA_STREAM_END);
	return PF_OK;
}
