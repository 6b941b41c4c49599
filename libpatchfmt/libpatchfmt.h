/*
 * libpatchfmt: create, inspect and apply binary patch packages.
 *
 * The package format is specified in spec/patchfmt.md; section numbers in
 * comments refer to it.  Every function returns a pf_ret; handles carry a
 * human-readable message for the last error (pf_*_error()).
 */
#ifndef LIBPATCHFMT_H
#define LIBPATCHFMT_H

#include <signal.h>
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
	PF_ERR_NOMEM,        /* out of memory */
	PF_ERR_EXPIRED,      /* the package is past its expiry time */
	PF_ERR_DOWNGRADE,    /* older than what is installed of its family */
	PF_ERR_BUSY,         /* a process stayed busy where it is patched */
	PF_ERR_INTERRUPTED   /* a signal stopped it; what it did was undone */
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
	PF_EXIT_EXPIRED = 9,
	PF_EXIT_DOWNGRADE = 10,
	PF_EXIT_BUSY = 11,
	PF_EXIT_INTERRUPTED = 12,
	PF_EXIT_SOFTWARE = 70
};

const char *pf_ret_str(pf_ret r);
/*
 * s as it may be shown on a terminal: a backslash as "\\", a newline,
 * tab or carriage return as "\n", "\t", "\r", and every other control
 * byte, byte that is not UTF-8, C1 control or bidirectional formatting
 * character as "\xHH" per byte.  Cut to fit size bytes; returns out.
 */
char *pf_text_escape(char *out, size_t size, const char *s);
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

/* An extended attribute of a state (section 5.4.1). */
typedef struct pf_xattr {
	char *name;                    /* with its namespace, "user.x" */
	uint8_t *value;
	size_t len;
} pf_xattr;

/* A data region of a sparse file; the rest reads as zeros (5.4.2). */
typedef struct pf_extent {
	uint64_t offset;
	uint64_t length;
} pf_extent;

/* The state of one path before or after the patch (section 5.4). */
typedef struct pf_state {
	pf_type type;
	uint32_t mode;                 /* permission bits, 07777 */
	uint64_t size;                 /* files: bytes; symlinks: target length */
	uint8_t sha256[32];            /* files: content; symlinks: target */
	char *link;                    /* symlinks: target text */
	uint8_t build_id[PF_BUILD_ID_MAX];
	size_t build_id_len;           /* 0: not ELF, or ELF without build ID */
	/* Metadata (feature bit 2, section 5.4.1); all of it is absent, and
	 * has_meta false, in a package without the bit. */
	bool has_meta;                 /* uid, gid and xattrs are recorded */
	uint32_t uid;
	uint32_t gid;
	char *user;                    /* hints for people; NULL: not known */
	char *group;
	pf_xattr *xattrs;              /* sorted by name, names unique */
	size_t n_xattrs;
	char *hardlink;                /* files: first path of its link group */
	bool sparse;                   /* files: extents give the layout */
	pf_extent *extents;            /* sorted, apart, within size */
	size_t n_extents;
	bool has_mtime;
	uint64_t mtime_sec;
	uint32_t mtime_nsec;
} pf_state;

#define PF_NO_BLOB UINT32_MAX

