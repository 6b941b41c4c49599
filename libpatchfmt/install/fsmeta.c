#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "install/fsmeta.h"
#include "format/format.h"
#include "format/manifest.h"

static ssize_t
list_names(int fd, const char *path, char *buf, size_t n)
{
	return fd >= 0 ? flistxattr(fd, buf, n) : llistxattr(path, buf, n);
}

static ssize_t
get_value(int fd, const char *path, const char *name, void *buf, size_t n)
{
	return fd >= 0 ? fgetxattr(fd, name, buf, n) :
	    lgetxattr(path, name, buf, n);
}

static bool
unsupported(int e)
{
	return e == ENOTSUP || e == ENODATA;
}

/* The NUL-separated list of names; *names NULL when there are none. */
static pf_ret
read_names(int fd, const char *path, char **names, size_t *len, pf_err *err,
    const char *what)
{
	ssize_t n;
	int tries;

	*names = NULL;
	*len = 0;
	for (tries = 0; tries < 8; tries++) {
		free(*names);
		*names = NULL;
		if ((n = list_names(fd, path, NULL, 0)) < 0)
			return unsupported(errno) ? PF_OK : pf_err_errno(err,
			    PF_ERR_IO, errno, "cannot list the extended "
			    "attributes of '%s'", what);
		if (n == 0)
			return PF_OK;
		if ((*names = malloc((size_t)n)) == NULL)
			return pf_err_nomem(err);
		n = list_names(fd, path, *names, (size_t)n);
		if (n >= 0) {
			*len = (size_t)n;
			return PF_OK;
		}
		if (errno != ERANGE)
			break;
	}
	free(*names);
	*names = NULL;
	return pf_err_errno(err, PF_ERR_IO, errno,
	    "cannot list the extended attributes of '%s'", what);
}

/* One value, read again while it grows under us. */
static pf_ret
read_value(int fd, const char *path, pf_xattr *x, pf_err *err,
    const char *what)
{
	ssize_t n;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		if ((n = get_value(fd, path, x->name, NULL, 0)) < 0)
			break;
		if ((size_t)n > PF_MAX_XATTR_VALUE)
			return pf_err_set(err, PF_ERR_USAGE,
			    "extended attribute '%s' of '%s' is larger than "
			    "%d bytes", x->name, what, PF_MAX_XATTR_VALUE);
		free(x->value);
		if ((x->value = malloc((size_t)n + 1)) == NULL)
			return pf_err_nomem(err);
		n = get_value(fd, path, x->name, x->value, (size_t)n);
		if (n >= 0) {
			x->len = (size_t)n;
			return PF_OK;
		}
		if (errno != ERANGE)
			break;
	}
	return pf_err_errno(err, PF_ERR_IO, errno,
	    "cannot read extended attribute '%s' of '%s'", x->name, what);
}

static int
cmp_xattr(const void *a, const void *b)
{
	return strcmp(((const pf_xattr *)a)->name, ((const pf_xattr *)b)->name);
}

pf_ret
pf_fsmeta_xattrs(int fd, const char *path, pf_state *s, pf_err *err,
    const char *what)
{
	char *names, *p;
	size_t len, count = 0;
	pf_ret r;

	pf_state_xattrs_clear(s);
	if ((r = read_names(fd, path, &names, &len, err, what)) != PF_OK ||
	    names == NULL)
		return r;
	for (p = names; p < names + len; p += strlen(p) + 1)
		count++;
	if (count > PF_MAX_XATTRS) {
		r = pf_err_set(err, PF_ERR_USAGE, "'%s' has more than %d "
		    "extended attributes", what, PF_MAX_XATTRS);
		goto out;
	}
	if ((s->xattrs = calloc(count, sizeof *s->xattrs)) == NULL) {
		r = pf_err_nomem(err);
		goto out;
	}
	for (p = names; r == PF_OK && p < names + len; p += strlen(p) + 1) {
		pf_xattr *x = &s->xattrs[s->n_xattrs++];

		if ((x->name = strdup(p)) == NULL)
			r = pf_err_nomem(err);
		else
			r = read_value(fd, path, x, err, what);
	}
	if (r == PF_OK)
		qsort(s->xattrs, s->n_xattrs, sizeof *s->xattrs, cmp_xattr);
out:
	if (r != PF_OK)
		pf_state_xattrs_clear(s);
	free(names);
	return r;
}

static pf_ret
push_extent(pf_state *s, uint64_t off, uint64_t end, pf_err *err,
    const char *what)
{
	pf_extent *p;

	if (s->n_extents >= PF_MAX_EXTENTS)
		return pf_err_set(err, PF_ERR_USAGE, "'%s' has more than %d "
		    "data extents", what, PF_MAX_EXTENTS);
	if (s->n_extents % 64 == 0) {
		p = realloc(s->extents, (s->n_extents + 64) * sizeof *p);
		if (p == NULL)
			return pf_err_nomem(err);
		s->extents = p;
	}
	s->extents[s->n_extents++] = (pf_extent){ off, end - off };
	return PF_OK;
}

pf_ret
pf_fsmeta_extents(int fd, pf_state *s, pf_err *err, const char *what)
{
	off_t d, h;
	uint64_t off = 0;
	pf_ret r = PF_OK;

	free(s->extents);
	s->extents = NULL;
	s->n_extents = 0;
	s->sparse = false;
	while (r == PF_OK && off < s->size) {
		if ((d = lseek(fd, (off_t)off, SEEK_DATA)) < 0) {
			if (errno == ENXIO)
				break;          /* a hole to the end */
			if (errno == EINVAL)
				return PF_OK;   /* no hole support: dense */
			return pf_err_errno(err, PF_ERR_IO, errno,
			    "cannot find the data of '%s'", what);
		}
		if ((h = lseek(fd, d, SEEK_HOLE)) < 0)
			return pf_err_errno(err, PF_ERR_IO, errno,
			    "cannot find the holes of '%s'", what);
		if ((uint64_t)h > s->size)
			h = (off_t)s->size;
		if (h > d)
			r = push_extent(s, (uint64_t)d, (uint64_t)h, err, what);
		off = (uint64_t)h;
	}
	if (r == PF_OK && lseek(fd, 0, SEEK_SET) < 0)
		r = pf_err_errno(err, PF_ERR_IO, errno, "cannot rewind '%s'",
		    what);
	if (r != PF_OK || s->size == 0 || (s->n_extents == 1 &&
	    s->extents[0].offset == 0 && s->extents[0].length == s->size)) {
		free(s->extents);
		s->extents = NULL;
		s->n_extents = 0;
		return r;
	}
	s->sparse = true;
	return PF_OK;
}

void
pf_fsmeta_hash_zeros(pf_sha256_ctx *h, uint64_t n)
{
	static const uint8_t zeros[65536];
	size_t k;

	while (n > 0) {
		k = n > sizeof zeros ? sizeof zeros : (size_t)n;
		pf_sha256_update(h, zeros, k);
		n -= k;
	}
}
