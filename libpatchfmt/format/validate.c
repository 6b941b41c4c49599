/*
 * The consistency rules of spec/patchfmt.md section 5.6.  A package that
 * breaks any of them is corrupt (or hostile) and is refused before any
 * byte of its payload is read.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ckd.h"
#include "format/format.h"
#include "format/manifest.h"

bool
pf_path_valid(const char *p, size_t n)
{
	size_t i = 0, start;

	if (n == 0 || n > PF_MAX_PATH)
		return false;
	while (i <= n) {
		start = i;
		while (i < n && p[i] != '/') {
			if (p[i] == '\0')
				return false;
			i++;
		}
		/* Empty components cover a leading '/' and "a//b". */
		if (i == start || i - start > PF_MAX_NAME)
			return false;
		if (p[start] == '.' && (i - start == 1 ||
		    (i - start == 2 && p[start + 1] == '.')))
			return false;
		i++;
	}
	return true;
}

bool
pf_id_valid(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > PF_MAX_ID || id[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._+~-", id[i]))
			return false;
	return true;
}

bool
pf_token_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return i > 0;
}

/*
 * Section 5.6, rule 11, for one string: what it is (for the message),
 * and whether it must be a patch ID or a token.  Absent strings pass.
 */
static pf_ret
check_word(const char *s, bool id, const char *what, pf_err *err)
{
	if (s == NULL || (id ? pf_id_valid(s) : pf_token_valid(s)))
		return PF_OK;
	/* Raw, like every message: whoever shows it escapes it. */
	return pf_err_set(err, PF_ERR_CORRUPT, "%s '%.100s%s' is not a valid "
	    "%s", what, s, strlen(s) > 100 ? "..." : "", id ?
	    "patch ID (1 to 128 bytes of A-Z a-z 0-9 . _ + ~ -, not starting "
	    "with '.')" : "token (printable ASCII without spaces)");
}

pf_ret
pf_manifest_check_words(const pf_manifest *m, pf_err *err)
{
	char what[64];
	size_t i;
	pf_ret r;

	if ((r = check_word(m->name, true, "package name", err)) != PF_OK ||
	    (r = check_word(m->version, false, "package version", err)) !=
	    PF_OK ||
	    (r = check_word(m->product, false, "target product", err)) !=
	    PF_OK)
		return r;
	for (i = 0; i < m->n_from; i++)
		if ((r = check_word(m->from_versions[i], false,
		    "target 'from' version", err)) != PF_OK)
			return r;
	if ((r = check_word(m->to_version, false, "target 'to' version",
	    err)) != PF_OK ||
	    (r = check_word(m->family, true, "release family", err)) != PF_OK)
		return r;
	for (i = 0; i < m->n_deps; i++) {
		snprintf(what, sizeof what, "dependency name (dependency %zu)",
		    i + 1);
		if ((r = check_word(m->deps[i].name, true, what, err)) != PF_OK)
			return r;
		snprintf(what, sizeof what, "dependency version (dependency "
		    "%zu)", i + 1);
		if ((r = check_word(m->deps[i].version, false, what, err)) !=
		    PF_OK)
			return r;
	}
	return PF_OK;
}

uint64_t
pf_state_data_size(const pf_state *s)
{
	uint64_t n = 0;
	size_t i;

	if (!s->sparse)
		return s->size;
	for (i = 0; i < s->n_extents; i++)
		n += s->extents[i].length;
	return n;
}

