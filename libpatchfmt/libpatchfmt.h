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

/*
 * What the shared library exports: the functions declared with PF_EXTERN
 * here and in libpatchfmt_delta.h, and nothing else (the library is
 * built with -fvisibility=hidden; tests/api/exports.sh checks it).
 */
#if defined(__GNUC__) || defined(__clang__)
#define PF_EXTERN __attribute__((visibility("default")))
#else
#define PF_EXTERN
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
	PF_ERR_INTERRUPTED,  /* a signal stopped it; what it did was undone */
	/* Patches in the field (sections 5.1.4, 5.1.5). */
	PF_ERR_DEFERRED,     /* this machine is not in the rollout yet */
	PF_ERR_HEALTH,       /* a hook after the commit failed; rolled back */
	PF_ERR_HOOK,         /* a hook before any change failed */
	PF_ERR_NOT_INSTALLED /* the patch or package named is not installed */
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
	PF_EXIT_DEFERRED = 13,
	PF_EXIT_HEALTH = 14,
	PF_EXIT_HOOK = 15,
	PF_EXIT_NOT_INSTALLED = 16,
	PF_EXIT_MODIFIED = 17,          /* patch-status: files were changed */
	PF_EXIT_SOFTWARE = 70
};

PF_EXTERN const char *pf_ret_str(pf_ret r);

/*
 * The parts of a failure that a program can act on, beside its message
 * (pf_reader_error_detail(), pf_txn_error_detail(), pf_db_error_detail()):
 * the path concerned, what was expected there and what was found
 * instead.  Each is NULL when the failure has no such part.
 */
typedef enum pf_detail {
	PF_DETAIL_PATH = 0,
	PF_DETAIL_EXPECTED = 1,
	PF_DETAIL_FOUND = 2
} pf_detail;
/*
 * s as it may be shown on a terminal: a backslash as "\\", a newline,
 * tab or carriage return as "\n", "\t", "\r", and every other control
 * byte, byte that is not UTF-8, C1 control or bidirectional formatting
 * character as "\xHH" per byte.  Cut to fit size bytes; returns out.
 */
PF_EXTERN char *pf_text_escape(char *out, size_t size, const char *s);
PF_EXTERN int pf_ret_exit_status(pf_ret r);
/*
 * s as a JSON string (RFC 8259), as every patchfmt document writes
 * names: control bytes, C1 controls and bidirectional formatting
 * characters as \uXXXX (so the JSON is inert on a terminal), and a byte
 * that is not part of valid UTF-8 as the lone surrogate \uDCXX, XX the
 * byte (Python's "surrogateescape"), so the bytes come back exactly.
 * pf_json_str() writes null for NULL; pf_json_strn() takes n bytes, NUL
 * bytes included; pf_json_hex() writes n bytes as lower-case hex.
 */
PF_EXTERN void pf_json_str(FILE *f, const char *s);
PF_EXTERN void pf_json_strn(FILE *f, const char *s, size_t n);
PF_EXTERN void pf_json_hex(FILE *f, const uint8_t *p, size_t n);
PF_EXTERN const char *pf_version(void);

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

/*
 * The manifest of a package (sections 5 and 6) is read through opaque
 * types: a manifest, its entries (5.3), the before and after state of
 * each (5.4) and its blobs (5.5).  They, and every string and byte array
 * their accessors return, belong to the handle they came from
 * (pf_reader_manifest(), pf_builder_manifest()) and stay valid until it
 * is freed.  An index past its count gives NULL, 0 or false.
 */
typedef struct pf_manifest pf_manifest;
typedef struct pf_entry pf_entry;
typedef struct pf_state pf_state;
typedef struct pf_blob pf_blob;

#define PF_NO_BLOB UINT32_MAX

/* Section 5.5: blob codecs. */
typedef enum pf_codec {
	PF_CODEC_STORED = 0,           /* bytes as they are */
	PF_CODEC_LZMA2 = 1,            /* raw LZMA2 */
	PF_CODEC_X86_LZMA2 = 2,        /* x86 BCJ, then raw LZMA2 */
	PF_CODEC_DELTA = 3,            /* pfdelta (spec/delta.md) against a base */
	PF_CODEC_VCDIFF = 4            /* VCDIFF (spec/vcdiff.md) against a base */
} pf_codec;

typedef enum pf_section {
	PF_SECTION_PAYLOAD = 1,
	PF_SECTION_ROLLBACK = 2
} pf_section;

/* Section 6: the dependency list. */
typedef enum pf_dep_kind {
	PF_DEP_REQUIRES = 1,
	PF_DEP_CONFLICTS = 2,
	PF_DEP_SUPERSEDES = 3,
	PF_DEP_PROVIDES = 4
} pf_dep_kind;

/* Section 5.1.4: install hooks, scripts run around an install. */
typedef enum pf_hook_kind {
	PF_HOOK_PRE_APPLY = 1,
	PF_HOOK_POST_APPLY = 2,
	PF_HOOK_HEALTH = 3,
	PF_HOOK_PRE_ROLLBACK = 4,
	PF_HOOK_POST_ROLLBACK = 5
} pf_hook_kind;

