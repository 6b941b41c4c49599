/*
 * Decoding one .xz stream in pieces (compress/xz.h): each piece is the
 * output of a flush on the encoding side, so it decodes to exactly the
 * bytes that were given to the encoder before that flush.
 */
#include <config.h>

#include <stdlib.h>

#include <lzma.h>

#include "compress/xz.h"

struct pf_xz {
	lzma_stream s;
};

pf_ret
pf_xz_dec_new(pf_xz **out, uint64_t memlimit, pf_err *err)
{
	pf_xz *x = calloc(1, sizeof *x);
	lzma_stream init = LZMA_STREAM_INIT;
	lzma_ret lr;

	*out = NULL;
	if (x == NULL)
		return pf_err_nomem(err);
	x->s = init;
	lr = lzma_stream_decoder(&x->s, memlimit, LZMA_TELL_NO_CHECK);
	if (lr != LZMA_OK) {
		free(x);
		return pf_err_set(err, lr == LZMA_MEM_ERROR ? PF_ERR_NOMEM :
		    PF_ERR_CORRUPT, "cannot start the xz decoder (%d)",
		    (int)lr);
	}
	*out = x;
	return PF_OK;
}

static pf_ret
lzma_fail(lzma_ret lr, pf_err *err)
{
	if (lr == LZMA_MEM_ERROR)
		return pf_err_nomem(err);
	if (lr == LZMA_MEMLIMIT_ERROR || lr == LZMA_OPTIONS_ERROR)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "the lzma secondary data needs more memory or options "
		    "than this decoder allows (%d)", (int)lr);
	return pf_err_set(err, PF_ERR_CORRUPT,
	    "the lzma secondary data is corrupt (%d)", (int)lr);
}

pf_ret
pf_xz_dec_next(pf_xz *x, const uint8_t *in, size_t n, uint8_t *out,
    size_t out_size, pf_err *err)
{
	size_t before_in, before_out;
	lzma_ret lr;

	x->s.next_in = in;
	x->s.avail_in = n;
	x->s.next_out = out;
	x->s.avail_out = out_size;
	while (x->s.avail_in > 0 || x->s.avail_out > 0) {
		before_in = x->s.avail_in;
		before_out = x->s.avail_out;
		lr = lzma_code(&x->s, LZMA_RUN);
		if (lr == LZMA_NO_CHECK || lr == LZMA_GET_CHECK)
			lr = LZMA_OK;
		if (lr == LZMA_STREAM_END)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "the lzma secondary data ends its stream early");
		if (lr != LZMA_OK && lr != LZMA_BUF_ERROR)
			return lzma_fail(lr, err);
		if (before_in == x->s.avail_in && before_out == x->s.avail_out)
			break;
	}
	if (x->s.avail_out > 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "the lzma secondary data is %zu bytes short",
		    x->s.avail_out);
	if (x->s.avail_in > 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "the lzma secondary data has %zu bytes too many",
		    x->s.avail_in);
	return PF_OK;
}

void
pf_xz_free(pf_xz *x)
{
	if (x == NULL)
		return;
	lzma_end(&x->s);
	free(x);
}
