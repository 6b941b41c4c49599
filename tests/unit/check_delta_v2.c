/*
 * Unit tests of pfdelta version 2 (spec/delta.md section 3.4): the
 * compact header, each field at and past its limits, truncated headers,
 * deltas without hashes, and version 1 deltas that must still decode.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/bytes.h"
#include "delta/delta.h"
#include "compress/lz.h"
#include "delta/window.h"
#include "common/hash.h"
#include "delta/diffcoder.h"
#include "run.h"

/* A header of every field set, with or without the hashes. */
static pf_delta_info
sample_info(bool sha)
{
	pf_delta_info i;

	memset(&i, 0, sizeof i);
	i.version = PF_DELTA_VERSION2;
	i.flags = PF_DELTA_FLAG_SPARSE;
	i.block_size = PF_DELTA_BLOCK_MAX;
	i.props[PF_DELTA_CTRL] = 0;
	i.props[PF_DELTA_EXTRA] = 3;
	i.dict[PF_DELTA_CTRL] = PF_DELTA_DICT_MIN;
	i.dict[PF_DELTA_EXTRA] = PF_DELTA_DICT_MAX;
	i.old_size = UINT64_MAX;
	i.new_size = 12345;
	i.has_sha256 = sha;
	memset(i.old_sha256, sha ? 0xa5 : 0, sizeof i.old_sha256);
	memset(i.new_sha256, sha ? 0x5a : 0, sizeof i.new_sha256);
	return i;
}

static pf_ret
read_back(const pf_delta_info *in, pf_delta_info *out, pf_buf *b)
{
	pf_err err;

	pf_buf_init(b);
	pf_delta_put_header(in, b);
	ck_assert(!b->failed);
	return pf_delta_read_info(b->data, b->len, out, &err);
}

/* A header field changed by hand, with the CRC-32 made right again. */
static pf_ret
read_mended(pf_buf *b, pf_delta_info *out)
{
	pf_err err;

	pf_store_le32(b->data + b->len - 4, pf_delta_crc32(b->data, b->len - 4));
	return pf_delta_read_info(b->data, b->len, out, &err);
}

START_TEST(test_fields)
{
	pf_delta_info in, out;
	pf_buf b;
	int sha;

	for (sha = 0; sha <= 1; sha++) {
		in = sample_info(sha);
		ck_assert_int_eq(read_back(&in, &out, &b), PF_OK);
		ck_assert_uint_eq(out.version, 2);
		ck_assert_uint_eq(out.flags & PF_DELTA_FLAG_SPARSE,
		    PF_DELTA_FLAG_SPARSE);
		ck_assert_uint_eq(out.block_size, in.block_size);
		ck_assert_uint_eq(out.props[PF_DELTA_EXTRA], 3);
		ck_assert_uint_eq(out.dict[PF_DELTA_CTRL], in.dict[PF_DELTA_CTRL]);
		ck_assert_uint_eq(out.dict[PF_DELTA_EXTRA],
		    in.dict[PF_DELTA_EXTRA]);
		ck_assert(out.old_size == UINT64_MAX);
		ck_assert_uint_eq(out.new_size, 12345);
		ck_assert_int_eq(out.has_sha256, sha);
		ck_assert_uint_eq(out.header_len, b.len);
		ck_assert_uint_eq(pf_delta_header_need(b.data, b.len), b.len);
		ck_assert(memcmp(out.old_sha256, in.old_sha256, 32) == 0);
		ck_assert(memcmp(out.new_sha256, in.new_sha256, 32) == 0);
		/* Both fit in version 1's buffer; the hashes cost 64 bytes. */
		ck_assert_uint_le(b.len, PF_DELTA_HEADER_MAX);
		ck_assert_uint_le(b.len, PF_DELTA2_MAX_LEN);
		pf_buf_free(&b);
	}
	in = sample_info(false);
	in.old_size = 0;
	in.new_size = 0;
	in.block_size = 1;
	ck_assert_int_eq(read_back(&in, &out, &b), PF_OK);
	ck_assert_uint_eq(b.len, PF_DELTA2_MIN_LEN + 1 + 3);   /* the dicts */
	pf_buf_free(&b);
}
END_TEST

