#ifndef PF_TRUST_KEYRING_H
#define PF_TRUST_KEYRING_H

#include "libpatchfmt.h"
#include "trust/keys.h"

/* A key the root metadata names but does not trust, and why. */
typedef struct pf_distrust {
	uint8_t id[PF_SIG_KEY_ID_LEN];
	char why[128];
} pf_distrust;

struct pf_keyring {
	pf_err err;
	pf_pubkey *keys;
	size_t n;
	/* spec/keyring.md: set when the directory holds root metadata. */
	bool rooted;
	unsigned threshold;
	pf_distrust *gone;
	size_t ngone;
};

const pf_pubkey *pf_keyring_find(const pf_keyring *k,
    const uint8_t id[PF_SIG_KEY_ID_LEN]);
pf_ret pf_keyring_add_key(pf_keyring *k, const pf_pubkey *key,
    const char *path);
/* keyroot.c: loads DIR/root.pfkr if there is one (*found). */
pf_ret pf_keyring_add_root(pf_keyring *k, const char *dir, bool *found);

#endif
