/*
 * SHA-256, the only hash of the format (spec section 2.4), and
 * hexadecimal rendering of digests for messages.
 *
 * One implementation for the whole library: OpenSSL's libcrypto (EVP),
 * which uses the x86 SHA extensions or AVX2 where the processor has
 * them.  Measured on this project's machine (bench/RESULTS.md, "SHA-256"):
 * about 1.4 GB/s, where libsodium's portable code does 0.15-0.37 GB/s and
 * the hand-written SHA-NI code this replaced 0.6-0.8 GB/s.  libsodium
 * stays for Ed25519.
 *
 * A context holds an EVP context allocated by pf_sha256_init, which can
 * therefore fail (out of memory); pf_sha256_final releases it, and
 * pf_sha256_discard releases one that is abandoned on an error path.
 */
#ifndef PF_COMMON_HASH_H
#define PF_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define PF_SHA256_LEN 32
#define PF_SHA256_HEX_LEN (2 * PF_SHA256_LEN + 1)

typedef struct pf_sha256_ctx {
	struct evp_md_ctx_st *md;   /* NULL before init and after final */
} pf_sha256_ctx;

/* libsodium must be initialised once; safe to call repeatedly. */
int pf_crypto_init(void);
/* 0, or -1 when out of memory (c is then as after discard). */
int pf_sha256_init(pf_sha256_ctx *c) __attribute__((warn_unused_result));
void pf_sha256_update(pf_sha256_ctx *c, const void *p, size_t n);
/*
 * Writes the digest and releases the context.  With the default provider
 * it cannot fail; if libcrypto ever reported a failure, out would be all
 * zero bytes, which no content of the format is expected to hash to, so
 * every comparison fails closed.
 */
void pf_sha256_final(pf_sha256_ctx *c, uint8_t out[PF_SHA256_LEN]);
/* Releases a context without a digest; safe after final or a failed init. */
void pf_sha256_discard(pf_sha256_ctx *c);
/* One-shot digest of p; 0, or -1 when out of memory. */
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
