/*
 * Files written by the tools for issue 10: a new file appears under its
 * name only when complete (a temporary file beside it, renamed), and
 * binary data goes to standard output only when that is no terminal.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_out.h"
#include "util.h"

int
pf_out_open(pf_out_file *f, const char *path)
{
	memset(f, 0, sizeof *f);
	f->path = path;
	if (strcmp(path, "-") == 0) {
		if (isatty(STDOUT_FILENO))
			return pf_fail_path(PF_ERR_USAGE, path, "standard output "
			    "is a terminal: give a file or redirect it");
		f->fd = STDOUT_FILENO;
		return 0;
	}
	if (snprintf(f->tmp, sizeof f->tmp, "%s.XXXXXX", path) >=
	    (int)sizeof f->tmp || (f->fd = mkostemp(f->tmp, O_CLOEXEC)) < 0) {
		f->tmp[0] = '\0';
		return pf_fail_path(PF_ERR_IO, path, "cannot create a file "
		    "beside '%s': %s", pf_shown(path), strerror(errno));
	}
	return 0;
}

int
pf_out_close(pf_out_file *f, bool ok, unsigned mode)
{
	int rc = 0;

	if (f->fd == STDOUT_FILENO)
		return ok ? 0 : -1;
	if (ok && (fchmod(f->fd, mode) < 0 || fsync(f->fd) < 0))
		rc = -1;
	if (close(f->fd) < 0)
		rc = -1;
	if (ok && rc == 0 && rename(f->tmp, f->path) < 0)
		rc = -1;
	if (rc < 0 && ok)
		pf_fail_path(PF_ERR_IO, f->path, "cannot write '%s': %s",
		    pf_shown(f->path), strerror(errno));
	if (!ok || rc < 0)
		unlink(f->tmp);
	return ok ? rc : -1;
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
