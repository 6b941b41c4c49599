/*
 * SHA-256, the only hash of the format (spec section 2.4), and
 * hexadecimal rendering of digests for messages.
 *
 * One implementation for the whole library: Nettle's, which picks the
 * x86 SHA extensions at run time where the processor has them (Debian
 * builds it "fat").  Measured on this project's machine (bench/RESULTS.md,
 * "SHA-256"): 1.37 GB/s, where OpenSSL's libcrypto does 1.5 GB/s but
 * costs every process 6 to 9 ms to load and initialise (a third of a
 * small apply), and libsodium's portable code 0.15-0.37 GB/s.  libsodium
 * stays for Ed25519.
 *
 * A context is a plain value: nothing to allocate or release.
 * pf_sha256_init keeps its status for the callers, and never fails.
 */
#ifndef PF_COMMON_HASH_H
#define PF_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>
#include <sodium.h>

#define PF_SHA256_LEN 32
#define PF_SHA256_HEX_LEN (2 * PF_SHA256_LEN + 1)

typedef struct pf_sha256_ctx {
	struct sha256_ctx s;
} pf_sha256_ctx;

/* libsodium must be initialised once; safe to call repeatedly. */
int pf_crypto_init(void);
/* 0 (kept for the callers, which were written for a failing init). */
int pf_sha256_init(pf_sha256_ctx *c) __attribute__((warn_unused_result));
void pf_sha256_update(pf_sha256_ctx *c, const void *p, size_t n);
/* Writes the digest; c must be initialised again before reuse. */
void pf_sha256_final(pf_sha256_ctx *c, uint8_t out[PF_SHA256_LEN]);
/* Abandons a context without a digest (nothing to release). */
void pf_sha256_discard(pf_sha256_ctx *c);
/* One-shot digest of p; 0. */
int pf_sha256(uint8_t out[PF_SHA256_LEN], const void *p, size_t n)
	__attribute__((warn_unused_result));
/* Writes 2n hex digits and a NUL into out (2n+1 bytes). */
void pf_hex(char *out, const uint8_t *p, size_t n);
/* Exactly 2n lower-case hex digits into n bytes; -1 otherwise. */
int pf_unhex(uint8_t *out, const char *hex, size_t n);
/* Returns out for use in messages. */
const char *pf_sha256_hex(char out[PF_SHA256_HEX_LEN],
    const uint8_t d[PF_SHA256_LEN]);

#endif
