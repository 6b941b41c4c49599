/*
 * Manifest and dependency list: encoding, decoding and the consistency
 * rules of spec/patchfmt.md sections 5 and 6.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/ckd.h"
#include "format/dpkg.h"
#include "format/field.h"
#include "format/format.h"
#include "format/manifest.h"
#include "format/needs.h"
#include "format/rollout.h"

void
pf_manifest_init(pf_manifest *m)
{
	memset(m, 0, sizeof *m);
}

void
pf_state_xattrs_clear(pf_state *s)
{
	size_t i;

	for (i = 0; i < s->n_xattrs; i++) {
		free(s->xattrs[i].name);
		free(s->xattrs[i].value);
	}
	free(s->xattrs);
	s->xattrs = NULL;
	s->n_xattrs = 0;
}

void
pf_state_clear(pf_state *s)
{
	pf_state_xattrs_clear(s);
	free(s->extents);
	free(s->hardlink);
	free(s->user);
	free(s->group);
	free(s->link);
	memset(s, 0, sizeof *s);
}

void
pf_manifest_clear(pf_manifest *m)
{
	size_t i;

	for (i = 0; i < m->n_entries; i++) {
		free(m->entries[i].needs);
		free(m->entries[i].provides);
		free(m->entries[i].path);
		pf_state_clear(&m->entries[i].before);
		pf_state_clear(&m->entries[i].after);
	}
	for (i = 0; i < m->n_deps; i++) {
		free(m->deps[i].name);
		free(m->deps[i].version);
	}
	free(m->entries);
	free(m->blobs);
	free(m->deps);
	for (i = 0; i < m->n_from; i++)
		free(m->from_versions[i]);
	free(m->from_versions);
	free(m->product);
	free(m->to_version);
	free(m->family);
	free(m->name);
	free(m->version);
	free(m->description);
	pf_rollout_clear(m);
	for (i = 0; i < m->n_live_notes; i++) {
		free(m->live_notes[i].path);
		free(m->live_notes[i].name);
		free(m->live_notes[i].text);
	}
	free(m->live_notes);
	pf_dpkg_free(m->dpkg);
	pf_manifest_init(m);
}

bool
pf_codec_needs_base(pf_codec c)
{
	return c == PF_CODEC_DELTA || c == PF_CODEC_VCDIFF;
}

/* Encoding. */

/* Section 5.4.1 and 5.4.2: the fields of feature bit 2, in tag order. */
static void
encode_meta(pf_buf *b, const pf_state *s)
{
	pf_buf in;
	size_t i;

	pf_put_uint(b, PF_S_UID, s->uid);
	if (s->user != NULL)
		pf_put_string(b, PF_S_USER, s->user);
	pf_put_uint(b, PF_S_GID, s->gid);
	if (s->group != NULL)
		pf_put_string(b, PF_S_GROUP, s->group);
	for (i = 0; i < s->n_xattrs; i++) {
		pf_buf_init(&in);
		pf_put_string(&in, PF_X_NAME, s->xattrs[i].name);
		pf_put_bytes(&in, PF_X_VALUE, s->xattrs[i].value,
		    s->xattrs[i].len);
		pf_put_nested(b, PF_S_XATTR, &in);
		if (in.failed)
			b->failed = true;
		pf_buf_free(&in);
	}
	if (s->hardlink != NULL)
		pf_put_string(b, PF_S_HARDLINK, s->hardlink);
	if (s->sparse) {
		pf_buf_init(&in);
		for (i = 0; i < s->n_extents; i++) {
			pf_buf_put_uvarint(&in, s->extents[i].offset);
			pf_buf_put_uvarint(&in, s->extents[i].length);
		}
		pf_put_bytes(b, PF_S_EXTENTS, in.data, in.len);
		if (in.failed)
			b->failed = true;
		pf_buf_free(&in);
	}
	if (s->has_mtime) {
		pf_put_uint(b, PF_S_MTIME, s->mtime_sec);
		if (s->mtime_nsec != 0)
			pf_put_uint(b, PF_S_MTIME_NSEC, s->mtime_nsec);
	}
}

static void
encode_state(pf_buf *b, uint64_t tag, const pf_state *s)
{
	pf_buf in;

	if (s->type == PF_TYPE_NONE)
		return;
	pf_buf_init(&in);
	pf_put_uint(&in, PF_S_TYPE, s->type);
	pf_put_uint(&in, PF_S_MODE, s->mode);
	if (s->type == PF_TYPE_FILE) {
		pf_put_uint(&in, PF_S_SIZE, s->size);
		pf_put_bytes(&in, PF_S_SHA256, s->sha256, 32);
	}
	if (s->type == PF_TYPE_SYMLINK)
		pf_put_string(&in, PF_S_LINK, s->link);
	if (s->build_id_len > 0)
		pf_put_bytes(&in, PF_S_BUILD_ID, s->build_id, s->build_id_len);
	if (s->has_meta)
		encode_meta(&in, s);
	pf_put_nested(b, tag, &in);
	pf_buf_free(&in);
}

