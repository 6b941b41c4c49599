/*
 * Fuzz target for the pfdelta decoder: the input is the delta, old is a
 * fixed small buffer, and the output goes to a bounded memory buffer.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/bytes.h"
#include "delta/delta.h"
#include "compress/lz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The old file every seed delta in corpus/delta/ was made against. */
static const uint8_t fuzz_old[] =
    "the quick brown fox jumps over the lazy dog 0123456789\n"
    "\x7f" "ELF\x02\x01\x01\x00 a few bytes of pretend machine code \xe8\x10";

/*
 * A second old file, for version 2 deltas that state its size: "1\n2\n
 * 3\n..." cut at 65536 bytes (`seq 1 20000 | head -c 65536`), long enough
 * for copies of 4096 bytes and more, and so for the skip decisions of
 * flag SKIP (spec/delta.md section 4.2.5).
 */
#define FUZZ_BIG_OLD 65536u
static uint8_t big_old[FUZZ_BIG_OLD];

static void
make_big_old(void)
{
	char line[16];
	size_t at = 0, n;
	unsigned i;

	for (i = 1; at < FUZZ_BIG_OLD; i++) {
		n = (size_t)snprintf(line, sizeof line, "%u\n", i);
		if (n > FUZZ_BIG_OLD - at)
			n = FUZZ_BIG_OLD - at;
		memcpy(big_old + at, line, n);
		at += n;
	}
}

/* Keeps the fuzzer's memory small: a few MiB of output at most. */
#define FUZZ_MAX_NEW (4u << 20)

/*
 * Mutations rarely keep the header's CRC-32 right, so the decoder would
 * stop at the header: the target mends the CRC, and states the fixed old
 * file's size and digest, so that mutated headers and blocks get decoded.
 * The unit tests cover wrong CRCs and wrong old files.
 */
static uint8_t *
mend_header(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	size_t n;

	if (p == NULL)
		abort();
	memcpy(p, data, size);
	/* Version 2 (section 3.4): only the CRC-32 is mended. */
	if (size > PF_DELTA_OFF_VERSION &&
	    p[PF_DELTA_OFF_VERSION] == PF_DELTA_VERSION2) {
		n = pf_delta_header_need(p, size);
		if (n >= 4 && n <= size)
			pf_store_le32(p + n - 4, pf_delta_crc32(p, n - 4));
		return p;
	}
	if (size < PF_DELTA_HEADER_LEN)
		return p;
	pf_store_le64(p + PF_DELTA_OFF_OLD_SIZE, sizeof fuzz_old - 1);
	if (pf_sha256(p + PF_DELTA_OFF_OLD_SHA256, fuzz_old,
	    sizeof fuzz_old - 1) != 0)
		abort();
	pf_store_le32(p + PF_DELTA_OFF_HEADER_CRC32,
	    pf_delta_crc32(p, PF_DELTA_OFF_HEADER_CRC32));
	return p;
}

static pf_ret
rb_open(void *opaque, pf_err *err)
{
	(void)opaque;
	(void)err;
	return PF_OK;
}

/* Copies from NEW (flag SELF) read only what was written: else abort. */
static pf_ret
rb_read_at(void *opaque, uint64_t off, void *p, size_t n, pf_err *err)
{
	const pf_buf *b = opaque;

	(void)err;
	if (off > b->len || n > b->len - off)
		abort();
	memcpy(p, b->data + off, n);
	return PF_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pf_readback rb = { rb_open, rb_read_at, NULL };
	pf_istream in;
	pf_mem_in mem;
	pf_source old;
	pf_ostream out;
	pf_buf buf;
	pf_err err;
	pf_delta_info info;
	uint8_t *input = NULL;

	pf_crypto_init();
	if (big_old[0] == 0)
		make_big_old();
	pf_buf_init(&buf);
	pf_err_clear(&err);
	if (size > 0 && data[0] == PF_DELTA_MAGIC[0])
		data = input = mend_header(data, size);
	pf_istream_from_mem(&in, &mem, data, size);
	if (pf_delta_read_info(data, size, &info, &err) == PF_OK &&
	    info.version == PF_DELTA_VERSION2 && info.old_size == FUZZ_BIG_OLD)
		pf_source_from_mem(&old, big_old, FUZZ_BIG_OLD);
	else
		pf_source_from_mem(&old, fuzz_old, sizeof fuzz_old - 1);
	pf_ostream_to_buf(&out, &buf);
	rb.opaque = &buf;
	if (pf_delta_decode_rb(&in, &old, NULL, &out, &rb, FUZZ_MAX_NEW,
	    &err) == PF_OK &&
	    pf_delta_read_info(data, size, &info, &err) == PF_OK &&
	    buf.len != info.new_size)
		abort();
	if (buf.len > FUZZ_MAX_NEW)
		abort();
	pf_buf_free(&buf);
	free(input);
	return 0;
}
