/*
 * The manifest for people (text) and for programs (JSON), as
 * patch-inspect shows it.
 */
#include <config.h>

#include <inttypes.h>
#include <string.h>

#include "common/escape.h"
#include "common/hash.h"
#include "common/json.h"
#include "format/manifest.h"
#include "package/print_dpkg.h"
#include "package/print_meta.h"
#include "format/needs.h"
#include "format/rollout.h"

static const char *
type_str(pf_type t)
{
	switch (t) {
	case PF_TYPE_FILE: return "file";
	case PF_TYPE_DIR: return "directory";
	case PF_TYPE_SYMLINK: return "symlink";
	case PF_TYPE_NONE: break;
	}
	return "none";
}

static const char *
op_str(pf_op op)
{
	switch (op) {
	case PF_OP_ADD: return "add";
	case PF_OP_REMOVE: return "remove";
	case PF_OP_CHANGE: return "change";
	}
	return "unknown";
}

static const char *
codec_str(pf_codec c)
{
	switch (c) {
	case PF_CODEC_STORED: return "stored";
	case PF_CODEC_LZMA2: return "lzma2";
	case PF_CODEC_X86_LZMA2: return "x86+lzma2";
	case PF_CODEC_DELTA: return "pfdelta";
	case PF_CODEC_VCDIFF: return "vcdiff";
	}
	return "unknown";
}

static const char *
dep_str(pf_dep_kind k)
{
	switch (k) {
	case PF_DEP_REQUIRES: return "requires";
	case PF_DEP_CONFLICTS: return "conflicts";
	case PF_DEP_SUPERSEDES: return "supersedes";
	case PF_DEP_PROVIDES: return "provides";
	}
	return "unknown";
}

static void
text_state(FILE *f, const char *label, const pf_state *s)
{
	char hex[2 * PF_BUILD_ID_MAX + 1];

	if (s->type == PF_TYPE_NONE)
		return;
	fprintf(f, "    %-7s %s %04o", label, type_str(s->type),
	    (unsigned)s->mode);
	if (s->type == PF_TYPE_FILE) {
		pf_hex(hex, s->sha256, 32);
		fprintf(f, " %" PRIu64 " bytes sha256 %s", s->size, hex);
	}
	if (s->type == PF_TYPE_SYMLINK) {
		fputs(" -> ", f);
		pf_text_str(f, s->link);
	}
	fputc('\n', f);
	if (s->build_id_len > 0) {
		pf_hex(hex, s->build_id, s->build_id_len);
		fprintf(f, "            build-id %s\n", hex);
	}
	pf_print_meta_text(f, s);
}

/* An entry's ELF record, decoded; false when there is none. */
static bool
elf_record(pf_elf_needs *e, const uint8_t *p, size_t n)
{
	pf_err err;

	memset(e, 0, sizeof *e);
	return n > 0 && pf_elf_needs_decode(p, n, e, &err) == PF_OK;
}

/* "needs libc.so.6 (GLIBC_2.2.5 GLIBC_2.34), ..." from an ELF record. */
static void
text_elf(FILE *f, const char *label, const uint8_t *p, size_t n)
{
	pf_elf_needs e;
	size_t i, j;

	if (!elf_record(&e, p, n))
		return;
	for (i = 0; i < e.n_libs; i++) {
		fprintf(f, "    %-7s ", i ? "" : label);
		pf_text_str(f, e.libs[i].soname);
		for (j = 0; j < e.libs[i].n_versions; j++) {
			fputs(j ? " " : " (", f);
			pf_text_str(f, e.libs[i].versions[j]);
		}
		fputs(e.libs[i].n_versions ? ")\n" : "\n", f);
	}
	pf_elf_needs_free(&e);
}

static void
json_elf(FILE *f, const char *key, const uint8_t *p, size_t n)
{
	pf_elf_needs e;
	size_t i, j;

	if (!elf_record(&e, p, n))
		return;
	fprintf(f, ",\"%s\":[", key);
	for (i = 0; i < e.n_libs; i++) {
		fputs(i ? ",{\"soname\":" : "{\"soname\":", f);
		pf_json_str(f, e.libs[i].soname);
		fputs(",\"versions\":[", f);
		for (j = 0; j < e.libs[i].n_versions; j++) {
			fputs(j ? "," : "", f);
			pf_json_str(f, e.libs[i].versions[j]);
		}
		fputs("]}", f);
	}
	fputc(']', f);
	pf_elf_needs_free(&e);
}

