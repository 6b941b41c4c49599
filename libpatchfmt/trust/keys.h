/*
 * Ed25519 keys and key files (spec/patchfmt.md section 11), signing and
 * verifying the metadata digest (section 7).
 */
#ifndef PF_TRUST_KEYS_H
#define PF_TRUST_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "format/container.h"

#define PF_KEY_PUB_MAGIC        "PFPK"
#define PF_KEY_SEC_MAGIC        "PFSK"
#define PF_KEY_PUB_LEN          32
#define PF_KEY_SEC_LEN          64
#define PF_KEY_FILE_MAX         4096
#define PF_KEY_COMMENT          "untrusted comment: "

typedef struct pf_pubkey {
	uint8_t id[PF_SIG_KEY_ID_LEN];
	uint8_t pk[PF_KEY_PUB_LEN];
	char *file;                     /* where it came from, for messages */
} pf_pubkey;

typedef struct pf_seckey {
	uint8_t id[PF_SIG_KEY_ID_LEN];
	uint8_t sk[PF_KEY_SEC_LEN];
} pf_seckey;

/* The key ID: the first 8 bytes of SHA-256 of the public key. */
void pf_key_id(uint8_t id[PF_SIG_KEY_ID_LEN], const uint8_t pk[PF_KEY_PUB_LEN]);
/*
 * Reads the key file at path (section 11.1) into *text (free it, after
 * sodium_memzero() for a secret key): opened without blocking, following
 * symbolic links, it must be a regular file of at most PF_KEY_FILE_MAX
 * bytes.  kind, "public" or "secret", names it in messages.  A file that
 * does not exist is missing; any other failure is PF_ERR_TRUST.
 */
pf_ret pf_key_file_read(const char *path, const char *kind, pf_ret missing,
    uint8_t **text, size_t *n, pf_err *err);
/* The same for any file of a keyring: what names it ("public key"),
 * max bounds its size. */
pf_ret pf_trust_file_read(const char *path, const char *what, pf_ret missing,
    size_t max, uint8_t **text, size_t *n, pf_err *err);
/* Parses a key file's text; what says "public" or "secret" in messages. */
pf_ret pf_pubkey_parse(pf_pubkey *k, const char *text, size_t n,
    const char *file, pf_err *err);
/* Reads and parses a public key file; missing as pf_key_file_read(). */
pf_ret pf_pubkey_load(pf_pubkey *k, const char *path, pf_ret missing,
    pf_err *err);
pf_ret pf_seckey_parse(pf_seckey *k, const char *text, size_t n,
    const char *file, pf_err *err);
/* The signed message: PF_SIG_CONTEXT followed by the digest. */
bool pf_sig_verify(const pf_pubkey *k, const pf_signature *s,
    const uint8_t digest[32]);
void pf_sig_make(const pf_seckey *k, const uint8_t digest[32],
    pf_signature *s);
/* Renders a key file ("untrusted comment" line and base64 line). */
pf_ret pf_key_render(char *out, size_t outlen, const char *magic,
    const uint8_t id[PF_SIG_KEY_ID_LEN], const uint8_t *key, size_t keylen,
    const char *kind, pf_err *err);

#endif
