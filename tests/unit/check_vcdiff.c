/*
 * Unit tests of VCDIFF (libpatchfmt/delta/vcdiff_*.c): round trips of the
 * encoder through the decoder, fed one byte at a time, and the walk a
 * package reader makes of a codec 4 blob (spec/vcdiff.md section 6).
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/stream.h"
#include "delta/vcdiff.h"
#include "run.h"

/* old: varied bytes; new: old with edits, a moved block and literals. */
static uint8_t old[200000], nw[210000];
static size_t old_len, new_len;

static void
make_pair(void)
{
	uint64_t s = 0x9e3779b97f4a7c15u;
	size_t i;

	for (i = 0; i < sizeof old; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		old[i] = (uint8_t)(i % 97 < 60 ? 'a' + i % 26 : s >> 24);
	}
	old_len = sizeof old;
	memcpy(nw, old + 50000, 50000);
	memcpy(nw + 50000, old, 50000);
	memset(nw + 100000, 'x', 5000);
	memcpy(nw + 105000, old + 100000, 100000);
	for (i = 105000; i < 205000; i += 1000)
		nw[i] ^= 0x55;
	new_len = 205000;
}

/* A pf_istream that hands out one byte at a time, as a slow pipe would. */
static pf_ret
trickle_read(void *opaque, void *buf, size_t n, size_t *got, pf_err *err)
{
	pf_mem_in *m = opaque;

	(void)err;
	*got = n > 0 && m->pos < m->n ? 1 : 0;
	if (*got)
		((uint8_t *)buf)[0] = m->p[m->pos++];
	return PF_OK;
}

static pf_ret
decode(const pf_buf *delta, pf_buf *out, uint64_t max, pf_err *err)
{
	pf_mem_in m = { delta->data, delta->len, 0 };
	pf_istream in = { trickle_read, &m };
	pf_source src;
	pf_ostream os;

	pf_source_from_mem(&src, old, old_len);
	pf_ostream_to_buf(&os, out);
	return pf_vcdiff_decode(&in, &src, &os, max, err);
}

static void
encode(bool xd3, uint32_t window, pf_buf *delta)
{
	pf_vcdiff_opts o = { 1, xd3, window, NULL };
	pf_err err;

	make_pair();
	pf_buf_init(delta);
	ck_assert_int_eq(pf_vcdiff_encode(old, old_len, nw, new_len, &o, delta,
	    &err), PF_OK);
}

/* The walk over the blob, whole or byte by byte. */
static pf_ret
walk(const uint8_t *p, size_t n, uint64_t base, uint64_t size, bool bytes)
{
	pf_vcd_check c;
	pf_err err;
	size_t i;
	pf_ret r;

	pf_vcd_check_init(&c, base, size);
	if (!bytes)
		r = pf_vcd_check_feed(&c, p, n, &err);
	else
		for (i = 0, r = PF_OK; i < n && r == PF_OK; i++)
			r = pf_vcd_check_feed(&c, p + i, 1, &err);
	return r != PF_OK ? r : pf_vcd_check_end(&c, &err);
}

START_TEST(test_roundtrip)
{
	pf_buf delta, out;
	pf_err err;

	/* Plain and LZMA, in one window and in many small ones. */
	encode(_i & 1, _i & 2 ? 4096 : 0, &delta);
	pf_buf_init(&out);
	ck_assert_int_eq(decode(&delta, &out, UINT64_MAX, &err), PF_OK);
	ck_assert_uint_eq(out.len, new_len);
	ck_assert(memcmp(out.data, nw, new_len) == 0);
	ck_assert(delta.len < new_len / 4);
	pf_buf_free(&out);
	/* Allowed one byte less than it makes, the decoder refuses. */
	pf_buf_init(&out);
	ck_assert_int_eq(decode(&delta, &out, new_len - 1, &err),
	    PF_ERR_CORRUPT);
	pf_buf_free(&out);
	pf_buf_free(&delta);
}
END_TEST

START_TEST(test_walk)
{
	pf_buf d;
	bool bytes = _i & 4;

	encode(_i & 1, _i & 2 ? 4096 : 0, &d);
	ck_assert_int_eq(walk(d.data, d.len, old_len, new_len, bytes), PF_OK);
	/* Another size of new, a smaller base, a cut blob: corrupt. */
	ck_assert_int_eq(walk(d.data, d.len, old_len, new_len + 1, bytes),
	    PF_ERR_CORRUPT);
	ck_assert_int_eq(walk(d.data, d.len, old_len, new_len - 1, bytes),
	    PF_ERR_CORRUPT);
	ck_assert_int_eq(walk(d.data, d.len, old_len / 2, new_len, bytes),
	    PF_ERR_CORRUPT);
	ck_assert_int_eq(walk(d.data, d.len - 1, old_len, new_len, bytes),
	    PF_ERR_CORRUPT);
	ck_assert_int_eq(walk(d.data, 4, old_len, new_len, bytes),
	    PF_ERR_CORRUPT);
	pf_buf_free(&d);
}
END_TEST

