/*
 * The tools' side of builds as archives and of dpkg (issue 10):
 * patch-apply's dpkg check and --output, patch-inspect's --list and
 * --extract, patch-status's look at dpkg's md5sums.
 */
#ifndef PF_CMD_ARCHIVE_H
#define PF_CMD_ARCHIVE_H

#include <stdbool.h>

#include "libpatchfmt.h"

/*
 * Section 5.1.7, before anything is written: 0 when dpkg's status under
 * root agrees with the package or there is none, else the exit status
 * (16 not installed, 1 another version) once the reason is told.
 */
int pf_archive_dpkg_check(const char *root, pf_reader *r, bool json);

/* patch-apply --output DIR, --output-tar FILE|- (option codes). */
enum { ARCHIVE_OPT_OUTPUT = 0x4100, ARCHIVE_OPT_OUTPUT_TAR,
	ARCHIVE_OPT_LIST, ARCHIVE_OPT_EXTRACT, ARCHIVE_OPT_ROOT };
#define ARCHIVE_APPLY_LONGOPTS \
	{ "output", required_argument, NULL, ARCHIVE_OPT_OUTPUT }, \
	{ "output-tar", required_argument, NULL, ARCHIVE_OPT_OUTPUT_TAR }
#define ARCHIVE_APPLY_USAGE "[--output dir | --output-tar file] "

typedef struct pf_archive_out {
	const char *dir;                /* --output */
	const char *tar;                /* --output-tar, "-": stdout */
} pf_archive_out;

/* An option of ARCHIVE_APPLY_LONGOPTS: 1 when it was one, else 0. */
int pf_archive_out_opt(pf_archive_out *ao, int c, const char *arg);
/*
 * The new files rebuilt from the old ones under root, written to
 * ao->dir or ao->tar, with the root and the state directory untouched.
 */
int pf_archive_output(const pf_archive_out *ao, const char *root,
    pf_reader *r, unsigned txn_flags, bool json);

/* patch-inspect --list [-0], --extract PATH -o FILE [--root DIR]. */
#define ARCHIVE_INSPECT_LONGOPTS \
	{ "list", no_argument, NULL, ARCHIVE_OPT_LIST }, \
	{ "extract", required_argument, NULL, ARCHIVE_OPT_EXTRACT }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "root", required_argument, NULL, ARCHIVE_OPT_ROOT }
#define ARCHIVE_INSPECT_SHORTOPTS "0o:"
#define ARCHIVE_INSPECT_USAGE \
    "[--list [-0] | --extract path -o file [--root dir]] "

typedef struct pf_archive_inspect {
	int list, nul;
	const char *extract, *out, *root;
} pf_archive_inspect;

int pf_archive_inspect_opt(pf_archive_inspect *ai, int c, const char *arg);
/* Whether an option asked for a list or an extract; a usage message
 * in *why when the options do not go together. */
bool pf_archive_inspect_wanted(const pf_archive_inspect *ai,
    const char **why);
int pf_archive_inspect_run(const pf_archive_inspect *ai, pf_reader *r);

/*
 * patch-status: for each patch in force from a Debian package, the files
 * it changed that dpkg's md5sums no longer match, as text lines, or as
 * the members of a JSON array (first tells whether one came before).
 */
void pf_archive_status_dpkg(pf_db *db, const pf_db_info *p, const char *root,
    bool json, bool *first);

#endif