static void
encode_entry(pf_buf *b, const pf_entry *e)
{
	pf_buf in;

	pf_buf_init(&in);
	pf_put_string(&in, PF_E_PATH, e->path);
	pf_put_uint(&in, PF_E_OP, e->op);
	encode_state(&in, PF_E_BEFORE, &e->before);
	encode_state(&in, PF_E_AFTER, &e->after);
	if (e->payload != PF_NO_BLOB)
		pf_put_uint(&in, PF_E_PAYLOAD, e->payload);
	if (e->rollback != PF_NO_BLOB)
		pf_put_uint(&in, PF_E_ROLLBACK, e->rollback);
	if (e->needs_len > 0)
		pf_put_bytes(&in, PF_E_NEEDS, e->needs, e->needs_len);
	if (e->live != PF_NO_BLOB)
		pf_put_uint(&in, PF_E_LIVE, e->live);
	if (e->provides_len > 0)
		pf_put_bytes(&in, PF_E_PROVIDES, e->provides, e->provides_len);
	pf_put_nested(b, PF_M_ENTRY, &in);
	pf_buf_free(&in);
}

static void
encode_blob(pf_buf *b, const pf_blob *bl)
{
	pf_buf in;

	pf_buf_init(&in);
	pf_put_uint(&in, PF_B_SECTION, bl->section);
	pf_put_uint(&in, PF_B_CODEC, bl->codec);
	if (bl->param != 0)
		pf_put_uint(&in, PF_B_PARAM, bl->param);
	pf_put_uint(&in, PF_B_STORED_SIZE, bl->stored_size);
	pf_put_uint(&in, PF_B_DECODED_SIZE, bl->decoded_size);
	pf_put_bytes(&in, PF_B_SHA256, bl->sha256, 32);
	pf_put_nested(b, PF_M_BLOB, &in);
	pf_buf_free(&in);
}

static void
encode_target(pf_buf *b, const pf_manifest *m)
{
	pf_buf in;
	size_t i;

	if (m->product == NULL && m->n_from == 0 && m->to_version == NULL)
		return;
	pf_buf_init(&in);
	pf_put_string(&in, PF_T_PRODUCT, m->product);
	for (i = 0; i < m->n_from; i++)
		pf_put_string(&in, PF_T_FROM, m->from_versions[i]);
	pf_put_string(&in, PF_T_TO, m->to_version);
	pf_put_nested(b, PF_M_TARGET, &in);
	pf_buf_free(&in);
}

pf_ret
pf_manifest_encode(const pf_manifest *m, pf_buf *out, pf_err *err)
{
	size_t i;

	/* Fields in ascending tag order (section 4.2). */
	pf_put_string(out, PF_M_NAME, m->name);
	pf_put_string(out, PF_M_VERSION, m->version);
	pf_put_string(out, PF_M_DESCRIPTION, m->description);
	pf_put_uint(out, PF_M_CREATED, m->created);
	for (i = 0; i < m->n_blobs; i++)
		encode_blob(out, &m->blobs[i]);
	for (i = 0; i < m->n_entries; i++)
		encode_entry(out, &m->entries[i]);
	if (m->expires != 0)
		pf_put_uint(out, PF_M_EXPIRES, m->expires);
	encode_target(out, m);
	if (m->family != NULL || m->release != 0) {
		pf_buf in;

		pf_buf_init(&in);
		pf_put_string(&in, PF_R_FAMILY, m->family);
		pf_put_uint(&in, PF_R_COUNTER, m->release);
		pf_put_nested(out, PF_M_RELEASE, &in);
		pf_buf_free(&in);
	}
	pf_rollout_encode(out, m);
	for (i = 0; i < m->n_live_notes; i++) {
		const pf_live_note *ln = &m->live_notes[i];
		pf_buf in;

		pf_buf_init(&in);
		pf_put_string(&in, PF_LN_PATH, ln->path);
		pf_put_uint(&in, PF_LN_KIND, ln->kind);
		pf_put_string(&in, PF_LN_NAME, ln->name);
		pf_put_string(&in, PF_LN_TEXT, ln->text);
		pf_put_nested(out, PF_M_LIVE_NOTE, &in);
		pf_buf_free(&in);
	}
	pf_dpkg_encode(out, m);
	return out->failed ? pf_err_nomem(err) : PF_OK;
}

pf_ret
pf_deps_encode(const pf_manifest *m, pf_buf *out, pf_err *err)
{
	pf_buf in;
	size_t i;

	for (i = 0; i < m->n_deps; i++) {
		pf_buf_init(&in);
		pf_put_uint(&in, PF_D_KIND, m->deps[i].kind);
		pf_put_string(&in, PF_D_NAME, m->deps[i].name);
		pf_put_string(&in, PF_D_VERSION, m->deps[i].version);
		pf_put_nested(out, PF_D_DEP, &in);
		pf_buf_free(&in);
	}
	return out->failed ? pf_err_nomem(err) : PF_OK;
}

