/*
 * The pfdelta codec (spec/delta.md): what the package builder and the
 * applier call.  The encoder lives in libpf_build, the decoder and the
 * header parser in libpf_apply.
 */
#ifndef PF_DELTA_DELTA_H
#define PF_DELTA_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/buf.h"
#include "common/cpus.h"
#include "common/err.h"
#include "common/hash.h"
#include "common/stream.h"
#include "delta/format.h"

typedef struct pf_delta_opts {
	unsigned threads;       /* 0: as many as useful (at most 3) */
	uint32_t block_size;    /* new bytes per block; 0: the maximum */
	uint32_t dict_max;      /* largest LZMA2 dictionary; 0: the maximum */
	int predict;            /* PF_DELTA_PREDICT_*; 0: the smaller delta */
	bool no_sha256;         /* a version 2 header without the hashes */
	pf_cpus *cpus;          /* shared helpers' CPUs; NULL: of threads */
} pf_delta_opts;

/* Whether the encoder predicts references (section 10). */
enum {
	PF_DELTA_PREDICT_AUTO = 0,      /* with and without; the smaller */
	PF_DELTA_PREDICT_NEVER = 1,     /* the generic codec only */
	PF_DELTA_PREDICT_ALWAYS = 2     /* with, wherever the files allow */
};

/* Everything the header states (section 3). */
typedef struct pf_delta_info {
	unsigned version;
	uint8_t flags;          /* PF_DELTA_FLAG_* (section 3.3) */
	uint32_t block_size;
	uint8_t props[PF_DELTA_NSTREAMS];
	uint32_t dict[PF_DELTA_NSTREAMS];
	uint64_t old_size;
	uint64_t new_size;
	uint8_t old_sha256[PF_SHA256_LEN];
	uint8_t new_sha256[PF_SHA256_LEN];
	bool has_sha256;        /* version 1 always; version 2 with the flag */
	size_t header_len;      /* bytes of the header, as read or written */
} pf_delta_info;

/* Output is a function of the inputs alone, whatever opts->threads or cpus. */
pf_ret pf_delta_encode(const uint8_t *old, size_t old_len,
    const uint8_t *new_data, size_t new_len, const pf_delta_opts *opts,
    pf_buf *out, pf_err *err);

/*
 * Reads the delta front to back, old through read_at, and writes new front
 * to back.  Refuses a wrong old before writing anything.  The delta stream
 * must end where the delta does: trailing bytes make it corrupt, so a
 * caller reading a delta out of a larger file bounds the stream.  On any
 * failure, what was written must be thrown away; memory use is bounded by
 * spec/delta.md section 6 whatever the sizes.
 */
pf_ret pf_delta_decode(pf_istream *delta, const pf_source *old,
    pf_ostream *out, uint64_t max_new_size, pf_err *err);
/*
 * What a caller outside a package adds: the old file's name for messages
 * (NULL: "the old file"); whether a delta whose header holds no hashes
 * (section 3.4) is refused, because the caller checks neither file
 * itself; and whether OLD's SHA-256 may be checked after the decode
 * instead of before it, only when the decode fails as corrupt (a wrong
 * OLD is then reported as a mismatch, as before): for a caller that
 * keeps NEW aside until the decode succeeds, since the check of NEW's
 * SHA-256 covers OLD (section 7).
 */
typedef struct pf_delta_check {
	const char *old_name;
	bool need_sha256;
	bool old_late;
} pf_delta_check;

/* The same, with the checks of chk (NULL: none beyond the header's). */
pf_ret pf_delta_decode_named(pf_istream *delta, const pf_source *old,
    const pf_delta_check *chk, pf_ostream *out, uint64_t max_new_size,
    pf_err *err);

/*
 * The same, reading NEW's earlier bytes back through rb for a delta with
 * the flag SELF (section 5.3); with rb NULL such a delta is refused as
 * unsupported before anything is written.
 */
pf_ret pf_delta_decode_rb(pf_istream *delta, const pf_source *old,
    const pf_delta_check *chk, pf_ostream *out, const pf_readback *rb,
    uint64_t max_new_size, pf_err *err);

/* Parses and checks the header in the first n bytes of p. */
pf_ret pf_delta_read_info(const uint8_t *p, size_t n, pf_delta_info *info,
    pf_err *err);
/*
 * How many bytes the header needs, judged from its first n: more than n
 * while a part that gives its length is missing, else its whole length
 * (at most PF_DELTA_HEADER_MAX).
 */
size_t pf_delta_header_need(const uint8_t *p, size_t n);
/*
 * Prints, for `patch-delta info`, the prediction section and the bytes of
 * each part of the delta whose header info is, reading in after it.
 */
pf_ret pf_delta_print_parts(pf_istream *in, const pf_delta_info *info,
    FILE *f, pf_err *err);
/* Writes the 116-byte header of info (encoder side). */
void pf_delta_write_header(const pf_delta_info *info,
    uint8_t hdr[PF_DELTA_HEADER_LEN]);
/* Appends the header of info->version, 1 or 2 (section 3.4), to out. */
void pf_delta_put_header(const pf_delta_info *info, pf_buf *out);

#endif