/*
 * The structs a function fills for its caller are versioned: the caller
 * sets size, their first field, to their sizeof, and the library fills
 * only the fields that fit, so that fields added at the end later break
 * no caller.  pf_hook_result r = { .size = sizeof r }; with size 0,
 * nothing is filled and the functions returning pf_ret refuse the call.
 */
/* What a hook run did (pf_db_run_hook()). */
typedef struct pf_hook_result {
	size_t size;                   /* sizeof (pf_hook_result) */
	bool ran;                      /* false: the package has no such hook */
	int status;                    /* exit status, or 128 + signal number */
	bool timed_out;                /* killed when its time was up */
	long pid;
	double seconds;
	char output[4096];             /* the start of its output */
	size_t output_len;
	bool output_cut;               /* it wrote more than output holds */
} pf_hook_result;

/* A note on the hot-patch record of one path, for people. */
typedef enum pf_live_note_kind {
	PF_LIVE_NOTE_CHANGED = 1,      /* why a function counts as changed */
	PF_LIVE_NOTE_REFUSED = 2,      /* the reference refused, and why */
	PF_LIVE_NOTE_LEFT_OUT = 3      /* left out on purpose */
} pf_live_note_kind;

/* The strings of the manifest (sections 5.1 to 5.1.7); NULL: absent. */
typedef enum pf_manifest_str_id {
	PF_MANIFEST_NAME = 1,          /* the patch ID */
	PF_MANIFEST_VERSION,
	PF_MANIFEST_DESCRIPTION,
	PF_MANIFEST_PRODUCT,           /* what the patch applies to */
	PF_MANIFEST_TO_VERSION,        /* product version it produces */
	PF_MANIFEST_FAMILY,            /* patch family of the release counter */
	PF_MANIFEST_ISSUE,             /* provenance (5.1.3) */
	PF_MANIFEST_SOURCE_REV,
	PF_MANIFEST_SOURCE_URL,
	PF_MANIFEST_PHASE_SEED,        /* NULL: the patch ID (5.1.5) */
	PF_MANIFEST_DPKG_PACKAGE,      /* the dpkg origin (5.1.7) */
	PF_MANIFEST_DPKG_FROM,
	PF_MANIFEST_DPKG_TO,
	PF_MANIFEST_DPKG_ARCH,
	PF_MANIFEST_DPKG_DEPENDS
} pf_manifest_str_id;
PF_EXTERN const char *pf_manifest_string(const pf_manifest *m,
    pf_manifest_str_id which);
/* Its numbers; 0 when absent. */
typedef enum pf_manifest_num_id {
	PF_MANIFEST_CREATED = 1,       /* seconds since the epoch */
	PF_MANIFEST_EXPIRES,           /* 0: never */
	PF_MANIFEST_RELEASE,           /* 0: no release counter */
	PF_MANIFEST_PAYLOAD_SIZE,      /* bytes of each section */
	PF_MANIFEST_ROLLBACK_SIZE,
	PF_MANIFEST_HAS_PHASE,         /* 1: phased rollout (5.1.5) */
	PF_MANIFEST_PHASE              /* hundredths of a percent, 0-10000 */
} pf_manifest_num_id;
PF_EXTERN uint64_t pf_manifest_number(const pf_manifest *m,
    pf_manifest_num_id which);
/* Product versions it applies from. */
PF_EXTERN size_t pf_manifest_from_count(const pf_manifest *m);
PF_EXTERN const char *pf_manifest_from_version(const pf_manifest *m,
    size_t i);
/* Entries, sorted by path; the one of the first len bytes of path. */
PF_EXTERN size_t pf_manifest_entry_count(const pf_manifest *m);
PF_EXTERN const pf_entry *pf_manifest_entry(const pf_manifest *m, size_t i);
PF_EXTERN const pf_entry *pf_manifest_find(const pf_manifest *m,
    const char *path, size_t len);
PF_EXTERN size_t pf_manifest_blob_count(const pf_manifest *m);
PF_EXTERN const pf_blob *pf_manifest_blob(const pf_manifest *m, size_t i);
/* Section 6: the kind of dependency i (0 past the count); any out-
 * parameter may be NULL, and a NULL version means any version. */
PF_EXTERN size_t pf_manifest_dep_count(const pf_manifest *m);
PF_EXTERN pf_dep_kind pf_manifest_dep(const pf_manifest *m, size_t i,
    const char **name, const char **version);
/* Section 5.1.4: hooks in kind order. */
PF_EXTERN size_t pf_manifest_hook_count(const pf_manifest *m);
PF_EXTERN pf_hook_kind pf_manifest_hook_info(const pf_manifest *m, size_t i,
    uint32_t *timeout, const uint8_t **script, size_t *len);
/* Section 5.1.6: the kind (pf_live_note_kind; skip others) of note i. */
PF_EXTERN size_t pf_manifest_live_note_count(const pf_manifest *m);
PF_EXTERN uint64_t pf_manifest_live_note(const pf_manifest *m, size_t i,
    const char **path, const char **name, const char **text);

