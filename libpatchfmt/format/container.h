/*
 * The fixed header (spec section 3) and the signature block (section 7).
 */
#ifndef PF_FORMAT_CONTAINER_H
#define PF_FORMAT_CONTAINER_H

#include <stdint.h>

#include "common/err.h"
#include "common/buf.h"
#include "format/format.h"

typedef struct pf_header {
	uint16_t version_major;
	uint16_t version_minor;
	uint64_t required;
	uint64_t optional;
	uint64_t manifest_size;
	uint64_t deps_size;
	uint64_t signature_size;
	uint64_t payload_size;
	uint64_t rollback_size;
} pf_header;

void pf_header_encode(const pf_header *h, uint8_t out[PF_HEADER_SIZE]);
/* n is how many bytes were available: fewer than PF_HEADER_SIZE is an error. */
pf_ret pf_header_decode(pf_header *h, const uint8_t *in, size_t n,
    pf_err *err);

typedef struct pf_signature {
	uint32_t algorithm;
	uint8_t key_id[PF_SIG_KEY_ID_LEN];
	uint8_t sig[PF_SIG_LEN];
} pf_signature;

typedef struct pf_sigblock {
	uint8_t digest[PF_SIG_DIGEST_LEN];
	uint32_t count;
	pf_signature sigs[PF_MAX_SIGNATURES];
} pf_sigblock;

uint64_t pf_sigblock_size(uint32_t count);
void pf_sigblock_encode(const pf_sigblock *s, pf_buf *out);
pf_ret pf_sigblock_decode(pf_sigblock *s, const uint8_t *p, size_t n,
    pf_err *err);

#endif
