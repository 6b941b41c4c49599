#include <config.h>

#include <lzma.h>

#include "compress/lzma.h"

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
	int i = 0;

	if (lzma_lzma_preset(&lz, o->preset | (o->extreme ? LZMA_PRESET_EXTREME
	    : 0)))
		return pf_err_set(err, PF_ERR_USAGE, "bad lzma preset");
	lz.dict_size = o->dict_size ? o->dict_size : pf_lzma_dict_for(n);
	if (o->set_lclppb) {
		lz.lc = o->lc;
		lz.lp = o->lp;
		lz.pb = o->pb;
	}
	if (o->x86)
		f[i++] = (lzma_filter){ LZMA_FILTER_X86, NULL };
	f[i++] = (lzma_filter){ LZMA_FILTER_LZMA2, &lz };
	f[i] = (lzma_filter){ LZMA_VLI_UNKNOWN, NULL };
	/* LZMA2 stores incompressible chunks with a small overhead. */
	bound = n + n / 64 + 1024;
	if (!pf_buf_reserve(out, bound))
		return pf_err_nomem(err);
	pos = out->len;
	lr = lzma_raw_buffer_encode(f, NULL, in, n, out->data, &pos,
	    out->cap);
	if (lr != LZMA_OK)
		return pf_err_set(err, lr == LZMA_MEM_ERROR ? PF_ERR_NOMEM :
		    PF_ERR_USAGE, "lzma compression failed (%d)", (int)lr);
	out->len = pos;
	*dict_size = lz.dict_size;
	return PF_OK;
}
