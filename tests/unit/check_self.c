/*
 * Unit tests of copies from NEW's earlier bytes (spec/delta.md section
 * 5.3, header flag SELF): the windowed encoder pays for repeated content
 * once, the decoder reads it back through a pf_readback, and refuses
 * copies that reach bytes not yet written.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/hash.h"
#include "delta/delta.h"
#include "delta/denc.h"
#include "delta/window.h"
#include "run.h"

/* Output in memory that can be read back, and what the decoder did. */
typedef struct rbuf {
	pf_buf buf;
	int opened;
	int reads;
	int beyond;             /* a read past what was written */
} rbuf;

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint8_t *
random_bytes(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < n; i++) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		p[i] = (uint8_t)(rng_state >> 24);
	}
	return p;
}

static pf_ret
rb_write(void *opaque, const void *p, size_t n, pf_err *err)
{
	rbuf *b = opaque;

	(void)err;
	pf_buf_append(&b->buf, p, n);
	return PF_OK;
}

static pf_ret
rb_open(void *opaque, pf_err *err)
{
	rbuf *b = opaque;

	(void)err;
	b->opened++;
	return PF_OK;
}

static pf_ret
rb_read_at(void *opaque, uint64_t off, void *p, size_t n, pf_err *err)
{
	rbuf *b = opaque;

	b->reads++;
	if (off > b->buf.len || n > b->buf.len - off) {
		b->beyond = 1;
		return pf_err_set(err, PF_ERR_IO, "read past the output");
	}
	memcpy(p, b->buf.data + off, n);
	return PF_OK;
}

/* Decodes delta against old into b, reading back through b unless !rb. */
static pf_ret
decode(const pf_buf *delta, const uint8_t *old, size_t on, rbuf *b, bool rb,
    pf_err *err)
{
	pf_readback back = { rb_open, rb_read_at, b };
	pf_ostream os = { rb_write, b };
	pf_istream in;
	pf_mem_in mem;
	pf_source src;

	memset(b, 0, sizeof *b);
	pf_buf_init(&b->buf);
	pf_err_clear(err);
	pf_istream_from_mem(&in, &mem, delta->data, delta->len);
	pf_source_from_mem(&src, old, on);
	return pf_delta_decode_rb(&in, &src, NULL, &os, rb ? &back : NULL,
	    UINT64_MAX, err);
}

static void
encode_window(const uint8_t *old, size_t on, const uint8_t *nw, size_t nn,
    unsigned threads, pf_buf *out)
{
	pf_source o, n;
	pf_ostream os;
	pf_cpus cpus;
	pf_err err;

	pf_buf_init(out);
	pf_err_clear(&err);
	pf_source_from_mem(&o, old, on);
	pf_source_from_mem(&n, nw, nn);
	pf_ostream_to_buf(&os, out);
	pf_cpus_init_threads(&cpus, threads);
	ck_assert_msg(pf_delta_encode_window(&o, &n, 16u << 20, &cpus, &os,
	    &err) == PF_OK, "encode: %s", err.msg);
	ck_assert(!out->failed);
}

/*
 * Encodes with any number of threads and with one (the same output), and
 * checks that the delta has the flag SELF.
 */
static void
encode_self(const uint8_t *old, size_t on, const uint8_t *nw, size_t nn,
    pf_buf *out)
{
	pf_delta_info info;
	pf_err err;
	pf_buf one;

	encode_window(old, on, nw, nn, 0, out);
	encode_window(old, on, nw, nn, 1, &one);
	ck_assert_msg(out->len == one.len &&
	    memcmp(out->data, one.data, one.len) == 0,
	    "output depends on the thread count");
	ck_assert_int_eq(pf_delta_read_info(out->data, out->len, &info, &err),
	    PF_OK);
	ck_assert(info.flags & PF_DELTA_FLAG_SELF);
	pf_buf_free(&one);
}

/*
 * NEW repeats a random block of 300 KB five times, farther apart than a
 * window (128 KiB at 16 MiB): it is paid for once.
 */