/* Section 3.4: every limit of section 3.2, at and past it. */
START_TEST(test_limits)
{
	static const struct { uint32_t block, cdict, edict; uint8_t props;
	    pf_ret want; } c[] = {
		{ 1, 4096, 4096, 3, PF_OK },
		{ 0, 4096, 4096, 3, PF_ERR_UNSUPPORTED },
		{ 1u << 20, 4096, 4096, 3, PF_OK },
		{ (1u << 20) + 1, 4096, 4096, 3, PF_ERR_UNSUPPORTED },
		{ 1, 4095, 4096, 3, PF_ERR_UNSUPPORTED },
		{ 1, 4096, 4095, 3, PF_ERR_UNSUPPORTED },
		{ 1, 4u << 20, 4u << 20, 3, PF_OK },
		{ 1, (4u << 20) + 1, 4096, 3, PF_ERR_UNSUPPORTED },
		{ 1, 4096, (4u << 20) + 1, 3, PF_ERR_UNSUPPORTED },
		{ 1, 4096, 4096, 224, PF_ERR_UNSUPPORTED },  /* lc + lp > 4 */
		{ 1, 4096, 4096, 225, PF_ERR_UNSUPPORTED },
		{ 1, UINT32_MAX, 4096, 3, PF_ERR_UNSUPPORTED },
	};
	pf_delta_info in, out;
	pf_buf b;
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		in = sample_info(i % 2);
		in.block_size = c[i].block;
		in.dict[PF_DELTA_CTRL] = c[i].cdict;
		in.dict[PF_DELTA_EXTRA] = c[i].edict;
		in.props[PF_DELTA_EXTRA] = c[i].props;
		ck_assert_msg(read_back(&in, &out, &b) == c[i].want, "case %zu",
		    i);
		pf_buf_free(&b);
	}
}
END_TEST

/* Flags, integers above 32 bits, long encodings, CRC-32. */
START_TEST(test_refused)
{
	pf_delta_info in = sample_info(false), out;
	pf_buf b;

	unsigned bit;

	ck_assert_int_eq(read_back(&in, &out, &b), PF_OK);
	/* SELF is version 1's; bits 4 to 6 are reserved; SKIP is known. */
	for (bit = 0x04; bit <= 0x40; bit <<= 1) {
		b.data[PF_DELTA_OFF_FLAGS] |= bit;
		ck_assert_int_eq(read_mended(&b, &out), bit ==
		    PF_DELTA_FLAG_SKIP ? PF_OK : PF_ERR_UNSUPPORTED);
		b.data[PF_DELTA_OFF_FLAGS] ^= bit;
	}
	ck_assert_int_eq(read_mended(&b, &out), PF_OK);
	b.data[b.len - 1] ^= 1;
	ck_assert_int_eq(pf_delta_read_info(b.data, b.len, &out,
	    &(pf_err){ 0 }), PF_ERR_CORRUPT);
	b.data[PF_DELTA_OFF_VERSION] = 3;
	ck_assert_int_eq(pf_delta_read_info(b.data, b.len, &out,
	    &(pf_err){ 0 }), PF_ERR_UNSUPPORTED);
	pf_buf_free(&b);

	/* A block size of 2^32 does not fit the field. */
	pf_buf_init(&b);
	pf_buf_append(&b, PF_DELTA_MAGIC, PF_DELTA_MAGIC_LEN);
	pf_buf_put_u8(&b, 2);
	pf_buf_put_u8(&b, PF_DELTA_FLAG_SPARSE);
	pf_buf_put_u8(&b, 0);
	pf_buf_put_u8(&b, 3);
	pf_buf_put_uvarint(&b, UINT64_C(1) << 32);
	pf_buf_put_uvarint(&b, 4096);
	pf_buf_put_uvarint(&b, 4096);
	pf_buf_put_uvarint(&b, 0);
	pf_buf_put_uvarint(&b, 0);
	pf_buf_put_le32(&b, 0);
	ck_assert_int_eq(read_mended(&b, &out), PF_ERR_UNSUPPORTED);
	/* old_size 0 written in two bytes: not the shortest form. */
	b.len -= 6;
	pf_buf_put_u8(&b, 0x80);
	pf_buf_put_u8(&b, 0x00);
	pf_buf_put_uvarint(&b, 0);
	pf_buf_put_le32(&b, 0);
	ck_assert_int_eq(pf_delta_header_need(b.data, b.len), b.len);
	ck_assert_int_eq(read_mended(&b, &out), PF_ERR_CORRUPT);
	pf_buf_free(&b);

	/* Version 1 knows no SHA256 flag. */
	in = sample_info(true);
	in.version = PF_DELTA_VERSION;
	ck_assert_int_eq(read_back(&in, &out, &b), PF_OK);
	ck_assert_uint_eq(b.len, PF_DELTA_HEADER_LEN);
	b.data[PF_DELTA_OFF_FLAGS] |= PF_DELTA_FLAG_SHA256;
	ck_assert_int_eq(read_mended(&b, &out), PF_ERR_UNSUPPORTED);
	pf_buf_free(&b);
}
END_TEST

