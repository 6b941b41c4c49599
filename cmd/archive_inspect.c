/*
 * patch-inspect's part of issue 10: the paths of a package, one a line
 * (or NUL-terminated), and one new file extracted.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "archive_out.h"
#include "util.h"

int
pf_archive_inspect_opt(pf_archive_inspect *ai, int c, const char *arg)
{
	switch (c) {
	case ARCHIVE_OPT_LIST: ai->list = 1; break;
	case '0': ai->nul = 1; break;
	case ARCHIVE_OPT_EXTRACT: ai->extract = arg; break;
	case 'o': ai->out = arg; break;
	case ARCHIVE_OPT_ROOT: ai->root = arg; break;
	default: return 0;
	}
	return 1;
}

bool
pf_archive_inspect_wanted(const pf_archive_inspect *ai, const char **why)
{
	*why = NULL;
	if (ai->list && ai->extract)
		*why = "--list and --extract exclude each other";
	else if (ai->nul && !ai->list)
		*why = "-0 goes with --list";
	else if ((ai->out || ai->root) && !ai->extract)
		*why = "-o and --root go with --extract";
	else if (ai->extract && !ai->out)
		*why = "--extract needs -o file (or -o -)";
	return ai->list || ai->extract || *why != NULL;
}

/* Paths as they are with -0; one a line, control bytes escaped, else. */
static int
list(const pf_archive_inspect *ai, const pf_manifest *m)
{
	const char *path;
	size_t i;

	for (i = 0; i < pf_manifest_entry_count(m); i++) {
		path = pf_entry_path(pf_manifest_entry(m, i));
		if (ai->nul) {
			fputs(path, stdout);
			putchar('\0');
		} else {
			if (pf_out_text(stdout, path) < 0)
				return pf_fail(PF_ERR_NOMEM, NULL);
			putchar('\n');
		}
	}
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : PF_EXIT_IO;
}

static int
extract(const pf_archive_inspect *ai, pf_reader *r)
{
	const pf_manifest *m = pf_reader_manifest(r);
	const pf_entry *e = pf_manifest_find(m, ai->extract,
	    strlen(ai->extract));
	pf_out_file f;
	pf_ret ret;
	int rc;

	if ((rc = pf_out_open(&f, ai->out)) != 0)
		return rc;
	ret = pf_reader_extract(r, ai->root, ai->extract, f.fd);
	if (pf_out_close(&f, ret == PF_OK, e ?
	    pf_state_mode(pf_entry_state(e, PF_AFTER)) & 0777 : 0) < 0 &&
	    ret == PF_OK)
		return PF_EXIT_IO;
	return ret == PF_OK ? 0 : pf_fail(ret, pf_reader_error(r));
}

int
pf_archive_inspect_run(const pf_archive_inspect *ai, pf_reader *r)
{
	return ai->list ? list(ai, pf_reader_manifest(r)) : extract(ai, r);
}
