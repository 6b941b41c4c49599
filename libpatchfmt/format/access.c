/*
 * The accessors of the opaque manifest types of libpatchfmt.h: a
 * manifest (spec/patchfmt.md sections 5 and 6), its entries, states and
 * blobs.  Each returns a value or a pointer into the structure, which
 * its owner (a reader or a builder) keeps valid; an index past its
 * count gives NULL, 0 or false rather than reading outside an array.
 */
#include <config.h>

#include "format/dpkg.h"
#include "format/manifest.h"

static const char *
dpkg_string(const pf_dpkg_origin *d, pf_manifest_str_id which)
{
	if (d == NULL)
		return NULL;
	switch (which) {
	case PF_MANIFEST_DPKG_PACKAGE: return d->package;
	case PF_MANIFEST_DPKG_FROM: return d->from_version;
	case PF_MANIFEST_DPKG_TO: return d->to_version;
	case PF_MANIFEST_DPKG_ARCH: return d->arch;
	case PF_MANIFEST_DPKG_DEPENDS: return d->depends;
	default: return NULL;
	}
}

const char *
pf_manifest_string(const pf_manifest *m, pf_manifest_str_id which)
{
	switch (which) {
	case PF_MANIFEST_NAME: return m->name;
	case PF_MANIFEST_VERSION: return m->version;
	case PF_MANIFEST_DESCRIPTION: return m->description;
	case PF_MANIFEST_PRODUCT: return m->product;
	case PF_MANIFEST_TO_VERSION: return m->to_version;
	case PF_MANIFEST_FAMILY: return m->family;
	case PF_MANIFEST_ISSUE: return m->issue;
	case PF_MANIFEST_SOURCE_REV: return m->source_rev;
	case PF_MANIFEST_SOURCE_URL: return m->source_url;
	case PF_MANIFEST_PHASE_SEED: return m->phase_seed;
	default: return dpkg_string(m->dpkg, which);
	}
}

uint64_t
pf_manifest_number(const pf_manifest *m, pf_manifest_num_id which)
{
	switch (which) {
	case PF_MANIFEST_CREATED: return m->created;
	case PF_MANIFEST_EXPIRES: return m->expires;
	case PF_MANIFEST_RELEASE: return m->release;
	case PF_MANIFEST_PAYLOAD_SIZE: return m->payload_size;
	case PF_MANIFEST_ROLLBACK_SIZE: return m->rollback_size;
	case PF_MANIFEST_HAS_PHASE: return m->has_phase;
	case PF_MANIFEST_PHASE: return m->has_phase ? m->phase : 0;
	default: return 0;
	}
}

size_t
pf_manifest_from_count(const pf_manifest *m)
{
	return m->n_from;
}

const char *
pf_manifest_from_version(const pf_manifest *m, size_t i)
{
	return i < m->n_from ? m->from_versions[i] : NULL;
}

size_t
pf_manifest_entry_count(const pf_manifest *m)
{
	return m->n_entries;
}

const pf_entry *
pf_manifest_entry(const pf_manifest *m, size_t i)
{
	return i < m->n_entries ? &m->entries[i] : NULL;
}

size_t
pf_manifest_blob_count(const pf_manifest *m)
{
	return m->n_blobs;
}

const pf_blob *
pf_manifest_blob(const pf_manifest *m, size_t i)
{
	return i < m->n_blobs ? &m->blobs[i] : NULL;
}

size_t
pf_manifest_dep_count(const pf_manifest *m)
{
	return m->n_deps;
}

pf_dep_kind
pf_manifest_dep(const pf_manifest *m, size_t i, const char **name,
    const char **version)
{
	const pf_dep *d = i < m->n_deps ? &m->deps[i] : NULL;

	if (name != NULL)
		*name = d ? d->name : NULL;
	if (version != NULL)
		*version = d ? d->version : NULL;
	return d ? d->kind : 0;
}

size_t
pf_manifest_hook_count(const pf_manifest *m)
{
	return m->n_hooks;
}

pf_hook_kind
pf_manifest_hook_info(const pf_manifest *m, size_t i, uint32_t *timeout,
    const uint8_t **script, size_t *len)
{
	const pf_hook *h = i < m->n_hooks ? &m->hooks[i] : NULL;

	if (timeout != NULL)
		*timeout = h ? h->timeout : 0;
	if (script != NULL)
		*script = h ? h->script : NULL;
	if (len != NULL)
		*len = h ? h->len : 0;
	return h ? h->kind : 0;
}

size_t
pf_manifest_live_note_count(const pf_manifest *m)
{
	return m->n_live_notes;
}

