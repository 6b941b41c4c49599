/*
 * Unit tests of the pfdelta codec (libpatchfmt/delta): round trips on
 * edge cases and real pairs, and damaged deltas that must fail cleanly.
 */
#include <config.h>

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/bytes.h"
#include "delta/delta.h"
#include "delta/match.h"
#include "common/hash.h"
#include "files.h"
#include "run.h"

/* A pf_ostream that refuses to grow past the size the delta declared. */
typedef struct capped {
	pf_buf buf;
	uint64_t cap;
	int over;
} capped;

/* A pf_istream that hands out one byte at a time, as a slow pipe would. */
typedef struct trickle {
	const uint8_t *p;
	size_t n;
	size_t pos;
} trickle;

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint8_t
rnd8(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)(rng_state >> 24);
}

static uint8_t *
random_bytes(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < n; i++)
		p[i] = rnd8();
	return p;
}

static pf_ret
capped_write(void *opaque, const void *p, size_t n, pf_err *err)
{
	capped *c = opaque;

	if (c->buf.len + n > c->cap) {
		c->over = 1;
		return pf_err_set(err, PF_ERR_IO, "write past declared size");
	}
	pf_buf_append(&c->buf, p, n);
	return PF_OK;
}

static pf_ret
trickle_read(void *opaque, void *buf, size_t n, size_t *got, pf_err *err)
{
	trickle *t = opaque;

	(void)err;
	*got = n > 0 && t->pos < t->n ? 1 : 0;
	if (*got)
		*(uint8_t *)buf = t->p[t->pos++];
	return PF_OK;
}

static void
encode(const uint8_t *old, size_t on, const uint8_t *nw, size_t nn,
    const pf_delta_opts *opts, pf_buf *out)
{
	pf_err err;

	pf_buf_init(out);
	pf_err_clear(&err);
	ck_assert_msg(pf_delta_encode(old, on, nw, nn, opts, out, &err) ==
	    PF_OK, "encode: %s", err.msg);
}

/* Decodes delta against old into c; the output may never pass cap. */
static pf_ret
decode(const uint8_t *delta, size_t dn, const uint8_t *old, size_t on,
    capped *c, uint64_t cap, pf_err *err)
{
	pf_istream in;
	pf_mem_in mem;
	pf_source src;
	pf_ostream os = { capped_write, c };

	pf_buf_init(&c->buf);
	c->cap = cap;
	c->over = 0;
	pf_err_clear(err);
	pf_istream_from_mem(&in, &mem, delta, dn);
	pf_source_from_mem(&src, old, on);
	return pf_delta_decode(&in, &src, &os, UINT64_MAX, err);
}

static void
roundtrip_opts(const uint8_t *old, size_t on, const uint8_t *nw, size_t nn,
    const pf_delta_opts *opts)
{
	pf_delta_opts one = opts ? *opts : (pf_delta_opts){ 0 };
	pf_buf d1, d2;
	capped c;
	pf_err err;
	pf_ret r;

	encode(old, on, nw, nn, opts, &d1);
	one.threads = 1;
	encode(old, on, nw, nn, &one, &d2);
	ck_assert_msg(d1.len == d2.len && memcmp(d1.data, d2.data, d1.len) == 0,
	    "output depends on the thread count");
	r = decode(d1.data, d1.len, old, on, &c, nn, &err);
	ck_assert_msg(r == PF_OK, "decode: %s", err.msg);
	ck_assert_uint_eq(c.buf.len, nn);
	ck_assert(nn == 0 || memcmp(c.buf.data, nw, nn) == 0);
	pf_buf_free(&c.buf);
	pf_buf_free(&d1);
	pf_buf_free(&d2);
}

static void
roundtrip(const uint8_t *old, size_t on, const uint8_t *nw, size_t nn)
{
	pf_delta_opts small = { 0, 4096, 0, 0, false, NULL };

	roundtrip_opts(old, on, nw, nn, NULL);
	/* Small blocks: many blocks, entries cut at block ends. */
	roundtrip_opts(old, on, nw, nn, &small);
}

/* New from old by scattered byte edits, insertions and deletions. */
static uint8_t *
edit(const uint8_t *old, size_t on, size_t *nn, unsigned edits)
{
	uint8_t *nw = malloc(on + edits * 64 + 1);
	size_t i = 0, o = 0, step = on / (edits + 1) + 1;

	ck_assert_ptr_nonnull(nw);
	while (o < on) {
		size_t k = step < on - o ? step : on - o;

		memcpy(nw + i, old + o, k);
		i += k;
		o += k;
		switch (rnd8() % 3) {
		case 0:
			if (i > 0)
				nw[i - 1] ^= 0x5a;
			break;
		case 1:
			for (k = rnd8() % 64; k > 0; k--)
				nw[i++] = rnd8();
			break;
		default:
			o += rnd8() % 32;
			break;
		}
	}
	*nn = i;
	return nw;
}

