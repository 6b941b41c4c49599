/*
 * patch-apply --output and --output-tar, patch-inspect --extract: the new
 * files rebuilt from the package and the old ones under a root, written
 * elsewhere, so that a package manager can install them its own way
 * (as applydeltarpm rebuilds an RPM).  The root is only read.
 */
#ifndef PF_INSTALL_OUTPUT_H
#define PF_INSTALL_OUTPUT_H

#include "libpatchfmt.h"
#include "common/err.h"

/*
 * Checks and verifies t (pf_txn_check, pf_txn_verify), then writes the
 * new state of every path the package adds or changes, with the
 * directories above them, into the new directory dir: built as a
 * temporary sibling and renamed to dir only once complete.
 */
pf_ret pf_txn_output_dir(pf_txn *t, const char *dir);

/*
 * The same as a POSIX tar archive (pax: owners, names, modes, times,
 * extended attributes, hard links) written to fd, once everything is
 * rebuilt in a temporary directory under $TMPDIR.
 */
pf_ret pf_txn_output_tar(pf_txn *t, int fd);

/*
 * The new content of path into fd: from the package alone when its
 * payload has no base, else from the old file under root (NULL: none,
 * an error that says --root is needed), which must match the package.
 */
pf_ret pf_output_extract(pf_reader *r, const char *root, const char *path,
    int fd, pf_err *err);

#endif
