/*
 * Fuzz target: the key-file parsers (spec/patchfmt.md section 11.1), the
 * public one that reads every file of a keyring and the secret one that
 * patch-create reads, on the same bytes.
 */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "common/hash.h"
#include "trust/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pf_pubkey pk;
	pf_seckey sk;
	pf_err err;
	uint8_t id[PF_SIG_KEY_ID_LEN];

	pf_crypto_init();
	/* A key that parses is whole: its ID is the ID of its key. */
	if (pf_pubkey_parse(&pk, (const char *)data, size, "fuzz", &err) ==
	    PF_OK) {
		pf_key_id(id, pk.pk);
		if (memcmp(id, pk.id, sizeof id) != 0)
			__builtin_trap();
	}
	if (pf_seckey_parse(&sk, (const char *)data, size, "fuzz", &err) ==
	    PF_OK) {
		pf_key_id(id, sk.sk + 32);
		if (memcmp(id, sk.id, sizeof id) != 0)
			__builtin_trap();
	}
	return 0;
}
