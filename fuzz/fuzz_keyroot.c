/*
 * Fuzz target: the root-metadata parser (spec/keyring.md), which reads a
 * keyring's root.pfkr before anything of it is trusted, and the check of
 * its signatures.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "trust/root.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *out;
	pf_root *r;
	pf_err err;
	size_t n;
	unsigned count;

	pf_crypto_init();
	if ((r = malloc(sizeof *r)) == NULL)
		return 0;
	if (pf_root_parse(r, data, size, &err) == PF_OK) {
		/* Canonical: what parses is written back byte for byte. */
		if ((out = malloc(PF_ROOT_FILE_MAX)) == NULL)
			__builtin_trap();
		n = pf_root_serialize(r, out);
		if (n != size || memcmp(out, data, n) != 0)
			__builtin_trap();
		free(out);
		(void)pf_root_check(r, &err);
		(void)pf_root_signed_by(r, r, &count, &err);
		if (count > r->nroot)
			__builtin_trap();
	}
	free(r);
	return 0;
}
