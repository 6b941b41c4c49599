/*
 * libpatchfmt: create, inspect and apply binary patch packages.
 *
 * The package format is specified in spec/patchfmt.md; section numbers in
 * comments refer to it.  Every function returns a pf_ret; handles carry a
 * human-readable message for the last error (pf_*_error()).
 */
#ifndef LIBPATCHFMT_H
#define LIBPATCHFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What went wrong, in a way a caller can act on. */
typedef enum pf_ret {
	PF_OK = 0,
	PF_ERR_USAGE,        /* the caller passed an invalid argument */
	PF_ERR_NOT_PACKAGE,  /* the input is not a patch package at all */
	PF_ERR_UNSUPPORTED,  /* format version, feature or codec not known */
	PF_ERR_CORRUPT,      /* damaged, truncated or inconsistent package */
	PF_ERR_MISMATCH,     /* the target is not what the package expects */
	PF_ERR_UNSAFE,       /* a path would leave the root or cross a symlink */
	PF_ERR_TRUST,        /* signature, key or trust policy failure */
	PF_ERR_DEPENDENCY,   /* a declared dependency is not met */
	PF_ERR_IO,           /* reading or writing a file failed */
	PF_ERR_NOMEM         /* out of memory */
} pf_ret;

/* Exit statuses of the tools (spec/patchfmt.md section 9). */
enum {
	PF_EXIT_OK = 0,
	PF_EXIT_MISMATCH = 1,
	PF_EXIT_USAGE = 2,
	PF_EXIT_INVALID = 3,
	PF_EXIT_UNSUPPORTED = 4,
	PF_EXIT_IO = 5,
	PF_EXIT_UNSAFE = 6,
	PF_EXIT_TRUST = 7,
	PF_EXIT_DEPENDENCY = 8,
	PF_EXIT_SOFTWARE = 70
};

const char *pf_ret_str(pf_ret r);
int pf_ret_exit_status(pf_ret r);
const char *pf_version(void);

/* Section 5.3: entry types. */
typedef enum pf_type {
	PF_TYPE_NONE = 0,       /* absent */
	PF_TYPE_FILE = 1,
	PF_TYPE_DIR = 2,
	PF_TYPE_SYMLINK = 3
} pf_type;

/* Section 5.3: operations. */
typedef enum pf_op {
	PF_OP_ADD = 1,
	PF_OP_REMOVE = 2,
	PF_OP_CHANGE = 3
} pf_op;

#define PF_BUILD_ID_MAX 64

/* The state of one path before or after the patch (section 5.4). */
typedef struct pf_state {
	pf_type type;
	uint32_t mode;                 /* permission bits, 07777 */
	uint64_t size;                 /* files: bytes; symlinks: target length */
	uint8_t sha256[32];            /* files: content; symlinks: target */
	char *link;                    /* symlinks: target text */
	uint8_t build_id[PF_BUILD_ID_MAX];
	size_t build_id_len;           /* 0: not ELF, or ELF without build ID */
} pf_state;

#define PF_NO_BLOB UINT32_MAX

typedef struct pf_entry {
	char *path;                    /* relative, '/'-separated, validated */
	pf_op op;
	pf_state before;
	pf_state after;
	uint32_t payload;              /* blob index, or PF_NO_BLOB */
	uint32_t rollback;             /* blob index, or PF_NO_BLOB */
} pf_entry;

/* Section 5.5: blob codecs. */
typedef enum pf_codec {
	PF_CODEC_STORED = 0,           /* bytes as they are */
	PF_CODEC_LZMA2 = 1,            /* raw LZMA2 */
	PF_CODEC_X86_LZMA2 = 2,        /* x86 BCJ, then raw LZMA2 */
	PF_CODEC_DELTA = 3             /* pfdelta (spec/delta.md) against a base */
} pf_codec;

typedef enum pf_section {
	PF_SECTION_PAYLOAD = 1,
	PF_SECTION_ROLLBACK = 2
} pf_section;

typedef struct pf_blob {
	pf_section section;
	pf_codec codec;
	uint64_t param;                /* codec parameter, e.g. LZMA2 dict size */
	uint64_t offset;               /* from the start of its section */
	uint64_t stored_size;          /* bytes in the package */
	uint64_t decoded_size;         /* bytes it decodes to */
	uint8_t sha256[32];            /* of the stored bytes */
} pf_blob;

