/*
 * The manifest in memory (spec/patchfmt.md sections 5 and 6): the
 * structures behind the opaque types of libpatchfmt.h.  The library
 * uses them directly; callers outside it read them through the
 * accessors (format/access.c), so that a field can be added without
 * breaking the ABI.
 */
#ifndef PF_FORMAT_TYPES_H
#define PF_FORMAT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libpatchfmt.h"

typedef struct pf_dpkg_origin pf_dpkg_origin;

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
struct pf_state {
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
};

struct pf_entry {
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
};

struct pf_blob {
	pf_section section;
	pf_codec codec;
	uint64_t param;                /* codec parameter, e.g. LZMA2 dict size */
	uint64_t offset;               /* from the start of its section */
	uint64_t stored_size;          /* bytes in the package */
	uint64_t decoded_size;         /* bytes it decodes to */
	uint8_t sha256[32];            /* of the stored bytes */
	uint32_t entry;                /* the entry that refers to it (set
	                                * by validation) */
};

typedef struct pf_dep {
	pf_dep_kind kind;
	char *name;
	char *version;                 /* may be NULL: any version */
} pf_dep;

typedef struct pf_hook {
	pf_hook_kind kind;
	uint32_t timeout;              /* seconds */
	uint8_t *script;
	size_t len;
} pf_hook;

struct pf_manifest {
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
	/* Field work (sections 5.1.3 to 5.1.5): provenance, hooks in kind
	 * order, phased rollout; NULL or 0 when absent. */
	char *issue;
	char *source_rev;
	char *source_url;
	pf_hook *hooks;
	size_t n_hooks;
	bool has_phase;
	uint32_t phase;                /* hundredths of a percent, 0-10000 */
	char *phase_seed;              /* NULL: the patch ID */
	struct pf_live_note *live_notes; /* for people (spec section 5.1.6) */
	size_t n_live_notes;
	/* The Debian package the builds were (section 5.1.7), or NULL. */
	struct pf_dpkg_origin *dpkg;
};

typedef struct pf_live_note {
	char *path;
	uint64_t kind;                 /* pf_live_note_kind; others: skip */
	char *name;                    /* the function or data object */
	char *text;
} pf_live_note;

#endif
