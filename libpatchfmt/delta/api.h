/* The pf_delta handle of libpatchfmt_delta.h, shared by its two halves. */
#ifndef PF_DELTA_API_H
#define PF_DELTA_API_H

#include "libpatchfmt_delta.h"
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/hash.h"
#include "common/stream.h"

struct pf_delta {
	pf_err err;
	char *name[3];
	unsigned threads;
	pf_delta_format format;
	uint64_t memory;        /* pf_delta_set_memory(); 0: the default */
	bool no_sha256;         /* pf_delta_set_header_sha256(d, 0) */
	bool want[2];           /* pf_delta_set_sha256() of old, of new */
	bool staged;            /* pf_delta_set_new_staged() */
	uint8_t sha256[2][32];
};

/* Checks old against the SHA-256 given with pf_delta_set_sha256(). */
pf_ret pf_delta_check_want_old(pf_delta *d, const pf_source *old);
/* Finishes h, the hash of what was made, and checks it likewise. */
pf_ret pf_delta_check_want_new(pf_delta *d, pf_sha256_ctx *h);

/* The name given for which, or a description of the file. */
const char *pf_delta_name(const pf_delta *d, pf_delta_file which);

#endif
