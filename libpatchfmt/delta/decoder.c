/*
 * The pfdelta decoder (spec/delta.md section 7): delta read front to
 * back, old read at random offsets, new written front to back, in memory
 * bounded by the limits of section 6 whatever the file sizes.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ckd.h"
#include "delta/delta.h"
#include "delta/diffcoder.h"
#include "compress/lz.h"
#include "delta/predict.h"
#include "common/hash.h"

/* Bytes of delta, old or new handled at once. */
#define IO_CHUNK (64u << 10)

/* New bytes are handed to the ostream and the hasher in pieces this big. */
#define OUT_CHUNK (64u << 10)

static const char *const stream_name[PF_DELTA_NSTREAMS] = {
	[PF_DELTA_CTRL] = "delta control stream",
	[PF_DELTA_EXTRA] = "delta extra stream",
	[PF_DELTA_DIFF] = "delta diff stream"
};

typedef struct dec {
	pf_istream *in;
	const pf_source *old;   /* OLD, or its prediction (section 10) */
	const pf_source *raw_old;       /* OLD itself */
	const char *old_name;
	bool old_late;          /* pf_delta_check: hash OLD after a failure */
	pf_ostream *out;
	pf_delta_info info;
	pf_lz_dec *lz[PF_DELTA_NSTREAMS];   /* control and extra */
	pf_diff_model *model;
	pf_diff_dec rc;
	uint8_t *inbuf;         /* IO_CHUNK packed bytes */
	uint8_t *iobuf;         /* IO_CHUNK bytes of old */
	uint8_t *ctrl;          /* one block's control stream */
	uint8_t *extra;         /* one block's extra bytes */
	uint8_t *obuf;          /* OUT_CHUNK bytes of new */
	size_t olen;            /* bytes in obuf */
	uint64_t old_pos;
	uint64_t new_done;
	pf_source self;         /* NEW read back, with PF_DELTA_FLAG_SELF */
	uint64_t self_pos;      /* section 5.3: the NEW position */
	pf_sha256_ctx sha;      /* of new so far */
	pf_pred pred;           /* section 10, with PF_DELTA_FLAG_PREDICT */
	pf_pred_src *psrc;
	pf_source pold;         /* the prediction of old */
} dec;

/* Section 5.1: one uvarint of a block header, read a byte at a time. */
static pf_ret
read_uvarint(pf_istream *in, uint64_t *v, pf_err *err)
{
	unsigned shift;
	uint8_t b;
	pf_ret r;

	*v = 0;
	for (shift = 0; shift < 64; shift += 7) {
		r = pf_istream_read_full(in, &b, 1, "delta block header", err);
		if (r != PF_OK)
			return r;
		if (shift == 63 && b > 1)
			break;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (b == 0 && shift > 0)
				break;
			return PF_OK;
		}
	}
	return pf_err_set(err, PF_ERR_CORRUPT,
	    "delta block header has a bad integer");
}

/*
 * Section 7 step 2: OLD's size, and with hash its SHA-256 when the header
 * has it.
 */
static pf_ret
check_old(dec *d, bool hash, pf_err *err)
{
	char want[PF_SHA256_HEX_LEN], got[PF_SHA256_HEX_LEN];
	uint8_t digest[PF_SHA256_LEN];
	const char *name = d->old_name ? d->old_name : "old file";
	const pf_source *old = d->raw_old;
	pf_sha256_ctx c;
	uint64_t off;
	size_t n;
	pf_ret r;

	if (old->size != d->info.old_size)
		return pf_err_set(err, PF_ERR_MISMATCH,
		    "'%s' does not match the delta: expected %llu bytes, "
		    "found %llu", name, (unsigned long long)d->info.old_size,
		    (unsigned long long)old->size);
	/* Section 3.4: without hashes, whoever holds them checks old. */
	if (!hash || !d->info.has_sha256)
		return PF_OK;
	if (pf_sha256_init(&c) != 0)
		return pf_err_nomem(err);
	for (off = 0; off < old->size; off += n) {
		n = old->size - off < IO_CHUNK ?
		    (size_t)(old->size - off) : IO_CHUNK;
		r = old->read_at(old->opaque, off, d->iobuf, n, err);
		if (r != PF_OK) {
			pf_sha256_discard(&c);
			return r;
		}
		pf_sha256_update(&c, d->iobuf, n);
	}
	pf_sha256_final(&c, digest);
	if (memcmp(digest, d->info.old_sha256, PF_SHA256_LEN) != 0)
		return pf_err_set(err, PF_ERR_MISMATCH,
		    "'%s' does not match the delta: expected sha256 %s, "
		    "found %s", name, pf_sha256_hex(want, d->info.old_sha256),
		    pf_sha256_hex(got, digest));
	return PF_OK;
}

