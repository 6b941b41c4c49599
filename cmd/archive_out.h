/* Output files written whole or not at all (cmd/archive_out.c). */
#ifndef PF_CMD_ARCHIVE_OUT_H
#define PF_CMD_ARCHIVE_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "outfile.h"

/* Opens a temporary file beside path (or stdout, if no terminal), to
 * replace path, synced; 0, or the exit status once the failure is
 * reported. */
int pf_out_open(pf_out_file *f, const char *path);
/* With ok, gives it mode and renames it to path; else removes it.
 * 0, or -1 (a failure with ok is reported). */
int pf_out_close(pf_out_file *f, bool ok, unsigned mode);
/* s escaped as pf_text_escape() does, however long; -1: no memory. */
int pf_out_text(FILE *f, const char *s);

#endif
