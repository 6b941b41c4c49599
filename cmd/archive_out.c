/*
 * Files written by the tools for issue 10: a new file appears under its
 * name only when complete (outfile.h), and binary data goes to standard
 * output only when that is no terminal.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive_out.h"
#include "util.h"

int
pf_out_open(pf_out_file *f, const char *path)
{
	if (strcmp(path, "-") == 0 && isatty(STDOUT_FILENO))
		return pf_fail_path(PF_ERR_USAGE, path, "standard output is a "
		    "terminal: give a file or redirect it");
	if (pf_out_begin(f, path, PF_OUT_REPLACE | PF_OUT_SYNC) < 0)
		return pf_fail_path(PF_ERR_IO, path, "cannot create a file "
		    "beside '%s': %s", pf_shown(path), strerror(errno));
	return 0;
}

int
pf_out_close(pf_out_file *f, bool ok, unsigned mode)
{
	if (pf_out_finish(f, ok, mode) == 0)
		return 0;
	if (ok)
		pf_fail_path(PF_ERR_IO, f->path, "cannot write '%s': %s",
		    pf_shown(f->path), strerror(errno));
	return -1;
}

int
pf_out_text(FILE *f, const char *s)
{
	/* Each byte takes at most four bytes escaped, as \xHH. */
	size_t n = 4 * strlen(s) + 1;
	char *buf = malloc(n);

	if (buf == NULL)
		return -1;
	fputs(pf_text_escape(buf, n, s), f);
	free(buf);
	return 0;
}