/* An entry (section 5.3): its path, operation and states. */
typedef enum pf_side {
	PF_BEFORE = 0,
	PF_AFTER = 1
} pf_side;
/* What a blob of an entry is for; its index is PF_NO_BLOB when none. */
typedef enum pf_blob_role {
	PF_BLOB_PAYLOAD = 1,
	PF_BLOB_ROLLBACK = 2,
	PF_BLOB_LIVE = 3               /* the hot-patch record */
} pf_blob_role;
PF_EXTERN const char *pf_entry_path(const pf_entry *e);
PF_EXTERN pf_op pf_entry_op(const pf_entry *e);
PF_EXTERN const pf_state *pf_entry_state(const pf_entry *e, pf_side side);
PF_EXTERN uint32_t pf_entry_blob(const pf_entry *e, pf_blob_role role);
/* The ELF needs and provides records of the new file
 * (spec/elf-needs.md); NULL when it has none. */
PF_EXTERN const uint8_t *pf_entry_needs(const pf_entry *e, size_t *len);
PF_EXTERN const uint8_t *pf_entry_provides(const pf_entry *e, size_t *len);

/* A state (section 5.4); PF_TYPE_NONE: the path is absent. */
PF_EXTERN pf_type pf_state_type(const pf_state *s);
PF_EXTERN uint32_t pf_state_mode(const pf_state *s);
/* Files: bytes and SHA-256 of the content; symlinks: of the target. */
PF_EXTERN uint64_t pf_state_size(const pf_state *s);
PF_EXTERN const uint8_t *pf_state_sha256(const pf_state *s);
PF_EXTERN const char *pf_state_link(const pf_state *s);
/* The ELF build ID, NULL (and *len 0) when none. */
PF_EXTERN const uint8_t *pf_state_build_id(const pf_state *s, size_t *len);
/* Metadata (section 5.4.1), each false or NULL when not recorded;
 * out-parameters may be NULL. */
PF_EXTERN bool pf_state_owner(const pf_state *s, uint32_t *uid,
    uint32_t *gid, const char **user, const char **group);
PF_EXTERN size_t pf_state_xattr_count(const pf_state *s);
PF_EXTERN const char *pf_state_xattr(const pf_state *s, size_t i,
    const uint8_t **value, size_t *len);
PF_EXTERN const char *pf_state_hardlink(const pf_state *s);
PF_EXTERN bool pf_state_mtime(const pf_state *s, uint64_t *sec,
    uint32_t *nsec);
/* A sparse file (section 5.4.2): its data extents; the rest is zeros. */
PF_EXTERN bool pf_state_sparse(const pf_state *s, size_t *n_extents);
PF_EXTERN bool pf_state_extent(const pf_state *s, size_t i,
    uint64_t *offset, uint64_t *length);

/* A blob (section 5.5); out-parameters may be NULL. */
PF_EXTERN pf_codec pf_blob_codec(const pf_blob *b, uint64_t *param);
PF_EXTERN pf_section pf_blob_section(const pf_blob *b, uint64_t *offset,
    uint64_t *stored_size);
PF_EXTERN uint64_t pf_blob_decoded_size(const pf_blob *b);
PF_EXTERN const uint8_t *pf_blob_sha256(const pf_blob *b);
/* The entry that refers to it. */
PF_EXTERN uint32_t pf_blob_entry(const pf_blob *b);

/*
 * Building a package: pf_builder.
 */
typedef struct pf_builder pf_builder;

PF_EXTERN pf_ret pf_builder_new(pf_builder **out);
PF_EXTERN void pf_builder_free(pf_builder *b);
PF_EXTERN const char *pf_builder_error(const pf_builder *b);
/* Any of these may be NULL; strings are copied. */
PF_EXTERN pf_ret pf_builder_set_info(pf_builder *b, const char *name,
    const char *version, const char *description);
PF_EXTERN pf_ret pf_builder_set_created(pf_builder *b, uint64_t seconds);
PF_EXTERN pf_ret pf_builder_add_dep(pf_builder *b, pf_dep_kind kind,
    const char *name, const char *version);
/* With two single files: the path the entry gets (default: NEW's name). */
PF_EXTERN pf_ret pf_builder_set_path(pf_builder *b, const char *path);
/* Compares two trees (or two files) and records every difference. */
PF_EXTERN pf_ret pf_builder_diff(pf_builder *b, const char *old_path,
    const char *new_path);
/* Whether the control files of .deb builds fill in the target and the
 * dpkg origin (section 5.1.7; default: on). */
PF_EXTERN pf_ret pf_builder_set_deb_control(pf_builder *b, bool use);
/* Records modification times (section 5.4.1; default: off). */
PF_EXTERN pf_ret pf_builder_set_keep_mtime(pf_builder *b, bool keep);
/* The codec of deltas: PF_CODEC_DELTA (the default) or PF_CODEC_VCDIFF. */
PF_EXTERN pf_ret pf_builder_set_delta_codec(pf_builder *b, pf_codec codec);
/* Hot-patch records for changed ELF files (default: on). */
PF_EXTERN pf_ret pf_builder_set_live(pf_builder *b, bool enabled);
/* A partial hot patch on purpose: only the functions named (only), or
 * all but those named; their notes say so (spec/hotpatch.md 8.2). */