/*
 * Section 7 step 2 put off (pf_delta_check.old_late): a NEW whose SHA-256
 * is new_sha256 is NEW whatever OLD was, so OLD is hashed only once the
 * decode has failed as corrupt, to tell a wrong OLD from a damaged delta.
 */
static pf_ret
check_old_late(dec *d, pf_ret r, pf_err *err)
{
	pf_ret o;

	if (r != PF_ERR_CORRUPT || !d->old_late || d->iobuf == NULL)
		return r;
	/* A match leaves err as the decode set it. */
	o = check_old(d, true, err);
	return o == PF_OK ? r : o;
}

/* Hashes the output piece and hands it to the ostream. */
static pf_ret
flush_out(dec *d, pf_err *err)
{
	size_t n = d->olen;

	if (n == 0)
		return PF_OK;
	if (d->info.has_sha256)
		pf_sha256_update(&d->sha, d->obuf, n);
	d->olen = 0;
	return d->out->write(d->out->opaque, d->obuf, n, err);
}

/* Room left in the output piece, after flushing a full one. */
static pf_ret
out_room(dec *d, size_t *room, pf_err *err)
{
	pf_ret r;

	if (d->olen == OUT_CHUNK && (r = flush_out(d, err)) != PF_OK)
		return r;
	*room = OUT_CHUNK - d->olen;
	return PF_OK;
}

static pf_ret
emit(dec *d, const uint8_t *p, size_t n, pf_err *err)
{
	size_t room, k;
	pf_ret r;

	while (n > 0) {
		if ((r = out_room(d, &room, err)) != PF_OK)
			return r;
		k = n < room ? n : room;
		memcpy(d->obuf + d->olen, p, k);
		d->olen += k;
		d->new_done += k;
		p += k;
		n -= k;
	}
	return PF_OK;
}

/*
 * Section 4.2: the new bytes of one copy, src[*pos..] (OLD, or NEW read
 * back) plus diff bytes decoded with the source byte before each as
 * context, straight into the output piece.
 */
static pf_ret
decode_copy(dec *d, const pf_source *src, uint64_t *pos, uint64_t len,
    pf_err *err)
{
	uint64_t at = 0;
	size_t n, lead, room;
	pf_ret r;

	while (len > 0) {
		if ((r = out_room(d, &room, err)) != PF_OK)
			return r;
		n = len < room ? (size_t)len : room;
		if (n > IO_CHUNK - 1)
			n = IO_CHUNK - 1;
		lead = *pos > 0;
		r = src->read_at(src->opaque, *pos - lead, d->iobuf, n + lead,
		    err);
		if (r != PF_OK)
			return r;
		pf_diff_dec_add(&d->rc, d->model, lead ? d->iobuf[0] : 0,
		    d->iobuf + lead, d->obuf + d->olen, n, at, len);
		d->olen += n;
		d->new_done += n;
		*pos += n;
		at += n;
		len -= n;
	}
	return PF_OK;
}

/* Section 5.2: *pos moves by a zigzag-coded amount, staying in [0, end]. */
static bool
seek_pos(uint64_t *pos, uint64_t end, uint64_t zz)
{
	uint64_t mag = (zz >> 1) + (zz & 1);

	if (zz & 1) {
		if (mag > *pos)
			return false;
		*pos -= mag;
		return true;
	}
	if (mag > end - *pos)
		return false;
	*pos += mag;
	return true;
}

