/*
 * The diff stream's own entropy coder (spec/delta.md section 4.2): a
 * binary range coder with adaptive 16-bit probabilities.  Most diff bytes
 * are zero; whether one is not depends on the old byte before it (an
 * opcode such as e8 "call" before a rel32 that moved), which the decoder
 * knows, so the coder conditions on it.  LZMA2 cannot see old bytes.
 */
#ifndef PF_DELTA_DIFFCODER_H
#define PF_DELTA_DIFFCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/stream.h"

/* Section 4.2.1: probabilities of a 0 bit, out of 1 << 16. */
#define PF_DIFF_PROB_INIT 0x8000u
/* With SPARSE: flag[0][c], after four zero diff bytes, starts here. */
#define PF_DIFF_PROB_QUIET 0xff00u
#define PF_DIFF_PROB_MAX 0xffffu
#define PF_DIFF_ADAPT_SHIFT 4
#define PF_DIFF_RANGE_TOP (1u << 24)

/* Section 4.2.1: how many previous bytes' "nonzero" flags are context. */
#define PF_DIFF_FLAG_HISTORY 4
/* Section 4.2.5: the diff bytes one skip decision covers. */
#define PF_DIFF_SKIP 4096u

typedef struct pf_diff_model {
	/* [nonzero flags of the previous bytes][old byte before] */
	uint16_t flag[1 << PF_DIFF_FLAG_HISTORY][256];
	uint16_t value[256][256];       /* [previous diff byte][tree node] */
	uint8_t prev;                   /* the previous diff byte */
	uint8_t hist;                   /* their flags, the last in bit 0 */
	uint32_t round;                 /* section 4.2.2: 15 with SPARSE */
	/* Section 4.2.5, with SKIP: [the last skip decision] */
	uint16_t skip[2];
	uint8_t skip_last;
	bool skips;                     /* the header flag SKIP */
} pf_diff_model;

/*
 * Section 4.2.1; sparse and skips: the header flags SPARSE and SKIP
 * (section 3.3).
 */
void pf_diff_model_init(pf_diff_model *m, bool sparse, bool skips);

/*
 * Section 4.2.2: where a bit of probability p splits the range.  Version
 * 2 multiplies first (section 4.2.4): the range loses no precision, so a
 * long run of zero diff bytes costs what its probability says.
 */
static inline uint32_t
pf_diff_bound(uint32_t range, uint32_t p, bool v2)
{
	return v2 ? (uint32_t)(((uint64_t)range * p) >> 16) :
	    (range >> 16) * p;
}

/*
 * pf_diff_bound(range, PF_DIFF_PROB_MAX, v2), the same value, without the
 * multiply: range - ceil(range / 65536) in version 2, and (range >> 16)
 * * 65535 in version 1.  A long run of zero diff bytes saturates its
 * contexts (with SPARSE), and this shortens the decoder's chain there.
 */
static inline uint32_t
pf_diff_bound_max(uint32_t range, bool v2)
{
	return v2 ? range - (uint32_t)(((uint64_t)range + 0xffff) >> 16) :
	    (range & 0xffff0000u) - (range >> 16);
}

/*
 * The range after eight zeros in saturated contexts, each bound
 * pf_diff_bound_max of the range before: the same value as eight calls.
 * In version 2 the steps subtract a = ceil(range / 65536), less one each
 * time the range crosses a multiple of 65536 below a * 65536; with D that
 * distance, a step is D += a - (D >> 16), two operations deep where the
 * call is three.  Version 1's step is already two deep.
 */
static inline uint32_t
pf_diff_bound_max8(uint32_t range, bool v2)
{
	uint64_t a, dist, t;
	int k;

	if (!v2) {
		for (k = 0; k < 8; k++)
			range = pf_diff_bound_max(range, false);
		return range;
	}
	a = ((uint64_t)range + 0xffff) >> 16;
	dist = (a << 16) - range;
#pragma GCC unroll 8
	for (k = 0; k < 8; k++) {
		/* dist + a beside the shift, not after it (the barrier). */
		t = dist + a;
		__asm__("" : "+r"(t));
		dist = t - (dist >> 16);
	}
	return (uint32_t)((a << 16) - dist);
}

/*
 * Section 4.2.5: whether a skip decision comes before byte at of a copy
 * that has left bytes from there on, after diff bytes whose flags are
 * hist.
 */
static inline bool
pf_diff_skip_due(unsigned hist, uint64_t at, uint64_t left)
{
	return hist == 0 && at % PF_DIFF_SKIP == 0 && left >= PF_DIFF_SKIP;
}

/* Section 4.2.2: the update of p after a 0 bit. */
uint16_t pf_diff_prob_zero(uint16_t p, uint32_t round);

/* Decoding side: packed bytes come from a stream, a chunk at a time. */
typedef struct pf_diff_dec {
	uint32_t range;
	uint32_t code;
	pf_istream *in;
	uint64_t left;          /* packed bytes of the chunk not yet read */
	uint8_t *buf;
	size_t pos;
	size_t len;
	size_t cap;
	bool overrun;           /* the coder wanted bytes past the chunk */
	bool pad;               /* version 2: past the chunk come zeros */
	uint64_t skip_left;     /* section 4.2.5: zeros of a skip still due */
	pf_ret ret;             /* a failed read, reported once the chunk ends */
	pf_err *err;
} pf_diff_dec;

/*
 * Starts a chunk of packed bytes (the coder reads its first five; in
 * version 2, its first four, and zeros past the chunk's end).
 */
void pf_diff_dec_start(pf_diff_dec *d, pf_istream *in, uint64_t packed,
    uint8_t *buf, size_t cap, bool v2, pf_err *err);
/*
 * dst[i] = old[i] + the next diff byte, for n bytes; ctx is the old byte
 * before old[0] (0 at the start of old).  old[0] is byte at of its copy,
 * which has left bytes from old[0] on, n or more (section 4.2.5).
 */
void pf_diff_dec_add(pf_diff_dec *d, pf_diff_model *m, uint8_t ctx,
    const uint8_t *old, uint8_t *dst, size_t n, uint64_t at, uint64_t left);
/* Reports any fault seen in the chunk, or bytes of it left unread. */
pf_ret pf_diff_dec_finish(pf_diff_dec *d, const char *what);

/* Encoding side. */
typedef struct pf_diff_enc {
	uint64_t low;
	uint32_t range;
	uint8_t cache;
	uint64_t cache_size;
	pf_buf *out;
	size_t start;           /* where the chunk starts in out */
	bool v2;                /* section 4.2.4: no leading 0, short flush */
} pf_diff_enc;

void pf_diff_enc_start(pf_diff_enc *e, pf_buf *out, bool v2);
void pf_diff_enc_byte(pf_diff_enc *e, pf_diff_model *m, uint8_t ctx,
    uint8_t v);
/*
 * The diff bytes of one copy of len bytes, diff[i] with context old[i -
 * 1] (ctx for the first), and the skip decisions of section 4.2.5.
 */
void pf_diff_enc_copy(pf_diff_enc *e, pf_diff_model *m, uint8_t ctx,
    const uint8_t *old, const uint8_t *diff, uint64_t len);
void pf_diff_enc_finish(pf_diff_enc *e);

#endif
