/*
 * SHA-256 (libsodium), the only hash of the format (spec section 2.4),
 * and hexadecimal rendering of digests for messages.
 */
#ifndef PF_COMMON_HASH_H
#define PF_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define PF_SHA256_LEN 32
#define PF_SHA256_HEX_LEN (2 * PF_SHA256_LEN + 1)

typedef crypto_hash_sha256_state pf_sha256_ctx;

/* libsodium must be initialised once; safe to call repeatedly. */
int pf_crypto_init(void);
void pf_sha256_init(pf_sha256_ctx *c);
void pf_sha256_update(pf_sha256_ctx *c, const void *p, size_t n);
void pf_sha256_final(pf_sha256_ctx *c, uint8_t out[PF_SHA256_LEN]);
void pf_sha256(uint8_t out[PF_SHA256_LEN], const void *p, size_t n);
/* Writes 2n hex digits and a NUL into out (2n+1 bytes). */
void pf_hex(char *out, const uint8_t *p, size_t n);
/* Exactly 2n lower-case hex digits into n bytes; -1 otherwise. */
int pf_unhex(uint8_t *out, const char *hex, size_t n);
/* Returns out for use in messages. */
const char *pf_sha256_hex(char out[PF_SHA256_HEX_LEN],
    const uint8_t d[PF_SHA256_LEN]);

#endif