/* Decoding. */

/*
 * Walks the fields of one structure in ascending tag order; an unknown
 * critical tag is refused, an unknown other tag is skipped (section 4.3).
 */
typedef pf_ret (*field_fn)(void *obj, const pf_field *f, pf_err *err);

static pf_ret
walk_fields(const uint8_t *p, size_t n, const char *what, field_fn fn,
    void *obj, pf_err *err)
{
	pf_cur c;
	pf_field f;
	uint64_t last = 0;
	pf_ret r;

	pf_cur_init(&c, p, n);
	while (pf_field_next(&c, &f)) {
		if (f.tag < last)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "fields of the %s are out of order", what);
		last = f.tag;
		r = fn(obj, &f, err);
		if (r != PF_OK)
			return r;
	}
	if (c.bad)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "malformed field in the %s", what);
	return PF_OK;
}

static pf_ret
unknown_field(const pf_field *f, const char *what, pf_err *err)
{
	if (PF_TAG_CRITICAL(f->tag))
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "unknown critical field %llu in the %s: the package needs "
		    "a newer patchfmt", (unsigned long long)f->tag, what);
	return PF_OK;
}

/* A set of seen tags guards against repeated single fields. */
#define BIT(t) (UINT64_C(1) << (t))
#define STATE_FIELDS (BIT(PF_S_TYPE) | BIT(PF_S_MODE) | BIT(PF_S_SIZE) | \
	BIT(PF_S_SHA256) | BIT(PF_S_LINK) | BIT(PF_S_BUILD_ID) | \
	BIT(PF_S_UID) | BIT(PF_S_USER) | BIT(PF_S_GID) | BIT(PF_S_GROUP) | \
	BIT(PF_S_HARDLINK) | BIT(PF_S_EXTENTS) | BIT(PF_S_MTIME) | \
	BIT(PF_S_MTIME_NSEC))
#define META_FIELDS (BIT(PF_S_UID) | BIT(PF_S_USER) | BIT(PF_S_GID) | \
	BIT(PF_S_GROUP) | BIT(PF_S_XATTR) | BIT(PF_S_HARDLINK) | \
	BIT(PF_S_EXTENTS) | BIT(PF_S_MTIME) | BIT(PF_S_MTIME_NSEC))
#define ENTRY_FIELDS (BIT(PF_E_PATH) | BIT(PF_E_OP) | BIT(PF_E_BEFORE) | \
	BIT(PF_E_AFTER) | BIT(PF_E_PAYLOAD) | BIT(PF_E_ROLLBACK) | \
	BIT(PF_E_NEEDS) | BIT(PF_E_PROVIDES) | BIT(PF_E_LIVE))
#define BLOB_FIELDS (BIT(PF_B_SECTION) | BIT(PF_B_CODEC) | BIT(PF_B_PARAM) | \
	BIT(PF_B_STORED_SIZE) | BIT(PF_B_DECODED_SIZE) | BIT(PF_B_SHA256))
#define MANIFEST_SINGLE (BIT(PF_M_NAME) | BIT(PF_M_VERSION) | \
	BIT(PF_M_DESCRIPTION) | BIT(PF_M_CREATED) | BIT(PF_M_EXPIRES) | \
	BIT(PF_M_TARGET) | BIT(PF_M_RELEASE) | BIT(PF_M_PROVENANCE) | \
	BIT(PF_M_PHASE) | BIT(PF_M_DPKG))
#define DEP_FIELDS (BIT(PF_D_KIND) | BIT(PF_D_NAME) | BIT(PF_D_VERSION))

/*
 * Known single fields may appear once; unknown fields may repeat, since
 * only their definer knows.  single is the set of known single tags.
 */
static pf_ret
once(uint64_t *seen, const pf_field *f, uint64_t single, const char *what,
    pf_err *err)
{
	uint64_t bit;

	if (f->tag >= 64 || !(single & BIT(f->tag)))
		return PF_OK;
	bit = UINT64_C(1) << f->tag;
	if (*seen & bit)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "field %llu repeated in the %s",
		    (unsigned long long)f->tag, what);
	*seen |= bit;
	return PF_OK;
}

typedef struct state_ctx {
	pf_state *s;
	uint64_t seen;
} state_ctx;

static pf_ret
owner_id(const pf_field *f, uint32_t *id, pf_err *err)
{
	uint64_t v;
	pf_ret r;

	if ((r = pf_field_uint(f, &v, err, "owner")) != PF_OK)
		return r;
	if (v > PF_MAX_OWNER_ID)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "user or group ID %llu is beyond the limit",
		    (unsigned long long)v);
	*id = (uint32_t)v;
	return PF_OK;
}

