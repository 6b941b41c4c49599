#ifndef PF_TRUST_SIGN_H
#define PF_TRUST_SIGN_H

#include "trust/keys.h"

typedef struct pf_signers {
	pf_seckey keys[PF_MAX_SIGNATURES];
	size_t n;
} pf_signers;

/* Makes NAME.key (mode 0600) and NAME.pub; never replaces a file. */
pf_ret pf_key_generate(const char *name, uint8_t id[PF_SIG_KEY_ID_LEN],
    pf_err *err);
pf_ret pf_seckey_load(pf_seckey *k, const char *path, pf_err *err);
/* A pf_sign_fn (format/writer.h) over a pf_signers. */
pf_ret pf_sign_all(void *opaque, const uint8_t digest[32], pf_sigblock *sb,
    pf_err *err);

#endif