PF_EXTERN pf_ret pf_builder_live_select(pf_builder *b, const char *name,
    bool only);
/* A directory of debug files (DIR/.build-id/xx/yyyy.debug) for stripped
 * builds, searched after the trees' usr/lib/debug and before the
 * system's /usr/lib/debug; or one debug file, or a -dbgsym .deb, which
 * pf_builder_write() refuses (PF_ERR_MISMATCH) if it served no build. */
PF_EXTERN pf_ret pf_builder_add_debug_dir(pf_builder *b, const char *dir);
/* Bounds what encoding holds in memory (default 1 GiB): files above a
 * sixteenth of it are streamed, and changed ones diffed in windows. */
#define PF_BUILD_MEMORY_MIN (UINT64_C(16) << 20)
PF_EXTERN pf_ret pf_builder_set_memory(pf_builder *b, uint64_t bytes);
/* Threads that diff the paths of a tree (0 or 1: one), and the most that
 * pf_builder_diff() runs at once: a file's delta starts threads of its
 * own only while fewer files are being diffed.  The package is the same
 * whatever the number. */
PF_EXTERN pf_ret pf_builder_set_jobs(pf_builder *b, unsigned jobs);
/* Called by the calling thread after each path of a tree is done; size
 * is that of the struct the library filled. */
typedef struct pf_build_progress {
	size_t size;
	uint64_t files_done, files_total;
	uint64_t bytes_done, bytes_total;       /* old and new file bytes */
} pf_build_progress;
PF_EXTERN pf_ret pf_builder_set_progress(pf_builder *b,
    void (*fn)(void *opaque, const pf_build_progress *p), void *opaque);
/* Notes for people about what was left out, e.g. hot patches that could
 * not be made; valid after pf_builder_diff(). */
PF_EXTERN size_t pf_builder_note_count(const pf_builder *b);
PF_EXTERN const char *pf_builder_note(const pf_builder *b, size_t i);
/* Signs with the secret key in this file (up to 16 keys). */
PF_EXTERN pf_ret pf_builder_add_key(pf_builder *b, const char *secret_key_path);
/* Section 5.1: targeting, expiry and release counter. */
PF_EXTERN pf_ret pf_builder_set_target(pf_builder *b, const char *product,
    const char *to_version);
PF_EXTERN pf_ret pf_builder_add_from_version(pf_builder *b,
    const char *version);
PF_EXTERN pf_ret pf_builder_set_release(pf_builder *b, const char *family,
    uint64_t counter);
PF_EXTERN pf_ret pf_builder_set_expires(pf_builder *b, uint64_t seconds);
/* Sections 5.1.3 to 5.1.5: provenance (any may be NULL), a hook script
 * (one per kind; timeout in seconds), the phased rollout (share in
 * hundredths of a percent; seed NULL: the patch ID). */
PF_EXTERN pf_ret pf_builder_set_provenance(pf_builder *b, const char *issue,
    const char *source_rev, const char *source_url);
PF_EXTERN pf_ret pf_builder_add_hook(pf_builder *b, pf_hook_kind kind,
    uint32_t timeout, const uint8_t *script, size_t len);
PF_EXTERN pf_ret pf_builder_set_phase(pf_builder *b, uint32_t share,
    const char *seed);
/* Writes the package to fd, front to back (no seeking). */
PF_EXTERN pf_ret pf_builder_write(pf_builder *b, int fd);
PF_EXTERN const pf_manifest *pf_builder_manifest(const pf_builder *b);

/*
 * Keys and trust (spec section 11).  A keyring is the set of public keys
 * an applier trusts: a directory of ".pub" files.
 */
typedef struct pf_keyring pf_keyring;

PF_EXTERN pf_ret pf_keyring_new(pf_keyring **out);
PF_EXTERN void pf_keyring_free(pf_keyring *k);
PF_EXTERN const char *pf_keyring_error(const pf_keyring *k);
PF_EXTERN pf_ret pf_keyring_add_dir(pf_keyring *k, const char *dir);
PF_EXTERN pf_ret pf_keyring_add_file(pf_keyring *k, const char *path);
PF_EXTERN size_t pf_keyring_size(const pf_keyring *k);
/*
 * Root metadata (spec/keyring.md): whether the keyring's trust comes from
 * a signed root, its signing threshold (0 without one), and why a key it
 * names is not trusted (revoked or expired; NULL for any other key).
 */
PF_EXTERN bool pf_keyring_rooted(const pf_keyring *k);
PF_EXTERN unsigned pf_keyring_threshold(const pf_keyring *k);
PF_EXTERN const char *pf_keyring_distrust(const pf_keyring *k,
    const uint8_t id[8]);

/*
 * Makes NAME.key (secret, mode 0600) and NAME.pub; never replaces files
 * (PF_ERR_USAGE if one exists).  keyid gets the key ID in hex.  The key
 * is not added to k: k is the handle the message of a failure is on
 * (pf_keyring_error()), as for every other keyring call.
 */
PF_EXTERN pf_ret pf_keyring_keygen(pf_keyring *k, const char *name,
    char keyid[17]);

