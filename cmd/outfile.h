/*
 * Output files that appear under their name only when complete: written
 * to a temporary file beside the name, then renamed into place (or
 * removed after a failure).  One implementation for the tools' outputs:
 * packages, deltas, archives.
 */
#ifndef PF_CMD_OUTFILE_H
#define PF_CMD_OUTFILE_H

#include <limits.h>
#include <stdbool.h>

/* How pf_out_finish() puts the file in place. */
enum {
	PF_OUT_REPLACE = 1,     /* over an existing file (else EEXIST) */
	PF_OUT_SYNC = 2,        /* forced to disk before the rename */
};

typedef struct pf_out_file {
	const char *path;       /* NULL: standard output */
	char tmp[PATH_MAX];
	int fd;
	unsigned flags;
} pf_out_file;

/*
 * Opens a temporary file beside path, or takes standard output for "-";
 * 0, or -1 with errno (ENAMETOOLONG for a path without room for the
 * suffix).
 */
int pf_out_begin(pf_out_file *f, const char *path, unsigned flags);
/*
 * With ok, gives the file mode (and syncs it with PF_OUT_SYNC) and
 * renames it to its name, without PF_OUT_REPLACE only if the name is
 * free; else, or when that fails, removes it.  0, or -1 with errno
 * (EEXIST: the name was taken meanwhile); -1 whenever !ok.
 */
int pf_out_finish(pf_out_file *f, bool ok, unsigned mode);

/*
 * Whether path ("-": standard output) may be written: 0 when it is free
 * or force; else "'PATH' exists: give -f to replace it" on standard
 * error and the exit status of a usage error.  The same words follow pf_out_finish()'s
 * EEXIST, through pf_out_exists().
 */
int pf_out_check(const char *path, bool force);
int pf_out_exists(const char *path);

#endif
