#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "install/dirs.h"

pf_ret
pf_dirs_open(pf_dirs *d, const char *root, pf_err *err)
{
	memset(d, 0, sizeof *d);
	d->root = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->root < 0)
		return pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot open root directory '%s'", root);
	return PF_OK;
}

void
pf_dirs_close(pf_dirs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		close(d->v[i].fd);
		free(d->v[i].path);
	}
	free(d->v);
	if (d->root >= 0)
		close(d->root);
	memset(d, 0, sizeof *d);
	d->root = -1;
}

static pf_dir *
lookup(pf_dirs *d, const char *path, size_t n)
{
	size_t i;

	/* Entries are sorted, so the directory just used is the likely one. */
	for (i = d->n; i-- > 0;)
		if (strlen(d->v[i].path) == n &&
		    memcmp(d->v[i].path, path, n) == 0)
			return &d->v[i];
	return NULL;
}

static pf_ret
remember(pf_dirs *d, const char *path, size_t n, int fd, pf_err *err)
{
	pf_dir *v;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;

		if ((v = realloc(d->v, cap * sizeof *v)) == NULL)
			return pf_err_nomem(err);
		d->v = v;
		d->cap = cap;
	}
	if ((d->v[d->n].path = strndup(path, n)) == NULL)
		return pf_err_nomem(err);
	d->v[d->n++].fd = fd;
	return PF_OK;
}

/* Explains why one component could not be opened as a directory. */
static pf_ret
refuse(int parent, const char *name, const char *path, size_t n, int e,
    pf_err *err)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		return pf_err_set(err, PF_ERR_UNSAFE,
		    "'%.*s' is a symlink: refusing to write through it",
		    (int)n, path);
	if (e == ENOTDIR || e == ELOOP)
		return pf_err_set(err, PF_ERR_MISMATCH,
		    "'%.*s' is not a directory", (int)n, path);
	return pf_err_errno(err, PF_ERR_IO, e, "cannot open '%.*s'", (int)n,
	    path);
}

pf_ret
pf_dirs_get(pf_dirs *d, const char *path, size_t n, int *fd, pf_err *err)
{
	const char *name;
	char leaf[256];
	size_t split;
	pf_dir *hit;
	int parent, sub;
	pf_ret r;

	*fd = -1;
	if (n == 0) {
		*fd = d->root;
		return PF_OK;
	}
	if ((hit = lookup(d, path, n)) != NULL) {
		*fd = hit->fd;
		return PF_OK;
	}
	for (split = n; split > 0 && path[split - 1] != '/'; split--)
		;
	r = pf_dirs_get(d, path, split ? split - 1 : 0, &parent, err);
	if (r != PF_OK || parent < 0)
		return r;
	name = path + split;
	if (n - split >= sizeof leaf)
		return pf_err_set(err, PF_ERR_UNSAFE, "path component too long");
	memcpy(leaf, name, n - split);
	leaf[n - split] = '\0';
	sub = openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (sub < 0 && errno == ENOENT)
		return PF_OK;
	if (sub < 0)
		return refuse(parent, leaf, path, n, errno, err);
	if ((r = remember(d, path, n, sub, err)) != PF_OK) {
		close(sub);
		return r;
	}
	*fd = sub;
	return PF_OK;
}