/*
 * Root metadata (spec/keyring.md), the file root.pfkr: read and checked
 * by anyone, changed and signed by the holders of its root keys
 * (patch-keyring).  A pf_keyroot belongs to its creator and is freed with
 * pf_keyroot_free(); the message of its last failure is
 * pf_keyroot_error().  Any change drops its signatures.
 */
typedef struct pf_keyroot pf_keyroot;
/* Its lists (sections 2.2 to 2.4). */
typedef enum pf_keyroot_list {
	PF_KEYROOT_ROOT = 1,           /* root keys: sign the metadata */
	PF_KEYROOT_SIGNING = 2,        /* signing keys: sign packages */
	PF_KEYROOT_REVOKED = 3         /* revoked key IDs */
} pf_keyroot_list;
/* New: version 1, thresholds 1, no keys, no expiry time yet. */
PF_EXTERN pf_ret pf_keyroot_new(pf_keyroot **out);
PF_EXTERN pf_ret pf_keyroot_dup(pf_keyroot **out, const pf_keyroot *r);
PF_EXTERN void pf_keyroot_free(pf_keyroot *r);
PF_EXTERN const char *pf_keyroot_error(const pf_keyroot *r);
/* A root file's structure and canonical form (section 2.6), not its
 * signatures; a file that does not exist is PF_ERR_USAGE. */
PF_EXTERN pf_ret pf_keyroot_read(pf_keyroot *r, const char *path);
PF_EXTERN pf_ret pf_keyroot_parse(pf_keyroot *r, const uint8_t *p,
    size_t n);
/* Signed by its own root threshold (section 2.6); next may replace cur
 * at time now (section 4), the message on next. */
PF_EXTERN pf_ret pf_keyroot_verify(pf_keyroot *r);
PF_EXTERN pf_ret pf_keyroot_follows(pf_keyroot *next, const pf_keyroot *cur,
    uint64_t now, bool allow_expired);
PF_EXTERN bool pf_keyroot_same(const pf_keyroot *a, const pf_keyroot *b);
PF_EXTERN uint64_t pf_keyroot_version(const pf_keyroot *r);
PF_EXTERN uint64_t pf_keyroot_expires(const pf_keyroot *r);
PF_EXTERN unsigned pf_keyroot_threshold(const pf_keyroot *r,
    pf_keyroot_list which);
PF_EXTERN size_t pf_keyroot_count(const pf_keyroot *r, pf_keyroot_list which);
/* The key ID of entry i (NULL past the count) and, for a signing key,
 * its expiry time (0: none; expires may be NULL). */
PF_EXTERN const uint8_t *pf_keyroot_key(const pf_keyroot *r,
    pf_keyroot_list which, size_t i, uint64_t *expires);
PF_EXTERN bool pf_keyroot_has(const pf_keyroot *r, pf_keyroot_list which,
    const uint8_t id[8]);
PF_EXTERN pf_ret pf_keyroot_set_version(pf_keyroot *r, uint64_t version);
PF_EXTERN pf_ret pf_keyroot_set_expires(pf_keyroot *r, uint64_t seconds);
PF_EXTERN pf_ret pf_keyroot_set_threshold(pf_keyroot *r,
    pf_keyroot_list which, unsigned n);
/* Adds the key of a public key file as a root or signing key (a signing
 * key there already gets the new expiry time); a revoked key never. */
PF_EXTERN pf_ret pf_keyroot_add_key(pf_keyroot *r, pf_keyroot_list which,
    const char *public_key_path, uint64_t expires);
PF_EXTERN pf_ret pf_keyroot_clear(pf_keyroot *r, pf_keyroot_list which);
/* Drops a signing key and lists its ID as revoked. */
PF_EXTERN pf_ret pf_keyroot_revoke(pf_keyroot *r, const uint8_t id[8]);
/* Signs with a secret key file: a root key of r or of prev (the root it
 * is to follow; NULL: none). */
PF_EXTERN pf_ret pf_keyroot_sign(pf_keyroot *r, const char *secret_key_path,
    const pf_keyroot *prev);
/* The file, valid until r changes; NULL when it has no signature. */
PF_EXTERN const uint8_t *pf_keyroot_bytes(const pf_keyroot *r, size_t *len);

/*
 * What pf_reader_open_trusted() demands of a package: made by
 * pf_trust_new() (one trusted signature, the clock's time), changed by
 * the setters, freed by pf_trust_free().  It borrows the keyring, which
 * must outlive its use.
 */
typedef struct pf_trust pf_trust;

PF_EXTERN pf_ret pf_trust_new(pf_trust **out);
PF_EXTERN void pf_trust_free(pf_trust *t);
PF_EXTERN void pf_trust_set_keyring(pf_trust *t, const pf_keyring *k);
/* Distinct trusted signers needed; 0 means 1. */
PF_EXTERN void pf_trust_set_threshold(pf_trust *t, unsigned n);
/* Installs a package without any signature. */
PF_EXTERN void pf_trust_set_allow_unsigned(pf_trust *t, bool allow);
/* The time the expiry is checked against; 0: the clock. */
PF_EXTERN void pf_trust_set_now(pf_trust *t, uint64_t now);

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