/*
 * Section 5.3: a copy from NEW reads only bytes written before the entry:
 * the NEW position stays within them, and so does the copy's end.  They
 * are all handed to the output before they are read back.
 */
static pf_ret
self_copy(dec *d, uint64_t seek, uint64_t copy, size_t diff_len,
    pf_err *err)
{
	uint64_t done = d->new_done;
	pf_ret r;

	if (!seek_pos(&d->self_pos, done, seek) || copy > diff_len ||
	    copy > done - d->self_pos)
		return pf_err_set(err, PF_ERR_CORRUPT, "delta control entry "
		    "copies new bytes not yet written");
	if (copy == 0)
		return PF_OK;
	if ((r = flush_out(d, err)) != PF_OK)
		return r;
	return decode_copy(d, &d->self, &d->self_pos, copy, err);
}

/* Section 5.2: a copy from OLD. */
static pf_ret
old_copy(dec *d, uint64_t seek, uint64_t copy, size_t diff_len, pf_err *err)
{
	if (!seek_pos(&d->old_pos, d->info.old_size, seek) ||
	    copy > diff_len || copy > d->info.old_size - d->old_pos)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta control entry reaches outside its data");
	return decode_copy(d, d->old, &d->old_pos, copy, err);
}

static pf_ret
next_entry(pf_cur *c, uint64_t *seek, uint64_t *copy, uint64_t *add,
    pf_err *err)
{
	if (!pf_cur_get_uvarint(c, seek) || !pf_cur_get_uvarint(c, copy) ||
	    !pf_cur_get_uvarint(c, add))
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta control entry is truncated or malformed");
	if (*copy == 0 && *add == 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta control entry is empty");
	return PF_OK;
}

/*
 * Section 5.2: checks each entry against the block's sizes and old, then
 * writes its copy (decoding the diff stream) and its extra bytes.
 */
static pf_ret
run_entries(dec *d, size_t ctrl_len, size_t diff_len, size_t extra_len,
    pf_err *err)
{
	const uint8_t *extra = d->extra;
	uint64_t seek, copy, add;
	pf_cur c;
	pf_ret r;

	pf_cur_init(&c, d->ctrl, ctrl_len);
	while (pf_cur_left(&c) > 0) {
		if ((r = next_entry(&c, &seek, &copy, &add, err)) != PF_OK)
			return r;
		if (add > extra_len)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "delta control entry reaches outside its data");
		/* Section 5.3: with SELF, the seek's low bit names the source. */
		if (!(d->info.flags & PF_DELTA_FLAG_SELF))
			r = old_copy(d, seek, copy, diff_len, err);
		else if (seek & 1)
			r = self_copy(d, seek >> 1, copy, diff_len, err);
		else
			r = old_copy(d, seek >> 1, copy, diff_len, err);
		if (r != PF_OK || (r = emit(d, extra, (size_t)add, err)) != PF_OK)
			return r;
		diff_len -= (size_t)copy;
		extra += add;
		extra_len -= (size_t)add;
	}
	if (diff_len != 0 || extra_len != 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta block has data its control stream does not use");
	return PF_OK;
}

/*
 * Section 5.1: the block header's seven integers; six in version 2,
 * whose diff_raw is new_len less extra_raw.
 */
static pf_ret
read_block_header(dec *d, uint64_t *new_len, uint64_t raw[3],
    uint64_t packed[3], pf_err *err)
{
	bool v2 = d->info.version == PF_DELTA_VERSION2;
	uint64_t sum;
	pf_ret r;
	int i;

	if ((r = read_uvarint(d->in, new_len, err)) != PF_OK)
		return r;
	for (i = 0; i < PF_DELTA_NSTREAMS; i++) {
		if (v2 && i == PF_DELTA_DIFF)
			raw[i] = *new_len - raw[PF_DELTA_EXTRA];
		else if ((r = read_uvarint(d->in, &raw[i], err)) != PF_OK)
			return r;
		if ((r = read_uvarint(d->in, &packed[i], err)) != PF_OK)
			return r;
	}
	/* Version 2 bounds the extra bytes a block holds, not its size. */
	if (*new_len == 0 || (v2 ? raw[PF_DELTA_EXTRA] > *new_len ||
	    raw[PF_DELTA_EXTRA] > d->info.block_size :
	    *new_len > d->info.block_size) ||
	    *new_len > d->info.new_size - d->new_done)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta block of %llu bytes does not fit the new file",
		    (unsigned long long)*new_len);
	if (raw[PF_DELTA_CTRL] > PF_DELTA_CTRL_MAX ||
	    pf_add_overflow_u64(raw[PF_DELTA_DIFF], raw[PF_DELTA_EXTRA], &sum) ||
	    sum != *new_len)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta block header has inconsistent stream sizes");
	return PF_OK;
}

