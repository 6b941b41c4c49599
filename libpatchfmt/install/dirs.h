/*
 * Directories under the root, opened one component at a time with
 * O_NOFOLLOW so that no path of a package can leave the root or pass
 * through a symlink (spec section 10.2).
 */
#ifndef PF_INSTALL_DIRS_H
#define PF_INSTALL_DIRS_H

#include <stddef.h>

#include "common/err.h"

typedef struct pf_dir {
	char *path;                     /* relative to the root; "" is root */
	int fd;
} pf_dir;

typedef struct pf_dirs {
	int root;
	pf_dir *v;
	size_t n;
	size_t cap;
} pf_dirs;

pf_ret pf_dirs_open(pf_dirs *d, const char *root, pf_err *err);
void pf_dirs_close(pf_dirs *d);
/*
 * Opens the directory at path (n bytes of it) under the root.  *fd is -1
 * when it does not exist; a component that is a symlink is PF_ERR_UNSAFE,
 * one that is not a directory PF_ERR_MISMATCH.  The descriptor belongs to
 * the cache.
 */
pf_ret pf_dirs_get(pf_dirs *d, const char *path, size_t n, int *fd,
    pf_err *err);

#endif
