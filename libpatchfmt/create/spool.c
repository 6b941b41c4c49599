#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/fileio.h"
#include "create/spool.h"

/* Bytes copied at once from the spool into the package. */
#define COPY_STEP (1u << 20)

pf_ret
pf_spool_open(pf_spool *s, pf_err *err)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];

	s->len = 0;
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	s->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (s->fd >= 0)
		return PF_OK;
	/* File systems without O_TMPFILE: a named file, unlinked at once. */
	if (snprintf(path, sizeof path, "%s/pf-spool-XXXXXX", dir) >=
	    (int)sizeof path)
		return pf_err_set(err, PF_ERR_USAGE,
		    "temporary directory '%s' has too long a name", dir);
	if ((s->fd = mkostemp(path, O_CLOEXEC)) < 0)
		return pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot create a temporary file in '%s'", dir);
	unlink(path);
	return PF_OK;
}

void
pf_spool_close(pf_spool *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

pf_ret
pf_spool_append(pf_spool *s, const void *p, size_t n, pf_err *err)
{
	pf_ret r;

	if (n == 0)
		return PF_OK;
	r = pf_pwrite_full(s->fd, p, n, s->len, err, "temporary file");
	if (r == PF_OK)
		s->len += n;
	return r;
}

pf_ret
pf_spool_cut(pf_spool *s, uint64_t off, pf_err *err)
{
	if (ftruncate(s->fd, (off_t)off) < 0)
		return pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot truncate a temporary file");
	s->len = off;
	return PF_OK;
}

pf_ret
pf_spool_copy(const pf_spool *s, uint64_t off, uint64_t n, int fd,
    pf_err *err)
{
	uint8_t *buf = malloc(COPY_STEP);
	size_t k;
	pf_ret r = PF_OK;

	if (buf == NULL)
		return pf_err_nomem(err);
	while (n > 0 && r == PF_OK) {
		k = n < COPY_STEP ? (size_t)n : COPY_STEP;
		r = pf_pread_full(s->fd, buf, k, off, err, "temporary file");
		if (r == PF_OK)
			r = pf_write_full(fd, buf, k, err, "package");
		off += k;
		n -= k;
	}
	free(buf);
	return r;
}

static pf_ret
spool_out_write(void *opaque, const void *p, size_t n, pf_err *err)
{
	pf_spool_out *so = opaque;

	pf_sha256_update(&so->h, p, n);
	so->n += n;
	return pf_spool_append(so->spool, p, n, err);
}

pf_ret
pf_spool_out_start(pf_spool_out *so, pf_spool *s, pf_ostream *o,
    pf_err *err)
{
	pf_sha256_discard(&so->h);
	so->spool = s;
	so->start = s->len;
	so->n = 0;
	if (pf_sha256_init(&so->h) != 0)
		return pf_err_nomem(err);
	o->write = spool_out_write;
	o->opaque = so;
	return PF_OK;
}

void
pf_spool_out_discard(pf_spool_out *so)
{
	pf_sha256_discard(&so->h);
}
