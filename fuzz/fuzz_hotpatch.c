/*
 * Fuzz target for the hot-patch record and the undo record decoders
 * (spec/hotpatch.md): untrusted bytes from a package or a state
 * directory.  A record that decodes must validate, and encode back to
 * the very same bytes (the encoding is canonical).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "live/hotpatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
hotpatch(const uint8_t *data, size_t size)
{
	pf_hotpatch *hp;
	pf_buf b;
	pf_err err;

	if (pf_hotpatch_decode(data, size, &hp, &err) != PF_OK)
		return;
	if (pf_hotpatch_validate(hp, &err) != PF_OK)
		abort();
	pf_buf_init(&b);
	if (pf_hotpatch_encode(hp, &b) != PF_OK || b.len != size ||
	    memcmp(b.data, data, size) != 0)
		abort();
	pf_buf_free(&b);
	pf_hotpatch_free(hp);
}

static void
undo(const uint8_t *data, size_t size)
{
	pf_live_undo *u;
	pf_buf b;
	pf_err err;

	if (pf_live_undo_decode(data, size, &u, &err) != PF_OK)
		return;
	pf_buf_init(&b);
	if (pf_live_undo_encode(u, &b) != PF_OK || b.len != size ||
	    memcmp(b.data, data, size) != 0)
		abort();
	pf_buf_free(&b);
	pf_live_undo_free(u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hotpatch(data, size);
	undo(data, size);
	return 0;
}