/* Every shorter prefix is truncated (or, empty, no delta at all). */
START_TEST(test_truncated)
{
	pf_delta_info in, out;
	pf_buf b;
	size_t n;
	int sha;
	pf_err err;

	for (sha = 0; sha <= 1; sha++) {
		in = sample_info(sha);
		ck_assert_int_eq(read_back(&in, &out, &b), PF_OK);
		for (n = 0; n < b.len; n++) {
			ck_assert_int_eq(pf_delta_read_info(b.data, n, &out,
			    &err), n == 0 ? PF_ERR_NOT_PACKAGE : PF_ERR_CORRUPT);
			ck_assert_msg(pf_delta_header_need(b.data, n) > n,
			    "%zu bytes of %zu look whole", n, b.len);
		}
		pf_buf_free(&b);
	}
}
END_TEST

/* The output read back, for deltas with SELF (the windowed encoder's). */
static pf_ret
back_open(void *opaque, pf_err *err)
{
	(void)opaque;
	(void)err;
	return PF_OK;
}

static pf_ret
back_read_at(void *opaque, uint64_t off, void *p, size_t n, pf_err *err)
{
	const pf_buf *b = opaque;

	if (off > b->len || n > b->len - off)
		return pf_err_set(err, PF_ERR_IO, "read past the output");
	memcpy(p, b->data + off, n);
	return PF_OK;
}

static pf_ret
decode_late(const pf_buf *d, const uint8_t *old, size_t on, bool need,
    bool late, pf_buf *out, pf_err *err)
{
	pf_delta_check chk = { NULL, need, late };
	pf_readback back = { back_open, back_read_at, out };
	pf_istream in;
	pf_mem_in mem;
	pf_source src;
	pf_ostream os;

	pf_buf_init(out);
	pf_ostream_to_buf(&os, out);
	pf_istream_from_mem(&in, &mem, d->data, d->len);
	pf_source_from_mem(&src, old, on);
	return pf_delta_decode_rb(&in, &src, &chk, &os, &back, UINT64_MAX,
	    err);
}

static pf_ret
decode_chk(const pf_buf *d, const uint8_t *old, size_t on, bool need,
    pf_buf *out, pf_err *err)
{
	return decode_late(d, old, on, need, false, out, err);
}