uint64_t
pf_manifest_live_note(const pf_manifest *m, size_t i, const char **path,
    const char **name, const char **text)
{
	const pf_live_note *n = i < m->n_live_notes ? &m->live_notes[i] : NULL;

	if (path != NULL)
		*path = n ? n->path : NULL;
	if (name != NULL)
		*name = n ? n->name : NULL;
	if (text != NULL)
		*text = n ? n->text : NULL;
	return n ? n->kind : 0;
}

const char *
pf_entry_path(const pf_entry *e)
{
	return e->path;
}

pf_op
pf_entry_op(const pf_entry *e)
{
	return e->op;
}

const pf_state *
pf_entry_state(const pf_entry *e, pf_side side)
{
	return side == PF_AFTER ? &e->after : &e->before;
}

uint32_t
pf_entry_blob(const pf_entry *e, pf_blob_role role)
{
	switch (role) {
	case PF_BLOB_PAYLOAD: return e->payload;
	case PF_BLOB_ROLLBACK: return e->rollback;
	case PF_BLOB_LIVE: return e->live;
	default: return PF_NO_BLOB;
	}
}

const uint8_t *
pf_entry_needs(const pf_entry *e, size_t *len)
{
	if (len != NULL)
		*len = e->needs_len;
	return e->needs;
}

const uint8_t *
pf_entry_provides(const pf_entry *e, size_t *len)
{
	if (len != NULL)
		*len = e->provides_len;
	return e->provides;
}

pf_type
pf_state_type(const pf_state *s)
{
	return s->type;
}

uint32_t
pf_state_mode(const pf_state *s)
{
	return s->mode;
}

uint64_t
pf_state_size(const pf_state *s)
{
	return s->size;
}

const uint8_t *
pf_state_sha256(const pf_state *s)
{
	return s->sha256;
}

const char *
pf_state_link(const pf_state *s)
{
	return s->link;
}

const uint8_t *
pf_state_build_id(const pf_state *s, size_t *len)
{
	if (len != NULL)
		*len = s->build_id_len;
	return s->build_id_len > 0 ? s->build_id : NULL;
}

bool
pf_state_owner(const pf_state *s, uint32_t *uid, uint32_t *gid,
    const char **user, const char **group)
{
	if (uid != NULL)
		*uid = s->has_meta ? s->uid : 0;
	if (gid != NULL)
		*gid = s->has_meta ? s->gid : 0;
	if (user != NULL)
		*user = s->user;
	if (group != NULL)
		*group = s->group;
	return s->has_meta;
}

size_t
pf_state_xattr_count(const pf_state *s)
{
	return s->n_xattrs;
}

const char *
pf_state_xattr(const pf_state *s, size_t i, const uint8_t **value,
    size_t *len)
{
	const pf_xattr *x = i < s->n_xattrs ? &s->xattrs[i] : NULL;

	if (value != NULL)
		*value = x ? x->value : NULL;
	if (len != NULL)
		*len = x ? x->len : 0;
	return x ? x->name : NULL;
}

const char *
pf_state_hardlink(const pf_state *s)
{
	return s->hardlink;
}

bool
pf_state_mtime(const pf_state *s, uint64_t *sec, uint32_t *nsec)
{
	if (sec != NULL)
		*sec = s->has_mtime ? s->mtime_sec : 0;
	if (nsec != NULL)
		*nsec = s->has_mtime ? s->mtime_nsec : 0;
	return s->has_mtime;
}

bool
pf_state_sparse(const pf_state *s, size_t *n_extents)
{
	if (n_extents != NULL)
		*n_extents = s->sparse ? s->n_extents : 0;
	return s->sparse;
}

bool
pf_state_extent(const pf_state *s, size_t i, uint64_t *offset,
    uint64_t *length)
{
	const pf_extent *x = s->sparse && i < s->n_extents ?
	    &s->extents[i] : NULL;

	if (offset != NULL)
		*offset = x ? x->offset : 0;
	if (length != NULL)
		*length = x ? x->length : 0;
	return x != NULL;
}

pf_codec
pf_blob_codec(const pf_blob *b, uint64_t *param)
{
	if (param != NULL)
		*param = b->param;
	return b->codec;
}

pf_section
pf_blob_section(const pf_blob *b, uint64_t *offset, uint64_t *stored_size)
{
	if (offset != NULL)
		*offset = b->offset;
	if (stored_size != NULL)
		*stored_size = b->stored_size;
	return b->section;
}

uint64_t
pf_blob_decoded_size(const pf_blob *b)
{
	return b->decoded_size;
}

const uint8_t *
pf_blob_sha256(const pf_blob *b)
{
	return b->sha256;
}

uint32_t
pf_blob_entry(const pf_blob *b)
{
	return b->entry;
}