typedef struct xattr_ctx {
	pf_xattr *x;
	uint64_t seen;
} xattr_ctx;

static pf_ret
xattr_field(void *obj, const pf_field *f, pf_err *err)
{
	xattr_ctx *x = obj;
	pf_ret r;

	if ((r = once(&x->seen, f, BIT(PF_X_NAME) | BIT(PF_X_VALUE),
	    "extended attribute", err)) != PF_OK)
		return r;
	switch (f->tag) {
	case PF_X_NAME:
		return pf_field_string(f, PF_MAX_XATTR_NAME, &x->x->name, err,
		    "extended attribute name");
	case PF_X_VALUE:
		if (f->len > PF_MAX_XATTR_VALUE)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "extended attribute value of %zu bytes", f->len);
		/* One byte more, so that an empty value is not NULL. */
		if ((x->x->value = malloc(f->len + 1)) == NULL)
			return pf_err_nomem(err);
		memcpy(x->x->value, f->val, f->len);
		x->x->len = f->len;
		return PF_OK;
	}
	return unknown_field(f, "extended attribute", err);
}

static pf_ret
add_xattr(pf_state *s, const pf_field *f, pf_err *err)
{
	xattr_ctx x = { NULL, 0 };
	pf_xattr *p;
	pf_ret r;

	if (s->n_xattrs >= PF_MAX_XATTRS)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "more than %d extended attributes", PF_MAX_XATTRS);
	p = realloc(s->xattrs, (s->n_xattrs + 1) * sizeof *p);
	if (p == NULL)
		return pf_err_nomem(err);
	s->xattrs = p;
	x.x = &p[s->n_xattrs++];
	memset(x.x, 0, sizeof *x.x);
	r = walk_fields(f->val, f->len, "extended attribute", xattr_field, &x,
	    err);
	if (r == PF_OK && x.seen != (BIT(PF_X_NAME) | BIT(PF_X_VALUE)))
		r = pf_err_set(err, PF_ERR_CORRUPT,
		    "an extended attribute lacks its name or value");
	return r;
}

/* Section 5.4.2: uvarint pairs of offset and length. */
static pf_ret
decode_extents(pf_state *s, const pf_field *f, pf_err *err)
{
	pf_cur c;
	pf_extent e;

	pf_cur_init(&c, f->val, f->len);
	s->sparse = true;
	while (pf_cur_left(&c) > 0) {
		if (!pf_cur_get_uvarint(&c, &e.offset) ||
		    !pf_cur_get_uvarint(&c, &e.length))
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "malformed data extents");
		if (s->n_extents >= PF_MAX_EXTENTS)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "more than %d data extents", PF_MAX_EXTENTS);
		if (s->n_extents % 64 == 0) {
			pf_extent *p = realloc(s->extents,
			    (s->n_extents + 64) * sizeof *p);

			if (p == NULL)
				return pf_err_nomem(err);
			s->extents = p;
		}
		s->extents[s->n_extents++] = e;
	}
	return PF_OK;
}

/* The fields of feature bit 2 (sections 5.4.1 and 5.4.2). */
static pf_ret
meta_field(pf_state *s, const pf_field *f, pf_err *err)
{
	uint64_t v;
	pf_ret r;

	switch (f->tag) {
	case PF_S_UID:
		return owner_id(f, &s->uid, err);
	case PF_S_GID:
		return owner_id(f, &s->gid, err);
	case PF_S_USER:
		return pf_field_string(f, PF_MAX_NAME, &s->user, err,
		    "user name");
	case PF_S_GROUP:
		return pf_field_string(f, PF_MAX_NAME, &s->group, err,
		    "group name");
	case PF_S_XATTR:
		return add_xattr(s, f, err);
	case PF_S_HARDLINK:
		return pf_field_string(f, PF_MAX_PATH, &s->hardlink, err,
		    "hard-link group");
	case PF_S_EXTENTS:
		return decode_extents(s, f, err);
	case PF_S_MTIME:
		s->has_mtime = true;
		return pf_field_uint(f, &s->mtime_sec, err, "modification time");
	case PF_S_MTIME_NSEC:
		if ((r = pf_field_uint(f, &v, err, "modification time")) != PF_OK)
			return r;
		if (v == 0 || v >= 1000000000)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "nanoseconds %llu out of range", (unsigned long long)v);
		s->mtime_nsec = (uint32_t)v;
		return PF_OK;
	}
	return unknown_field(f, "entry state", err);
}