/* A few changed bytes in a large file: one block, little beside them. */
START_TEST(test_small_change)
{
	size_t n = 3u << 20, i;
	uint8_t *old = malloc(n), *nw = malloc(n);
	pf_delta_opts o = { 0, 0, 0, PF_DELTA_PREDICT_NEVER, true, NULL };
	pf_delta_info info;
	pf_buf d, out;
	pf_err err;

	ck_assert(old && nw);
	for (i = 0; i < n; i++)
		old[i] = (uint8_t)(i * 2654435761u >> 17);
	memcpy(nw, old, n);
	nw[1000] ^= 1;
	nw[n - 1000] ^= 0x40;
	pf_buf_init(&d);
	ck_assert_int_eq(pf_delta_encode(old, n, nw, n, &o, &d, &err), PF_OK);
	ck_assert_uint_le(d.len, 150);
	ck_assert_int_eq(pf_delta_read_info(d.data, d.len, &info, &err),
	    PF_OK);
	ck_assert(!info.has_sha256);
	/* On its own it is refused, before anything is written. */
	ck_assert_int_eq(decode_chk(&d, old, n, true, &out, &err),
	    PF_ERR_UNSUPPORTED);
	ck_assert_uint_eq(out.len, 0);
	pf_buf_free(&out);
	ck_assert_int_eq(decode_chk(&d, old, n, false, &out, &err), PF_OK);
	ck_assert(out.len == n && memcmp(out.data, nw, n) == 0);
	pf_buf_free(&out);
	/* Without hashes, old's size is still checked. */
	ck_assert_int_eq(decode_chk(&d, old, n - 1, false, &out, &err),
	    PF_ERR_MISMATCH);
	pf_buf_free(&out);
	pf_buf_free(&d);
	/* With them, a few bytes of change stay under 150 + 64. */
	o.no_sha256 = false;
	pf_buf_init(&d);
	ck_assert_int_eq(pf_delta_encode(old, n, nw, n, &o, &d, &err), PF_OK);
	ck_assert_uint_le(d.len, 150 + 64);
	ck_assert_int_eq(decode_chk(&d, old, n, true, &out, &err), PF_OK);
	ck_assert(out.len == n && memcmp(out.data, nw, n) == 0);
	pf_buf_free(&out);
	/*
	 * OLD checked late (section 7): the same output; a wrong OLD is
	 * still a mismatch, found after the decode instead of before it;
	 * a damaged delta with the right OLD is still corrupt.
	 */
	ck_assert_int_eq(decode_late(&d, old, n, true, true, &out, &err),
	    PF_OK);
	ck_assert(out.len == n && memcmp(out.data, nw, n) == 0);
	pf_buf_free(&out);
	old[5000] ^= 4;
	ck_assert_int_eq(decode_chk(&d, old, n, true, &out, &err),
	    PF_ERR_MISMATCH);
	ck_assert_uint_eq(out.len, 0);
	pf_buf_free(&out);
	ck_assert_int_eq(decode_late(&d, old, n, true, true, &out, &err),
	    PF_ERR_MISMATCH);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not match the delta: "
	    "expected sha256"));
	ck_assert_uint_eq(out.len, n);
	pf_buf_free(&out);
	old[5000] ^= 4;
	d.data[d.len - 3] ^= 0x10;
	ck_assert_int_eq(decode_late(&d, old, n, true, true, &out, &err),
	    PF_ERR_CORRUPT);
	pf_buf_free(&out);
	d.data[d.len - 3] ^= 0x10;
	/*
	 * Section 4.2.5: the unchanged megabytes are skips.  Read without
	 * SKIP (the header's CRC mended), the stream means other bytes: a
	 * corrupt delta, never a wrong NEW.
	 */
	ck_assert_int_eq(pf_delta_read_info(d.data, d.len, &info, &err),
	    PF_OK);
	ck_assert(info.flags & PF_DELTA_FLAG_SKIP);
	d.data[PF_DELTA_OFF_FLAGS] ^= PF_DELTA_FLAG_SKIP;
	pf_store_le32(d.data + info.header_len - 4,
	    pf_delta_crc32(d.data, info.header_len - 4));
	ck_assert_int_eq(decode_chk(&d, old, n, true, &out, &err),
	    PF_ERR_CORRUPT);
	pf_buf_free(&out);
	pf_buf_free(&d);
	free(old);
	free(nw);
}
END_TEST

static pf_ret
buf_write(void *opaque, const void *p, size_t n, pf_err *err)
{
	(void)err;
	pf_buf_append(opaque, p, n);
	return PF_OK;
}

/* The windowed encoder still writes version 1: it decodes as before. */
/*
 * The decoder's bound for a saturated probability, without a multiply,
 * is section 4.2.2's in both versions: every range that a decoder holds
 * (2^24 to 2^32 - 1), sampled, and around each multiple of 65536.
 */
START_TEST(test_bound_max)
{
	uint64_t r;
	int v2, k;

	for (v2 = 0; v2 <= 1; v2++) {
		for (r = PF_DIFF_RANGE_TOP; r <= UINT32_MAX; r += 65521)
			ck_assert_uint_eq(pf_diff_bound_max((uint32_t)r, v2),
			    pf_diff_bound((uint32_t)r, PF_DIFF_PROB_MAX, v2));
		for (r = PF_DIFF_RANGE_TOP; r <= UINT32_MAX; r += 65536)
			for (k = -2; k <= 2; k++)
				ck_assert_uint_eq(pf_diff_bound_max(
				    (uint32_t)(r + k), v2), pf_diff_bound(
				    (uint32_t)(r + k), PF_DIFF_PROB_MAX, v2));
		ck_assert_uint_eq(pf_diff_bound_max(UINT32_MAX, v2),
		    pf_diff_bound(UINT32_MAX, PF_DIFF_PROB_MAX, v2));
	}
}
END_TEST

/* Eight saturated steps at once are eight steps, in both versions. */
static uint32_t
eight_steps(uint32_t r, bool v2)
{
	int j;

	for (j = 0; j < 8; j++)
		r = pf_diff_bound_max(r, v2);
	return r;
}

