/*
 * The hot-patch part of a package, as patch-inspect shows it: for each
 * module, the functions replaced, the data added, and what was refused
 * and why (spec/hotpatch.md).
 */
#include <config.h>

#include <inttypes.h>

#include "common/escape.h"
#include "common/hash.h"
#include "common/json.h"
#include "package/reader.h"
#include "live/hotpatch.h"
#include "format/types.h"

pf_ret
pf_reader_live(pf_reader *r, size_t entry, pf_hotpatch **out, pf_err *err)
{
	const pf_manifest *m = pf_reader_manifest(r);
	pf_buf b;
	pf_ret ret;

	*out = NULL;
	if (entry >= m->n_entries || m->entries[entry].live == PF_NO_BLOB)
		return pf_err_set(err, PF_ERR_USAGE, "entry has no hot patch");
	pf_buf_init(&b);
	ret = pf_reader_blob_to_buf(r, m->entries[entry].live, &b, err);
	if (ret == PF_OK)
		ret = pf_hotpatch_decode(b.data, b.len, out, err);
	pf_buf_free(&b);
	return ret;
}

static void
text_one(FILE *f, const char *path, const pf_hotpatch *hp)
{
	char id[2 * 64 + 1];
	size_t i;

	pf_hex(id, hp->build_id, hp->build_id_len);
	fputs("live     ", f);
	pf_text_str(f, path);
	fprintf(f, " (build-id %s): %zu functions, %zu data\n", id,
	    hp->n_funcs, hp->n_data);
	for (i = 0; i < hp->n_funcs; i++) {
		fprintf(f, "  %s ", hp->funcs[i].flags & PF_HP_FUNC_NEW ?
		    "add    " : "replace");
		pf_text_str(f, hp->funcs[i].name);
		fprintf(f, ": %" PRIu64 " -> %zu bytes\n",
		    hp->funcs[i].old_len, hp->funcs[i].code_len);
	}
	for (i = 0; i < hp->n_data; i++) {
		fputs("  data    ", f);
		pf_text_str(f, *hp->data[i].name ? hp->data[i].name :
		    "(anonymous)");
		fprintf(f, ": %zu bytes\n", hp->data[i].len);
	}
	for (i = 0; i < hp->n_refused; i++) {
		fputs("  REFUSED ", f);
		pf_text_str(f, hp->refused[i].name);
		fputs(": ", f);
		pf_text_str(f, hp->refused[i].reason);
		fputc('\n', f);
	}
}

static void
json_one(FILE *f, const char *path, const pf_hotpatch *hp, bool first)
{
	size_t i;

	fputs(first ? "{\"path\":" : ",{\"path\":", f);
	pf_json_str(f, path);
	fputs(",\"build_id\":", f);
	pf_json_hex(f, hp->build_id, hp->build_id_len);
	fputs(",\"functions\":[", f);
	for (i = 0; i < hp->n_funcs; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		pf_json_str(f, hp->funcs[i].name);
		fprintf(f, ",\"new\":%s,\"old_size\":%" PRIu64 ",\"new_size\":"
		    "%zu}", hp->funcs[i].flags & PF_HP_FUNC_NEW ? "true" :
		    "false", hp->funcs[i].old_len, hp->funcs[i].code_len);
	}
	fputs("],\"data\":[", f);
	for (i = 0; i < hp->n_data; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		pf_json_str(f, hp->data[i].name);
		fprintf(f, ",\"size\":%zu}", hp->data[i].len);
	}
	fputs("],\"refused\":[", f);
	for (i = 0; i < hp->n_refused; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		pf_json_str(f, hp->refused[i].name);
		fputs(",\"reason\":", f);
		pf_json_str(f, hp->refused[i].reason);
		fputc('}', f);
	}
	fputs("]}", f);
}

pf_ret
pf_reader_print_live(pf_reader *r, FILE *f, bool json)
{
	const pf_manifest *m = pf_reader_manifest(r);
	pf_hotpatch *hp;
	size_t i, n = 0;
	pf_ret ret = PF_OK;

	if (json)
		fputc('[', f);
	for (i = 0; i < m->n_entries && ret == PF_OK; i++) {
		if (m->entries[i].live == PF_NO_BLOB)
			continue;
		/* The message stays on the reader, for pf_reader_error(). */
		if ((ret = pf_reader_live(r, i, &hp, pf_reader_err(r))) !=
		    PF_OK)
			break;
		if (json)
			json_one(f, m->entries[i].path, hp, n == 0);
		else
			text_one(f, m->entries[i].path, hp);
		n++;
		pf_hotpatch_free(hp);
	}
	if (json)
		fputc(']', f);
	return ret;
}

/*
 * The notes of the manifest on the hot-patch records (spec/patchfmt.md
 * section 5.7): what was left out on purpose, always; why each function
 * counts as changed and which reference of a refused one was refused,
 * when explain is set.  JSON always holds them all.
 */
static const char *
note_word(uint64_t kind)
{
	switch (kind) {
	case PF_LIVE_NOTE_CHANGED: return "changed";
	case PF_LIVE_NOTE_REFUSED: return "refused";
	case PF_LIVE_NOTE_LEFT_OUT: return "left-out";
	default: return NULL;
	}
}

void
pf_reader_print_live_notes(pf_reader *r, FILE *f, bool json, bool explain)
{
	const pf_manifest *m = pf_reader_manifest(r);
	const pf_live_note *ln;
	size_t i, n = 0;

	if (json)
		fputc('[', f);
	for (i = 0; i < m->n_live_notes; i++) {
		ln = &m->live_notes[i];
		if (note_word(ln->kind) == NULL ||
		    (!json && !explain && ln->kind != PF_LIVE_NOTE_LEFT_OUT))
			continue;
		if (json) {
			fputs(n ? ",{\"path\":" : "{\"path\":", f);
			pf_json_str(f, ln->path);
			fprintf(f, ",\"kind\":\"%s\",\"name\":",
			    note_word(ln->kind));
			pf_json_str(f, ln->name);
			fputs(",\"text\":", f);
			pf_json_str(f, ln->text);
			fputc('}', f);
		} else {
			fprintf(f, "%-8s ", note_word(ln->kind));
			pf_text_str(f, ln->path);
			fputs(": ", f);
			pf_text_str(f, ln->name);
			fputs(": ", f);
			pf_text_str(f, ln->text);
			fputc('\n', f);
		}
		n++;
	}
	if (json)
		fputc(']', f);
}