static pf_ret
state_field(void *obj, const pf_field *f, pf_err *err)
{
	state_ctx *x = obj;
	pf_state *s = x->s;
	uint64_t v;
	pf_ret r;

	if ((r = once(&x->seen, f, STATE_FIELDS, "entry state", err)) != PF_OK)
		return r;
	switch (f->tag) {
	case PF_S_TYPE:
		if ((r = pf_field_uint(f, &v, err, "state type")) != PF_OK)
			return r;
		if (v < PF_TYPE_FILE || v > PF_TYPE_SYMLINK)
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "unknown entry type %llu", (unsigned long long)v);
		s->type = (pf_type)v;
		return PF_OK;
	case PF_S_MODE:
		if ((r = pf_field_uint(f, &v, err, "state mode")) != PF_OK)
			return r;
		if (v > 07777)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "mode %llo has bits beyond 07777",
			    (unsigned long long)v);
		s->mode = (uint32_t)v;
		return PF_OK;
	case PF_S_SIZE:
		if ((r = pf_field_uint(f, &s->size, err, "state size")) != PF_OK)
			return r;
		if (s->size > PF_MAX_FILE_SIZE)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "file size %llu is beyond the limit",
			    (unsigned long long)s->size);
		return PF_OK;
	case PF_S_SHA256:
		return pf_field_sha256(f, s->sha256, err, "state sha256");
	case PF_S_LINK:
		return pf_field_string(f, PF_MAX_LINK, &s->link, err,
		    "symlink target");
	case PF_S_BUILD_ID:
		if (f->len == 0 || f->len > PF_BUILD_ID_MAX)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "build ID of %zu bytes", f->len);
		memcpy(s->build_id, f->val, f->len);
		s->build_id_len = f->len;
		return PF_OK;
	}
	if (f->tag >= PF_S_UID && f->tag <= PF_S_MTIME_NSEC)
		return meta_field(s, f, err);
	return unknown_field(f, "entry state", err);
}

/*
 * Section 5.4.1: uid and gid come together and bring the rest; link
 * groups and layouts belong to files; nanoseconds need seconds.
 */
static pf_ret
check_meta_fields(pf_state *s, uint64_t seen, pf_err *err)
{
	uint64_t owner = BIT(PF_S_UID) | BIT(PF_S_GID);

	if ((seen & META_FIELDS) == 0 && s->n_xattrs == 0)
		return PF_OK;
	if ((seen & owner) != owner)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "metadata of an entry state without its owner");
	if (s->type != PF_TYPE_FILE &&
	    (seen & (BIT(PF_S_HARDLINK) | BIT(PF_S_EXTENTS))))
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "link group or data extents given for something that is "
		    "not a file");
	if ((seen & BIT(PF_S_MTIME_NSEC)) && !(seen & BIT(PF_S_MTIME)))
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "nanoseconds of a modification time without its seconds");
	s->has_meta = true;
	return PF_OK;
}

static pf_ret
decode_state(pf_state *s, const pf_field *f, pf_err *err)
{
	state_ctx x = { s, 0 };
	uint64_t need = UINT64_C(1) << PF_S_TYPE | UINT64_C(1) << PF_S_MODE;
	pf_ret r;

	r = walk_fields(f->val, f->len, "entry state", state_field, &x, err);
	if (r != PF_OK)
		return r;
	if (s->type == PF_TYPE_FILE)
		need |= UINT64_C(1) << PF_S_SIZE | UINT64_C(1) << PF_S_SHA256;
	if (s->type == PF_TYPE_SYMLINK)
		need |= UINT64_C(1) << PF_S_LINK;
	if ((x.seen & need) != need)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "an entry state lacks a required field");
	if (s->type != PF_TYPE_FILE &&
	    (x.seen & (UINT64_C(1) << PF_S_SIZE | UINT64_C(1) << PF_S_SHA256)))
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "size or sha256 given for something that is not a file");
	if (s->type != PF_TYPE_SYMLINK && s->link != NULL)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "link target given for something that is not a symlink");
	if (s->type == PF_TYPE_SYMLINK && s->link[0] == '\0')
		return pf_err_set(err, PF_ERR_CORRUPT, "empty symlink target");
	return check_meta_fields(s, x.seen, err);
}

typedef struct entry_ctx {
	pf_entry *e;
	uint64_t seen;
} entry_ctx;

static pf_ret
blob_index(const pf_field *f, uint32_t *idx, pf_err *err)
{
	uint64_t v;
	pf_ret r;

	if ((r = pf_field_uint(f, &v, err, "blob index")) != PF_OK)
		return r;
	if (v >= PF_NO_BLOB)
		return pf_err_set(err, PF_ERR_CORRUPT, "blob index too large");
	*idx = (uint32_t)v;
	return PF_OK;
}

/* An ELF record is kept encoded, once it is known to decode. */
static pf_ret
elf_record(const pf_field *f, uint8_t **dst, size_t *len, pf_err *err)
{
	pf_elf_needs n;
	pf_ret r;

	memset(&n, 0, sizeof n);
	if (f->len == 0)
		return pf_err_set(err, PF_ERR_CORRUPT, "empty ELF record");
	if ((r = pf_elf_needs_decode(f->val, f->len, &n, err)) != PF_OK)
		return r;
	pf_elf_needs_free(&n);
	if ((*dst = malloc(f->len)) == NULL)
		return pf_err_nomem(err);
	memcpy(*dst, f->val, f->len);
	*len = f->len;
	return PF_OK;
}

