/*
 * What the builder's files share: the handle, one side of a path, and
 * the pieces that encode big files in bounded memory (bigfile.c).
 */
#ifndef PF_CREATE_BUILDER_INT_H
#define PF_CREATE_BUILDER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "libpatchfmt.h"
#include "common/cpus.h"
#include "common/err.h"
#include "create/scan.h"
#include "create/spool.h"
#include "format/manifest.h"
#include "trust/sign.h"

/* Where a blob's stored bytes wait until the package is written. */
typedef struct pf_blob_loc {
	pf_spool *spool;
	uint64_t off;
} pf_blob_loc;

/* The memory limit when none is set (pf_builder_set_memory). */
#define PF_BUILD_MEMORY_DEFAULT (UINT64_C(1) << 30)

struct pf_builder {
	pf_err err;
	pf_manifest m;
	pf_blob_loc *loc;               /* stored bytes of each blob */
	pf_spool spool;                 /* the builder's own spool */
	pf_spool *sp;                   /* where new blobs go */
	uint64_t memory;                /* limit on what encoding holds */
	unsigned jobs;                  /* threads diffing a tree */
	pf_cpus cpus;                   /* of jobs, what no file is using */
	pf_cpus *helpers;               /* the CPUs a file's helpers take */
	pf_spool *wspools;              /* the spools of those threads */
	size_t n_wspools;
	void (*progress)(void *, const pf_build_progress *);
	void *progress_opaque;
	uint64_t required;
	char *single_path;              /* entry path when diffing two files */
	pf_signers signers;
	bool no_live;                   /* leave hot-patch records out */
	bool keep_mtime;                /* record modification times */
	pf_codec delta_codec;           /* 0: pfdelta */
	char **notes;                   /* for people: what was left out */
	size_t n_notes;
	/* Hot patches; a tree's jobs share their builder's (parallel.c). */
	char **live_sel[2];             /* --live-skip, --live-only names */
	size_t n_live_sel[2];
	char **debug_dirs;              /* --debug-dir, --debug-file */
	size_t n_debug_dirs;
	bool *debug_used;               /* a file of them served a build;
	                                   shared with the jobs' builders */
	const char *roots[2];           /* the old and new trees */
	bool no_control;                /* ignore .deb control files */
};

/* One side of a path: its state and, for files, its bytes. */
typedef struct side {
	pf_state st;
	uint8_t *content;
	size_t len;
	bool x86;
	bool elf;
	/* content holds the data extents only (section 5.4.2). */
	bool sparse;
	/* Too large to hold: content is NULL, the file is read from path. */
	bool big;
	char *path;
	/* A big file's own copy of its state's size, hash and extents,
	 * which the entry takes over before the blobs are made. */
	uint64_t size;
	uint8_t sha256[32];
	pf_extent *ext;
	size_t n_ext;
} side;

/* Diffs one path of a tree (on or nn NULL when it is on one side only). */
pf_ret pf_builder_diff_one(pf_builder *b, const char *old_root,
    const char *new_root, const char *path, const pf_node *on,
    const pf_node *nn);

/* Diffs two scanned trees on b->jobs threads (parallel.c). */
pf_ret pf_build_tree(pf_builder *b, const char *old_root,
    const char *new_root, const pf_nodelist *ol, const pf_nodelist *nl);

/* Files above this size are streamed and diffed in windows. */
uint64_t pf_builder_big_min(const pf_builder *b);

/* Reads a big file's size, hash and kind without holding its content. */
pf_ret pf_big_load(pf_builder *b, int fd, const char *path, side *s);

/* Records the blob spooled at off, n bytes with hash sha. */
pf_ret pf_builder_push_spooled(pf_builder *b, pf_section sec, pf_codec codec,
    uint64_t param, uint64_t off, uint64_t n, const uint8_t sha[32],
    uint64_t decoded, uint32_t *idx);

/* Encodes s (against base, NULL if none) when either side is big. */
pf_ret pf_big_blob(pf_builder *b, pf_section sec, const side *base,
    const side *s, uint32_t *idx);

#endif
