/*
 * A build as a sorted list of paths with their type, mode and size.
 */
#ifndef PF_CREATE_SCAN_H
#define PF_CREATE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "libpatchfmt.h"
#include "common/err.h"

typedef struct pf_node {
	char *path;             /* relative to the scanned root */
	pf_type type;
	uint32_t mode;
	uint64_t size;
	char *link;
} pf_node;

typedef struct pf_nodelist {
	pf_node *v;
	size_t n;
	size_t cap;
} pf_nodelist;

/* Walks the tree under root (not following symlinks), sorted by path. */
pf_ret pf_scan_tree(const char *root, pf_nodelist *out, pf_err *err);
void pf_nodelist_free(pf_nodelist *l);

#endif
