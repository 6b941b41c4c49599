/* Decoding a delta of either format, told apart by its magic. */
#ifndef PF_DELTA_SNIFF_H
#define PF_DELTA_SNIFF_H

#include "common/stream.h"
#include "delta/delta.h"

/* pf_vcdiff_decode() or pf_delta_decode_rb(), as the magic says. */
pf_ret pf_delta_decode_any(pf_istream *delta, const pf_source *old,
    const pf_delta_check *chk, pf_ostream *out, const pf_readback *rb,
    uint64_t max_new_size, pf_err *err);

#endif
