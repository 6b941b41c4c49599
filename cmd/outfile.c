/* Output files written whole or not at all (outfile.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "util.h"

int
pf_out_begin(pf_out_file *f, const char *path, unsigned flags)
{
	memset(f, 0, sizeof *f);
	f->flags = flags;
	if (strcmp(path, "-") == 0) {
		f->fd = STDOUT_FILENO;
		return 0;
	}
	f->path = path;
	if ((size_t)snprintf(f->tmp, sizeof f->tmp, "%s.XXXXXX", path) >=
	    sizeof f->tmp) {
		f->tmp[0] = '\0';
		f->fd = -1;
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((f->fd = mkostemp(f->tmp, O_CLOEXEC)) < 0) {
		f->tmp[0] = '\0';
		return -1;
	}
	return 0;
}

int
pf_out_finish(pf_out_file *f, bool ok, unsigned mode)
{
	int rc = ok ? 0 : -1, e = 0;

	if (f->path == NULL)
		return rc;
	if (f->fd < 0)
		return -1;
	if (ok && (fchmod(f->fd, mode) < 0 ||
	    ((f->flags & PF_OUT_SYNC) && fsync(f->fd) < 0)))
		rc = -1, e = errno;
	if (close(f->fd) < 0 && rc == 0)
		rc = -1, e = errno;
	f->fd = -1;
	if (rc == 0 && ((f->flags & PF_OUT_REPLACE) ? rename(f->tmp,
	    f->path) : renameat2(AT_FDCWD, f->tmp, AT_FDCWD, f->path,
	    RENAME_NOREPLACE)) < 0)
		rc = -1, e = errno;
	if (rc < 0) {
		unlink(f->tmp);
		if (e != 0)
			errno = e;
	}
	return rc;
}

int
pf_out_exists(const char *path)
{
	return pf_fail_path(PF_ERR_USAGE, path, "'%s' exists: give -f to "
	    "replace it", pf_shown(path));
}

int
pf_out_check(const char *path, bool force)
{
	struct stat st;

	if (force || strcmp(path, "-") == 0 || lstat(path, &st) < 0)
		return 0;
	return pf_out_exists(path);
}