START_TEST(test_bound_max8)
{
	uint64_t r, bad = 0, tried = 0;
	uint32_t at;
	int v2, k;

	for (v2 = 0; v2 <= 1; v2++) {
		for (r = PF_DIFF_RANGE_TOP; r <= UINT32_MAX; r += 4093, tried++)
			bad += pf_diff_bound_max8((uint32_t)r, v2) !=
			    eight_steps((uint32_t)r, v2);
		/* Around each multiple of 65536, where the step shrinks. */
		for (r = PF_DIFF_RANGE_TOP; r <= UINT32_MAX; r += 65536)
			for (k = -9; k <= 9; k++, tried++) {
				at = (uint32_t)(r + (uint64_t)(int64_t)k);
				bad += pf_diff_bound_max8(at, v2) !=
				    eight_steps(at, v2);
			}
		bad += pf_diff_bound_max8(UINT32_MAX, v2) !=
		    eight_steps(UINT32_MAX, v2);
	}
	ck_assert_uint_gt(tried, 4000000);
	ck_assert_uint_eq(bad, 0);
}
END_TEST

/* The packed bytes of a diff chunk, read in pieces of 1 to 4096. */
typedef struct chunk_in {
	const uint8_t *p;
	size_t n;
	unsigned step;
} chunk_in;

static pf_ret
chunk_read(void *opaque, void *buf, size_t n, size_t *got, pf_err *err)
{
	chunk_in *c = opaque;

	(void)err;
	c->step = c->step * 1103515245u + 12345u;
	*got = n < c->n ? n : c->n;
	if (*got > 1 + (c->step >> 20) % 4096)
		*got = 1 + (c->step >> 20) % 4096;
	memcpy(buf, c->p, *got);
	c->p += *got;
	c->n -= *got;
	return PF_OK;
}

/*
 * The diff coder round trip over long runs of zeros: the decoder's zero
 * runs take eight bytes at once where every context is saturated, and
 * must stop exactly at a nonzero byte, a renormalisation, a context not
 * yet saturated, or the end of the piece it was given.  Old bytes from
 * few values (contexts that saturate) and from all 256; nonzero diffs
 * every 1 to 40 bytes, then none for 300 KB (many renormalisations);
 * pieces of 1 to 64 bytes, and of 1 to 5000.  With SKIP (section 4.2.5),
 * the stream is cut into copies of 1 to 60000 bytes, and the decoder
 * must make the encoder's skip decisions at the same bytes whatever
 * pieces it is given.
 */
