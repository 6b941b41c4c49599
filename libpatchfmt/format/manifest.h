/*
 * The manifest and the dependency list in memory, and their encodings
 * (spec/patchfmt.md sections 4 to 6).
 */
#ifndef PF_FORMAT_MANIFEST_H
#define PF_FORMAT_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libpatchfmt.h"
#include "common/buf.h"
#include "common/err.h"
#include "format/types.h"

void pf_manifest_init(pf_manifest *m);
/* Frees everything the manifest owns and leaves it empty. */
void pf_manifest_clear(pf_manifest *m);
void pf_state_clear(pf_state *s);
/* Frees the extended attributes of s. */
void pf_state_xattrs_clear(pf_state *s);

/* Writes the manifest fields (section 5), canonical and deterministic. */
pf_ret pf_manifest_encode(const pf_manifest *m, pf_buf *out, pf_err *err);
/* Parses and validates; on failure m is left empty. */
pf_ret pf_manifest_decode(pf_manifest *m, const uint8_t *p, size_t n,
    pf_err *err);
/* Section 6. */
pf_ret pf_deps_encode(const pf_manifest *m, pf_buf *out, pf_err *err);
pf_ret pf_deps_decode(pf_manifest *m, const uint8_t *p, size_t n,
    pf_err *err);

/*
 * The rules of section 5.6 on the manifest's structure: paths, operations
 * against states, blob references, parents.  Fills in blob offsets and
 * the section sizes.  Rule 11 is pf_manifest_check_words().
 */
pf_ret pf_manifest_validate(pf_manifest *m, pf_err *err);
/*
 * Section 5.6 rule 11, on every name and word of the manifest and of the
 * dependency list: called once both are decoded (the reader) or filled in
 * (the writer), and by no one before.
 */
pf_ret pf_manifest_check_words(const pf_manifest *m, pf_err *err);
/* Section 5.6 rule 11: [A-Za-z0-9._+~-], 1 to 128 bytes, no leading '.'. */
bool pf_id_valid(const char *id);
/* Printable ASCII without spaces, at least one byte. */
bool pf_token_valid(const char *s);
/* Section 5.3.1: a relative path with no empty, "." or ".." component. */
bool pf_path_valid(const char *p, size_t n);
/* Section 5.4.1: whether the states carry metadata (feature bit 2). */
bool pf_manifest_has_meta(const pf_manifest *m);
/* Owner, xattrs, link group, layout and mtime are the same. */
bool pf_state_meta_equal(const pf_state *a, const pf_state *b);
/* The bytes a payload holds for a file state: its size, or for a sparse
 * file the sum of its data extents (section 5.4.2). */
uint64_t pf_state_data_size(const pf_state *s);
/* True when the blob's codec reads a base (the other state's content). */
bool pf_codec_needs_base(pf_codec c);

#endif