PF_EXTERN pf_ret pf_reader_open(pf_reader **out, int fd);
/*
 * The same, and the signatures must satisfy trust before anything of the
 * manifest is parsed; an expired package is refused after.  Only a
 * reader opened so may be installed (pf_txn_new()).
 */
PF_EXTERN pf_ret pf_reader_open_trusted(pf_reader **out, int fd,
    const pf_trust *trust);
PF_EXTERN bool pf_reader_trusted(const pf_reader *r);
PF_EXTERN size_t pf_reader_signature_count(const pf_reader *r);
PF_EXTERN pf_sig_status pf_reader_signature(const pf_reader *r, size_t i,
    uint8_t key_id[8]);
PF_EXTERN void pf_reader_free(pf_reader *r);
PF_EXTERN const char *pf_reader_error(const pf_reader *r);
PF_EXTERN const char *pf_reader_error_detail(const pf_reader *r, pf_detail which);
/* The last error's value (PF_OK when none), for readers that failed. */
PF_EXTERN pf_ret pf_reader_status(const pf_reader *r);
PF_EXTERN const pf_manifest *pf_reader_manifest(const pf_reader *r);
/* The patch ID: the package name, or "pkg-" and 16 digits of its digest. */
PF_EXTERN const char *pf_reader_id(const pf_reader *r);
/* Copies the whole verified package to fd. */
PF_EXTERN pf_ret pf_reader_copy(pf_reader *r, int fd);
PF_EXTERN uint64_t pf_reader_package_size(const pf_reader *r);
/* SHA-256 of header, manifest and dependency list (section 7). */
PF_EXTERN const uint8_t *pf_reader_digest(const pf_reader *r);

/* The hot-patch part: functions replaced, data added, what was refused
 * and why; JSON is an array, one object per module. */
PF_EXTERN pf_ret pf_reader_print_live(pf_reader *r, FILE *f, bool json);
/* The manifest's notes on them: left out on purpose (always), why
 * changed and which reference was refused (with explain, or JSON). */
PF_EXTERN void pf_reader_print_live_notes(pf_reader *r, FILE *f, bool json,
    bool explain);
/*
 * Text for people and JSON for programs (patch-inspect).  In the text,
 * every string from the package is escaped as pf_text_escape() does; the
 * JSON escapes per RFC 8259, and C1 controls too.
 */
PF_EXTERN void pf_manifest_print_text(const pf_manifest *m, FILE *f);
PF_EXTERN void pf_manifest_print_json(const pf_manifest *m,
    const uint8_t digest[32], uint64_t package_size, FILE *f);

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

PF_EXTERN pf_ret pf_txn_new(pf_txn **out, pf_reader *r, const char *root);
PF_EXTERN void pf_txn_free(pf_txn *t);
PF_EXTERN const char *pf_txn_error(const pf_txn *t);
PF_EXTERN const char *pf_txn_error_detail(const pf_txn *t, pf_detail which);
PF_EXTERN pf_ret pf_txn_check(pf_txn *t);
/*
 * What the user gives up where the applier cannot do it (section 9.5):
 * owners and groups, extended attributes.  Without them, a package with
 * metadata that this process or file system cannot reproduce is refused
 * by pf_txn_check() before anything is written.
 */
#define PF_TXN_NO_OWNERS 0x1u
#define PF_TXN_NO_XATTRS 0x2u
PF_EXTERN pf_ret pf_txn_set_flags(pf_txn *t, unsigned flags);
/*
 * Checks that every new ELF file will find the shared libraries and symbol
 * versions it needs (DT_NEEDED, verneed) under needs_root (NULL: the
 * root), counting the libraries the package installs; PF_ERR_DEPENDENCY
 * names what is missing.
 */
PF_EXTERN pf_ret pf_txn_check_needs(pf_txn *t, const char *needs_root);
/* Decodes every payload against the target and checks its hash, writing
 * nothing: what --check adds to pf_txn_check(). */
PF_EXTERN pf_ret pf_txn_verify(pf_txn *t);
/*
 * The rest of a dry run (--check): every directory the commit writes in
 * is writable, and each file system has room for the staged files.
 */
PF_EXTERN pf_ret pf_txn_preflight(pf_txn *t);
PF_EXTERN pf_ret pf_txn_commit(pf_txn *t);
/*
 * The commit stops at its next step, undoes what it did and returns
 * PF_ERR_INTERRUPTED once *flag is non-zero (set it from a signal
 * handler); after its commit point it finishes instead.
 */
PF_EXTERN void pf_txn_set_cancel(pf_txn *t, const volatile sig_atomic_t *flag);
/* A warning about a commit that succeeded (leftovers to clean), or NULL. */
PF_EXTERN const char *pf_txn_note(const pf_txn *t);
PF_EXTERN pf_txn_state pf_txn_get_state(const pf_txn *t);
/* Per manifest entry, valid after pf_txn_check(). */
PF_EXTERN pf_action pf_txn_action(const pf_txn *t, size_t entry);
PF_EXTERN const char *pf_action_str(pf_action a);

/*
 * The state directory (spec section 12): installed patches, what they
 * provide and require, and their packages for rollback.  Opening it takes
 * an exclusive lock until pf_db_free().
 */
