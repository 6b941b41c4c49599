/*
 * The encoder's back half as a stream, for files diffed in windows
 * (window.c): segments go in window by window, and each flush writes
 * the window's blocks (spec/delta.md section 5) with the coders' state
 * carried from one window to the next, as one delta needs.
 */
#ifndef PF_DELTA_DENC_H
#define PF_DELTA_DENC_H

#include "common/stream.h"
#include "delta/delta.h"
#include "delta/match.h"

typedef struct pf_denc pf_denc;

/* Coders for the block size, properties and dictionaries of info. */
pf_ret pf_denc_new(pf_denc **e, const pf_delta_info *info, pf_cpus *cpus,
    pf_err *err);
uint8_t pf_denc_props(int stream);
/*
 * Adds a segment whose copy reads old[sg->old_pos ...], OLD's bytes from
 * position sg->old_pos + shift; ctx is OLD's byte before the copy (0 at
 * the start of OLD).  old and nw must stay until the next flush.
 */
void pf_denc_segment(pf_denc *e, const uint8_t *old, const pf_seg *sg,
    const uint8_t *nw, int64_t shift, uint8_t ctx);
/* Ends the open block and writes every block since the last flush. */
pf_ret pf_denc_flush(pf_denc *e, pf_ostream *out, pf_err *err);
void pf_denc_free(pf_denc *e);

#endif
