/*
 * The streaming raw LZMA2 encoder of compress/lzma.h as the delta codec
 * uses it (compress/lz.h): flushed at every block boundary, each block's
 * packed bytes decode on their own to the block, and the lc, lp and pb
 * it is given are the ones its stream carries.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/stream.h"
#include "compress/lz.h"
#include "compress/lzma.h"
#include "run.h"

#define DICT (UINT32_C(1) << 16)

static uint8_t text[3 * 20000];

static void
fill(void)
{
	uint32_t x = 7;
	size_t i;

	for (i = 0; i < sizeof text; i++) {
		x = x * 1103515245 + 12345;
		text[i] = (x >> 16) % 5 == 0 ? ' ' : 'a' + (x >> 20) % 4;
	}
}

/* Three blocks, one flush each: every chunk decodes to its block. */
START_TEST(flush_per_block)
{
	pf_lzma_opts o = { .preset = 9, .extreme = true, .dict_size = DICT,
	    .lc = 1, .lp = 2, .pb = 0, .set_lclppb = true };
	size_t packed[4], i, blk = sizeof text / 3;
	uint8_t out[sizeof text / 3 + 1], inbuf[512];
	pf_lzma_enc *e;
	pf_lz_dec *d;
	pf_ostream os;
	pf_mem_in m;
	pf_istream in;
	pf_buf z;
	pf_err err;

	fill();
	pf_buf_init(&z);
	pf_ostream_to_buf(&os, &z);
	ck_assert_int_eq(pf_lzma_enc_new(&e, &o, 0, NULL, &err), PF_OK);
	packed[0] = 0;
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(pf_lzma_enc_write(e, text + i * blk, blk, &os,
		    &err), PF_OK);
		ck_assert_int_eq(pf_lzma_enc_flush(e, &os, &err), PF_OK);
		packed[i + 1] = z.len;
		ck_assert_uint_gt(packed[i + 1], packed[i]);
	}
	pf_lzma_enc_free(e);
	/* The first LZMA2 chunk resets the properties: lc + lp * 9 + pb * 45
	 * (its control byte at 0, the properties byte at 5). */
	ck_assert_uint_ge(z.data[0], 0xe0);
	ck_assert_uint_eq(z.data[5], 1 + 2 * 9);
	ck_assert_int_eq(pf_lz_dec_new(&d, 1 + 2 * 9, DICT, &err), PF_OK);
	pf_istream_from_mem(&in, &m, z.data, z.len);
	for (i = 0; i < 3; i++) {
		ck_assert_msg(pf_lz_dec_chunk(d, &in, packed[i + 1] - packed[i],
		    out, blk, inbuf, sizeof inbuf, "block", &err) == PF_OK,
		    "%s", err.msg);
		ck_assert_mem_eq(out, text + i * blk, blk);
	}
	pf_lz_dec_free(d);
	/* The delta codec's own entry point makes the same bytes. */
	{
		size_t off[4] = { 0, blk, 2 * blk, 3 * blk }, p2[4];
		pf_buf z2;

		pf_buf_init(&z2);
		ck_assert_int_eq(pf_lz_encode_blocks(text, off, 3, 1 + 2 * 9,
		    DICT, &z2, p2, &err), PF_OK);
		ck_assert_uint_eq(z2.len, z.len);
		ck_assert_mem_eq(z2.data, z.data, z.len);
		ck_assert_mem_eq(p2, packed, sizeof packed);
		pf_buf_free(&z2);
	}
	pf_buf_free(&z);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lzma_flush");
	TCase *tc = tcase_create("lzma_flush");

	tcase_add_test(tc, flush_per_block);
	suite_add_tcase(s, tc);
	return pf_check_run(s);
}
