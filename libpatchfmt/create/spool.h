/*
 * The builder's spool: an unlinked temporary file that holds the stored
 * bytes of blobs until the package is written, so that creating a package
 * keeps in memory only what one file's encoding needs.
 */
#ifndef PF_CREATE_SPOOL_H
#define PF_CREATE_SPOOL_H

#include <stdint.h>

#include "common/err.h"
#include "common/hash.h"
#include "common/stream.h"

typedef struct pf_spool {
	int fd;
	uint64_t len;           /* bytes written so far */
} pf_spool;

/* Opens an anonymous spool in $TMPDIR (or /tmp). */
pf_ret pf_spool_open(pf_spool *s, pf_err *err);
void pf_spool_close(pf_spool *s);

/* Appends n bytes at the end of the spool. */
pf_ret pf_spool_append(pf_spool *s, const void *p, size_t n, pf_err *err);

/* Forgets everything written from off on (a candidate that lost). */
pf_ret pf_spool_cut(pf_spool *s, uint64_t off, pf_err *err);

/* Copies n spooled bytes from off to fd, where the package is written. */
pf_ret pf_spool_copy(const pf_spool *s, uint64_t off, uint64_t n, int fd,
    pf_err *err);

/* An output stream appending to a spool, counting and hashing the bytes. */
typedef struct pf_spool_out {
	pf_spool *spool;
	uint64_t start;
	uint64_t n;
	pf_sha256_ctx h;
} pf_spool_out;

/* so is zeroed before its first start; a new start forgets the last. */
pf_ret pf_spool_out_start(pf_spool_out *so, pf_spool *s, pf_ostream *o,
    pf_err *err);
/* Releases so's hash when it is not pushed (pushing finalizes it). */
void pf_spool_out_discard(pf_spool_out *so);

#endif