START_TEST(test_zero_runs)
{
	const size_t n = 1u << 20;
	uint8_t *old = malloc(n), *diff = malloc(n), *out = malloc(n);
	uint8_t *buf = malloc(1u << 16);
	pf_diff_model *em = malloc(sizeof *em), *dm = malloc(sizeof *dm);
	unsigned x = 12345, y, spread, v2, pieces, gap, skips;
	size_t i, at, k, next, start, len, skipped;
	pf_diff_enc e;
	pf_diff_dec d;
	pf_istream in;
	chunk_in c;
	pf_buf packed;
	pf_err err;

	ck_assert(old && diff && out && buf && em && dm);
	for (skips = 0; skips <= 1; skips++)
	for (v2 = 0; v2 <= 1; v2++)
	for (spread = 0; spread <= 1; spread++)
	for (pieces = 0; pieces <= 1; pieces++) {
		next = 0;
		gap = 1;
		for (i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			old[i] = spread ? (uint8_t)(x >> 24) :
			    (uint8_t)("\0\0\0\xe8\xff\x48"[(x >> 24) % 6]);
			diff[i] = 0;
			/* Dense, then sparse, then 300 KB of zeros, then dense. */
			if (i == next && (i < 400000 || i > 700000)) {
				diff[i] = (uint8_t)(1 + (x >> 8) % 255);
				gap = gap % 40 + 1;
				next = i + (i < 200000 ? gap : gap * 37);
			} else if (i == next)
				next = 700001;
		}
		pf_diff_model_init(em, true, skips);
		pf_buf_init(&packed);
		pf_diff_enc_start(&e, &packed, v2);
		if (!skips)
			for (i = 0; i < n; i++)
				pf_diff_enc_byte(&e, em, i ? old[i - 1] : 0,
				    diff[i]);
		y = 777;
		for (start = 0; skips && start < n; start += len) {
			y = y * 1103515245u + 12345u;
			len = 1 + (y >> 8) % 60000;
			if (len > n - start)
				len = n - start;
			pf_diff_enc_copy(&e, em, start ? old[start - 1] : 0,
			    old + start, diff + start, len);
		}
		pf_diff_enc_finish(&e);
		ck_assert(!packed.failed);
		c = (chunk_in){ packed.data, packed.len, x };
		in = (pf_istream){ chunk_read, &c };
		pf_diff_model_init(dm, true, skips);
		pf_diff_dec_start(&d, &in, packed.len, buf, 1u << 16, v2, &err);
		y = 777;
		skipped = 0;
		for (start = 0; start < n; start += len) {
			/* The encoder's copies (one copy of n without SKIP). */
			y = y * 1103515245u + 12345u;
			len = skips ? 1 + (y >> 8) % 60000 : n;
			if (len > n - start)
				len = n - start;
			for (at = start; at < start + len; at += k) {
				x = x * 1103515245u + 12345u;
				k = 1 + (x >> 16) % (pieces ? 5000 : 64);
				if (k > start + len - at)
					k = start + len - at;
				pf_diff_dec_add(&d, dm, at ? old[at - 1] : 0,
				    old + at, out + at, k, at - start,
				    start + len - at);
				skipped += d.skip_left > 0;
			}
		}
		ck_assert_int_eq(pf_diff_dec_finish(&d, "diff"), PF_OK);
		/* The 300 KB of zeros are mostly skipped. */
		ck_assert(skips ? skipped > 0 : skipped == 0);
		ck_assert_uint_eq(em->skip_last, dm->skip_last);
		ck_assert(memcmp(em->skip, dm->skip, sizeof em->skip) == 0);
		for (i = 0; i < n && out[i] == (uint8_t)(old[i] + diff[i]); i++)
			continue;
		ck_assert_uint_eq(i, n);
		ck_assert(memcmp(em->flag, dm->flag, sizeof em->flag) == 0);
		ck_assert(memcmp(em->value, dm->value, sizeof em->value) == 0);
		ck_assert_uint_eq(em->hist, dm->hist);
		pf_buf_free(&packed);
	}
	free(old);
	free(diff);
	free(out);
	free(buf);
	free(em);
	free(dm);
}
END_TEST

START_TEST(test_v1_decodes)
{
	size_t n = 200000, i;
	uint8_t *old = malloc(n), *nw = malloc(n);
	pf_source so, sn;
	pf_ostream os;
	pf_delta_info info;
	pf_buf d, out;
	pf_err err;

	ck_assert(old && nw);
	for (i = 0; i < n; i++)
		old[i] = (uint8_t)(i * 40503u >> 7);
	memcpy(nw, old, n);
	memcpy(nw + 5000, "a change", 8);
	pf_source_from_mem(&so, old, n);
	pf_source_from_mem(&sn, nw, n);
	pf_buf_init(&d);
	os = (pf_ostream){ buf_write, &d };
	ck_assert_int_eq(pf_delta_encode_window(&so, &sn, PF_BUILD_MEMORY_MIN,
	    NULL, &os, &err), PF_OK);
	ck_assert_int_eq(pf_delta_read_info(d.data, d.len, &info, &err),
	    PF_OK);
	ck_assert_uint_eq(info.version, 1);
	ck_assert_uint_eq(info.header_len, PF_DELTA_HEADER_LEN);
	ck_assert_int_eq(decode_chk(&d, old, n, true, &out, &err), PF_OK);
	ck_assert(out.len == n && memcmp(out.data, nw, n) == 0);
	pf_buf_free(&out);
	/* Its hashes are checked: another old of the same size is refused. */
	old[7] ^= 1;
	ck_assert_int_eq(decode_chk(&d, old, n, false, &out, &err),
	    PF_ERR_MISMATCH);
	pf_buf_free(&out);
	pf_buf_free(&d);
	free(old);
	free(nw);
}
END_TEST

static Suite *
delta_v2_suite(void)
{
	Suite *s = suite_create("delta_v2");
	TCase *t = tcase_create("header");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, test_fields);
	tcase_add_test(t, test_limits);
	tcase_add_test(t, test_refused);
	tcase_add_test(t, test_truncated);
	tcase_add_test(t, test_small_change);
	tcase_add_test(t, test_v1_decodes);
	tcase_add_test(t, test_bound_max);
	tcase_add_test(t, test_bound_max8);
	tcase_add_test(t, test_zero_runs);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return pf_check_run(delta_v2_suite());
}
