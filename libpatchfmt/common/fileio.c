#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"

pf_ret
pf_read_full(int fd, void *buf, size_t n, size_t *got, pf_err *err,
    const char *what)
{
	uint8_t *p = buf;
	size_t done = 0;
	ssize_t k;

	while (done < n) {
		k = read(fd, p + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return pf_err_errno(err, PF_ERR_IO, errno,
			    "cannot read '%s'", what);
		if (k == 0)
			break;
		done += (size_t)k;
	}
	*got = done;
	return PF_OK;
}

pf_ret
pf_pread_full(int fd, void *buf, size_t n, uint64_t off, pf_err *err,
    const char *what)
{
	uint8_t *p = buf;
	ssize_t k;

	while (n > 0) {
		k = pread(fd, p, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return pf_err_errno(err, PF_ERR_IO, errno,
			    "cannot read '%s'", what);
		if (k == 0)
			return pf_err_set(err, PF_ERR_IO,
			    "cannot read '%s': file shrank while reading", what);
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return PF_OK;
}

pf_ret
pf_pwrite_full(int fd, const void *buf, size_t n, uint64_t off, pf_err *err,
    const char *what)
{
	const uint8_t *p = buf;
	ssize_t k;

	while (n > 0) {
		k = pwrite(fd, p, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return pf_err_errno(err, PF_ERR_IO, k < 0 ? errno : EIO,
			    "cannot write '%s'", what);
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return PF_OK;
}

pf_ret
pf_write_full(int fd, const void *buf, size_t n, pf_err *err,
    const char *what)
{
	const uint8_t *p = buf;
	ssize_t k;

	while (n > 0) {
		k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return pf_err_errno(err, PF_ERR_IO, errno,
			    "cannot write '%s'", what);
		p += k;
		n -= (size_t)k;
	}
	return PF_OK;
}

pf_ret
pf_slurp_fd(int fd, uint64_t limit, uint8_t **data, size_t *len, pf_err *err,
    const char *what)
{
	struct stat st;
	uint8_t *p = NULL;
	size_t got;
	pf_ret r;

	if (fstat(fd, &st) < 0)
		return pf_err_errno(err, PF_ERR_IO, errno, "cannot stat '%s'",
		    what);
	if (!S_ISREG(st.st_mode))
		return pf_err_set(err, PF_ERR_IO, "'%s' is not a regular file",
		    what);
	if ((uint64_t)st.st_size > limit || (uint64_t)st.st_size > SIZE_MAX - 1)
		return pf_err_set(err, PF_ERR_USAGE, "'%s' is too large", what);
	/* One spare byte tells whether the file grew while we read it. */
	p = malloc((size_t)st.st_size + 1);
	if (p == NULL)
		return pf_err_nomem(err);
	r = pf_read_full(fd, p, (size_t)st.st_size + 1, &got, err, what);
	if (r == PF_OK && got != (size_t)st.st_size)
		r = pf_err_set(err, PF_ERR_IO,
		    "'%s' changed size while it was read", what);
	if (r != PF_OK) {
		free(p);
		return r;
	}
	*data = p;
	*len = got;
	return PF_OK;
}

/* An unnamed file in dir: O_TMPFILE, or a named one unlinked at once. */
static int
anon_file(const char *dir)
{
	char path[4096];
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL))
		return fd;
	if ((size_t)snprintf(path, sizeof path, "%s/pfspool.XXXXXX", dir) >=
	    sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) >= 0)
		unlink(path);
	return fd;
}

pf_ret
pf_spool_for(int fd, int *spool, pf_err *err, const char *what)
{
	const char *dir = getenv("TMPDIR");
	struct stat st;
	int fl;

	*spool = -1;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (fl = fcntl(fd, F_GETFL)) >= 0 && (fl & O_ACCMODE) == O_RDWR &&
	    lseek(fd, 0, SEEK_CUR) == 0)
		return PF_OK;
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((*spool = anon_file(dir)) < 0)
		return pf_err_errno(err, PF_ERR_IO, errno, "cannot create a "
		    "temporary file in '%s' to read '%s' back", dir, what);
	return PF_OK;
}