/* Section 6: the dependency list. */
typedef enum pf_dep_kind {
	PF_DEP_REQUIRES = 1,
	PF_DEP_CONFLICTS = 2,
	PF_DEP_SUPERSEDES = 3,
	PF_DEP_PROVIDES = 4
} pf_dep_kind;

typedef struct pf_dep {
	pf_dep_kind kind;
	char *name;
	char *version;                 /* may be NULL: any version */
} pf_dep;

typedef struct pf_manifest {
	char *name;
	char *version;
	char *description;
	uint64_t created;              /* seconds since the epoch */
	pf_entry *entries;
	size_t n_entries;
	pf_blob *blobs;
	size_t n_blobs;
	pf_dep *deps;
	size_t n_deps;
	uint64_t payload_size;
	uint64_t rollback_size;
} pf_manifest;

/*
 * Building a package: pf_builder.
 */
typedef struct pf_builder pf_builder;

pf_ret pf_builder_new(pf_builder **out);
void pf_builder_free(pf_builder *b);
const char *pf_builder_error(const pf_builder *b);
/* Any of these may be NULL; strings are copied. */
pf_ret pf_builder_set_info(pf_builder *b, const char *name,
    const char *version, const char *description);
pf_ret pf_builder_set_created(pf_builder *b, uint64_t seconds);
pf_ret pf_builder_add_dep(pf_builder *b, pf_dep_kind kind, const char *name,
    const char *version);
/* With two single files: the path the entry gets (default: NEW's name). */
pf_ret pf_builder_set_path(pf_builder *b, const char *path);
/* Compares two trees (or two files) and records every difference. */
pf_ret pf_builder_diff(pf_builder *b, const char *old_path,
    const char *new_path);
/* Writes the package to fd, front to back (no seeking). */
pf_ret pf_builder_write(pf_builder *b, int fd);
const pf_manifest *pf_builder_manifest(const pf_builder *b);

/*
 * Reading a package: pf_reader.  pf_reader_open() reads and verifies the
 * whole package (structure, every hash) before it returns.  A pipe is
 * spooled to an unlinked temporary file so that blobs can be read again.
 */
typedef struct pf_reader pf_reader;

pf_ret pf_reader_open(pf_reader **out, int fd);
void pf_reader_free(pf_reader *r);
const char *pf_reader_error(const pf_reader *r);
/* The last error's value (PF_OK when none), for readers that failed. */
pf_ret pf_reader_status(const pf_reader *r);
const pf_manifest *pf_reader_manifest(const pf_reader *r);
uint64_t pf_reader_package_size(const pf_reader *r);
/* SHA-256 of header, manifest and dependency list (section 7). */
const uint8_t *pf_reader_digest(const pf_reader *r);

/* Text for people and JSON for programs (patch-inspect). */
void pf_manifest_print_text(const pf_manifest *m, FILE *f);
void pf_manifest_print_json(const pf_manifest *m, const uint8_t digest[32],
    uint64_t package_size, FILE *f);

/*
 * Installing a package: pf_txn.  pf_txn_check() verifies the target
 * against every "before" state and writes nothing; pf_txn_commit() stages
 * every new file beside its target, then renames them into place, and
 * undoes what it did when anything fails.
 */
typedef struct pf_txn pf_txn;

typedef enum pf_txn_state {
	PF_TXN_NEW = 0,
	PF_TXN_PENDING,                /* target is in the "before" state */
	PF_TXN_ALREADY_APPLIED,        /* every entry is in its "after" state */
	PF_TXN_APPLIED
} pf_txn_state;

/* What happens (or happened) to one entry. */
typedef enum pf_action {
	PF_ACTION_NONE = 0,            /* already in the "after" state */
	PF_ACTION_CREATE,
	PF_ACTION_REPLACE,
	PF_ACTION_REMOVE,
	PF_ACTION_CHMOD
} pf_action;

pf_ret pf_txn_new(pf_txn **out, pf_reader *r, const char *root);
void pf_txn_free(pf_txn *t);
const char *pf_txn_error(const pf_txn *t);
pf_ret pf_txn_check(pf_txn *t);
pf_ret pf_txn_commit(pf_txn *t);
pf_txn_state pf_txn_get_state(const pf_txn *t);
/* Per manifest entry, valid after pf_txn_check(). */
pf_action pf_txn_action(const pf_txn *t, size_t entry);
const char *pf_action_str(pf_action a);

#ifdef __cplusplus
}
#endif

#endif
