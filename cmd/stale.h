/*
 * After files are replaced on disk, the processes that still run the
 * old copies (as needrestart tells): patch-apply --live.
 */
#ifndef PF_CMD_STALE_H
#define PF_CMD_STALE_H

#include <stdbool.h>
#include <stddef.h>

#include "libpatchfmt.h"

/*
 * Prints, for each process but those in skip[0..n_skip), each mapping
 * of a deleted file whose path is an entry of m under root: text
 * ("process PID (COMM) still maps PATH, replaced on disk: restart it")
 * or JSON lines.  Returns the number of processes listed.
 */
size_t pf_stale_report(const pf_manifest *m, const char *root,
    const unsigned *skip, size_t n_skip, bool json, const char *id);

#endif
