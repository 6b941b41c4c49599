/*
 * Diffing files too large to hold (spec/delta.md section 8.1,
 * informative): a compact index of OLD finds where each window of NEW
 * came from, and the suffix-array matcher refines the match inside those
 * regions.  The output is an ordinary delta.
 */
#ifndef PF_DELTA_WINDOW_H
#define PF_DELTA_WINDOW_H

#include "common/cpus.h"
#include "common/stream.h"

/*
 * Reads old and nw through their sources (each read at least twice:
 * once to hash and index, then in windows) and writes the delta to out.
 * memory bounds what the encoder holds (at least 16 MiB); the output
 * depends on the inputs and memory alone, not on the helpers it starts
 * on the CPUs of cpus (NULL: none).
 */
pf_ret pf_delta_encode_window(const pf_source *old, const pf_source *nw,
    uint64_t memory, pf_cpus *cpus, pf_ostream *out, pf_err *err);

#endif