START_TEST(test_empty)
{
	const uint8_t one[1] = { 'x' };

	roundtrip(NULL, 0, NULL, 0);
	roundtrip(NULL, 0, one, 1);
	roundtrip(one, 1, NULL, 0);
	roundtrip(one, 1, one, 1);
}
END_TEST

START_TEST(test_one_byte)
{
	const uint8_t a[1] = { 0 }, b[1] = { 0xff };

	roundtrip(a, 1, b, 1);
	roundtrip(b, 1, a, 1);
}
END_TEST

START_TEST(test_identical)
{
	uint8_t *p = random_bytes(300000);

	roundtrip(p, 300000, p, 300000);
	free(p);
}
END_TEST

START_TEST(test_nothing_common)
{
	uint8_t *a = malloc(70000), *b = malloc(50000);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	memset(a, 'a', 70000);
	memset(b, 'b', 50000);
	roundtrip(a, 70000, b, 50000);
	roundtrip(b, 50000, a, 70000);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_sizes_differ)
{
	uint8_t *old = random_bytes(400000);

	roundtrip(old, 400000, old + 1000, 5000);
	roundtrip(old + 1000, 5000, old, 400000);
	free(old);
}
END_TEST

/*
 * Data that moved further than any dictionary or block reaches: old's
 * last 5 MiB move to the front, and all of old follows them.
 */
START_TEST(test_far_shift)
{
	size_t on = 6u << 20, head = 5u << 20;
	uint8_t *old = random_bytes(on), *nw = malloc(head + on);

	ck_assert_ptr_nonnull(nw);
	memcpy(nw, old + on - head, head);
	memcpy(nw + head, old, on);
	roundtrip_opts(old, on, nw, head + on, NULL);
	free(old);
	free(nw);
}
END_TEST

/*
 * The matcher searches the suffix array within the bucket of a string's
 * first 2 bytes: matches starting with 00 00 and FF FF (the first and
 * last buckets), and the 1-byte suffix at old's end (first in the bucket
 * of "FF 00"), are found as the whole array would find them.
 */
START_TEST(test_match_buckets)
{
	size_t on = 8192, i, copied = 0;
	uint8_t *old = random_bytes(on), *nw = malloc(on + 1);
	pf_seg_list segs;
	pf_err err = { 0 };

	ck_assert_ptr_nonnull(nw);
	for (i = 0; i < on; i += 64)
		memset(old + i, i % 128 ? 0xFF : 0x00, 8);
	old[on - 1] = 0xFF;
	memcpy(nw, old + 1000, on - 1000);
	memcpy(nw + on - 1000, old, 1000);
	nw[on] = 0x00;
	ck_assert_int_eq(pf_delta_match(old, on, nw, on + 1, NULL, &segs, &err),
	    PF_OK);
	for (i = 0; i < segs.n; i++)
		copied += segs.v[i].copy_len;
	ck_assert_uint_le(segs.n, 3);
	ck_assert_uint_ge(copied, on);
	free(segs.v);
	free(old);
	free(nw);
}
END_TEST

START_TEST(test_random_edits)
{
	unsigned round;

	for (round = 0; round < 8; round++) {
		size_t on = 1000 + round * 37000, nn;
		uint8_t *old = random_bytes(on);
		uint8_t *nw = edit(old, on, &nn, 1 + round * 40);

		roundtrip(old, on, nw, nn);
		free(old);
		free(nw);
	}
}
END_TEST

START_TEST(test_corpus)
{
	const char *corpus = getenv("PF_CORPUS");
	char dir[2048], path[2400];
	struct dirent *e;
	uint8_t *old, *nw;
	size_t on, nn;
	DIR *d;

	if (corpus == NULL)
		return;
	snprintf(dir, sizeof dir, "%s/pairs", corpus);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s/old", dir, e->d_name);
		old = pf_test_slurp(path, &on);
		snprintf(path, sizeof path, "%s/%s/new", dir, e->d_name);
		nw = old ? pf_test_slurp(path, &nn) : NULL;
		if (old && nw)
			roundtrip_opts(old, on, nw, nn, NULL);
		free(old);
		free(nw);
	}
	closedir(d);
}
END_TEST

