/*
 * Fuzz target for the prediction section of spec/delta.md section 10:
 * the input is a section body, parsed against an old file of three
 * pages; a body that parses is then run over those pages, once page by
 * page and once through the caching source in odd pieces, and both
 * results must agree: with the x86-64 finder over x86-64 bytes, and
 * with the AArch64 finder (section 10.9) over A64 words.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/stream.h"
#include "delta/format.h"
#include "delta/predict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OLD_LEN (3 * PF_PRED_PAGE - 100)

/*
 * Pretend code: calls, RIP-relative loads, a lea that names a jump table
 * (section 10.5.1) and pointers, over and over.
 */
static void
fill_old(uint8_t *p)
{
	static const uint8_t pattern[] = {
		0xe8, 0x10, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x05, 0x00, 0x01,
		0x00, 0x00, 0x0f, 0x85, 0xf0, 0xff, 0xff, 0xff, 0x00, 0x20,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc5, 0xf9, 0x6f, 0x05,
		0x40, 0x00, 0x00, 0x00, 0x48, 0x8d, 0x0d, 0x00, 0x10, 0x00,
		0x00
	};
	size_t i;

	for (i = 0; i < OLD_LEN; i++)
		p[i] = pattern[i % sizeof pattern];
}

/*
 * Pretend AArch64 code (section 10.9): ADRP with its ADD and LDR, BL,
 * B.cond, CBZ, TBNZ, LDR (literal), ADR, and a NOP.
 */
static void
fill_old_a64(uint8_t *p)
{
	static const uint32_t words[] = {
		0x90000002, 0x91006042, 0xf9400c43, 0x97fffff0, 0x54000101,
		0xb4ffff83, 0x37280042, 0x58000401, 0x10000100, 0xd503201f,
		0xb0000010, 0xf9400611, 0x91002210
	};
	size_t i;

	for (i = 0; i + 4 <= OLD_LEN; i += 4)
		pf_store_le32(p + i, words[i / 4 % (sizeof words / 4)]);
}

/*
 * The body with finder over old: page by page, then through the
 * caching source in odd pieces; the two must agree.
 */
static void
run(uint8_t finder, const uint8_t *old, const uint8_t *data, size_t size)
{
	static uint8_t a[OLD_LEN], b[OLD_LEN];
	pf_source src, pred_src;
	pf_pred_src *ps = NULL;
	pf_pred p;
	pf_err err;
	size_t off, n;

	if (pf_pred_parse_finder(&p, finder, data, size, OLD_LEN, &err) !=
	    PF_OK) {
		pf_pred_free(&p);
		return;
	}
	pf_source_from_mem(&src, old, OLD_LEN);
	if (pf_pred_find_tables(&p, &src, &err) != PF_OK)
		abort();
	memcpy(a, old, OLD_LEN);
	for (off = 0; off < OLD_LEN; off += n) {
		n = OLD_LEN - off < PF_PRED_PAGE ? OLD_LEN - off : PF_PRED_PAGE;
		pf_pred_page(&p, off, a + off, n);
	}
	if (pf_pred_src_new(&ps, &p, &src, &pred_src, &err) != PF_OK)
		abort();
	for (off = 0; off < OLD_LEN; off += n) {
		n = OLD_LEN - off < 1000 ? OLD_LEN - off : 1000;
		if (pred_src.read_at(pred_src.opaque, off, b + off, n, &err) !=
		    PF_OK)
			abort();
	}
	if (memcmp(a, b, OLD_LEN) != 0)
		abort();
	pf_pred_src_free(ps);
	pf_pred_free(&p);
}

/* Every body runs with finder 1 over x86 bytes and finder 2 over A64. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t old[OLD_LEN], old_a64[OLD_LEN];

	fill_old(old);
	fill_old_a64(old_a64);
	run(PF_PRED_FINDER_X86_64, old, data, size);
	run(PF_PRED_FINDER_AARCH64, old_a64, data, size);
	return 0;
}
