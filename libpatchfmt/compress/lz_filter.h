/*
 * The LZMA2 filter chain of a control or extra stream (spec/delta.md
 * section 4.1), shared by lz_dec.c and lz_enc.c.
 */
#ifndef PF_COMPRESS_LZ_FILTER_H
#define PF_COMPRESS_LZ_FILTER_H

#include <stdint.h>

#include <lzma.h>

/* Sets lc, lp, pb from the properties byte and the dictionary size. */
static inline void
pf_lz_filter(lzma_options_lzma *opt, lzma_filter filters[2], uint8_t props,
    uint32_t dict)
{
	opt->dict_size = dict;
	opt->lc = props % 9;
	opt->lp = props / 9 % 5;
	opt->pb = props / 45;
	filters[0].id = LZMA_FILTER_LZMA2;
	filters[0].options = opt;
	filters[1].id = LZMA_VLI_UNKNOWN;
	filters[1].options = NULL;
}

#endif