static bool
str_equal(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

bool
pf_state_meta_equal(const pf_state *a, const pf_state *b)
{
	size_t i;

	if (a->has_meta != b->has_meta || a->uid != b->uid ||
	    a->gid != b->gid || a->n_xattrs != b->n_xattrs ||
	    !str_equal(a->hardlink, b->hardlink) || a->sparse != b->sparse ||
	    a->n_extents != b->n_extents || a->has_mtime != b->has_mtime ||
	    a->mtime_sec != b->mtime_sec || a->mtime_nsec != b->mtime_nsec)
		return false;
	for (i = 0; i < a->n_xattrs; i++)
		if (strcmp(a->xattrs[i].name, b->xattrs[i].name) != 0 ||
		    a->xattrs[i].len != b->xattrs[i].len ||
		    memcmp(a->xattrs[i].value, b->xattrs[i].value,
		    a->xattrs[i].len) != 0)
			return false;
	return a->n_extents == 0 || memcmp(a->extents, b->extents,
	    a->n_extents * sizeof *a->extents) == 0;
}

static bool
state_equal(const pf_state *a, const pf_state *b)
{
	if (a->type != b->type || a->mode != b->mode ||
	    !pf_state_meta_equal(a, b))
		return false;
	if (a->type == PF_TYPE_FILE)
		return a->size == b->size &&
		    memcmp(a->sha256, b->sha256, 32) == 0;
	if (a->type == PF_TYPE_SYMLINK)
		return strcmp(a->link, b->link) == 0;
	return true;
}

static bool
same_content(const pf_state *a, const pf_state *b)
{
	return a->type == PF_TYPE_FILE && b->type == PF_TYPE_FILE &&
	    a->size == b->size && memcmp(a->sha256, b->sha256, 32) == 0;
}

static pf_ret
check_op(const pf_entry *e, pf_err *err)
{
	bool has_b = e->before.type != PF_TYPE_NONE;
	bool has_a = e->after.type != PF_TYPE_NONE;
	bool ok;

	switch (e->op) {
	case PF_OP_ADD: ok = !has_b && has_a; break;
	case PF_OP_REMOVE: ok = has_b && !has_a; break;
	case PF_OP_CHANGE: ok = has_b && has_a; break;
	default: ok = false; break;
	}
	if (!ok)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': operation does not fit its states", e->path);
	if (has_b && has_a && state_equal(&e->before, &e->after))
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s' changes nothing", e->path);
	return PF_OK;
}

/*
 * A blob reference is needed exactly when there is content to write:
 * "to" is a file whose content "from" does not already have.
 */
static pf_ret
check_ref(pf_manifest *m, size_t ei, uint32_t idx,
    const pf_state *from, const pf_state *to, pf_section sec,
    uint32_t *next, uint8_t *used, pf_err *err)
{
	bool need = to->type == PF_TYPE_FILE && to->hardlink == NULL &&
	    !same_content(from, to);
	const char *what = sec == PF_SECTION_PAYLOAD ? "payload" : "rollback";
	const pf_entry *e = &m->entries[ei];
	pf_blob *b;

	if (!need && idx == PF_NO_BLOB)
		return PF_OK;
	if (!need || idx == PF_NO_BLOB || idx >= m->n_blobs)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': %s blob reference is wrong", e->path, what);
	b = &m->blobs[idx];
	if (b->section != sec || used[idx] || idx < *next)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': %s blob %u is misplaced or shared", e->path,
		    what, idx);
	if (b->decoded_size != pf_state_data_size(to))
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': %s blob size disagrees with the entry",
		    e->path, what);
	if (pf_codec_needs_base(b->codec) &&
	    (from->type != PF_TYPE_FILE || to->sparse))
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': delta blob has no base file", e->path);
	b->entry = (uint32_t)ei;
	used[idx] = 1;
	*next = idx + 1;
	return PF_OK;
}

/*
 * Rule 12: a hot-patch record belongs to a file changed from one ELF
 * build to another; its blob is in the payload section, after the
 * entry's payload blob, used once, bounded, and needs no base.
 */
static pf_ret
check_live(const pf_manifest *m, const pf_entry *e, uint32_t *next,
    uint8_t *used, pf_err *err)
{
	const pf_blob *b;

	if (e->live == PF_NO_BLOB)
		return PF_OK;
	if (e->before.type != PF_TYPE_FILE || e->after.type != PF_TYPE_FILE ||
	    e->live >= m->n_blobs)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': hot-patch record reference is wrong", e->path);
	b = &m->blobs[e->live];
	if (b->section != PF_SECTION_PAYLOAD || used[e->live] ||
	    e->live < *next || b->decoded_size > PF_MAX_LIVE ||
	    pf_codec_needs_base(b->codec))
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': hot-patch blob %u is misplaced or too large",
		    e->path, e->live);
	used[e->live] = 1;
	*next = e->live + 1;
	return PF_OK;
}