/* Section 4.2: the diff chunk, decoded while the entries run. */
static pf_ret
run_diff(dec *d, const uint64_t raw[3], const uint64_t packed[3],
    pf_err *err)
{
	pf_ret r;

	if (raw[PF_DELTA_DIFF] == 0 && packed[PF_DELTA_DIFF] != 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta diff stream has bytes for an empty block");
	if (raw[PF_DELTA_DIFF] > 0)
		pf_diff_dec_start(&d->rc, d->in, packed[PF_DELTA_DIFF],
		    d->inbuf, IO_CHUNK,
		    d->info.version == PF_DELTA_VERSION2, err);
	r = run_entries(d, (size_t)raw[PF_DELTA_CTRL],
	    (size_t)raw[PF_DELTA_DIFF], (size_t)raw[PF_DELTA_EXTRA], err);
	if (r != PF_OK || raw[PF_DELTA_DIFF] == 0)
		return r;
	return pf_diff_dec_finish(&d->rc, stream_name[PF_DELTA_DIFF]);
}

/* Section 7 step 3: header, control chunk, extra chunk, then diff chunk. */
static pf_ret
decode_block(dec *d, pf_err *err)
{
	uint64_t new_len, raw[3], packed[3];
	uint8_t *dst[2];
	pf_ret r;
	int i;

	if ((r = read_block_header(d, &new_len, raw, packed, err)) != PF_OK)
		return r;
	dst[PF_DELTA_CTRL] = d->ctrl;
	dst[PF_DELTA_EXTRA] = d->extra;
	for (i = PF_DELTA_CTRL; i <= PF_DELTA_EXTRA; i++) {
		r = pf_lz_dec_chunk(d->lz[i], d->in, packed[i], dst[i],
		    (size_t)raw[i], d->inbuf, IO_CHUNK, stream_name[i], err);
		if (r != PF_OK)
			return r;
	}
	return run_diff(d, raw, packed, err);
}

static pf_ret
dec_alloc(dec *d, pf_err *err)
{
	pf_ret r;
	int i;

	d->inbuf = malloc(IO_CHUNK);
	d->iobuf = malloc(IO_CHUNK);
	d->ctrl = malloc(PF_DELTA_CTRL_MAX);
	d->extra = malloc(d->info.block_size);
	d->obuf = malloc(OUT_CHUNK);
	if (!d->inbuf || !d->iobuf || !d->ctrl || !d->extra || !d->obuf)
		return pf_err_nomem(err);
	if ((d->model = malloc(sizeof *d->model)) == NULL)
		return pf_err_nomem(err);
	pf_diff_model_init(d->model, d->info.flags & PF_DELTA_FLAG_SPARSE,
	    d->info.flags & PF_DELTA_FLAG_SKIP);
	for (i = 0; i < PF_DELTA_NSTREAMS; i++) {
		if (i == PF_DELTA_DIFF)
			continue;
		r = pf_lz_dec_new(&d->lz[i], d->info.props[i], d->info.dict[i],
		    err);
		if (r != PF_OK)
			return r;
	}
	return PF_OK;
}

static void
dec_free(dec *d)
{
	int i;

	for (i = 0; i < PF_DELTA_NSTREAMS; i++)
		pf_lz_dec_free(d->lz[i]);
	pf_sha256_discard(&d->sha);
	free(d->inbuf);
	free(d->iobuf);
	free(d->ctrl);
	free(d->extra);
	free(d->obuf);
	free(d->model);
	pf_pred_src_free(d->psrc);
	pf_pred_free(&d->pred);
}

/* Reads up to n bytes into p; fewer only at the end of the delta. */
static pf_ret
read_some(pf_istream *in, uint8_t *p, size_t n, size_t *got, pf_err *err)
{
	size_t k;
	pf_ret r;

	*got = 0;
	do {
		if ((r = in->read(in->opaque, p + *got, n - *got, &k, err)) !=
		    PF_OK)
			return r;
		*got += k;
	} while (k > 0 && *got < n);
	return PF_OK;
}

/*
 * Section 3: the header, with the limits the caller sets.  Its length
 * depends on its version (section 3.4): it is read a part at a time, so
 * that no byte after it is taken.
 */
static pf_ret
read_header(dec *d, uint64_t max_new_size, bool need_sha256, pf_err *err)
{
	uint8_t hdr[PF_DELTA_HEADER_MAX];
	size_t got = 0, k, need;
	pf_ret r;

	/* A short delta is still told apart from something else by magic. */
	while ((need = pf_delta_header_need(hdr, got)) > got &&
	    need <= sizeof hdr) {
		if ((r = read_some(d->in, hdr + got, need - got, &k, err)) !=
		    PF_OK)
			return r;
		got += k;
		if (got < need)
			break;
	}
	if ((r = pf_delta_read_info(hdr, got, &d->info, err)) != PF_OK)
		return r;
	if (d->info.new_size > max_new_size)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta declares a new file of %llu bytes, more than the "
		    "limit of %llu", (unsigned long long)d->info.new_size,
		    (unsigned long long)max_new_size);
	if (need_sha256 && !d->info.has_sha256)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "the delta holds no sha256 of its files, so nothing would "
		    "check what it makes: give the new file's expected sha256 "
		    "(a delta taken out of a package is checked by the package)");
	return PF_OK;
}

