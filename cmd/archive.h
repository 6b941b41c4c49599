/*
 * The tools' side of builds as archives and of dpkg (issue 10):
 * patch-apply's dpkg check and --output, patch-inspect's --list and
 * --extract, patch-status's look at dpkg's md5sums.
 */
#ifndef PF_CMD_ARCHIVE_H
#define PF_CMD_ARCHIVE_H

#include <stdbool.h>

#include "libpatchfmt.h"

/* The exit status for "not installed" (README; the "cli" work's 16). */
#define ARCHIVE_EXIT_NOT_INSTALLED 16

/*
 * Section 5.1.7, before anything is written: 0 when dpkg's status under
 * root agrees with the package or there is none, else the exit status
 * (16 not installed, 1 another version) once the reason is told.
 */
int pf_archive_dpkg_check(const char *root, const pf_reader *r, bool json);

/*
 * patch-status: for each patch in force from a Debian package, the files
 * it changed that dpkg's md5sums no longer match, as text lines, or as
 * the members of a JSON array (first tells whether one came before).
 */
void pf_archive_status_dpkg(pf_db *db, const pf_db_info *p, const char *root,
    bool json, bool *first);

#endif
