#include <config.h>

#include <stdlib.h>

#include "compress/lz.h"
#include "compress/lzma_int.h"

struct pf_lz_dec {
	lzma_stream strm;
};

uint32_t
pf_delta_crc32(const uint8_t *p, size_t n)
{
	return lzma_crc32(p, n, 0);
}

bool
pf_lz_props_valid(uint8_t props)
{
	unsigned lc = props % 9, lp = props / 9 % 5;

	return props < 9 * 5 * 5 && lc + lp <= 4;
}

pf_ret
pf_lz_dec_new(pf_lz_dec **out, uint8_t props, uint32_t dict, pf_err *err)
{
	lzma_options_lzma opt = { .dict_size = dict };
	lzma_filter filters[3];
	pf_lz_dec *d;

	pf_lzma_props(&opt, props);
	pf_lzma_chain(filters, &opt, false);
	if ((d = calloc(1, sizeof *d)) == NULL)
		return pf_err_nomem(err);
	d->strm = (lzma_stream)LZMA_STREAM_INIT;
	if (lzma_raw_decoder(&d->strm, filters) != LZMA_OK) {
		free(d);
		return pf_err_set(err, PF_ERR_NOMEM,
		    "cannot set up an lzma2 decoder");
	}
	*out = d;
	return PF_OK;
}

void
pf_lz_dec_free(pf_lz_dec *d)
{
	if (d == NULL)
		return;
	lzma_end(&d->strm);
	free(d);
}

/* Gives the decoder more of the chunk's packed bytes once it used all. */
static pf_ret
refill(lzma_stream *s, pf_istream *in, uint64_t *left, uint8_t *inbuf,
    size_t inbuf_len, const char *what, pf_err *err)
{
	size_t n = inbuf_len;
	pf_ret r;

	if (s->avail_in > 0 || *left == 0)
		return PF_OK;
	if (n > *left)
		n = (size_t)*left;
	r = pf_istream_read_full(in, inbuf, n, what, err);
	if (r != PF_OK)
		return r;
	s->next_in = inbuf;
	s->avail_in = n;
	*left -= n;
	return PF_OK;
}

pf_ret
pf_lz_dec_chunk(pf_lz_dec *d, pf_istream *in, uint64_t packed, uint8_t *out,
    size_t raw, uint8_t *inbuf, size_t inbuf_len, const char *what,
    pf_err *err)
{
	lzma_stream *s = &d->strm;
	uint8_t spill;
	uint64_t left = packed, in0, out0;
	lzma_ret lr;
	pf_ret r;

	s->next_out = out;
	s->avail_out = raw;
	for (;;) {
		if ((r = refill(s, in, &left, inbuf, inbuf_len, what, err)) != PF_OK)
			return r;
		/*
		 * Once the declared size is out, one spare byte catches a
		 * chunk that decodes to more than its block header says.
		 */
		if (s->avail_out == 0 && s->next_out != &spill + 1) {
			s->next_out = &spill;
			s->avail_out = 1;
		}
		in0 = s->total_in;
		out0 = s->total_out;
		lr = lzma_code(s, LZMA_RUN);
		if (lr == LZMA_MEM_ERROR)
			return pf_err_nomem(err);
		if (lr != LZMA_OK && lr != LZMA_BUF_ERROR)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "%s is corrupt (lzma2 error %d)", what, (int)lr);
		if (s->next_out == &spill + 1)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "%s decodes to more than its declared %zu bytes",
			    what, raw);
		if (s->total_in == in0 && s->total_out == out0)
			break;
	}
	if (left > 0 || s->avail_in > 0 || s->next_out != &spill)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "%s does not decode to its declared %zu bytes", what, raw);
	return PF_OK;
}
