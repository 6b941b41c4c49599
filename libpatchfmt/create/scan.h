/*
 * A build as a sorted list of paths with their type, mode and size.
 */
#ifndef PF_CREATE_SCAN_H
#define PF_CREATE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "libpatchfmt.h"
#include "common/err.h"
#include "format/types.h"

typedef struct pf_node {
	char *path;             /* relative to the scanned root */
	pf_type type;
	uint32_t mode;
	uint64_t size;
	char *link;
	/* Section 5.4.1 and 5.4.3: what lstat(2) says of the inode. */
	uint32_t uid;
	uint32_t gid;
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	uint64_t dev;
	uint64_t ino;
	uint64_t nlink;
	char *hardlink;         /* first path of its link group, or NULL */
	/* A build read from an archive (create/archive.c): the metadata
	 * is the header's, the content is read from src. */
	bool archived;
	char *src;
	pf_xattr *xattrs;
	size_t n_xattrs;
} pf_node;

typedef struct pf_nodelist {
	pf_node *v;
	size_t n;
	size_t cap;
} pf_nodelist;

/*
 * Walks the tree under root (not following symlinks), sorted by path,
 * and names the link group of every file that shares its inode with an
 * earlier path.  Device nodes, FIFOs and sockets are refused (usage).
 */
pf_ret pf_scan_tree(const char *root, pf_nodelist *out, pf_err *err);
void pf_nodelist_free(pf_nodelist *l);
/* A new zeroed node at the end of l, or NULL without memory. */
pf_node *pf_nodelist_push(pf_nodelist *l);
/* Fills the lstat(2) fields of nd from st. */
void pf_node_stat(pf_node *nd, const struct stat *st);

#endif
