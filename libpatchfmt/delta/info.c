/*
 * What a pfdelta's bytes are spent on, for `patch-delta info`: the
 * header, the prediction section (spec/delta.md section 10), and each
 * stream's chunks and the block headers (section 5), read front to back
 * without decoding anything.
 */
#include <config.h>

#include <inttypes.h>
#include <stdlib.h>

#include "common/buf.h"
#include "delta/delta.h"
#include "delta/diffcoder.h"
#include "delta/predict.h"

/* Bytes skipped at once. */
#define SKIP_CHUNK (64u << 10)

typedef struct counter {
	pf_istream *in;
	uint64_t framing;       /* block headers */
	bool v2;                /* six integers a block header */
	uint64_t stream[PF_DELTA_NSTREAMS];
	uint8_t buf[SKIP_CHUNK];
} counter;

/* One uvarint of a block header; false at the end of the delta. */
static pf_ret
get_uvarint(counter *c, uint64_t *v, bool *end, pf_err *err)
{
	unsigned shift;
	uint8_t b;
	size_t got;
	pf_ret r;

	*v = 0;
	*end = false;
	for (shift = 0; shift < 64; shift += 7) {
		if ((r = c->in->read(c->in->opaque, &b, 1, &got, err)) != PF_OK)
			return r;
		if (got == 0) {
			*end = shift == 0;
			return *end ? PF_OK : pf_err_set(err, PF_ERR_CORRUPT,
			    "delta block header is truncated");
		}
		c->framing++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return PF_OK;
	}
	return pf_err_set(err, PF_ERR_CORRUPT,
	    "delta block header has a bad integer");
}

static pf_ret
skip(counter *c, uint64_t n, pf_err *err)
{
	size_t k;
	pf_ret r;

	while (n > 0) {
		k = n < SKIP_CHUNK ? (size_t)n : SKIP_CHUNK;
		r = pf_istream_read_full(c->in, c->buf, k, "delta block", err);
		if (r != PF_OK)
			return r;
		n -= k;
	}
	return PF_OK;
}

/* Section 5.1: each block's header, then its three chunks skipped. */
static pf_ret
count_blocks(counter *c, pf_err *err)
{
	uint64_t v, packed[PF_DELTA_NSTREAMS];
	bool end;
	pf_ret r;
	int s;

	for (;;) {
		if ((r = get_uvarint(c, &v, &end, err)) != PF_OK || end)
			return r;
		for (s = 0; s < PF_DELTA_NSTREAMS; s++) {
			/* Version 2 has no diff_raw (section 5.1). */
			if ((!c->v2 || s != PF_DELTA_DIFF) &&
			    (r = get_uvarint(c, &v, &end, err)) != PF_OK)
				return r;
			if ((r = get_uvarint(c, &packed[s], &end, err)) != PF_OK)
				return r;
		}
		for (s = 0; s < PF_DELTA_NSTREAMS; s++) {
			if ((r = skip(c, packed[s], err)) != PF_OK)
				return r;
			c->stream[s] += packed[s];
		}
	}
}

/* Section 10.1: the section parsed, so that its figures are true. */
static pf_ret
print_prediction(counter *c, const pf_delta_info *info, FILE *f,
    pf_err *err)
{
	uint64_t len, total;
	uint8_t finder, *body;
	bool end;
	pf_pred p;
	pf_ret r;

	r = pf_istream_read_full(c->in, &finder, 1, "delta prediction section",
	    err);
	if (r != PF_OK || (r = get_uvarint(c, &len, &end, err)) != PF_OK)
		return r;
	total = 1 + c->framing + len;
	c->framing = 0;
	if (len > PF_PRED_BODY_MAX || end)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta prediction section is corrupt");
	if ((body = malloc(len ? (size_t)len : 1)) == NULL)
		return pf_err_nomem(err);
	r = pf_istream_read_full(c->in, body, (size_t)len,
	    "delta prediction section", err);
	if (r == PF_OK)
		r = pf_pred_parse_finder(&p, finder, body, (size_t)len,
		    info->old_size, err);
	free(body);
	if (r != PF_OK)
		return r;
	fprintf(f, "prediction: %s finder %u, %zu regions, %zu map "
	    "breaks, %" PRIu64 " bytes\n",
	    finder == PF_PRED_FINDER_AARCH64 ? "aarch64" : "x86-64", finder,
	    p.nregions, p.nbreaks, total);
	pf_pred_free(&p);
	return PF_OK;
}

pf_ret
pf_delta_print_parts(pf_istream *in, const pf_delta_info *info, FILE *f,
    pf_err *err)
{
	counter *c = calloc(1, sizeof *c);
	pf_ret r = PF_OK;

	if (c == NULL)
		return pf_err_nomem(err);
	c->in = in;
	c->v2 = info->version == PF_DELTA_VERSION2;
	if (info->flags & PF_DELTA_FLAG_PREDICT)
		r = print_prediction(c, info, f, err);
	else
		fprintf(f, "prediction: none\n");
	/* Section 5.3. */
	if (info->flags & PF_DELTA_FLAG_SELF)
		fprintf(f, "copies from the new file's earlier bytes: allowed\n");
	/* Section 4.2.5. */
	if (info->flags & PF_DELTA_FLAG_SKIP)
		fprintf(f, "unchanged copied bytes: skipped, %u at a "
		    "decision\n", PF_DIFF_SKIP);
	if (r == PF_OK)
		r = count_blocks(c, err);
	if (r == PF_OK)
		fprintf(f, "bytes: header %u, block headers %" PRIu64 ", control "
		    "%" PRIu64 ", extra (literal new bytes) %" PRIu64 ", diff "
		    "(changes to copied bytes) %" PRIu64 "\n",
		    (unsigned)info->header_len, c->framing, c->stream[PF_DELTA_CTRL],
		    c->stream[PF_DELTA_EXTRA], c->stream[PF_DELTA_DIFF]);
	free(c);
	return r;
}
