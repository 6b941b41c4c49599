/*
 * Section 5.5, codec 3, as a reader verifies a package: a pfdelta blob's
 * header must name the files the manifest says it turns into each other.
 * This is the package layer's check, not the format's: it needs the delta
 * codec's header parser.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "common/hash.h"
#include "delta/delta.h"
#include "format/manifest.h"
#include "package/reader.h"

/* The message for a delta whose header names a file other than state s. */
static pf_ret
delta_names_other(const pf_entry *e, const char *what, size_t idx,
    const char *dir, uint64_t size, const uint8_t sha[32],
    const char *state, const pf_state *s, pf_err *err)
{
	char want[PF_SHA256_HEX_LEN], got[PF_SHA256_HEX_LEN];

	return pf_err_set(err, PF_ERR_CORRUPT, "entry '%s': %s blob %zu is a "
	    "delta %s %llu bytes with sha256 %s, but the entry's %s state has "
	    "%llu bytes with sha256 %s: the package is damaged", e->path, what,
	    idx, dir, (unsigned long long)size, pf_sha256_hex(got, sha), state,
	    (unsigned long long)s->size, pf_sha256_hex(want, s->sha256));
}

/*
 * Section 5.5, codec 3: a pfdelta blob's header names, as its old and new
 * files, the entry's base and the state the blob makes (before and after
 * for a payload blob, after and before for a rollback blob).  A header
 * that names other files is a damaged package, not a tree that does not
 * match, and is found while the package is verified.
 */
pf_ret
pf_manifest_check_delta(const pf_manifest *m, size_t idx,
    const uint8_t *head, size_t n, pf_err *err)
{
	const pf_blob *b = &m->blobs[idx];
	const pf_entry *e = &m->entries[b->entry];
	bool payload = b->section == PF_SECTION_PAYLOAD;
	const pf_state *base = payload ? &e->before : &e->after;
	const pf_state *made = payload ? &e->after : &e->before;
	const char *what = payload ? "payload" : "rollback";
	char why[PF_ERR_MSG_MAX];
	pf_delta_info info;
	pf_ret r;

	if (b->codec != PF_CODEC_DELTA)
		return PF_OK;
	r = pf_delta_read_info(head, n, &info, err);
	if (r == PF_ERR_NOT_PACKAGE || r == PF_ERR_CORRUPT) {
		snprintf(why, sizeof why, "%s", err->msg);
		return pf_err_set(err, PF_ERR_CORRUPT, "entry '%s': %s blob "
		    "%zu is damaged: %s", e->path, what, idx, why);
	}
	if (r != PF_OK)
		return r;
	/*
	 * A version 2 header may hold sizes alone: the applier checks the
	 * base before and the content after against the manifest anyway.
	 */
	if (!info.has_sha256) {
		memcpy(info.old_sha256, base->sha256, 32);
		memcpy(info.new_sha256, made->sha256, 32);
	}
	if (info.old_size != base->size ||
	    memcmp(info.old_sha256, base->sha256, 32) != 0)
		return delta_names_other(e, what, idx, "from", info.old_size,
		    info.old_sha256, payload ? "before" : "after", base, err);
	if (info.new_size != made->size ||
	    memcmp(info.new_sha256, made->sha256, 32) != 0)
		return delta_names_other(e, what, idx, "to", info.new_size,
		    info.new_sha256, payload ? "after" : "before", made, err);
	return PF_OK;
}
