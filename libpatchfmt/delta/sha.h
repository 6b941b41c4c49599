/*
 * SHA-256 for the codec's bulk hashing (old and new, whole files): the
 * x86 SHA extensions where the processor has them, libsodium otherwise.
 * libsodium's portable code hashes about 370 MB/s here, and two whole
 * files are hashed on every apply, which made hashing most of its time.
 * Same digests either way (FIPS 180-4); checked against libsodium by
 * tests/unit/check_delta.c.
 */
#ifndef PF_DELTA_SHA_H
#define PF_DELTA_SHA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"

typedef struct pf_dsha {
	bool ni;                /* the SHA extensions are in use */
	pf_sha256_ctx sodium;   /* otherwise */
	uint32_t h[8];
	uint8_t buf[64];
	size_t buf_len;
	uint64_t total;
} pf_dsha;

void pf_dsha_init(pf_dsha *c);
/* As pf_dsha_init, but never the SHA extensions (for tests). */
void pf_dsha_init_portable(pf_dsha *c);
void pf_dsha_update(pf_dsha *c, const void *p, size_t n);
void pf_dsha_final(pf_dsha *c, uint8_t out[PF_SHA256_LEN]);
void pf_dsha_digest(uint8_t out[PF_SHA256_LEN], const void *p, size_t n);

#endif