const pf_entry *
pf_manifest_find(const pf_manifest *m, const char *path, size_t len)
{
	size_t lo = 0, hi = m->n_entries, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strncmp(m->entries[mid].path, path, len);
		if (c == 0 && m->entries[mid].path[len] != '\0')
			c = 1;
		if (c == 0)
			return &m->entries[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Every ancestor named in the manifest must be a directory (5.6, rule 6). */
static pf_ret
check_ancestors(const pf_manifest *m, const pf_entry *e, pf_err *err)
{
	const char *slash;
	const pf_entry *a;
	size_t len;

	for (slash = strchr(e->path, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		len = (size_t)(slash - e->path);
		if ((a = pf_manifest_find(m, e->path, len)) == NULL)
			continue;
		if ((e->after.type != PF_TYPE_NONE &&
		    a->after.type != PF_TYPE_DIR) ||
		    (e->before.type != PF_TYPE_NONE &&
		    a->before.type != PF_TYPE_DIR))
			return pf_err_set(err, PF_ERR_UNSAFE,
			    "entry '%s' lies under '%s', which is not a "
			    "directory", e->path, a->path);
	}
	return PF_OK;
}

static pf_ret
check_blobs(pf_manifest *m, const uint8_t *used, pf_err *err)
{
	uint64_t sizes[3] = { 0, 0, 0 };
	const pf_blob *b;
	size_t i;

	for (i = 0; i < m->n_blobs; i++) {
		b = &m->blobs[i];
		if (!used[i])
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "blob %zu belongs to no entry", i);
		if (b->codec == PF_CODEC_STORED &&
		    (b->stored_size != b->decoded_size || b->param != 0))
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "stored blob %zu has inconsistent sizes", i);
		if (pf_codec_needs_base(b->codec) && b->param != 0)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "delta blob %zu has a parameter", i);
		if ((b->codec == PF_CODEC_LZMA2 ||
		    b->codec == PF_CODEC_X86_LZMA2) &&
		    (b->param < 4096 || b->param > PF_MAX_LZMA_DICT))
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "blob %zu has an LZMA2 dictionary size out of range",
			    i);
		m->blobs[i].offset = sizes[b->section];
		if (pf_add_overflow_u64(sizes[b->section], b->stored_size,
		    &sizes[b->section]) || sizes[b->section] > PF_MAX_SECTION)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "blob sizes overflow");
	}
	m->payload_size = sizes[PF_SECTION_PAYLOAD];
	m->rollback_size = sizes[PF_SECTION_ROLLBACK];
	return PF_OK;
}

/* Rule 13: the namespaces an applier knows how to set. */
static bool
xattr_name_valid(const char *n)
{
	static const char *const ns[] = { "security.", "system.", "trusted.",
	    "user." };
	size_t i, k;

	for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		k = strlen(ns[i]);
		if (strncmp(n, ns[i], k) == 0 && n[k] != '\0')
			return true;
	}
	return false;
}

static pf_ret
check_xattrs(const pf_entry *e, const pf_state *s, pf_err *err)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < s->n_xattrs; i++) {
		if (!xattr_name_valid(s->xattrs[i].name))
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "entry '%s': extended attribute '%s' has no known "
			    "namespace", e->path, s->xattrs[i].name);
		if (i > 0 && strcmp(s->xattrs[i - 1].name,
		    s->xattrs[i].name) >= 0)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "entry '%s': extended attributes are not sorted "
			    "or repeat '%s'", e->path, s->xattrs[i].name);
		total += strlen(s->xattrs[i].name) + s->xattrs[i].len;
	}
	if (total > PF_MAX_XATTR_TOTAL)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': extended attributes are too large", e->path);
	return PF_OK;
}

/* Rule 14: data extents sorted, apart, not empty, within the size. */
static pf_ret
check_extents(const pf_entry *e, const pf_state *s, pf_err *err)
{
	uint64_t end = 0, last;
	size_t i;

	for (i = 0; i < s->n_extents; i++) {
		const pf_extent *x = &s->extents[i];

		if (x->length == 0 || (i > 0 && x->offset <= end) ||
		    pf_add_overflow_u64(x->offset, x->length, &last) ||
		    last > s->size)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "entry '%s': data extents overlap, touch, are "
			    "empty or lie beyond the size", e->path);
		end = last;
	}
	if (s->n_extents == 1 && s->extents[0].offset == 0 &&
	    s->extents[0].length == s->size)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': data extents of a file without holes",
		    e->path);
	return PF_OK;
}

/*
 * Rule 15: a link group is named by an earlier path; when that path has
 * an entry, its state of the same side is the group's inode: a file that
 * leads no other group, with the same content and metadata.
 */