/*
 * Section 10.1: the prediction section after the header, parsed and
 * checked whole before anything else is read.
 */
static pf_ret
read_prediction(dec *d, pf_err *err)
{
	uint8_t finder, *body = NULL;
	uint64_t len;
	pf_ret r;

	r = pf_istream_read_full(d->in, &finder, 1, "delta prediction section",
	    err);
	if (r != PF_OK)
		return r;
	if (!pf_pred_finder_known(finder))
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "delta prediction finder %u is not supported (only %u "
		    "and %u)", finder, PF_PRED_FINDER_X86_64,
		    PF_PRED_FINDER_AARCH64);
	if ((r = read_uvarint(d->in, &len, err)) != PF_OK)
		return r;
	if (len > PF_PRED_BODY_MAX)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta prediction section of %llu bytes is above the "
		    "limit of %u", (unsigned long long)len, PF_PRED_BODY_MAX);
	if ((body = malloc(len ? (size_t)len : 1)) == NULL)
		return pf_err_nomem(err);
	r = pf_istream_read_full(d->in, body, (size_t)len,
	    "delta prediction section", err);
	if (r == PF_OK)
		r = pf_pred_parse_finder(&d->pred, finder, body, (size_t)len,
		    d->info.old_size, err);
	free(body);
	return r;
}

/*
 * Section 5.3: with SELF, NEW is read back through rb, opened before the
 * first byte is written; without rb, the delta cannot be applied here.
 */
static pf_ret
use_self(dec *d, const pf_readback *rb, pf_err *err)
{
	pf_ret r;

	if (!(d->info.flags & PF_DELTA_FLAG_SELF))
		return PF_OK;
	if (rb == NULL)
		return pf_err_set(err, PF_ERR_UNSUPPORTED, "delta copies from "
		    "earlier bytes of the new file, and its output here "
		    "cannot be read back");
	if ((r = rb->open(rb->opaque, err)) != PF_OK)
		return r;
	d->self = (pf_source){ rb->read_at, rb->opaque, d->info.new_size };
	return PF_OK;
}