static void
text_blob(FILE *f, const char *label, const pf_manifest *m, uint32_t idx)
{
	const pf_blob *b;

	if (idx == PF_NO_BLOB)
		return;
	b = &m->blobs[idx];
	fprintf(f, "    %-7s blob %u, %s, %" PRIu64 " bytes stored\n", label,
	    idx, codec_str(b->codec), b->stored_size);
}

/* "LABEL  WORD" or the default, escaped, and no newline. */
static void
text_field(FILE *f, const char *label, const char *s, const char *dflt)
{
	fputs(label, f);
	if (s != NULL)
		pf_text_str(f, s);
	else
		fputs(dflt, f);
}

static void
text_target(const pf_manifest *m, FILE *f)
{
	size_t i;

	if (!m->product && !m->n_from && !m->to_version)
		return;
	text_field(f, "target   ", m->product, "(any)");
	for (i = 0; i < m->n_from; i++)
		text_field(f, i ? ", " : " from ", m->from_versions[i], "");
	if (m->to_version)
		text_field(f, " to ", m->to_version, "");
	fputc('\n', f);
}

static void
text_deps(const pf_manifest *m, FILE *f)
{
	size_t i;

	for (i = 0; i < m->n_deps; i++) {
		fprintf(f, "depends  %s ", dep_str(m->deps[i].kind));
		pf_text_str(f, m->deps[i].name);
		if (m->deps[i].version)
			text_field(f, " ", m->deps[i].version, "");
		fputc('\n', f);
	}
	if (m->n_deps == 0)
		fprintf(f, "depends  (none)\n");
}

void
pf_manifest_print_text(const pf_manifest *m, FILE *f)
{
	size_t i;

	text_field(f, "package  ", m->name, "(unnamed)");
	text_field(f, " ", m->version, "(no version)");
	fputc('\n', f);
	if (m->description) {
		text_field(f, "about    ", m->description, "");
		fputc('\n', f);
	}
	fprintf(f, "created  %" PRIu64 "\n", m->created);
	if (m->expires)
		fprintf(f, "expires  %" PRIu64 "\n", m->expires);
	text_target(m, f);
	pf_dpkg_print_text(m, f);
	if (m->family || m->release) {
		text_field(f, "release  ", m->family, "(default family)");
		fprintf(f, " %" PRIu64 "\n", m->release);
	}
	pf_rollout_print_text(m, f);
	fprintf(f, "sizes    payload %" PRIu64 " bytes, rollback %" PRIu64
	    " bytes, %zu blobs\n", m->payload_size, m->rollback_size,
	    m->n_blobs);
	text_deps(m, f);
	fprintf(f, "entries  %zu\n", m->n_entries);
	for (i = 0; i < m->n_entries; i++) {
		const pf_entry *e = &m->entries[i];

		fprintf(f, "  %-6s ", op_str(e->op));
		pf_text_str(f, e->path);
		fputc('\n', f);
		text_state(f, "before", &e->before);
		text_state(f, "after", &e->after);
		pf_print_changes_text(f, e);
		text_blob(f, "payload", m, e->payload);
		text_blob(f, "undo", m, e->rollback);
		text_blob(f, "live", m, e->live);
		text_elf(f, "needs", e->needs, e->needs_len);
		text_elf(f, "is", e->provides, e->provides_len);
	}
}