static pf_ret
entry_field(void *obj, const pf_field *f, pf_err *err)
{
	entry_ctx *x = obj;
	pf_entry *e = x->e;
	uint64_t v;
	pf_ret r;

	if ((r = once(&x->seen, f, ENTRY_FIELDS, "entry", err)) != PF_OK)
		return r;
	switch (f->tag) {
	case PF_E_PATH:
		return pf_field_string(f, PF_MAX_PATH, &e->path, err,
		    "entry path");
	case PF_E_OP:
		if ((r = pf_field_uint(f, &v, err, "entry operation")) != PF_OK)
			return r;
		if (v < PF_OP_ADD || v > PF_OP_CHANGE)
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "unknown operation %llu", (unsigned long long)v);
		e->op = (pf_op)v;
		return PF_OK;
	case PF_E_BEFORE:
		return decode_state(&e->before, f, err);
	case PF_E_AFTER:
		return decode_state(&e->after, f, err);
	case PF_E_PAYLOAD:
		return blob_index(f, &e->payload, err);
	case PF_E_ROLLBACK:
		return blob_index(f, &e->rollback, err);
	case PF_E_LIVE:
		return blob_index(f, &e->live, err);
	case PF_E_NEEDS:
		return elf_record(f, &e->needs, &e->needs_len, err);
	case PF_E_PROVIDES:
		return elf_record(f, &e->provides, &e->provides_len, err);
	}
	return unknown_field(f, "entry", err);
}

typedef struct blob_ctx {
	pf_blob *b;
	uint64_t seen;
} blob_ctx;

static pf_ret
blob_field(void *obj, const pf_field *f, pf_err *err)
{
	blob_ctx *x = obj;
	pf_blob *b = x->b;
	uint64_t v;
	pf_ret r;

	if ((r = once(&x->seen, f, BLOB_FIELDS, "blob", err)) != PF_OK)
		return r;
	switch (f->tag) {
	case PF_B_SECTION:
		if ((r = pf_field_uint(f, &v, err, "blob section")) != PF_OK)
			return r;
		if (v != PF_SECTION_PAYLOAD && v != PF_SECTION_ROLLBACK)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "unknown blob section %llu", (unsigned long long)v);
		b->section = (pf_section)v;
		return PF_OK;
	case PF_B_CODEC:
		if ((r = pf_field_uint(f, &v, err, "blob codec")) != PF_OK)
			return r;
		if (v > PF_CODEC_VCDIFF)
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "unknown codec %llu", (unsigned long long)v);
		b->codec = (pf_codec)v;
		return PF_OK;
	case PF_B_PARAM:
		return pf_field_uint(f, &b->param, err, "blob parameter");
	case PF_B_STORED_SIZE:
		return pf_field_uint(f, &b->stored_size, err, "blob size");
	case PF_B_DECODED_SIZE:
		return pf_field_uint(f, &b->decoded_size, err, "blob size");
	case PF_B_SHA256:
		return pf_field_sha256(f, b->sha256, err, "blob sha256");
	}
	return unknown_field(f, "blob", err);
}

/* Grows an array by one zeroed element. */
static void *
grow(void *arr, size_t *n, size_t size, size_t limit)
{
	void *p;

	if (*n >= limit)
		return NULL;
	p = realloc(arr, (*n + 1) * size);
	if (p == NULL)
		return NULL;
	memset((char *)p + *n * size, 0, size);
	(*n)++;
	return p;
}

static pf_ret
add_entry(pf_manifest *m, const pf_field *f, pf_err *err)
{
	entry_ctx x = { NULL, 0 };
	uint64_t need = UINT64_C(1) << PF_E_PATH | UINT64_C(1) << PF_E_OP;
	pf_entry *p;
	pf_ret r;

	p = grow(m->entries, &m->n_entries, sizeof *p, PF_MAX_ENTRIES);
	if (p == NULL)
		return m->n_entries >= PF_MAX_ENTRIES ?
		    pf_err_set(err, PF_ERR_CORRUPT, "too many entries") :
		    pf_err_nomem(err);
	m->entries = p;
	x.e = &p[m->n_entries - 1];
	x.e->payload = x.e->rollback = x.e->live = PF_NO_BLOB;
	r = walk_fields(f->val, f->len, "entry", entry_field, &x, err);
	if (r == PF_OK && (x.seen & need) != need)
		r = pf_err_set(err, PF_ERR_CORRUPT,
		    "an entry lacks its path or operation");
	return r;
}

