#include <config.h>

#include <stdlib.h>

#include "compress/lzma_int.h"

#define CHUNK 65536

static pf_ret
init_decoder(lzma_stream *s, uint64_t dict_size, bool x86, pf_err *err)
{
	lzma_options_lzma lz = { 0 };
	lzma_filter f[3];
	lzma_ret lr;

	/* The dictionary was bounded when the manifest was read (8. Limits). */
	if (dict_size < 4096 || dict_size > PF_LZMA_MAX_DICT)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "lzma dictionary size out of range");
	lz.dict_size = (uint32_t)dict_size;
	pf_lzma_chain(f, &lz, x86);
	lr = lzma_raw_decoder(s, f);
	if (lr != LZMA_OK)
		return pf_err_set(err, lr == LZMA_MEM_ERROR ? PF_ERR_NOMEM :
		    PF_ERR_CORRUPT, "cannot start the lzma decoder (%d)",
		    (int)lr);
	return PF_OK;
}

/* Feeds the decoder until it ends; returns bytes produced via *done. */
static pf_ret
pump(lzma_stream *s, pf_istream *in, pf_ostream *out, uint64_t out_size,
    uint8_t *ibuf, uint8_t *obuf, pf_err *err)
{
	uint64_t produced = 0;
	size_t got, n;
	lzma_ret lr;
	pf_ret r;

	for (;;) {
		if (s->avail_in == 0) {
			r = in->read(in->opaque, ibuf, CHUNK, &got, err);
			if (r != PF_OK)
				return r;
			s->next_in = ibuf;
			s->avail_in = got;
		}
		s->next_out = obuf;
		s->avail_out = CHUNK;
		lr = lzma_code(s, s->avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
		n = CHUNK - s->avail_out;
		if (n > out_size - produced)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "compressed data decodes to more than the %llu "
			    "bytes declared", (unsigned long long)out_size);
		if (n > 0 && (r = out->write(out->opaque, obuf, n, err)) != PF_OK)
			return r;
		produced += n;
		if (lr == LZMA_STREAM_END)
			break;
		if (lr != LZMA_OK || (n == 0 && s->avail_in == 0))
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "compressed data is corrupt or truncated");
	}
	if (produced != out_size)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "compressed data decodes to %llu bytes, %llu declared",
		    (unsigned long long)produced, (unsigned long long)out_size);
	/* Nothing may follow the end of the LZMA2 data. */
	if (s->avail_in == 0) {
		r = in->read(in->opaque, ibuf, 1, &got, err);
		if (r != PF_OK)
			return r;
		s->avail_in = got;
	}
	if (s->avail_in != 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "garbage after the compressed data");
	return PF_OK;
}

pf_ret
pf_lzma_decode(pf_istream *in, uint64_t dict_size, bool x86, pf_ostream *out,
    uint64_t out_size, pf_err *err)
{
	static const lzma_stream init = LZMA_STREAM_INIT;
	lzma_stream s = init;
	uint8_t *ibuf = NULL, *obuf = NULL;
	pf_ret r;

	if ((r = init_decoder(&s, dict_size, x86, err)) != PF_OK)
		return r;
	ibuf = malloc(CHUNK);
	obuf = malloc(CHUNK);
	if (ibuf == NULL || obuf == NULL) {
		r = pf_err_nomem(err);
		goto out;
	}
	r = pump(&s, in, out, out_size, ibuf, obuf, err);
out:
	free(ibuf);
	free(obuf);
	lzma_end(&s);
	return r;
}
