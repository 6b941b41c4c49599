/*
 * Fuzz target for the prediction section of spec/delta.md section 10:
 * the input is a section body, parsed against an old file of three
 * pages; a body that parses is then run over those pages, once page by
 * page and once through the caching source in odd pieces, and both
 * results must agree.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/stream.h"
#include "delta/format.h"
#include "delta/predict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OLD_LEN (3 * PF_PRED_PAGE - 100)

/* Pretend code: calls, RIP-relative loads and pointers, over and over. */
static void
fill_old(uint8_t *p)
{
	static const uint8_t pattern[] = {
		0xe8, 0x10, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x05, 0x00, 0x01,
		0x00, 0x00, 0x0f, 0x85, 0xf0, 0xff, 0xff, 0xff, 0x00, 0x20,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc5, 0xf9, 0x6f, 0x05,
		0x40, 0x00, 0x00, 0x00
	};
	size_t i;

	for (i = 0; i < OLD_LEN; i++)
		p[i] = pattern[i % sizeof pattern];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t old[OLD_LEN], a[OLD_LEN], b[OLD_LEN];
	pf_source src, pred_src;
	pf_pred_src *ps = NULL;
	pf_pred p;
	pf_err err;
	size_t off, n;

	fill_old(old);
	if (pf_pred_parse(&p, data, size, OLD_LEN, &err) != PF_OK) {
		pf_pred_free(&p);
		return 0;
	}
	memcpy(a, old, OLD_LEN);
	for (off = 0; off < OLD_LEN; off += n) {
		n = OLD_LEN - off < PF_PRED_PAGE ? OLD_LEN - off : PF_PRED_PAGE;
		pf_pred_page(&p, off, a + off, n);
	}
	pf_source_from_mem(&src, old, OLD_LEN);
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
	return 0;
}