static pf_ret
add_blob(pf_manifest *m, const pf_field *f, pf_err *err)
{
	blob_ctx x = { NULL, 0 };
	uint64_t need = UINT64_C(1) << PF_B_SECTION |
	    UINT64_C(1) << PF_B_CODEC | UINT64_C(1) << PF_B_STORED_SIZE |
	    UINT64_C(1) << PF_B_DECODED_SIZE | UINT64_C(1) << PF_B_SHA256;
	pf_blob *p;
	pf_ret r;

	p = grow(m->blobs, &m->n_blobs, sizeof *p, 2 * (size_t)PF_MAX_ENTRIES);
	if (p == NULL)
		return m->n_blobs >= 2 * (size_t)PF_MAX_ENTRIES ?
		    pf_err_set(err, PF_ERR_CORRUPT, "too many blobs") :
		    pf_err_nomem(err);
	m->blobs = p;
	x.b = &p[m->n_blobs - 1];
	r = walk_fields(f->val, f->len, "blob", blob_field, &x, err);
	if (r == PF_OK && (x.seen & need) != need)
		r = pf_err_set(err, PF_ERR_CORRUPT, "a blob lacks a field");
	return r;
}

static pf_ret
target_field(void *obj, const pf_field *f, pf_err *err)
{
	pf_manifest *m = obj;
	char **v;

	switch (f->tag) {
	case PF_T_PRODUCT:
		if (m->product != NULL)
			break;
		return pf_field_string(f, PF_MAX_STRING, &m->product, err,
		    "target product");
	case PF_T_FROM:
		if (m->n_from >= PF_MAX_FROM)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "too many versions to apply from");
		v = realloc(m->from_versions, (m->n_from + 1) * sizeof *v);
		if (v == NULL)
			return pf_err_nomem(err);
		m->from_versions = v;
		v[m->n_from] = NULL;
		m->n_from++;
		return pf_field_string(f, PF_MAX_STRING, &v[m->n_from - 1], err,
		    "target version");
	case PF_T_TO:
		if (m->to_version != NULL)
			break;
		return pf_field_string(f, PF_MAX_STRING, &m->to_version, err,
		    "target version");
	default:
		return unknown_field(f, "target", err);
	}
	return pf_err_set(err, PF_ERR_CORRUPT, "target field repeated");
}

/* The release structure, and whether its counter was seen (5.1.2). */
typedef struct release_ctx {
	pf_manifest *m;
	bool counter;
} release_ctx;

static pf_ret
release_field(void *obj, const pf_field *f, pf_err *err)
{
	release_ctx *x = obj;
	pf_manifest *m = x->m;

	switch (f->tag) {
	case PF_R_FAMILY:
		if (m->family != NULL)
			break;
		return pf_field_string(f, PF_MAX_STRING, &m->family, err,
		    "patch family");
	case PF_R_COUNTER:
		/* Repeated even when the first one was 0. */
		if (x->counter)
			break;
		x->counter = true;
		return pf_field_uint(f, &m->release, err, "release counter");
	default:
		return unknown_field(f, "release", err);
	}
	return pf_err_set(err, PF_ERR_CORRUPT, "release field repeated");
}

/* A live note (section 5.7): every field once, all of them present. */
static pf_ret
live_note_field(void *obj, const pf_field *f, pf_err *err)
{
	pf_live_note *ln = obj;

	switch (f->tag) {
	case PF_LN_PATH:
		if (ln->path == NULL)
			return pf_field_string(f, PF_MAX_STRING, &ln->path,
			    err, "live note path");
		break;
	case PF_LN_KIND:
		if (ln->kind == 0)
			return pf_field_uint(f, &ln->kind, err, "live note kind");
		break;
	case PF_LN_NAME:
		if (ln->name == NULL)
			return pf_field_string(f, PF_MAX_STRING, &ln->name,
			    err, "live note name");
		break;
	case PF_LN_TEXT:
		if (ln->text == NULL)
			return pf_field_string(f, PF_MAX_STRING, &ln->text,
			    err, "live note text");
		break;
	default:
		return unknown_field(f, "live note", err);
	}
	return pf_err_set(err, PF_ERR_CORRUPT, "live note field repeated");
}

static pf_ret
add_live_note(pf_manifest *m, const pf_field *f, pf_err *err)
{
	pf_live_note *v, *ln;
	pf_ret r;

	if (m->n_live_notes >= PF_MAX_LIVE_NOTES)
		return pf_err_set(err, PF_ERR_CORRUPT, "too many live notes");
	v = realloc(m->live_notes, (m->n_live_notes + 1) * sizeof *v);
	if (v == NULL)
		return pf_err_nomem(err);
	m->live_notes = v;
	ln = &v[m->n_live_notes++];
	memset(ln, 0, sizeof *ln);
	r = walk_fields(f->val, f->len, "live note", live_note_field, ln, err);
	if (r == PF_OK && (ln->path == NULL || ln->kind == 0 ||
	    ln->name == NULL || ln->text == NULL))
		r = pf_err_set(err, PF_ERR_CORRUPT, "a live note lacks a "
		    "field");
	return r;
}

typedef struct manifest_ctx {
	pf_manifest *m;
	uint64_t seen;
} manifest_ctx;