typedef struct pf_entry {
	char *path;                    /* relative, '/'-separated, validated */
	pf_op op;
	pf_state before;
	pf_state after;
	uint32_t payload;              /* blob index, or PF_NO_BLOB */
	uint32_t rollback;             /* blob index, or PF_NO_BLOB */
	uint32_t live;                 /* hot-patch record blob, or PF_NO_BLOB */
	/* ELF run-time dependencies of the new file and the library it is,
	 * encoded as spec/elf-needs.md says; NULL when none. */
	uint8_t *needs;
	size_t needs_len;
	uint8_t *provides;
	size_t provides_len;
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
	uint32_t entry;                /* the entry that refers to it (set
	                                * by validation) */
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
	char *name;                    /* the patch ID */
	char *version;
	char *description;
	uint64_t created;              /* seconds since the epoch */
	uint64_t expires;              /* 0: never */
	char *product;                 /* what the patch applies to */
	char **from_versions;          /* product versions it applies from */
	size_t n_from;
	char *to_version;              /* product version it produces */
	char *family;                  /* patch family of the release counter */
	uint64_t release;              /* 0: no release counter */
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
/* Records modification times (section 5.4.1; default: off). */
pf_ret pf_builder_set_keep_mtime(pf_builder *b, bool keep);
/* Hot-patch records for changed ELF files (default: on). */
pf_ret pf_builder_set_live(pf_builder *b, bool enabled);
/* Bounds what encoding holds in memory (default 1 GiB): files above a
 * sixteenth of it are streamed, and changed ones diffed in windows. */
#define PF_BUILD_MEMORY_MIN (UINT64_C(16) << 20)
pf_ret pf_builder_set_memory(pf_builder *b, uint64_t bytes);
/* Threads that diff the paths of a tree (0 or 1: one); the package is
 * the same whatever the number. */
pf_ret pf_builder_set_jobs(pf_builder *b, unsigned jobs);
/* Called by the calling thread after each path of a tree is done. */
typedef struct pf_build_progress {
	uint64_t files_done, files_total;
	uint64_t bytes_done, bytes_total;       /* old and new file bytes */
} pf_build_progress;
pf_ret pf_builder_set_progress(pf_builder *b,
    void (*fn)(void *opaque, const pf_build_progress *p), void *opaque);
/* Notes for people about what was left out, e.g. hot patches that could
 * not be made; valid after pf_builder_diff(). */
size_t pf_builder_note_count(const pf_builder *b);
const char *pf_builder_note(const pf_builder *b, size_t i);
/* Signs with the secret key in this file (up to 16 keys). */
pf_ret pf_builder_add_key(pf_builder *b, const char *secret_key_path);
/* Section 5.1: targeting, expiry and release counter. */
pf_ret pf_builder_set_target(pf_builder *b, const char *product,
    const char *to_version);
pf_ret pf_builder_add_from_version(pf_builder *b, const char *version);
pf_ret pf_builder_set_release(pf_builder *b, const char *family,
    uint64_t counter);
pf_ret pf_builder_set_expires(pf_builder *b, uint64_t seconds);
/* Writes the package to fd, front to back (no seeking). */
pf_ret pf_builder_write(pf_builder *b, int fd);
const pf_manifest *pf_builder_manifest(const pf_builder *b);

/*
 * Keys and trust (spec section 11).  A keyring is the set of public keys
 * an applier trusts: a directory of ".pub" files.
 */
typedef struct pf_keyring pf_keyring;

pf_ret pf_keyring_new(pf_keyring **out);
void pf_keyring_free(pf_keyring *k);
const char *pf_keyring_error(const pf_keyring *k);
pf_ret pf_keyring_add_dir(pf_keyring *k, const char *dir);
pf_ret pf_keyring_add_file(pf_keyring *k, const char *path);
size_t pf_keyring_size(const pf_keyring *k);

/* Makes NAME.key (secret, mode 0600) and NAME.pub; never replaces files.
 * keyid gets the key ID in hex; msg the reason of a failure. */
pf_ret pf_keygen(const char *name, char keyid[17], char *msg, size_t msglen);

/* What pf_reader_open_trusted() demands of a package. */
typedef struct pf_trust {
	const pf_keyring *keyring;
	unsigned threshold;            /* distinct trusted signers; 0 means 1 */
	bool allow_unsigned;           /* install without any signature */
	uint64_t now;                  /* for the expiry time; 0: the clock */
	/* The applier's own copy, from its state directory: integrity is
	 * enough, since it was verified when it was installed. */
	bool installed_copy;
} pf_trust;

typedef enum pf_sig_status {
	PF_SIG_UNCHECKED = 0,          /* read without a keyring */
	PF_SIG_VALID,
	PF_SIG_UNKNOWN_KEY,            /* no such key in the keyring */
	PF_SIG_INVALID                 /* known key, signature does not verify */
} pf_sig_status;

/*
 * Reading a package: pf_reader.  pf_reader_open() reads and verifies the
 * whole package (structure, every hash) before it returns.  A pipe is
 * spooled to an unlinked temporary file so that blobs can be read again.
 */
typedef struct pf_reader pf_reader;

pf_ret pf_reader_open(pf_reader **out, int fd);
/*
 * The same, and the signatures must satisfy trust before anything of the
 * manifest is parsed; an expired package is refused after.  Only a
 * reader opened so may be installed (pf_txn_new()).
 */
pf_ret pf_reader_open_trusted(pf_reader **out, int fd, const pf_trust *trust);
bool pf_reader_trusted(const pf_reader *r);
size_t pf_reader_signature_count(const pf_reader *r);
pf_sig_status pf_reader_signature(const pf_reader *r, size_t i,
    uint8_t key_id[8]);
void pf_reader_free(pf_reader *r);
const char *pf_reader_error(const pf_reader *r);
/* The last error's value (PF_OK when none), for readers that failed. */
pf_ret pf_reader_status(const pf_reader *r);
const pf_manifest *pf_reader_manifest(const pf_reader *r);
/* The patch ID: the package name, or "pkg-" and 16 digits of its digest. */
const char *pf_reader_id(const pf_reader *r);
/* Copies the whole verified package to fd. */
pf_ret pf_reader_copy(pf_reader *r, int fd);
uint64_t pf_reader_package_size(const pf_reader *r);
/* SHA-256 of header, manifest and dependency list (section 7). */
const uint8_t *pf_reader_digest(const pf_reader *r);

/* The hot-patch part: functions replaced, data added, what was refused
 * and why; JSON is an array, one object per module. */
pf_ret pf_reader_print_live(pf_reader *r, FILE *f, bool json);
/*
 * Text for people and JSON for programs (patch-inspect).  In the text,
 * every string from the package is escaped as pf_text_escape() does; the
 * JSON escapes per RFC 8259, and C1 controls too.
 */
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
/*
 * What the user gives up where the applier cannot do it (section 9.5):
 * owners and groups, extended attributes.  Without them, a package with
 * metadata that this process or file system cannot reproduce is refused
 * by pf_txn_check() before anything is written.
 */
#define PF_TXN_NO_OWNERS 0x1u
#define PF_TXN_NO_XATTRS 0x2u
pf_ret pf_txn_set_flags(pf_txn *t, unsigned flags);
/*
 * Checks that every new ELF file will find the shared libraries and symbol
 * versions it needs (DT_NEEDED, verneed) under needs_root (NULL: the
 * root), counting the libraries the package installs; PF_ERR_DEPENDENCY
 * names what is missing.
 */
pf_ret pf_txn_check_needs(pf_txn *t, const char *needs_root);
/* Decodes every payload against the target and checks its hash, writing
 * nothing: what --check adds to pf_txn_check(). */
pf_ret pf_txn_verify(pf_txn *t);
/*
 * The rest of a dry run (--check): every directory the commit writes in
 * is writable, and each file system has room for the staged files.
 */
pf_ret pf_txn_preflight(pf_txn *t);
pf_ret pf_txn_commit(pf_txn *t);
/*
 * The commit stops at its next step, undoes what it did and returns
 * PF_ERR_INTERRUPTED once *flag is non-zero (set it from a signal
 * handler); after its commit point it finishes instead.
 */
void pf_txn_set_cancel(pf_txn *t, const volatile sig_atomic_t *flag);
/* A warning about a commit that succeeded (leftovers to clean), or NULL. */
const char *pf_txn_note(const pf_txn *t);
pf_txn_state pf_txn_get_state(const pf_txn *t);
/* Per manifest entry, valid after pf_txn_check(). */
pf_action pf_txn_action(const pf_txn *t, size_t entry);
const char *pf_action_str(pf_action a);

/*
 * The state directory (spec section 12): installed patches, what they
 * provide and require, and their packages for rollback.  Opening it takes
 * an exclusive lock until pf_db_free().
 */
typedef struct pf_db pf_db;

typedef struct pf_db_info {
	const char *id;
	const char *version;
	const char *family;
	uint64_t release;
	const char *product;
	const char *to_version;
	const char *superseded_by;     /* NULL while in force */
	const char *digest;
	uint64_t installed;            /* seconds since the epoch */
} pf_db_info;

/* create: make the directory; otherwise a missing one is empty. */
pf_ret pf_db_open(pf_db **out, const char *dir, bool create);
/*
 * The state directory of a root: dir when given (trusted as named), else
 * ROOT/var/lib/patchfmt, reached without following any symlink inside
 * the root.
 */
pf_ret pf_db_open_root(pf_db **out, const char *root, const char *dir,
    bool create);
/*
 * Finishes or undoes a transaction on root that was interrupted (a crash,
 * SIGKILL, power loss), from the journal in the state directory, and
 * removes everything it left; PF_OK when there was none.  Every tool runs
 * it after opening the state directory.
 */
pf_ret pf_db_recover(pf_db *db, const char *root);
/* What pf_db_recover() did, for people ("undid the interrupted ..."), or
 * NULL when it did nothing. */
const char *pf_db_recovered(const pf_db *db);
void pf_db_free(pf_db *db);
const char *pf_db_error(const pf_db *db);
size_t pf_db_count(const pf_db *db);
void pf_db_get(const pf_db *db, size_t i, pf_db_info *info);
/* Requires, conflicts, release counter and target, against what is
 * installed; PF_OK also when this very package is installed already. */
pf_ret pf_db_check_install(pf_db *db, const pf_reader *r,
    bool force_downgrade);
/*
 * Installs: keeps a copy of the package (with its rollback data) in the
 * state directory, writes the journal, commits t (a pf_txn of the same
 * reader on root, checked) and records the patch, all or nothing.
 */
pf_ret pf_db_install(pf_db *db, pf_reader *r, pf_txn *t, const char *root);
pf_ret pf_db_check_rollback(pf_db *db, const char *id, bool force);
/* Opens the stored package of an installed patch. */
pf_ret pf_db_open_package(pf_db *db, const char *id, pf_reader **out);
/*
 * Rolls back: commits t (pf_txn_new_reverse() on the package from
 * pf_db_open_package(), checked) under the journal and forgets the patch,
 * all or nothing; what it superseded is in force again.
 */
pf_ret pf_db_rollback(pf_db *db, const char *id, pf_txn *t,
    const char *root);

/*
 * Hot patching a running process (spec/hotpatch.md): every hot-patch
 * record of the package whose build the process runs is applied, all or
 * nothing, and recorded under the state directory for
 * pf_db_live_revert().  wait_ms bounds the wait for threads to leave the
 * functions being replaced (0: the default).
 */
typedef struct pf_live_result {
	bool already;                  /* it was live in the process already */
	bool not_running;              /* the process runs none of the builds */
	bool unreadable;               /* it could not be looked into, or went */
	size_t modules;
	size_t functions;
	uint64_t stop_ns;              /* longest time all threads were stopped */
} pf_live_result;

pf_ret pf_db_live_apply(pf_db *db, pf_reader *r, int pid, unsigned wait_ms,
    pf_live_result *res);
pf_ret pf_db_live_revert(pf_db *db, const char *id, int pid,
    unsigned wait_ms);
/* Whether patch id is live in process pid, writing nothing; a damaged
 * record is an error (PF_ERR_IO), not an absent one. */
pf_ret pf_db_live_check(pf_db *db, const char *id, int pid);
/*
 * Finishes what a killed patch-apply --pid or patch-rollback --pid left
 * in process pid (spec section 12.7, recovery): a patch that was going
 * in or out is taken out, a process left stopped is let run.
 * pf_db_live_apply and pf_db_live_revert do this first themselves.
 */
pf_ret pf_db_live_recover(pf_db *db, int pid, unsigned wait_ms);
/* The IDs live in process pid, sorted; the caller frees each and the
 * array. */
size_t pf_db_live_list(pf_db *db, int pid, char ***ids);

/*
 * Undoing a package: the same transaction with before and after swapped,
 * the rollback blobs as payload.  force replaces files that changed since
 * the install instead of refusing.
 */
pf_ret pf_txn_new_reverse(pf_txn **out, pf_reader *r, const char *root,
    bool force);

#ifdef __cplusplus
}
#endif

/* The delta codec on its own (patch-delta). */
#include "libpatchfmt_delta.h"

#endif