/* Section 7 step 3 with a prediction: copies read the predicted old. */
static pf_ret
use_prediction(dec *d, pf_err *err)
{
	pf_ret r;

	if (!(d->info.flags & PF_DELTA_FLAG_PREDICT))
		return PF_OK;
	if ((r = pf_pred_find_tables(&d->pred, d->old, err)) != PF_OK ||
	    (r = pf_pred_src_new(&d->psrc, &d->pred, d->old, &d->pold,
	    err)) != PF_OK)
		return r;
	d->old = &d->pold;
	return PF_OK;
}

/*
 * With a prediction, a block that fails can as well be a prediction
 * section that is well formed but not the encoder's: the message says so.
 */
static pf_ret
blame_prediction(pf_err *err)
{
	char why[PF_ERR_MSG_MAX];

	snprintf(why, sizeof why, "%s", err->msg);
	return pf_err_set(err, PF_ERR_CORRUPT, "%s (the delta predicts the "
	    "old file's references: its blocks or its prediction section are "
	    "damaged)", why);
}

static pf_ret
check_end(dec *d, pf_err *err)
{
	char want[PF_SHA256_HEX_LEN], got[PF_SHA256_HEX_LEN];
	uint8_t digest[PF_SHA256_LEN], extra;
	size_t k;
	pf_ret r;

	if ((r = d->in->read(d->in->opaque, &extra, 1, &k, err)) != PF_OK)
		return r;
	if (k != 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta has trailing data after its last block");
	if ((r = flush_out(d, err)) != PF_OK || !d->info.has_sha256)
		return r;
	pf_sha256_final(&d->sha, digest);
	if (memcmp(digest, d->info.new_sha256, PF_SHA256_LEN) != 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta output does not match its sha256: expected %s, "
		    "found %s", pf_sha256_hex(want, d->info.new_sha256),
		    pf_sha256_hex(got, digest));
	return PF_OK;
}

pf_ret
pf_delta_decode_rb(pf_istream *delta, const pf_source *old,
    const pf_delta_check *chk, pf_ostream *out, const pf_readback *rb,
    uint64_t max_new_size, pf_err *err)
{
	dec d;
	pf_ret r;

	memset(&d, 0, sizeof d);
	d.in = delta;
	d.old = old;
	d.raw_old = old;
	d.old_name = chk ? chk->old_name : NULL;
	d.old_late = chk && chk->old_late;
	d.out = out;
	if ((r = read_header(&d, max_new_size, chk && chk->need_sha256,
	    err)) != PF_OK)
		goto out;
	if ((d.info.flags & PF_DELTA_FLAG_PREDICT) &&
	    (r = read_prediction(&d, err)) != PF_OK)
		goto out;
	if ((r = dec_alloc(&d, err)) != PF_OK)
		goto out;
	if ((r = use_self(&d, rb, err)) != PF_OK ||
	    (r = check_old(&d, !d.old_late, err)) != PF_OK ||
	    (r = use_prediction(&d, err)) != PF_OK)
		goto out;
	if (d.info.has_sha256 && pf_sha256_init(&d.sha) != 0) {
		r = pf_err_nomem(err);
		goto out;
	}
	while (d.new_done < d.info.new_size && r == PF_OK)
		r = decode_block(&d, err);
	if (r == PF_OK)
		r = check_end(&d, err);
	if (r == PF_ERR_CORRUPT && d.psrc != NULL)
		r = blame_prediction(err);
	r = check_old_late(&d, r, err);
out:
	dec_free(&d);
	return r;
}

pf_ret
pf_delta_decode_named(pf_istream *delta, const pf_source *old,
    const pf_delta_check *chk, pf_ostream *out, uint64_t max_new_size,
    pf_err *err)
{
	return pf_delta_decode_rb(delta, old, chk, out, NULL, max_new_size,
	    err);
}

pf_ret
pf_delta_decode(pf_istream *delta, const pf_source *old, pf_ostream *out,
    uint64_t max_new_size, pf_err *err)
{
	return pf_delta_decode_named(delta, old, NULL, out, max_new_size, err);
}
