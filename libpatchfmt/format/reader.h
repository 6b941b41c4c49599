/*
 * Internal side of pf_reader: decoding one blob once the package is
 * verified, for the install layer.
 */
#ifndef PF_FORMAT_READER_H
#define PF_FORMAT_READER_H

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
const pf_header *pf_reader_header(const pf_reader *r);
/* The reader closes its input descriptor when it is freed. */
void pf_reader_own_fd(pf_reader *r);
const pf_sigblock *pf_reader_sigblock(const pf_reader *r);

#endif
