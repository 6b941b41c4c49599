/*
 * Internal side of pf_reader: decoding one blob once the package is
 * verified, for the install layer.
 */
#ifndef PF_PACKAGE_READER_H
#define PF_PACKAGE_READER_H

#include "libpatchfmt.h"
#include "common/stream.h"
#include "format/container.h"

/*
 * Decodes blob idx into out.  base is the content the codec works
 * against (the other state of the entry) for delta blobs, else NULL.
 * Writes at most the blob's decoded size.
 */
pf_ret pf_reader_decode_blob(pf_reader *r, uint32_t idx, const pf_source *base,
    pf_ostream *out, pf_err *err);
/* The same, with out read back through rb (spec/delta.md section 5.3). */
pf_ret pf_reader_decode_blob_rb(pf_reader *r, uint32_t idx,
    const pf_source *base, pf_ostream *out, const pf_readback *rb,
    pf_err *err);
const pf_header *pf_reader_header(const pf_reader *r);
/* A blob with no base, decoded whole into memory (bounded by the
 * manifest's decoded size, which validation limited). */
struct pf_buf;
struct pf_hotpatch;
/* The hot-patch record of entry i, decoded (spec/hotpatch.md). */
pf_ret pf_reader_live(pf_reader *r, size_t entry, struct pf_hotpatch **out,
    pf_err *err);
pf_ret pf_reader_blob_to_buf(pf_reader *r, uint32_t idx, struct pf_buf *out,
    pf_err *err);
/* The reader's own error, for functions that report through it. */
pf_err *pf_reader_err(pf_reader *r);
/* The reader closes its input descriptor when it is freed. */
void pf_reader_own_fd(pf_reader *r);
const pf_sigblock *pf_reader_sigblock(const pf_reader *r);
/*
 * Opens the applier's own copy of an installed package: integrity is
 * checked as for any package, and its metadata digest must be the one
 * recorded at install time; only then is it trusted (for a rollback).
 */
pf_ret pf_reader_open_installed(pf_reader **out, int fd,
    const uint8_t digest[32]);
/* SHA-256 of the whole package as it was verified. */
const uint8_t *pf_reader_file_sha256(const pf_reader *r);

/*
 * Section 5.5: when blob idx is a pfdelta, its header (head, the first n
 * bytes of the blob) names the entry's base and the state the blob makes
 * (corrupt otherwise).  Needs pf_manifest_validate() first.
 * (package/delta_check.c)
 */
pf_ret pf_manifest_check_delta(const pf_manifest *m, size_t idx,
    const uint8_t *head, size_t n, pf_err *err);

#endif
