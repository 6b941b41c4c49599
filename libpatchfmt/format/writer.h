/*
 * Writing a package front to back (spec section 2.5).
 */
#ifndef PF_FORMAT_WRITER_H
#define PF_FORMAT_WRITER_H

#include "libpatchfmt.h"
#include "common/err.h"
#include "format/container.h"

/* Adds signatures over the metadata digest to sb (section 7). */
typedef pf_ret (*pf_sign_fn)(void *opaque, const uint8_t digest[32],
    pf_sigblock *sb, pf_err *err);

typedef struct pf_write_opts {
	uint64_t required;              /* feature bits (section 3.1) */
	uint32_t n_signatures;          /* how many sign will add */
	pf_sign_fn sign;
	void *sign_opaque;
	/* Writes blob i's stored bytes to fd; NULL: they are data[i]. */
	pf_ret (*write_blob)(void *opaque, size_t i, int fd, pf_err *err);
	void *blob_opaque;
} pf_write_opts;

/*
 * Validates m (filling blob offsets), then writes header, manifest,
 * dependency list, signature block and the blobs.  data[i] holds the
 * stored bytes of blob i (m->blobs[i].stored_size of them).
 */
pf_ret pf_package_write(int fd, pf_manifest *m, uint8_t *const *data,
    const pf_write_opts *o, pf_err *err);

#endif