/* A small pair whose delta has every stream and several blocks. */
static void
sample(uint8_t **old, size_t *on, uint8_t **nw, size_t *nn, pf_buf *delta)
{
	pf_delta_opts small = { 1, 4096, 0, 0, false, NULL };

	*on = 20000;
	*old = random_bytes(*on);
	*nw = edit(*old, *on, nn, 30);
	encode(*old, *on, *nw, *nn, &small, delta);
}

START_TEST(test_wrong_old)
{
	uint8_t *old, *nw;
	size_t on, nn;
	pf_buf delta;
	capped c;
	pf_err err;

	sample(&old, &on, &nw, &nn, &delta);
	old[on / 2] ^= 1;
	ck_assert_int_eq(decode(delta.data, delta.len, old, on, &c, nn, &err),
	    PF_ERR_MISMATCH);
	ck_assert_uint_eq(c.buf.len, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "expected sha256"));
	ck_assert_int_eq(decode(delta.data, delta.len, old, on - 1, &c, nn,
	    &err), PF_ERR_MISMATCH);
	ck_assert_uint_eq(c.buf.len, 0);
	pf_buf_free(&delta);
	free(old);
	free(nw);
}
END_TEST

START_TEST(test_limit)
{
	uint8_t *old, *nw;
	size_t on, nn;
	pf_buf delta, out;
	pf_istream in;
	pf_mem_in mem;
	pf_source src;
	pf_ostream os;
	pf_err err;

	sample(&old, &on, &nw, &nn, &delta);
	pf_buf_init(&out);
	pf_ostream_to_buf(&os, &out);
	pf_istream_from_mem(&in, &mem, delta.data, delta.len);
	pf_source_from_mem(&src, old, on);
	ck_assert_int_eq(pf_delta_decode(&in, &src, &os, nn - 1, &err),
	    PF_ERR_CORRUPT);
	ck_assert_uint_eq(out.len, 0);
	pf_buf_free(&out);
	pf_buf_free(&delta);
	free(old);
	free(nw);
}
END_TEST

START_TEST(test_header)
{
	uint8_t *old, *nw;
	size_t on, nn;
	pf_buf delta;
	pf_delta_info info;
	capped c;
	pf_err err;

	sample(&old, &on, &nw, &nn, &delta);
	ck_assert_int_eq(pf_delta_read_info(delta.data, delta.len, &info,
	    &err), PF_OK);
	ck_assert_uint_eq(info.old_size, on);
	ck_assert_uint_eq(info.new_size, nn);
	ck_assert_uint_eq(info.block_size, 4096);
	delta.data[PF_DELTA_OFF_VERSION] = 3;
	ck_assert_int_eq(decode(delta.data, delta.len, old, on, &c, nn, &err),
	    PF_ERR_UNSUPPORTED);
	delta.data[0] = 'X';
	ck_assert_int_eq(decode(delta.data, delta.len, old, on, &c, nn, &err),
	    PF_ERR_NOT_PACKAGE);
	ck_assert_int_eq(decode(delta.data, 0, old, on, &c, nn, &err),
	    PF_ERR_NOT_PACKAGE);
	pf_buf_free(&delta);
	free(old);
	free(nw);
}
END_TEST

START_TEST(test_trailing_and_trickle)
{
	uint8_t *old, *nw;
	size_t on, nn;
	pf_buf delta, out;
	trickle t;
	pf_istream in = { trickle_read, &t };
	pf_source src;
	pf_ostream os;
	capped c;
	pf_err err;

	sample(&old, &on, &nw, &nn, &delta);
	pf_buf_init(&out);
	pf_ostream_to_buf(&os, &out);
	pf_source_from_mem(&src, old, on);
	t = (trickle){ delta.data, delta.len, 0 };
	ck_assert_int_eq(pf_delta_decode(&in, &src, &os, UINT64_MAX, &err),
	    PF_OK);
	ck_assert(out.len == nn && memcmp(out.data, nw, nn) == 0);
	pf_buf_put_u8(&delta, 0);
	ck_assert_int_eq(decode(delta.data, delta.len, old, on, &c, nn, &err),
	    PF_ERR_CORRUPT);
	pf_buf_free(&c.buf);
	pf_buf_free(&out);
	pf_buf_free(&delta);
	free(old);
	free(nw);
}
END_TEST