static void
json_state(FILE *f, const char *key, const pf_state *s)
{
	fprintf(f, ",\"%s\":", key);
	if (s->type == PF_TYPE_NONE) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"type\":\"%s\",\"mode\":\"%04o\"", type_str(s->type),
	    (unsigned)s->mode);
	if (s->type == PF_TYPE_FILE) {
		fprintf(f, ",\"size\":%" PRIu64 ",\"sha256\":", s->size);
		pf_json_hex(f, s->sha256, 32);
	}
	if (s->type == PF_TYPE_SYMLINK) {
		fputs(",\"target\":", f);
		pf_json_str(f, s->link);
	}
	if (s->build_id_len > 0) {
		fputs(",\"build_id\":", f);
		pf_json_hex(f, s->build_id, s->build_id_len);
	}
	pf_print_meta_json(f, s);
	fputc('}', f);
}

static void
json_blob(FILE *f, const char *key, const pf_manifest *m, uint32_t idx)
{
	const pf_blob *b;

	fprintf(f, ",\"%s\":", key);
	if (idx == PF_NO_BLOB) {
		fputs("null", f);
		return;
	}
	b = &m->blobs[idx];
	fprintf(f, "{\"blob\":%u,\"codec\":\"%s\",\"stored_size\":%" PRIu64
	    ",\"decoded_size\":%" PRIu64 ",\"sha256\":", idx,
	    codec_str(b->codec), b->stored_size, b->decoded_size);
	pf_json_hex(f, b->sha256, 32);
	fputc('}', f);
}

static void
json_entries(const pf_manifest *m, FILE *f)
{
	size_t i;

	fputs(",\"entries\":[", f);
	for (i = 0; i < m->n_entries; i++) {
		const pf_entry *e = &m->entries[i];

		fputs(i ? ",{\"path\":" : "{\"path\":", f);
		pf_json_str(f, e->path);
		fprintf(f, ",\"op\":\"%s\"", op_str(e->op));
		json_state(f, "before", &e->before);
		json_state(f, "after", &e->after);
		pf_print_changes_json(f, e);
		json_blob(f, "payload", m, e->payload);
		json_blob(f, "rollback", m, e->rollback);
		json_blob(f, "live", m, e->live);
		json_elf(f, "needs", e->needs, e->needs_len);
		json_elf(f, "provides", e->provides, e->provides_len);
		fputc('}', f);
	}
	fputc(']', f);
}

void
pf_manifest_print_json(const pf_manifest *m, const uint8_t digest[32],
    uint64_t package_size, FILE *f)
{
	size_t i;

	fputs("{\"format\":\"patchfmt\",\"format_version\":\"1.0\",\"name\":", f);
	pf_json_str(f, m->name);
	fputs(",\"version\":", f);
	pf_json_str(f, m->version);
	fputs(",\"description\":", f);
	pf_json_str(f, m->description);
	fprintf(f, ",\"created\":%" PRIu64 ",\"package_size\":%" PRIu64
	    ",\"payload_size\":%" PRIu64 ",\"rollback_size\":%" PRIu64
	    ",\"digest\":", m->created, package_size, m->payload_size,
	    m->rollback_size);
	pf_json_hex(f, digest, 32);
	fputs(",\"expires\":", f);
	if (m->expires)
		fprintf(f, "%" PRIu64, m->expires);
	else
		fputs("null", f);
	fputs(",\"target\":{\"product\":", f);
	pf_json_str(f, m->product);
	fputs(",\"from\":[", f);
	for (i = 0; i < m->n_from; i++) {
		fputs(i ? "," : "", f);
		pf_json_str(f, m->from_versions[i]);
	}
	fputs("],\"to\":", f);
	pf_json_str(f, m->to_version);
	fputc('}', f);
	pf_dpkg_print_json(m, f);
	fputs(",\"family\":", f);
	pf_json_str(f, m->family);
	fprintf(f, ",\"release\":%" PRIu64, m->release);
	fputs(",\"dependencies\":[", f);
	for (i = 0; i < m->n_deps; i++) {
		fprintf(f, "%s{\"kind\":\"%s\",\"name\":", i ? "," : "",
		    dep_str(m->deps[i].kind));
		pf_json_str(f, m->deps[i].name);
		fputs(",\"version\":", f);
		pf_json_str(f, m->deps[i].version);
		fputc('}', f);
	}
	fputc(']', f);
	pf_rollout_print_json(m, f);
	json_entries(m, f);
	fputs("}\n", f);
}