static pf_ret
check_link(const pf_manifest *m, const pf_entry *e, const pf_state *s,
    bool after, pf_err *err)
{
	const pf_entry *l;
	const pf_state *ls;
	size_t n = strlen(s->hardlink);

	if (!pf_path_valid(s->hardlink, n) || strcmp(s->hardlink, e->path) >= 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': link group '%s' is not an earlier path",
		    e->path, s->hardlink);
	if ((l = pf_manifest_find(m, s->hardlink, n)) == NULL)
		return PF_OK;
	ls = after ? &l->after : &l->before;
	if (ls->type != PF_TYPE_FILE || ls->hardlink != NULL ||
	    ls->mode != s->mode || ls->size != s->size ||
	    memcmp(ls->sha256, s->sha256, 32) != 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': link group '%s' is not the same file",
		    e->path, s->hardlink);
	{
		pf_state a = *ls;

		/* Everything but the group's name is the inode's. */
		a.hardlink = s->hardlink;
		if (!pf_state_meta_equal(&a, s))
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "entry '%s': link group '%s' is not the same file",
			    e->path, s->hardlink);
	}
	return PF_OK;
}

/* Rules 13 to 15 for one state, and every state with metadata or none. */
static pf_ret
check_meta(const pf_manifest *m, const pf_entry *e, const pf_state *s,
    bool after, pf_err *err)
{
	pf_ret r;

	if (s->type == PF_TYPE_NONE)
		return PF_OK;
	if (s->has_meta != pf_manifest_has_meta(m))
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': metadata is recorded for some states only",
		    e->path);
	if ((r = check_xattrs(e, s, err)) != PF_OK ||
	    (r = check_extents(e, s, err)) != PF_OK)
		return r;
	return s->hardlink != NULL ? check_link(m, e, s, after, err) : PF_OK;
}

bool
pf_manifest_has_meta(const pf_manifest *m)
{
	size_t i;

	for (i = 0; i < m->n_entries; i++) {
		if (m->entries[i].before.type != PF_TYPE_NONE)
			return m->entries[i].before.has_meta;
		if (m->entries[i].after.type != PF_TYPE_NONE)
			return m->entries[i].after.has_meta;
	}
	return false;
}

static pf_ret
check_entry(pf_manifest *m, size_t i, uint32_t next[3], uint8_t *used,
    pf_err *err)
{
	const pf_entry *e = &m->entries[i];
	pf_ret r;

	if (!pf_path_valid(e->path, strlen(e->path)))
		return pf_err_set(err, PF_ERR_UNSAFE,
		    "entry path '%s' is not a safe relative path", e->path);
	if (i > 0 && strcmp(m->entries[i - 1].path, e->path) >= 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entries are not sorted or repeat '%s'", e->path);
	if ((r = check_op(e, err)) != PF_OK)
		return r;
	if ((e->needs_len > 0 || e->provides_len > 0) &&
	    e->after.type != PF_TYPE_FILE)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "entry '%s': ELF records on something that is not a file",
		    e->path);
	r = check_ref(m, i, e->payload, &e->before, &e->after,
	    PF_SECTION_PAYLOAD, &next[PF_SECTION_PAYLOAD], used, err);
	if (r != PF_OK)
		return r;
	r = check_ref(m, i, e->rollback, &e->after, &e->before,
	    PF_SECTION_ROLLBACK, &next[PF_SECTION_ROLLBACK], used, err);
	if (r != PF_OK)
		return r;
	if ((r = check_live(m, e, &next[PF_SECTION_PAYLOAD], used, err)) !=
	    PF_OK)
		return r;
	if ((r = check_meta(m, e, &e->before, false, err)) != PF_OK ||
	    (r = check_meta(m, e, &e->after, true, err)) != PF_OK)
		return r;
	return check_ancestors(m, e, err);
}

pf_ret
pf_manifest_validate(pf_manifest *m, pf_err *err)
{
	uint32_t next[3] = { 0, 0, 0 };
	uint8_t *used;
	size_t i;
	pf_ret r = PF_OK;

	used = calloc(m->n_blobs + 1, 1);
	if (used == NULL)
		return pf_err_nomem(err);
	for (i = 0; i < m->n_entries && r == PF_OK; i++)
		r = check_entry(m, i, next, used, err);
	if (r == PF_OK)
		r = check_blobs(m, used, err);
	free(used);
	return r;
}
