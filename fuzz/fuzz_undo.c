/*
 * Fuzz target for the hot-patch journal decoder (spec/hotpatch.md
 * section 9.1): the files under STATE/live/, read back by every later
 * patch-apply, patch-rollback and patch-status --pid, and by the
 * recovery of a killed one.  A journal that decodes must encode back to
 * the very same bytes (the encoding is canonical) and name only
 * modules that decode on their own.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "live/hotpatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pf_live_journal *j;
	pf_buf b;
	pf_err err;
	size_t i;

	if (pf_live_journal_decode(data, size, &j, &err) != PF_OK)
		return 0;
	if (j->phase < PF_LIVE_APPLYING || j->phase > PF_LIVE_REVERTING)
		abort();
	for (i = 0; i < j->n_mods; i++)
		if (j->mods[i] == NULL || j->mods[i]->build_id_len == 0 ||
		    j->mods[i]->build_id_len > sizeof j->mods[i]->build_id)
			abort();
	pf_buf_init(&b);
	if (pf_live_journal_encode(j, &b) != PF_OK || b.len != size ||
	    memcmp(b.data, data, size) != 0)
		abort();
	pf_buf_free(&b);
	pf_live_journal_free(j);
	return 0;
}
