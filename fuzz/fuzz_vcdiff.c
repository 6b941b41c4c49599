/*
 * Fuzz target for VCDIFF (spec/vcdiff.md).  An input that starts with the
 * VCDIFF magic is a delta, decoded against a fixed old file into a bounded
 * memory buffer.  Any other input is a new file: it is encoded against
 * the same old file (its first byte chooses plain or xdelta3's LZMA),
 * decoded again, and must come back byte for byte.  A delta is also
 * walked as a package reader walks a codec 4 blob: what decodes without
 * naming a secondary compressor must pass the walk.
 */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/stream.h"
#include "delta/vcdiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps the fuzzer's memory small: a few MiB of output at most. */
#define FUZZ_MAX_NEW (4u << 20)

/* The old file of testdata/vcdiff (make.py), which the seeds were made
 * against: 120 numbered lines. */
static uint8_t old[8192];
static size_t old_len;

static void
make_old(void)
{
	int i, k;

	if (old_len != 0)
		return;
	for (i = 0; i < 120; i++) {
		k = snprintf((char *)old + old_len, sizeof old - old_len,
		    "%04d the quick brown fox %x jumps over the lazy dog\n", i,
		    i * 7919);
		old_len += (size_t)k;
	}
}

static pf_ret
decode(const uint8_t *p, size_t n, pf_buf *out, pf_err *err)
{
	pf_istream in;
	pf_mem_in mem;
	pf_source src;
	pf_ostream os;

	pf_istream_from_mem(&in, &mem, p, n);
	pf_source_from_mem(&src, old, old_len);
	pf_ostream_to_buf(&os, out);
	return pf_vcdiff_decode(&in, &src, &os, FUZZ_MAX_NEW, err);
}

static void
round_trip(const uint8_t *data, size_t size)
{
	pf_vcdiff_opts o = { 1, (data[0] & 1) != 0, 0, NULL };
	pf_buf delta, back;
	pf_err err;

	pf_buf_init(&delta);
	pf_buf_init(&back);
	if (pf_vcdiff_encode(old, old_len, data + 1, size - 1, &o, &delta,
	    &err) != PF_OK)
		abort();
	if (decode(delta.data, delta.len, &back, &err) != PF_OK ||
	    back.len != size - 1 ||
	    (back.len && memcmp(back.data, data + 1, back.len) != 0))
		abort();
	pf_buf_free(&delta);
	pf_buf_free(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pf_vcd_check c;
	pf_buf out;
	pf_err err;
	pf_ret r;
	bool ok;

	make_old();
	if (size > 0 && !pf_vcd_is_vcdiff(data, size)) {
		round_trip(data, size);
		return 0;
	}
	pf_buf_init(&out);
	ok = decode(data, size, &out, &err) == PF_OK;
	if (out.len > FUZZ_MAX_NEW)
		abort();
	pf_vcd_check_init(&c, old_len, out.len);
	r = pf_vcd_check_feed(&c, data, size, &err);
	if (r == PF_OK)
		r = pf_vcd_check_end(&c, &err);
	if (ok && size > 4 && !(data[4] & PF_VCD_DECOMPRESS) && r != PF_OK)
		abort();
	pf_buf_free(&out);
	return 0;
}