START_TEST(test_walk_refuses)
{
	static const uint8_t djw[] = { 0xd6, 0xc3, 0xc4, 0, 1, 1 };
	static const uint8_t table[] = { 0xd6, 0xc3, 0xc4, 0, 2 };
	static const uint8_t v1[] = { 0xd6, 0xc3, 0xc4, 1, 0 };
	static const uint8_t magic[] = { 0xd6, 0xc3, 0xc5, 0, 0 };
	/* Window: no source, encoding of 5, target 0, but the lengths say 1. */
	static const uint8_t frame[] = { 0xd6, 0xc3, 0xc4, 0, 0, 0, 5, 0, 0, 1,
		0, 0, 0 };
	/* An empty window, then the same with a target of 3 bytes of ADD. */
	static const uint8_t empty[] = { 0xd6, 0xc3, 0xc4, 0, 0, 0, 5, 0, 0, 0,
		0, 0 };
	static const uint8_t add3[] = { 0xd6, 0xc3, 0xc4, 0, 0, 0, 9, 3, 0, 3,
		1, 0, 'a', 'b', 'c', 4 };

	ck_assert_int_eq(walk(djw, sizeof djw, 0, 0, false), PF_ERR_UNSUPPORTED);
	ck_assert_int_eq(walk(table, sizeof table, 0, 0, false),
	    PF_ERR_UNSUPPORTED);
	ck_assert_int_eq(walk(v1, sizeof v1, 0, 0, false), PF_ERR_UNSUPPORTED);
	ck_assert_int_eq(walk(magic, sizeof magic, 0, 0, false), PF_ERR_CORRUPT);
	ck_assert_int_eq(walk(frame, sizeof frame, 0, 0, false), PF_ERR_CORRUPT);
	ck_assert_int_eq(walk(empty, sizeof empty, 0, 0, true), PF_OK);
	ck_assert_int_eq(walk(add3, sizeof add3, 0, 3, true), PF_OK);
	ck_assert_int_eq(walk(add3, sizeof add3, 0, 2, false), PF_ERR_CORRUPT);
}
END_TEST

/* A window: RUN of n bytes c, or (seg_pos >= 0) VCD_TARGET COPY 4. */
static void
put_window(pf_buf *b, uint8_t c, uint64_t n, int64_t seg_pos)
{
	pf_buf body;

	pf_buf_init(&body);
	pf_vcd_put_int(&body, n);
	pf_buf_put_u8(&body, 0);
	if (seg_pos < 0) {
		pf_vcd_put_int(&body, 1);
		pf_vcd_put_int(&body, 1 + (n < 128 ? 1 : n < 16384 ? 2 :
		    n < 2097152 ? 3 : 4));
		pf_vcd_put_int(&body, 0);
		pf_buf_put_u8(&body, c);
		pf_buf_put_u8(&body, 0);
		pf_vcd_put_int(&body, n);
	} else {
		/* COPY 4 from address 0 in mode SELF: code 20, address 0. */
		pf_buf_append(&body, "\0\1\1\x14\0", 5);
	}
	pf_buf_put_u8(b, seg_pos < 0 ? 0 : PF_VCD_TARGET);
	if (seg_pos >= 0) {
		pf_vcd_put_int(b, 4);
		pf_vcd_put_int(b, (uint64_t)seg_pos);
	}
	pf_vcd_put_int(b, body.len);
	pf_buf_append(b, body.data, body.len);
	pf_buf_free(&body);
}

/*
 * VCD_TARGET through the history: four windows of 10 MiB make it slide
 * once; a segment 16 MiB back is read from the right place, one byte
 * further back is refused.
 */
START_TEST(test_target_history)
{
	const uint64_t w = 10u << 20, total = 4 * w;
	pf_buf delta, out;
	pf_err err;
	int i;

	pf_buf_init(&delta);
	pf_buf_append(&delta, "\xd6\xc3\xc4\0\0", 5);
	for (i = 0; i < 4; i++)
		put_window(&delta, (uint8_t)('a' + i), w, -1);
	put_window(&delta, 0, 4, (int64_t)(total - PF_VCD_HISTORY_MAX));
	put_window(&delta, 0, 4, (int64_t)(total - w / 2));
	make_pair();
	pf_buf_init(&out);
	ck_assert_int_eq(decode(&delta, &out, UINT64_MAX, &err), PF_OK);
	ck_assert_uint_eq(out.len, total + 8);
	ck_assert(memcmp(out.data + total, "ccccdddd", 8) == 0);
	ck_assert(out.data[w - 1] == 'a' && out.data[3 * w] == 'd');
	pf_buf_free(&out);
	put_window(&delta, 0, 4, (int64_t)(total + 8 - PF_VCD_HISTORY_MAX - 1));
	pf_buf_init(&out);
	ck_assert_int_eq(decode(&delta, &out, UINT64_MAX, &err),
	    PF_ERR_UNSUPPORTED);
	pf_buf_free(&out);
	pf_buf_free(&delta);
}
END_TEST

START_TEST(test_adler)
{
	/* RFC 1950's example value of "Wikipedia". */
	ck_assert_uint_eq(pf_vcd_adler32((const uint8_t *)"Wikipedia", 9),
	    0x11e60398u);
	ck_assert_uint_eq(pf_vcd_adler32(NULL, 0), 1u);
}
END_TEST

static Suite *
vcdiff_suite(void)
{
	Suite *s = suite_create("vcdiff");
	TCase *t;

	t = tcase_create("roundtrip");
	tcase_set_timeout(t, 300);
	tcase_add_loop_test(t, test_roundtrip, 0, 4);
	suite_add_tcase(s, t);
	t = tcase_create("walk");
	tcase_set_timeout(t, 300);
	tcase_add_loop_test(t, test_walk, 0, 8);
	tcase_add_test(t, test_walk_refuses);
	tcase_add_test(t, test_adler);
	tcase_add_test(t, test_target_history);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return pf_check_run(vcdiff_suite());
}