START_TEST(test_window_repeats)
{
	size_t bn = 300000, on = 1u << 20, nn = 5 * bn + 500000, i;
	uint8_t *old = random_bytes(on), *blk = random_bytes(bn);
	uint8_t *nw = malloc(nn);
	pf_buf d1;
	pf_err err;
	rbuf b;

	ck_assert_ptr_nonnull(nw);
	for (i = 0; i < 5; i++)
		memcpy(nw + i * bn, blk, bn);
	memcpy(nw + 5 * bn, old + 4096, 500000);
	nw[bn + 1000] ^= 0x55;          /* an edit in a repetition */
	nw[3 * bn + 77] ^= 0x01;
	encode_self(old, on, nw, nn, &d1);
	/* One block of 300 KB (random, so incompressible) and little else. */
	ck_assert_msg(d1.len < bn + bn / 10, "delta of %zu bytes", d1.len);

	ck_assert_msg(decode(&d1, old, on, &b, true, &err) == PF_OK,
	    "decode: %s", err.msg);
	ck_assert_uint_eq(b.buf.len, nn);
	ck_assert(memcmp(b.buf.data, nw, nn) == 0);
	ck_assert_int_eq(b.opened, 1);
	ck_assert_int_gt(b.reads, 0);
	ck_assert_int_eq(b.beyond, 0);
	pf_buf_free(&b.buf);

	/* Without a way to read back, refused before anything is written. */
	ck_assert_int_eq(decode(&d1, old, on, &b, false, &err),
	    PF_ERR_UNSUPPORTED);
	ck_assert_uint_eq(b.buf.len, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot be read back"));
	pf_buf_free(&b.buf);
	pf_buf_free(&d1);
	free(old);
	free(blk);
	free(nw);
}
END_TEST

/*
 * NEW that does not repeat itself: the windowed encoder makes no copy
 * from NEW, so the header does not say it may (a decoder would keep a
 * read-back it does not need), and decoding reads nothing back.
 */
START_TEST(test_window_no_repeats)
{
	size_t on = 1u << 20, nn = on, i;
	uint8_t *old = random_bytes(on), *nw = malloc(nn);
	pf_delta_info info;
	pf_buf d;
	pf_err err;
	rbuf b;

	ck_assert_ptr_nonnull(nw);
	memcpy(nw, old, nn);
	for (i = 0; i < nn; i += 40000)
		nw[i] ^= 0x5A;
	/* A moved block, found in OLD, not in NEW. */
	memcpy(nw + 300000, old + 700000, 50000);
	encode_window(old, on, nw, nn, 1, &d);
	ck_assert_int_eq(pf_delta_read_info(d.data, d.len, &info, &err),
	    PF_OK);
	ck_assert_msg(!(info.flags & PF_DELTA_FLAG_SELF),
	    "flag SELF without a copy from NEW");
	ck_assert_msg(decode(&d, old, on, &b, true, &err) == PF_OK,
	    "decode: %s", err.msg);
	ck_assert(b.buf.len == nn && memcmp(b.buf.data, nw, nn) == 0);
	ck_assert_int_eq(b.opened, 0);
	pf_buf_free(&b.buf);
	/* A decoder that cannot read back applies it as well. */
	ck_assert_msg(decode(&d, old, on, &b, false, &err) == PF_OK,
	    "decode without read-back: %s", err.msg);
	pf_buf_free(&b.buf);
	pf_buf_free(&d);
	free(old);
	free(nw);
}
END_TEST

/*
 * NEW repeats, inside one window (128 KiB at 16 MiB), a block that
 * differs from OLD in every 40th byte: the second time it is a copy of
 * the first, without the diff bytes again.
 */
START_TEST(test_window_inner)
{
	size_t on = 1u << 20, bn = 50000, nn = 2 * bn + 20000, i;
	uint8_t *old = random_bytes(on), *nw = malloc(nn), *tail;
	pf_buf d1, one;
	pf_err err;
	rbuf b;

	ck_assert_ptr_nonnull(nw);
	memcpy(nw, old + 200000, bn);
	for (i = 0; i < bn; i += 40)
		nw[i] = (uint8_t)(nw[i] + 1 + i % 7);
	tail = random_bytes(20000);
	memcpy(nw + bn, tail, 20000);
	memcpy(nw + bn + 20000, nw, bn);
	encode_self(old, on, nw, nn, &d1);
	/* The delta of the first occurrence and the random bytes alone. */
	encode_window(old, on, nw, bn + 20000, 1, &one);
	ck_assert_msg(d1.len < one.len + 200, "delta of %zu bytes, %zu without"
	    " the repetition", d1.len, one.len);
	ck_assert_msg(decode(&d1, old, on, &b, true, &err) == PF_OK,
	    "decode: %s", err.msg);
	ck_assert(b.buf.len == nn && memcmp(b.buf.data, nw, nn) == 0);
	ck_assert_int_eq(b.opened, 1);
	ck_assert_int_gt(b.reads, 0);
	ck_assert_int_eq(b.beyond, 0);
	pf_buf_free(&b.buf);
	pf_buf_free(&d1);
	pf_buf_free(&one);
	free(old);
	free(nw);
	free(tail);
}
END_TEST

/*
 * A short period inside one window: each copy from NEW is at most as
 * long as its distance, so none reads the bytes it makes.
 */
START_TEST(test_window_period)
{
	size_t on = 65536, per = 100, nn = 100000, i;
	uint8_t *old = random_bytes(on), *unit = random_bytes(per);
	uint8_t *nw = malloc(nn);
	pf_buf d;
	pf_err err;
	rbuf b;

	ck_assert_ptr_nonnull(nw);
	for (i = 0; i < nn; i++)
		nw[i] = unit[i % per];
	encode_window(old, on, nw, nn, 1, &d);
	ck_assert_msg(d.len < 2000, "delta of %zu bytes", d.len);
	ck_assert_msg(decode(&d, old, on, &b, true, &err) == PF_OK,
	    "decode: %s", err.msg);
	ck_assert(b.buf.len == nn && memcmp(b.buf.data, nw, nn) == 0);
	ck_assert_int_gt(b.reads, 0);
	ck_assert_int_eq(b.beyond, 0);
	pf_buf_free(&b.buf);
	pf_buf_free(&d);
	free(old);
	free(unit);
	free(nw);
}
END_TEST

/*
 * Every position of a window hits another place of OLD: OLD is each
 * 32-byte substring of NEW's first 128 KiB (one window at 16 MiB), in a
 * shuffled order.  The runs of hits outgrow what the limit gives them
 * (a 64th of it) and are cut to the heaviest; the delta still decodes,
 * and costs little more than NEW's random bytes.
 */
START_TEST(test_window_many_runs)
{
	size_t bl = 32, sn = 128u << 10, nb = sn - bl + 1;
	size_t on = nb * bl, nn = 2 * sn, i, j, t;
	uint8_t *nw = random_bytes(nn), *old = malloc(on);
	size_t *order = malloc(nb * sizeof *order);
	pf_buf d;
	pf_err err;
	rbuf b;

	ck_assert_ptr_nonnull(old);
	ck_assert_ptr_nonnull(order);
	for (i = 0; i < nb; i++)
		order[i] = i;
	for (i = nb - 1; i > 0; i--) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		j = (size_t)(rng_state % (i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < nb; i++)
		memcpy(old + i * bl, nw + order[i], bl);
	/* The second half: the first again, edited every 1000 bytes. */
	memcpy(nw + sn, nw, sn);
	for (i = sn; i < nn; i += 1000)
		nw[i] ^= 0xA5;
	encode_window(old, on, nw, nn, 1, &d);
	ck_assert_msg(d.len < sn + sn / 8, "delta of %zu bytes", d.len);
	ck_assert_msg(decode(&d, old, on, &b, true, &err) == PF_OK,
	    "decode: %s", err.msg);
	ck_assert(b.buf.len == nn && memcmp(b.buf.data, nw, nn) == 0);
	pf_buf_free(&b.buf);
	pf_buf_free(&d);
	free(order);
	free(old);
	free(nw);
}
END_TEST

/* One control entry to craft: a copy from OLD or NEW, then literals. */
typedef struct craft {
	bool from_new;
	uint64_t pos;
	uint64_t copy;
	uint64_t extra;
} craft;

/*
 * A delta with SELF whose entries are exactly es, written by the
 * streaming encoder (which checks nothing), so that hostile entries can
 * be made: each copy's diff bytes are taken against old or nw at pos.
 */
static void
build(const uint8_t *old, size_t on, const uint8_t *nw, size_t nn,
    const craft *es, size_t n, pf_buf *out)
{
	uint8_t hdr[PF_DELTA_HEADER_LEN];
	pf_delta_info info;
	const uint8_t *src;
	uint64_t at = 0;
	pf_denc *e = NULL;
	pf_ostream os;
	pf_seg sg;
	pf_err err;
	size_t i;
	int s;

	memset(&info, 0, sizeof info);
	info.version = PF_DELTA_VERSION;
	info.flags = PF_DELTA_FLAG_SPARSE | PF_DELTA_FLAG_SELF;
	info.block_size = 4096;
	for (s = 0; s < PF_DELTA_NSTREAMS; s++) {
		info.props[s] = pf_denc_props(s);
		info.dict[s] = s == PF_DELTA_DIFF ? 0 : 65536;
	}
	info.old_size = on;
	info.new_size = nn;
	ck_assert_int_eq(pf_sha256(info.old_sha256, old, on), 0);
	ck_assert_int_eq(pf_sha256(info.new_sha256, nw, nn), 0);
	pf_delta_write_header(&info, hdr);
	pf_buf_init(out);
	pf_buf_append(out, hdr, sizeof hdr);
	pf_ostream_to_buf(&os, out);
	pf_err_clear(&err);
	ck_assert_int_eq(pf_denc_new(&e, &info, NULL, &err), PF_OK);
	for (i = 0; i < n; i++) {
		src = es[i].from_new ? nw : old;
		sg = (pf_seg){ at, es[i].pos, es[i].copy, es[i].extra,
		    es[i].from_new };
		pf_denc_segment(e, src, &sg, nw, 0,
		    es[i].copy > 0 && es[i].pos > 0 ? src[es[i].pos - 1] : 0);
		at += es[i].copy + es[i].extra;
	}
	ck_assert_uint_eq(at, nn);
	ck_assert_int_eq(pf_denc_flush(e, &os, &err), PF_OK);
	pf_denc_free(e);
}

static const uint8_t abc[] = "abcabcabcabcabcabcabcabcabcabc";

/* Copies from NEW, some ending exactly where the output is. */
START_TEST(test_self_exact)
{
	static const craft es[] = {
		{ false, 0, 0, 3 },     /* "abc" */
		{ true, 0, 3, 0 },      /* "abc": reads [0, 3), 3 written */
		{ true, 0, 6, 0 },      /* reads [0, 6), 6 written */
		{ false, 0, 4, 0 },     /* OLD "abca" in between */
		{ true, 13, 2, 0 },     /* "bc" again, NEW position moved */
		{ true, 3, 12, 0 },     /* backwards */
	};
	uint8_t old[4] = { 'a', 'b', 'c', 'a' };
	pf_buf d;
	pf_err err;
	rbuf b;

	build(old, sizeof old, abc, 30, es, 6, &d);
	ck_assert_msg(decode(&d, old, sizeof old, &b, true, &err) == PF_OK,
	    "decode: %s", err.msg);
	ck_assert_uint_eq(b.buf.len, 30);
	ck_assert(memcmp(b.buf.data, abc, 30) == 0);
	ck_assert_int_eq(b.beyond, 0);
	pf_buf_free(&b.buf);
	pf_buf_free(&d);
}
END_TEST

/* Hostile: copies that reach bytes not yet written are corrupt. */
START_TEST(test_self_hostile)
{
	/* An LZ77-style overlap: the copy would read its own output. */
	static const craft overlap[] = {
		{ false, 0, 0, 3 }, { true, 0, 27, 0 } };
	/* The copy's end is one byte past what is written. */
	static const craft past_end[] = {
		{ false, 0, 0, 3 }, { true, 1, 3, 0 }, { false, 0, 0, 24 } };
	/* The NEW position moves beyond the output. */
	static const craft far[] = {
		{ false, 0, 0, 10 }, { true, 15, 3, 17 } };
	static const struct {
		const craft *es;
		size_t n;
	} cases[] = { { overlap, 2 }, { past_end, 3 }, { far, 2 } };
	uint8_t old[4] = { 'a', 'b', 'c', 'a' };
	pf_buf d;
	pf_err err;
	size_t i;
	rbuf b;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		build(old, sizeof old, abc, 30, cases[i].es, cases[i].n, &d);
		ck_assert_int_eq(decode(&d, old, sizeof old, &b, true, &err),
		    PF_ERR_CORRUPT);
		ck_assert_ptr_nonnull(strstr(err.msg, "not yet written"));
		ck_assert_int_eq(b.beyond, 0);
		pf_buf_free(&b.buf);
		pf_buf_free(&d);
	}
}
END_TEST

static Suite *
self_suite(void)
{
	Suite *s = suite_create("self");
	TCase *t;

	t = tcase_create("window");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_window_repeats);
	tcase_add_test(t, test_window_no_repeats);
	tcase_add_test(t, test_window_inner);
	tcase_add_test(t, test_window_period);
	tcase_add_test(t, test_window_many_runs);
	suite_add_tcase(s, t);
	t = tcase_create("decoder");
	tcase_add_test(t, test_self_exact);
	tcase_add_test(t, test_self_hostile);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return pf_check_run(self_suite());
}
