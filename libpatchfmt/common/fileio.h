/*
 * Whole reads and writes on descriptors, retried on EINTR and short
 * counts.  Only the install layer and the builder open files by path.
 */
#ifndef PF_COMMON_FILEIO_H
#define PF_COMMON_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"

/* Reads up to n bytes; returns bytes read (less only at end of file). */
pf_ret pf_read_full(int fd, void *buf, size_t n, size_t *got, pf_err *err,
    const char *what);
pf_ret pf_pread_full(int fd, void *buf, size_t n, uint64_t off, pf_err *err,
    const char *what);
pf_ret pf_pwrite_full(int fd, const void *buf, size_t n, uint64_t off,
    pf_err *err, const char *what);
pf_ret pf_write_full(int fd, const void *buf, size_t n, pf_err *err,
    const char *what);
/* Reads an open regular file whole; limit bounds the size accepted. */
pf_ret pf_slurp_fd(int fd, uint64_t limit, uint8_t **data, size_t *len,
    pf_err *err, const char *what);
/*
 * For output that a decoder reads back (pf_readback): *spool is -1 when
 * fd is a regular file open for reading and writing, at offset 0, which
 * can be read back itself; otherwise an unnamed temporary file (in TMPDIR, or /tmp)
 * to copy the output into, which vanishes when it is closed.
 */
pf_ret pf_spool_for(int fd, int *spool, pf_err *err, const char *what);

#endif
