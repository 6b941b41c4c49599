/*
 * Reading the metadata of spec/patchfmt.md section 5.4.1 and 5.4.2 from
 * the file system: extended attributes and the data extents of sparse
 * files.  Shared by the builder and the applier; nothing here opens a
 * file, and holes are found with lseek(2) SEEK_DATA and SEEK_HOLE.
 */
#ifndef PF_INSTALL_FSMETA_H
#define PF_INSTALL_FSMETA_H

#include <stdbool.h>
#include <stdint.h>

#include "libpatchfmt.h"
#include "common/err.h"
#include "common/hash.h"

/*
 * Replaces s->xattrs with the extended attributes of fd, or, with fd -1,
 * of path without following a symlink, sorted by name.  A file system
 * without extended attributes has none.  what names the file in errors.
 */
pf_ret pf_fsmeta_xattrs(int fd, const char *path, pf_state *s, pf_err *err,
    const char *what);
/*
 * Sets s->sparse and s->extents from the data extents of fd, a regular
 * file of s->size bytes; a file without holes is left dense.
 */
pf_ret pf_fsmeta_extents(int fd, pf_state *s, pf_err *err, const char *what);
/* Feeds n zero bytes to a hash: the content of a hole. */
void pf_fsmeta_hash_zeros(pf_sha256_ctx *h, uint64_t n);
#endif
