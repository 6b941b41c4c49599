#include <config.h>

#include <stdio.h>

#include "common/hash.h"
#include "trust/keyring.h"
#include "trust/sign.h"

pf_ret
pf_keyring_keygen(pf_keyring *k, const char *name, char keyid[17])
{
	uint8_t id[PF_SIG_KEY_ID_LEN];
	pf_ret r;

	pf_err_clear(&k->err);
	r = pf_key_generate(name, id, &k->err);
	if (r == PF_OK)
		pf_hex(keyid, id, sizeof id);
	return r;
}