typedef struct pf_db pf_db;

typedef struct pf_db_info {
	size_t size;                   /* sizeof (pf_db_info) */
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
PF_EXTERN pf_ret pf_db_open(pf_db **out, const char *dir, bool create);
/*
 * The state directory of a root: dir when given (trusted as named), else
 * ROOT/var/lib/patchfmt, reached without following any symlink inside
 * the root.
 */
PF_EXTERN pf_ret pf_db_open_root(pf_db **out, const char *root, const char *dir,
    bool create);
/*
 * Finishes or undoes a transaction on root that was interrupted (a crash,
 * SIGKILL, power loss), from the journal in the state directory, and
 * removes everything it left; PF_OK when there was none.  Every tool runs
 * it after opening the state directory.
 */
PF_EXTERN pf_ret pf_db_recover(pf_db *db, const char *root);
/* What pf_db_recover() did, for people ("undid the interrupted ..."), or
 * NULL when it did nothing. */
PF_EXTERN const char *pf_db_recovered(const pf_db *db);
PF_EXTERN void pf_db_free(pf_db *db);
PF_EXTERN const char *pf_db_error(const pf_db *db);
PF_EXTERN const char *pf_db_error_detail(const pf_db *db, pf_detail which);
PF_EXTERN size_t pf_db_count(const pf_db *db);
PF_EXTERN void pf_db_get(const pf_db *db, size_t i, pf_db_info *info);
/* Requires, conflicts, release counter and target, against what is
 * installed; PF_OK also when this very package is installed already. */
PF_EXTERN pf_ret pf_db_check_install(pf_db *db, const pf_reader *r,
    bool force_downgrade);
/*
 * Installs: keeps a copy of the package (with its rollback data) in the
 * state directory, writes the journal, commits t (a pf_txn of the same
 * reader on root, checked) and records the patch, all or nothing.
 */
PF_EXTERN pf_ret pf_db_install(pf_db *db, pf_reader *r, pf_txn *t,
    const char *root);
PF_EXTERN pf_ret pf_db_check_rollback(pf_db *db, const char *id, bool force);
/* Opens the stored package of an installed patch. */
PF_EXTERN pf_ret pf_db_open_package(pf_db *db, const char *id, pf_reader **out);
/*
 * Rolls back: commits t (pf_txn_new_reverse() on the package from
 * pf_db_open_package(), checked) under the journal and forgets the patch,
 * all or nothing; what it superseded is in force again.
 */
PF_EXTERN pf_ret pf_db_rollback(pf_db *db, const char *id, pf_txn *t,
    const char *root);

/*
 * Hot patching a running process (spec/hotpatch.md): every hot-patch
 * record of the package whose build the process runs is applied, all or
 * nothing, and recorded under the state directory for
 * pf_db_live_revert().  wait_ms bounds the wait for threads to leave the
 * functions being replaced (0: the default).
 */
typedef struct pf_live_result {
	size_t size;                   /* sizeof (pf_live_result) */
	bool already;                  /* it was live in the process already */
	bool not_running;              /* the process runs none of the builds */
	bool unreadable;               /* it could not be looked into, or went */
	size_t modules;
	size_t functions;
	uint64_t stop_ns;              /* longest time all threads were stopped */
} pf_live_result;

PF_EXTERN pf_ret pf_db_live_apply(pf_db *db, pf_reader *r, int pid,
    unsigned wait_ms, pf_live_result *res);
PF_EXTERN pf_ret pf_db_live_revert(pf_db *db, const char *id, int pid,
    unsigned wait_ms);
/* Whether patch id is live in process pid, writing nothing; a damaged
 * record is an error (PF_ERR_IO), not an absent one. */
PF_EXTERN pf_ret pf_db_live_check(pf_db *db, const char *id, int pid);
/*
 * Finishes what a killed patch-apply --pid or patch-rollback --pid left
 * in process pid (spec section 12.7, recovery): a patch that was going
 * in or out is taken out, a process left stopped is let run.
 * pf_db_live_apply and pf_db_live_revert do this first themselves.
 */
PF_EXTERN pf_ret pf_db_live_recover(pf_db *db, int pid, unsigned wait_ms);
/*
 * The IDs live in process pid, sorted, into *ids and their number into
 * *n; the caller frees each and the array.  None (PF_OK, *n 0) when the
 * process is gone or nothing is live in it; PF_ERR_IO when the state
 * cannot be read, PF_ERR_NOMEM: an error is never "none".
 */
PF_EXTERN pf_ret pf_db_live_list(pf_db *db, int pid, char ***ids,
    size_t *n);
/*
 * The IDs of the patches live in process pid that patch id stands on
 * (spec/hotpatch.md section 7.2: its jumps go through their code, so
 * they can be rolled back only after it), sorted, into *ids and their
 * number into *n; the caller frees each and the array.  None (PF_OK, *n
 * 0) for a patch applied to the unpatched code.  PF_ERR_USAGE when id
 * is not live in the process, PF_ERR_IO for a damaged record.
 */
PF_EXTERN pf_ret pf_db_live_below(pf_db *db, const char *id, int pid,
    char ***ids, size_t *n);

/*
 * Patches in the field (spec sections 5.1.4, 5.1.5, 9.8, 12.8).
 *
 * Phasing: whether this machine takes the package now.  The place of a
 * machine (0-9999) comes from ROOT/etc/machine-id and the seed (the
 * package's, or its patch ID); it takes the package when the place is
 * below the share.
 */
typedef struct pf_phase {
	size_t size;                   /* sizeof (pf_phase) */
	bool phased;                   /* the package has a phase */
	bool install;                  /* this machine takes it now */
	bool have_machine_id;
	uint32_t share;                /* hundredths of a percent */
	uint32_t place;                /* 0-9999 */
	const char *seed;              /* valid while the reader is */
} pf_phase;

PF_EXTERN uint32_t pf_phase_place(const char *machine_id, const char *seed);
PF_EXTERN void pf_phase_decide(const pf_reader *r, const char *root,
    pf_phase *d);
/*
 * Runs the package's hook of this kind, if it has one, for the
 * transaction t (the install, or a rollback's reverse) on root, and logs
 * the run in STATE/log.  PF_OK when there is none (res->ran false) or it
 * exited with 0; PF_ERR_HOOK when it failed, timed out or could not run.
 */
PF_EXTERN pf_ret pf_db_run_hook(pf_db *db, pf_reader *r, pf_hook_kind kind,
    const char *root, const pf_txn *t, pf_hook_result *res);
/*
 * A hook that pf_db_run_hook() runs is killed, with what it started,
 * once *flag is non-zero (set it from a signal handler): the call then
 * returns PF_ERR_INTERRUPTED, and res->status is -1.
 */
PF_EXTERN void pf_db_set_cancel(pf_db *db, const volatile sig_atomic_t *flag);
/* Whether the package's hooks can run on root (section 9.8), before
 * anything is written: PF_OK, or PF_ERR_HOOK saying why not. */
PF_EXTERN pf_ret pf_db_hooks_check(pf_db *db, const pf_reader *r,
    const char *root);
/*
 * Rolls back the patch id that was just installed, as patch-rollback
 * does (after a failed health check); *rd and *t, the stored package and
 * the reverse transaction, are the caller's to free, whatever happens.
 */
PF_EXTERN pf_ret pf_db_undo_install(pf_db *db, const char *id, const char *root,
    unsigned flags, pf_reader **rd, pf_txn **t);
/*
 * The audit log: a line for an event outside a transaction (a hot patch
 * going in or out of process pid); and the whole log, as text for people
 * or as one JSON array.
 */
PF_EXTERN pf_ret pf_db_log_event(pf_db *db, const char *event, const char *id,
    int pid, pf_ret result, const char *error);
PF_EXTERN pf_ret pf_db_log_print(pf_db *db, FILE *out, bool json);

/*
 * Undoing a package: the same transaction with before and after swapped,
 * the rollback blobs as payload.  force replaces files that changed since
 * the install instead of refusing.
 */
PF_EXTERN pf_ret pf_txn_new_reverse(pf_txn **out, pf_reader *r,
    const char *root, bool force);

/*
 * The new files written elsewhere, the root only read (patch-apply
 * --output, --output-tar): t is checked and verified, then every path it adds or changes
 * is rebuilt into the new directory dir (made beside it, renamed once
 * complete), or into a POSIX tar archive on fd.  Messages are on t.
 */
PF_EXTERN pf_ret pf_txn_output_dir(pf_txn *t, const char *dir);
PF_EXTERN pf_ret pf_txn_output_tar(pf_txn *t, int fd);
/* The new content of one file into fd, from the package and, for a
 * delta, the old file under root (NULL: none); message on r. */
PF_EXTERN pf_ret pf_reader_extract(pf_reader *r, const char *root,
    const char *path, int fd);

/*
 * Section 5.1.7: dpkg's database under root (only read) against the
 * package's dpkg origin.  pf_reader_dpkg_check() is PF_OK when it
 * agrees or there is nothing to check, else PF_ERR_MISMATCH with the
 * message on r; *state says which.  pf_reader_dpkg_verify() calls fn
 * for each file of the package that dpkg's md5sums list with another
 * MD5 than the file under root has (hex strings, valid during the call).
 */
typedef enum pf_dpkg_state {
	PF_DPKG_NO_DATABASE,    /* the root has no var/lib/dpkg/status */
	PF_DPKG_INSTALLED,      /* installed at the version the package wants */
	PF_DPKG_ABSENT,         /* not installed (or only its conffiles) */
	PF_DPKG_OTHER_VERSION   /* installed at another version */
} pf_dpkg_state;
typedef void (*pf_dpkg_mismatch_fn)(void *opaque, const char *path,
    const char *expected_md5, const char *found_md5);
PF_EXTERN pf_ret pf_reader_dpkg_check(pf_reader *r, const char *root,
    pf_dpkg_state *state);
PF_EXTERN pf_ret pf_reader_dpkg_verify(pf_reader *r, const char *root,
    pf_dpkg_mismatch_fn fn, void *opaque);

#ifdef __cplusplus
}
#endif

/* The delta codec on its own (patch-delta). */
#include "libpatchfmt_delta.h"

#endif
