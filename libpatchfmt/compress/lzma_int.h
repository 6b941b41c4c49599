/*
 * What every coder of compress/ builds the same way from liblzma: the
 * LZMA2 options and the filter chain.  Included by the files of
 * compress/ only, the one folder that includes <lzma.h>.
 */
#ifndef PF_COMPRESS_LZMA_INT_H
#define PF_COMPRESS_LZMA_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <lzma.h>

#include "common/bigmem.h"
#include "compress/lzma.h"

/* liblzma's allocations, its match finders' big tables on huge pages. */
static const lzma_allocator pf_lzma_allocator = {
	pf_bigmem_lzma_alloc, pf_bigmem_lzma_free, NULL
};

/* The chain: x86 BCJ when asked (codec 2), then LZMA2 with *lz. */
static inline void
pf_lzma_chain(lzma_filter f[3], lzma_options_lzma *lz, bool x86)
{
	int i = 0;

	if (x86)
		f[i++] = (lzma_filter){ LZMA_FILTER_X86, NULL };
	f[i++] = (lzma_filter){ LZMA_FILTER_LZMA2, lz };
	f[i] = (lzma_filter){ LZMA_VLI_UNKNOWN, NULL };
}

/* lc, lp and pb from an LZMA properties byte (spec/delta.md 4.1). */
static inline void
pf_lzma_props(lzma_options_lzma *lz, uint8_t props)
{
	lz->lc = props % 9;
	lz->lp = props / 9 % 5;
	lz->pb = props / 45;
}

/*
 * An encoder's LZMA2 options from o: its preset, the dictionary dict
 * (0: fitted to n bytes of input), its lc, lp and pb if it sets them.
 */
static inline pf_ret
pf_lzma_options(lzma_options_lzma *lz, const pf_lzma_opts *o, uint32_t dict,
    uint64_t n, pf_err *err)
{
	if (lzma_lzma_preset(lz, o->preset | (o->extreme ?
	    LZMA_PRESET_EXTREME : 0)))
		return pf_err_set(err, PF_ERR_USAGE, "bad lzma preset");
	lz->dict_size = dict ? dict : pf_lzma_dict_for(n);
	if (o->set_lclppb) {
		lz->lc = o->lc;
		lz->lp = o->lp;
		lz->pb = o->pb;
	}
	return PF_OK;
}

#endif
