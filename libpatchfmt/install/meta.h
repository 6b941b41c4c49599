/*
 * The metadata of spec/patchfmt.md sections 5.4.1 to 5.4.3 on the file
 * system, for the applier: read it from what is there, compare it with a
 * state, set it on a staged file, write sparse files, link the members of
 * a hard-link group, and say beforehand what cannot be done here.
 *
 * Every function works on descriptors the transaction opened (a file, or
 * a directory and a leaf name in it); path only names the entry in
 * messages.  Messages follow section 9.2: "'PATH' does not match the
 * package: expected ..., found ...".
 */
#ifndef PF_INSTALL_META_H
#define PF_INSTALL_META_H

#include <stdbool.h>
#include <stdint.h>

#include "libpatchfmt.h"
#include "common/err.h"
#include "common/hash.h"

/* What the user gave up (patch-apply --no-owners, --no-xattrs). */
#define PF_META_NO_OWNERS       0x1u
#define PF_META_NO_XATTRS       0x2u

/*
 * Reads type, mode, size, owner, extended attributes and data extents of
 * an open file or directory into out (cleared first), with has_meta set;
 * the time is not read, since it is never compared.
 */
pf_ret pf_meta_read_fd(int fd, pf_state *out, pf_err *err, const char *path);
/* The same for leaf in dfd without following it (for symlinks). */
pf_ret pf_meta_read_at(int dfd, const char *leaf, pf_state *out,
    pf_err *err, const char *path);
/*
 * PF_OK when got has the owner and extended attributes that want
 * records (each unless flags give it up), or want records none (a
 * package without metadata); PF_ERR_MISMATCH naming the first
 * difference otherwise.  Layout, link group and time are not compared.
 */
pf_ret pf_meta_compare(const pf_state *want, const pf_state *got,
    unsigned flags, pf_err *err, const char *path);
/*
 * Gives an open staged file or directory the metadata of s, in the order
 * that keeps each step: owner first (chown clears set-user-ID bits and
 * security.capability), then extended attributes (removing every one s
 * does not have), then the mode, then the modification time.
 */
pf_ret pf_meta_apply_fd(int fd, const pf_state *s, unsigned flags,
    pf_err *err, const char *path);
/* The same for a staged symlink leaf in dfd, never following it; the
 * mode of a symlink is not set. */
pf_ret pf_meta_apply_at(int dfd, const char *leaf, const pf_state *s,
    unsigned flags, pf_err *err, const char *path);

/*
 * Before the first write: whether this process can give a file in dfd
 * (the entry's parent) the metadata of s.  Not root: owners other than
 * its own, and security.* and trusted.* attributes; a file system that
 * refuses an attribute's namespace (ENOTSUP, probed with getxattr on
 * dfd).  PF_ERR_UNSUPPORTED names what, unless flags give it up.
 */
pf_ret pf_meta_check_state(int dfd, const pf_state *s, unsigned flags,
    pf_err *err, const char *path);

/*
 * A pf_ostream target that writes the payload of a sparse state (its
 * data extents, one after the other, section 5.4.2) at the offsets of
 * the extents of fd, or with fd -1 only hashes; holes are never written.
 * pf_sparse_finish() sets the size and gives the hash of the whole
 * content, holes as zeros.
 */
typedef struct pf_sparse_out {
	int fd;
	const pf_state *s;
	const char *path;
	size_t ext;                     /* extent being written */
	uint64_t in_ext;                /* bytes of it written */
	uint64_t pos;                   /* content hashed so far */
	pf_sha256_ctx h;
} pf_sparse_out;

/*
 * 0, or -1 when out of memory.  pf_sparse_finish() releases o; one that is
 * abandoned before is released with pf_sparse_discard().
 */
int pf_sparse_init(pf_sparse_out *o, int fd, const pf_state *s,
    const char *path) __attribute__((warn_unused_result));
void pf_sparse_discard(pf_sparse_out *o);
pf_ret pf_sparse_write(void *opaque, const void *buf, size_t n, pf_err *err);
pf_ret pf_sparse_finish(pf_sparse_out *o, uint8_t sha256[32], pf_err *err);

/*
 * Copies the content of src to dst, data extents only, and sets the
 * size: a staged copy of a file whose metadata alone changes.
 */
pf_ret pf_meta_copy(int src, int dst, pf_err *err, const char *path);

/*
 * Section 5.4.3: links the leader (leader in leader_dfd) under name in
 * dfd, the staged name the transaction drew, so that renaming it over
 * the member's path makes the two one inode.
 */
pf_ret pf_meta_link(int leader_dfd, const char *leader, int dfd,
    const char *name, pf_err *err, const char *path);

#endif