START_TEST(test_truncated)
{
	uint8_t *old, *nw;
	size_t on, nn, cut;
	pf_buf delta;
	capped c;
	pf_err err;
	pf_ret r;

	sample(&old, &on, &nw, &nn, &delta);
	for (cut = 0; cut < delta.len; cut++) {
		r = decode(delta.data, cut, old, on, &c, nn, &err);
		ck_assert_msg(r == PF_ERR_CORRUPT ||
		    (cut < PF_DELTA_MAGIC_LEN && r == PF_ERR_NOT_PACKAGE) ||
		    (cut == 0 && r == PF_ERR_NOT_PACKAGE),
		    "cut at %zu: %d %s", cut, r, err.msg);
		ck_assert(!c.over);
		ck_assert(err.msg[0] != '\0');
		pf_buf_free(&c.buf);
	}
	pf_buf_free(&delta);
	free(old);
	free(nw);
}
END_TEST

START_TEST(test_flipped)
{
	uint8_t *old, *nw;
	size_t on, nn, i;
	pf_buf delta;
	capped c;
	pf_err err;
	pf_ret r;

	sample(&old, &on, &nw, &nn, &delta);
	for (i = 0; i < delta.len; i++) {
		uint8_t bit = (uint8_t)(1u << (i % 8));

		delta.data[i] ^= bit;
		r = decode(delta.data, delta.len, old, on, &c, nn, &err);
		/* A flip the codec cannot see must still give new exactly. */
		ck_assert_msg(r != PF_OK || (c.buf.len == nn &&
		    memcmp(c.buf.data, nw, nn) == 0), "flip at %zu", i);
		ck_assert(!c.over);
		ck_assert(r == PF_OK || err.msg[0] != '\0');
		pf_buf_free(&c.buf);
		delta.data[i] ^= bit;
	}
	pf_buf_free(&delta);
	free(old);
	free(nw);
}
END_TEST

/*
 * The library's one SHA-256 (common/hash.c): the FIPS 180-4 examples,
 * and the same digest whatever pieces the input comes in.
 */
START_TEST(test_sha)
{
	static const struct { const char *in; const char *hex; } kat[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	uint8_t *p = random_bytes(1000000), a[PF_SHA256_LEN], b[PF_SHA256_LEN];
	char hex[PF_SHA256_HEX_LEN];
	pf_sha256_ctx c;
	size_t i, n, k;

	for (i = 0; i < sizeof kat / sizeof kat[0]; i++) {
		ck_assert_int_eq(pf_sha256(a, kat[i].in, strlen(kat[i].in)), 0);
		ck_assert_str_eq(pf_sha256_hex(hex, a), kat[i].hex);
	}
	memset(p, 'a', 1000000);
	ck_assert_int_eq(pf_sha256(a, p, 1000000), 0);
	ck_assert_str_eq(pf_sha256_hex(hex, a),
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(p);
	p = random_bytes(200000);
	for (n = 0; n < 200000; n = n < 300 ? n + 1 : n * 2 + 13) {
		k = n / 3;
		ck_assert_int_eq(pf_sha256_init(&c), 0);
		pf_sha256_update(&c, p, k);
		pf_sha256_update(&c, p + k, 0);
		pf_sha256_update(&c, p + k, n - k);
		pf_sha256_final(&c, a);
		/* libsodium's SHA-256, an implementation of its own. */
		ck_assert_int_eq(crypto_hash_sha256(b, p, n), 0);
		ck_assert_msg(memcmp(a, b, sizeof a) == 0, "length %zu", n);
		ck_assert_int_eq(pf_sha256(b, p, n), 0);
		ck_assert_msg(memcmp(a, b, sizeof a) == 0, "length %zu", n);
	}
	/* Discarding is safe on a fresh, a finished and a discarded context. */
	ck_assert_int_eq(pf_sha256_init(&c), 0);
	pf_sha256_discard(&c);
	pf_sha256_discard(&c);
	free(p);
}
END_TEST

static Suite *
delta_suite(void)
{
	Suite *s = suite_create("delta");
	TCase *t;

	t = tcase_create("roundtrip");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_empty);
	tcase_add_test(t, test_one_byte);
	tcase_add_test(t, test_identical);
	tcase_add_test(t, test_nothing_common);
	tcase_add_test(t, test_sizes_differ);
	tcase_add_test(t, test_far_shift);
	tcase_add_test(t, test_match_buckets);
	tcase_add_test(t, test_random_edits);
	tcase_add_test(t, test_corpus);
	suite_add_tcase(s, t);
	t = tcase_create("refuse");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_wrong_old);
	tcase_add_test(t, test_limit);
	tcase_add_test(t, test_header);
	tcase_add_test(t, test_trailing_and_trickle);
	tcase_add_test(t, test_truncated);
	tcase_add_test(t, test_flipped);
	suite_add_tcase(s, t);
	t = tcase_create("sha");
	tcase_add_test(t, test_sha);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return pf_check_run(delta_suite());
}