static pf_ret
manifest_field(void *obj, const pf_field *f, pf_err *err)
{
	manifest_ctx *x = obj;
	pf_manifest *m = x->m;
	pf_ret r;

	if ((r = once(&x->seen, f, MANIFEST_SINGLE, "manifest", err)) != PF_OK)
		return r;
	switch (f->tag) {
	case PF_M_NAME:
		return pf_field_string(f, PF_MAX_STRING, &m->name, err,
		    "package name");
	case PF_M_VERSION:
		return pf_field_string(f, PF_MAX_STRING, &m->version, err,
		    "package version");
	case PF_M_DESCRIPTION:
		return pf_field_string(f, PF_MAX_STRING, &m->description, err,
		    "package description");
	case PF_M_CREATED:
		return pf_field_uint(f, &m->created, err, "creation time");
	case PF_M_BLOB:
		return add_blob(m, f, err);
	case PF_M_ENTRY:
		return add_entry(m, f, err);
	case PF_M_EXPIRES:
		return pf_field_uint(f, &m->expires, err, "expiry time");
	case PF_M_TARGET:
		return walk_fields(f->val, f->len, "target", target_field, m,
		    err);
	case PF_M_RELEASE:
		return walk_fields(f->val, f->len, "release", release_field,
		    &(release_ctx){ m, false }, err);
	case PF_M_PROVENANCE: case PF_M_HOOK: case PF_M_PHASE:
		return pf_rollout_decode(m, f, err);
	case PF_M_LIVE_NOTE:
		return add_live_note(m, f, err);
	case PF_M_DPKG:
		return pf_dpkg_decode(m, f, err);
	}
	return unknown_field(f, "manifest", err);
}

pf_ret
pf_struct_walk(const uint8_t *p, size_t n, const char *what, pf_field_fn fn,
    void *obj, pf_err *err)
{
	return walk_fields(p, n, what, fn, obj, err);
}

pf_ret
pf_struct_unknown(const pf_field *f, const char *what, pf_err *err)
{
	return unknown_field(f, what, err);
}

pf_ret
pf_manifest_decode(pf_manifest *m, const uint8_t *p, size_t n, pf_err *err)
{
	manifest_ctx x = { m, 0 };
	pf_ret r;

	pf_manifest_init(m);
	r = walk_fields(p, n, "manifest", manifest_field, &x, err);
	if (r == PF_OK)
		r = pf_manifest_validate(m, err);
	if (r != PF_OK)
		pf_manifest_clear(m);
	return r;
}

typedef struct dep_ctx {
	pf_dep *d;
	uint64_t seen;
} dep_ctx;

static pf_ret
dep_field(void *obj, const pf_field *f, pf_err *err)
{
	dep_ctx *x = obj;
	uint64_t v;
	pf_ret r;

	if ((r = once(&x->seen, f, DEP_FIELDS, "dependency", err)) != PF_OK)
		return r;
	switch (f->tag) {
	case PF_D_KIND:
		if ((r = pf_field_uint(f, &v, err, "dependency kind")) != PF_OK)
			return r;
		if (v < PF_DEP_REQUIRES || v > PF_DEP_PROVIDES)
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "unknown dependency kind %llu",
			    (unsigned long long)v);
		x->d->kind = (pf_dep_kind)v;
		return PF_OK;
	case PF_D_NAME:
		return pf_field_string(f, PF_MAX_STRING, &x->d->name, err,
		    "dependency name");
	case PF_D_VERSION:
		return pf_field_string(f, PF_MAX_STRING, &x->d->version, err,
		    "dependency version");
	}
	return unknown_field(f, "dependency", err);
}

static pf_ret
deps_field(void *obj, const pf_field *f, pf_err *err)
{
	pf_manifest *m = obj;
	dep_ctx x = { NULL, 0 };
	uint64_t need = UINT64_C(1) << PF_D_KIND | UINT64_C(1) << PF_D_NAME;
	pf_dep *p;
	pf_ret r;

	if (f->tag != PF_D_DEP)
		return unknown_field(f, "dependency list", err);
	p = grow(m->deps, &m->n_deps, sizeof *p, PF_MAX_ENTRIES);
	if (p == NULL)
		return m->n_deps >= PF_MAX_ENTRIES ?
		    pf_err_set(err, PF_ERR_CORRUPT, "too many dependencies") :
		    pf_err_nomem(err);
	m->deps = p;
	x.d = &p[m->n_deps - 1];
	r = walk_fields(f->val, f->len, "dependency", dep_field, &x, err);
	if (r == PF_OK && (x.seen & need) != need)
		r = pf_err_set(err, PF_ERR_CORRUPT,
		    "a dependency lacks its kind or name");
	return r;
}

pf_ret
pf_deps_decode(pf_manifest *m, const uint8_t *p, size_t n, pf_err *err)
{
	return walk_fields(p, n, "dependency list", deps_field, m, err);
}
