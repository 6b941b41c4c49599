#ifndef PF_TRUST_KEYRING_H
#define PF_TRUST_KEYRING_H

#include "libpatchfmt.h"
#include "trust/keys.h"

struct pf_keyring {
	pf_err err;
	pf_pubkey *keys;
	size_t n;
};

const pf_pubkey *pf_keyring_find(const pf_keyring *k,
    const uint8_t id[PF_SIG_KEY_ID_LEN]);

#endif
