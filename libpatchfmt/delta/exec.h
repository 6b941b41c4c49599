/*
 * The encoder's half of the prediction (spec/delta.md section 10), in
 * libpf_build: for two x86-64 or two AArch64 ELF files, the prediction
 * section and the predicted image that NEW is then encoded against.
 */
#ifndef PF_DELTA_EXEC_H
#define PF_DELTA_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "delta/match.h"

/*
 * Appends the prediction section (finder, body_len, body) to section and
 * sets *img to the predicted image (old_len bytes, to be freed), using
 * segs, the matcher's copies of new from old, for the address map.
 * *img stays NULL, and nothing is appended, when the files are not both
 * x86-64 or both AArch64 ELF with section headers: the caller then has
 * no prediction.
 */
pf_ret pf_exec_predict(const uint8_t *old, size_t old_len,
    const uint8_t *nw, size_t new_len, const pf_seg_list *segs,
    pf_buf *section, uint8_t **img, pf_err *err);

#endif
