/*
 * The audit log, STATE/log (spec section 12.8): one JSON object per line
 * for every transaction, hook run and hot patch, appended with O_APPEND
 * and synced.
 */
#ifndef PF_STATE_AUDIT_H
#define PF_STATE_AUDIT_H

#include <stdbool.h>
#include <stdio.h>

#include "state/db.h"
#include "state/journal.h"

/*
 * Appends line (n bytes, no newline) and a newline, then syncs.  A torn
 * last line (a crash in the middle of a write) is cut off first.  With
 * once, nothing is written when the last line already holds it.
 */
pf_ret pf_audit_append(pf_db *db, const char *line, size_t n,
    const char *once);
/* The line of transaction j, once, as it ends (committed or undone). */
pf_ret pf_audit_txn(pf_db *db, const pf_journal *j, bool committed);
/* Starts a line: {"time":...,"event":"EVENT"; the caller adds members
 * and closes it with pf_audit_close(). */
FILE *pf_audit_open(char **text, size_t *n, const char *event);
pf_ret pf_audit_close(pf_db *db, FILE *f, char **text, size_t *n);

#endif
