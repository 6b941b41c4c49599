/*
 * The debug files of stripped builds, found by build ID where
 * distributions install them (DIR/.build-id/xx/yyyy.debug), for the
 * hot-patch analysis (spec/hotpatch.md section 8).
 */
#ifndef PF_CREATE_DEBUG_H
#define PF_CREATE_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct pf_debug_dirs {
	const char *dirs[68];        /* searched in order */
	size_t n;
	bool *used[68];              /* set when a file given by name served
	                                (its flag lives in the builder) */
	uint8_t *files[2];           /* the last ones read, for one analysis */
	size_t n_files;
} pf_debug_dirs;

/* Adds a directory to search; false when there are too many. */
bool pf_debug_dirs_add(pf_debug_dirs *d, const char *dir);
/* The analysis's callback (pf_hp_analysis.debug_file): the bytes of
 * DIR/.build-id/xx/yyyy.debug, or DIR/xx/yyyy.debug, in the first
 * directory that has one; PF_ERR_MISMATCH when none has. */
pf_ret pf_debug_find(void *arg, const uint8_t *id, size_t id_len,
    const uint8_t **p, size_t *n);
/* A debug file given by name (an ELF file, or a .deb holding
 * usr/lib/debug/.build-id/xx/yyyy.debug; debug_file.c): true, with its
 * bytes kept in d, when it carries build ID id. */
bool pf_debug_from_file(pf_debug_dirs *d, const char *path,
    const uint8_t *id, size_t id_len, const uint8_t **p, size_t *n);
/* Frees the files read. */
void pf_debug_dirs_release(pf_debug_dirs *d);

#endif
