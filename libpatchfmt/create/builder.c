/*
 * pf_builder: compares two builds and turns every difference into a
 * manifest entry with its payload and rollback blobs.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "install/fsmeta.h"
#include "common/hash.h"
#include "compress/lzma.h"
#include "delta/delta.h"
#include "delta/vcdiff.h"
#include "disasm/analyze.h"
#include "create/debug.h"
#include "create/builder_int.h"
#include "create/scan.h"
#include "create/archive.h"
#include "elf/elf.h"
#include "elf/needs.h"
#include "format/format.h"
#include "format/manifest.h"
#include "format/writer.h"
#include "trust/sign.h"

pf_ret
pf_builder_new(pf_builder **out)
{
	pf_builder *b;

	*out = NULL;
	if (pf_crypto_init() < 0 || (b = calloc(1, sizeof *b)) == NULL)
		return PF_ERR_NOMEM;
	pf_manifest_init(&b->m);
	b->memory = PF_BUILD_MEMORY_DEFAULT;
	b->spool.fd = -1;
	b->sp = &b->spool;
	*out = b;
	return PF_OK;
}

void
pf_builder_free(pf_builder *b)
{
	size_t i;

	if (b == NULL)
		return;
	pf_spool_close(&b->spool);
	for (i = 0; i < b->n_wspools; i++)
		pf_spool_close(&b->wspools[i]);
	free(b->wspools);
	free(b->loc);
	free(b->single_path);
	for (i = 0; i < b->n_notes; i++)
		free(b->notes[i]);
	free(b->notes);
	for (i = 0; i < b->n_live_sel[0] + b->n_live_sel[1]; i++)
		free(i < b->n_live_sel[0] ? b->live_sel[0][i] :
		    b->live_sel[1][i - b->n_live_sel[0]]);
	free(b->live_sel[0]);
	free(b->live_sel[1]);
	for (i = 0; i < b->n_debug_dirs; i++)
		free(b->debug_dirs[i]);
	free(b->debug_dirs);
	free(b->debug_used);
	sodium_memzero(&b->signers, sizeof b->signers);
	pf_manifest_clear(&b->m);
	free(b);
}

const char *
pf_builder_error(const pf_builder *b)
{
	return b->err.msg;
}

const pf_manifest *
pf_builder_manifest(const pf_builder *b)
{
	return &b->m;
}

static pf_ret
set_str(pf_builder *b, char **dst, const char *s)
{
	char *p = NULL;

	if (s != NULL && strlen(s) > PF_MAX_STRING)
		return pf_err_set(&b->err, PF_ERR_USAGE,
		    "'%.40s...' is longer than %d bytes", s, PF_MAX_STRING);
	if (s != NULL && (p = strdup(s)) == NULL)
		return pf_err_nomem(&b->err);
	free(*dst);
	*dst = p;
	return PF_OK;
}

/* The words of section 5.6 rule 11, refused as they are given. */
static pf_ret
check_word(pf_builder *b, const char *s, bool id, const char *what)
{
	if (s == NULL || (id ? pf_id_valid(s) : pf_token_valid(s)))
		return PF_OK;
	return pf_err_set(&b->err, PF_ERR_USAGE, id ?
	    "%s '%s' is not a valid ID: letters, digits and ._+~- only" :
	    "%s '%s' must be printable, without spaces", what, s);
}

pf_ret
pf_builder_set_info(pf_builder *b, const char *name, const char *version,
    const char *description)
{
	pf_ret r;

	if ((r = check_word(b, name, true, "name")) != PF_OK ||
	    (r = check_word(b, version, false, "version")) != PF_OK)
		return r;

	if ((name && (r = set_str(b, &b->m.name, name)) != PF_OK) ||
	    (version && (r = set_str(b, &b->m.version, version)) != PF_OK) ||
	    (description &&
	    (r = set_str(b, &b->m.description, description)) != PF_OK))
		return r;
	return PF_OK;
}

pf_ret
pf_builder_set_created(pf_builder *b, uint64_t seconds)
{
	b->m.created = seconds;
	return PF_OK;
}

pf_ret
pf_builder_set_path(pf_builder *b, const char *path)
{
	if (!pf_path_valid(path, strlen(path)))
		return pf_err_set(&b->err, PF_ERR_USAGE,
		    "'%s' is not a safe relative path", path);
	return set_str(b, &b->single_path, path);
}

pf_ret
pf_builder_add_dep(pf_builder *b, pf_dep_kind kind, const char *name,
    const char *version)
{
	pf_dep *p;
	pf_ret r;

	if (kind < PF_DEP_REQUIRES || kind > PF_DEP_PROVIDES || name == NULL)
		return pf_err_set(&b->err, PF_ERR_USAGE, "invalid dependency");
	if ((r = check_word(b, name, true, "dependency")) != PF_OK ||
	    (r = check_word(b, version, false, "version")) != PF_OK)
		return r;
	p = realloc(b->m.deps, (b->m.n_deps + 1) * sizeof *p);
	if (p == NULL)
		return pf_err_nomem(&b->err);
	b->m.deps = p;
	p = &p[b->m.n_deps];
	memset(p, 0, sizeof *p);
	p->kind = kind;
	b->m.n_deps++;
	if ((r = set_str(b, &p->name, name)) != PF_OK ||
	    (r = set_str(b, &p->version, version)) != PF_OK)
		return r;
	return PF_OK;
}

/* Blobs. */

/* The spool opens with the first blob: a package of metadata needs none. */
static pf_ret
spool_ready(pf_builder *b)
{
	if (b->sp->fd >= 0)
		return PF_OK;
	return pf_spool_open(b->sp, &b->err);
}

pf_ret
pf_builder_push_spooled(pf_builder *b, pf_section sec, pf_codec codec,
    uint64_t param, uint64_t off, uint64_t n, const uint8_t sha[32],
    uint64_t decoded, uint32_t *idx)
{
	pf_blob_loc *d;
	pf_blob *bl;

	d = realloc(b->loc, (b->m.n_blobs + 1) * sizeof *d);
	if (d == NULL)
		return pf_err_nomem(&b->err);
	b->loc = d;
	bl = realloc(b->m.blobs, (b->m.n_blobs + 1) * sizeof *bl);
	if (bl == NULL)
		return pf_err_nomem(&b->err);
	b->m.blobs = bl;
	bl = &bl[b->m.n_blobs];
	memset(bl, 0, sizeof *bl);
	bl->section = sec;
	bl->codec = codec;
	bl->param = param;
	bl->stored_size = n;
	bl->decoded_size = decoded;
	memcpy(bl->sha256, sha, 32);
	b->loc[b->m.n_blobs] = (pf_blob_loc){ b->sp, off };
	*idx = (uint32_t)b->m.n_blobs++;
	return PF_OK;
}

/* Spools n bytes as a new blob; the caller keeps and frees bytes. */
static pf_ret
push_blob(pf_builder *b, pf_section sec, pf_codec codec, uint64_t param,
    const uint8_t *bytes, size_t n, uint64_t decoded, uint32_t *idx)
{
	uint8_t sha[32];
	uint64_t off;
	pf_ret r;

	if ((r = spool_ready(b)) != PF_OK)
		return r;
	off = b->sp->len;
	if ((r = pf_spool_append(b->sp, bytes, n, &b->err)) != PF_OK)
		return r;
	if (pf_sha256(sha, bytes, n) != 0)
		return pf_err_nomem(&b->err);
	return pf_builder_push_spooled(b, sec, codec, param, off, n, sha,
	    decoded, idx);
}

/* Keeps whichever candidate is smaller; frees the other. */
static void
keep_smaller(pf_buf *best, pf_codec *best_codec, uint64_t *best_param,
    pf_buf *cand, pf_codec codec, uint64_t param)
{
	if (cand->len < best->len) {
		pf_buf_free(best);
		*best = *cand;
		*best_codec = codec;
		*best_param = param;
		pf_buf_init(cand);
	} else
		pf_buf_free(cand);
}

static pf_ret
try_lzma(pf_builder *b, const side *s, bool x86, pf_buf *best,
    pf_codec *codec, uint64_t *param)
{
	pf_lzma_opts o = { .preset = 9, .x86 = x86 };
	uint32_t dict;
	pf_buf cand;
	pf_ret r;

	pf_buf_init(&cand);
	r = pf_lzma_encode(s->content, s->len, &o, &cand, &dict, &b->err);
	if (r != PF_OK) {
		pf_buf_free(&cand);
		return r;
	}
	keep_smaller(best, codec, param, &cand,
	    x86 ? PF_CODEC_X86_LZMA2 : PF_CODEC_LZMA2, dict);
	return PF_OK;
}

static pf_ret
try_delta(pf_builder *b, const side *base, const side *s, pf_buf *best,
    pf_codec *codec, uint64_t *param)
{
	/*
	 * spec/delta.md section 3.4: the manifest holds both files' hashes,
	 * and the applier checks them, so the delta need not repeat them.
	 */
	pf_delta_opts o = { .no_sha256 = true, .threads = 1,
		.cpus = b->helpers };
	pf_vcdiff_opts vo = { .threads = 1, .cpus = b->helpers };
	pf_buf cand;
	pf_ret r;

	pf_buf_init(&cand);
	if (b->delta_codec == PF_CODEC_VCDIFF)
		r = pf_vcdiff_encode(base->content, base->len, s->content,
		    s->len, &vo, &cand, &b->err);
	else
		r = pf_delta_encode(base->content, base->len, s->content,
		    s->len, &o, &cand, &b->err);
	if (r != PF_OK) {
		pf_buf_free(&cand);
		return r;
	}
	keep_smaller(best, codec, param, &cand, b->delta_codec == PF_CODEC_VCDIFF ?
	    PF_CODEC_VCDIFF : PF_CODEC_DELTA, 0);
	return PF_OK;
}

/*
 * Encodes the content of s, the state to reach, as the smallest blob:
 * stored, LZMA2 with or without the x86 filter, or a delta against base
 * (the other state's file, NULL if there is none).  Whole-content
 * compression is not even tried when the delta is small already.
 */
static pf_ret
add_content_blob(pf_builder *b, pf_section sec, const side *base,
    const side *s, uint32_t *idx)
{
	pf_buf best;
	pf_codec codec = PF_CODEC_STORED;
	uint64_t param = 0;
	uint8_t *bytes;
	size_t n;
	pf_ret r = PF_OK;

	if (s->big || (base != NULL && base->big))
		return pf_big_blob(b, sec, base, s, idx);
	pf_buf_init(&best);
	pf_buf_append(&best, s->content, s->len);
	if (best.failed)
		return pf_err_nomem(&b->err);
	/* A delta needs whole contents; a sparse side has its data only. */
	if (base != NULL && base->content != NULL && !base->sparse &&
	    !s->sparse)
		r = try_delta(b, base, s, &best, &codec, &param);
	if (r == PF_OK && best.len > s->len / 16)
		r = try_lzma(b, s, false, &best, &codec, &param);
	if (r == PF_OK && s->x86 && best.len > s->len / 16)
		r = try_lzma(b, s, true, &best, &codec, &param);
	if (r != PF_OK) {
		pf_buf_free(&best);
		return r;
	}
	if (codec == PF_CODEC_DELTA)
		b->required |= PF_FEAT_DELTA;
	bytes = pf_buf_take(&best, &n);
	r = push_blob(b, sec, codec, param, bytes, n, s->len, idx);
	free(bytes);
	return r;
}

/* Reading one side. */

/*
 * A sparse file is read extent by extent, its holes hashed as zeros
 * without reading them, so that reading costs what its data costs.
 */
static pf_ret
load_sparse(pf_builder *b, int fd, const char *path, side *s)
{
	uint64_t total = pf_state_data_size(&s->st), at = 0, pos = 0;
	const pf_extent *x;
	pf_sha256_ctx h;
	size_t i;
	pf_ret r;

	if (total > SIZE_MAX - 1 || (s->content = malloc(total + 1)) == NULL)
		return pf_err_nomem(&b->err);
	if (pf_sha256_init(&h) != 0)
		return pf_err_nomem(&b->err);
	for (i = 0; i < s->st.n_extents; i++) {
		x = &s->st.extents[i];
		r = pf_pread_full(fd, s->content + at, (size_t)x->length,
		    x->offset, &b->err, path);
		if (r != PF_OK) {
			pf_sha256_discard(&h);
			return r;
		}
		pf_fsmeta_hash_zeros(&h, x->offset - pos);
		pf_sha256_update(&h, s->content + at, (size_t)x->length);
		at += x->length;
		pos = x->offset + x->length;
	}
	pf_fsmeta_hash_zeros(&h, s->st.size - pos);
	pf_sha256_final(&h, s->st.sha256);
	s->len = (size_t)total;
	s->sparse = true;
	return PF_OK;
}

static pf_ret
load_file(pf_builder *b, const char *path, side *s)
{
	pf_elf_info ei;
	struct stat st;
	int fd;
	pf_ret r;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return pf_err_errno(&b->err, PF_ERR_IO, errno,
		    "cannot open '%s'", path);
	if (fstat(fd, &st) < 0)
		r = pf_err_errno(&b->err, PF_ERR_IO, errno,
		    "cannot stat '%s'", path);
	else if ((uint64_t)st.st_size > PF_MAX_FILE_SIZE)
		r = pf_err_set(&b->err, PF_ERR_USAGE,
		    "'%s' is larger than the limit", path);
	else {
		s->st.size = (uint64_t)st.st_size;
		r = pf_fsmeta_xattrs(fd, path, &s->st, &b->err, path);
	}
	if (r == PF_OK)
		r = pf_fsmeta_extents(fd, &s->st, &b->err, path);
	if (r == PF_OK && s->st.size > pf_builder_big_min(b)) {
		r = pf_big_load(b, fd, path, s);
		close(fd);
		return r;
	}
	if (r == PF_OK && s->st.sparse)
		r = load_sparse(b, fd, path, s);
	else if (r == PF_OK)
		r = pf_slurp_fd(fd, PF_MAX_FILE_SIZE, &s->content, &s->len,
		    &b->err, path);
	close(fd);
	if (r != PF_OK || s->sparse)
		return r;
	s->st.size = s->len;
	if (pf_sha256(s->st.sha256, s->content, s->len) != 0)
		return pf_err_nomem(&b->err);
	pf_elf_inspect(s->content, s->len, &ei);
	s->x86 = ei.x86;
	s->elf = ei.is_elf;
	memcpy(s->st.build_id, ei.build_id, ei.build_id_len);
	s->st.build_id_len = ei.build_id_len;
	return PF_OK;
}

pf_ret
pf_builder_set_keep_mtime(pf_builder *b, bool keep)
{
	b->keep_mtime = keep;
	return PF_OK;
}

pf_ret
pf_builder_set_delta_codec(pf_builder *b, pf_codec codec)
{
	if (codec != PF_CODEC_DELTA && codec != PF_CODEC_VCDIFF)
		return pf_err_set(&b->err, PF_ERR_USAGE,
		    "codec %u cannot carry deltas", (unsigned)codec);
	b->delta_codec = codec;
	return PF_OK;
}

/* Names of the owner for people (section 5.4.1); NULL when unknown. */
static pf_ret
owner_names(pf_builder *b, pf_state *st)
{
	struct passwd pw, *pp = NULL;
	struct group gr, *gp = NULL;
	char buf[4096];

	if (getpwuid_r(st->uid, &pw, buf, sizeof buf, &pp) == 0 && pp &&
	    strlen(pp->pw_name) <= PF_MAX_NAME && *pp->pw_name &&
	    (st->user = strdup(pp->pw_name)) == NULL)
		return pf_err_nomem(&b->err);
	if (getgrgid_r(st->gid, &gr, buf, sizeof buf, &gp) == 0 && gp &&
	    strlen(gp->gr_name) <= PF_MAX_NAME && *gp->gr_name &&
	    (st->group = strdup(gp->gr_name)) == NULL)
		return pf_err_nomem(&b->err);
	return PF_OK;
}

/* Owner, link group and time, as the scan found them (5.4.1, 5.4.3). */
static pf_ret
node_meta(pf_builder *b, const pf_node *nd, const char *path, pf_state *st)
{
	st->has_meta = true;
	st->uid = nd->uid;
	st->gid = nd->gid;
	if (nd->uid > PF_MAX_OWNER_ID || nd->gid > PF_MAX_OWNER_ID)
		return pf_err_set(&b->err, PF_ERR_USAGE,
		    "'%s' has an owner that cannot be recorded", path);
	if (nd->hardlink != NULL && (st->hardlink = strdup(nd->hardlink)) ==
	    NULL)
		return pf_err_nomem(&b->err);
	if (b->keep_mtime) {
		if (nd->mtime_sec < 0)
			return pf_err_set(&b->err, PF_ERR_USAGE,
			    "'%s' has a modification time before 1970, which "
			    "cannot be recorded", path);
		st->has_mtime = true;
		st->mtime_sec = (uint64_t)nd->mtime_sec;
		st->mtime_nsec = nd->mtime_nsec;
	}
	return owner_names(b, st);
}

/* A node read from an archive: its header's metadata, its spooled data. */
static pf_ret
archive_side(pf_builder *b, const pf_node *nd, side *s)
{
	pf_ret r;

	if ((r = node_meta(b, nd, nd->path, &s->st)) != PF_OK)
		return r;
	if (nd->type == PF_TYPE_FILE && (r = load_file(b, nd->src, s)) !=
	    PF_OK)
		return r;
	if (nd->type == PF_TYPE_SYMLINK) {
		s->st.size = nd->size;
		if ((s->st.link = strdup(nd->link)) == NULL)
			return pf_err_nomem(&b->err);
	}
	return pf_archive_xattrs(nd, &s->st, &b->err);
}

static pf_ret
load_side(pf_builder *b, const char *root, const pf_node *nd, side *s)
{
	char path[2 * PF_MAX_PATH + 2];
	pf_ret r;

	memset(s, 0, sizeof *s);
	if (nd == NULL)
		return PF_OK;
	s->st.type = nd->type;
	s->st.mode = nd->mode;
	if (nd->archived)
		return archive_side(b, nd, s);
	if (b->single_path != NULL || *nd->path == '\0')
		snprintf(path, sizeof path, "%s", root);
	else
		snprintf(path, sizeof path, "%s/%s", root, nd->path);
	if ((r = node_meta(b, nd, path, &s->st)) != PF_OK)
		return r;
	if (nd->type == PF_TYPE_FILE)
		return load_file(b, path, s);
	if ((r = pf_fsmeta_xattrs(-1, path, &s->st, &b->err, path)) != PF_OK)
		return r;
	if (nd->type == PF_TYPE_SYMLINK) {
		s->st.size = nd->size;
		if ((s->st.link = strdup(nd->link)) == NULL)
			return pf_err_nomem(&b->err);
	}
	return PF_OK;
}

static void
side_free(side *s)
{
	free(s->content);
	free(s->path);
	free(s->ext);
	pf_state_clear(&s->st);
}

static bool
sides_equal(const side *o, const side *n)
{
	if (o->st.type != n->st.type || o->st.mode != n->st.mode ||
	    !pf_state_meta_equal(&o->st, &n->st))
		return false;
	if (o->st.type == PF_TYPE_FILE)
		return o->st.size == n->st.size &&
		    memcmp(o->st.sha256, n->st.sha256, 32) == 0;
	if (o->st.type == PF_TYPE_SYMLINK)
		return strcmp(o->st.link, n->st.link) == 0;
	return true;
}

static bool
same_content(const side *o, const side *n)
{
	return o->st.type == PF_TYPE_FILE && n->st.type == PF_TYPE_FILE &&
	    o->st.size == n->st.size &&
	    memcmp(o->st.sha256, n->st.sha256, 32) == 0;
}

static pf_ret
push_entry(pf_builder *b, const char *path, side *o, side *n)
{
	pf_entry *e;

	e = realloc(b->m.entries, (b->m.n_entries + 1) * sizeof *e);
	if (e == NULL)
		return pf_err_nomem(&b->err);
	b->m.entries = e;
	e = &e[b->m.n_entries++];
	memset(e, 0, sizeof *e);
	e->payload = e->rollback = e->live = PF_NO_BLOB;
	e->op = o->st.type == PF_TYPE_NONE ? PF_OP_ADD :
	    n->st.type == PF_TYPE_NONE ? PF_OP_REMOVE : PF_OP_CHANGE;
	/* The entry takes over both states (and their link strings). */
	e->before = o->st;
	e->after = n->st;
	memset(&o->st, 0, sizeof o->st);
	memset(&n->st, 0, sizeof n->st);
	if ((e->path = strdup(path)) == NULL)
		return pf_err_nomem(&b->err);
	return PF_OK;
}

static pf_ret
encode_needs(pf_builder *b, const pf_elf_needs *n, uint8_t **out,
    size_t *len)
{
	pf_buf buf;
	pf_ret r;

	if (n->n_libs == 0 && n->n_runpaths == 0)
		return PF_OK;
	pf_buf_init(&buf);
	r = pf_elf_needs_encode(n, &buf);
	if (r == PF_OK && buf.failed)
		r = pf_err_nomem(&b->err);
	else if (r != PF_OK)
		pf_err_set(&b->err, r, "cannot encode ELF dependencies");
	if (r == PF_OK)
		*out = pf_buf_take(&buf, len);
	pf_buf_free(&buf);
	return r;
}

/*
 * What a new ELF file needs at run time (to be checked where it is
 * installed), and the library it is, with its symbol versions (which
 * other files of the package may need).
 */
static pf_ret
record_elf(pf_builder *b, pf_entry *e, const side *n)
{
	pf_elf_needs needs;
	pf_elf_provided prov;
	const char *slash = strrchr(e->path, '/');
	pf_ret r = PF_OK;

	memset(&needs, 0, sizeof needs);
	memset(&prov, 0, sizeof prov);
	/* An ELF file too damaged to read has nothing to check: no record. */
	if (pf_elf_needs_read(n->content, n->len, &needs, &b->err) != PF_OK ||
	    pf_elf_provides_read(n->content, n->len, slash ? slash + 1 :
	    e->path, &prov, &b->err) != PF_OK) {
		pf_err_clear(&b->err);
		goto out;
	}
	r = encode_needs(b, &needs, &e->needs, &e->needs_len);
	if (r == PF_OK) {
		pf_elf_needs as = { prov.libs, prov.n_libs, NULL, 0 };

		r = encode_needs(b, &as, &e->provides, &e->provides_len);
	}
out:
	pf_elf_needs_free(&needs);
	pf_elf_provided_free(&prov);
	return r;
}

pf_ret
pf_builder_set_live(pf_builder *b, bool enabled)
{
	b->no_live = !enabled;
	return PF_OK;
}

pf_ret
pf_builder_live_select(pf_builder *b, const char *name, bool only)
{
	char **v = realloc(b->live_sel[only], (b->n_live_sel[only] + 1) *
	    sizeof *v);

	if (v == NULL)
		return pf_err_nomem(&b->err);
	b->live_sel[only] = v;
	if ((v[b->n_live_sel[only]] = strdup(name)) == NULL)
		return pf_err_nomem(&b->err);
	b->n_live_sel[only]++;
	return PF_OK;
}

pf_ret
pf_builder_add_debug_dir(pf_builder *b, const char *dir)
{
	char **v = realloc(b->debug_dirs, (b->n_debug_dirs + 1) * sizeof *v);
	bool *u;

	if (v == NULL)
		return pf_err_nomem(&b->err);
	b->debug_dirs = v;
	if ((u = realloc(b->debug_used, (b->n_debug_dirs + 1) *
	    sizeof *u)) == NULL)
		return pf_err_nomem(&b->err);
	b->debug_used = u;
	u[b->n_debug_dirs] = false;
	if (b->n_debug_dirs >= 64 ||
	    (v[b->n_debug_dirs] = strdup(dir)) == NULL)
		return b->n_debug_dirs >= 64 ? pf_err_set(&b->err,
		    PF_ERR_USAGE, "too many debug directories") :
		    pf_err_nomem(&b->err);
	b->n_debug_dirs++;
	return PF_OK;
}

/* Where the debug files of stripped builds are looked for: under each
 * tree, in the directories given, then on this system. */
static void
debug_dirs(pf_builder *b, pf_debug_dirs *d, char tree[2][4200])
{
	size_t i;

	memset(d, 0, sizeof *d);
	for (i = 0; i < 2; i++)
		if (b->roots[i] != NULL) {
			snprintf(tree[i], sizeof tree[i], "%s/usr/lib/debug",
			    b->roots[i]);
			pf_debug_dirs_add(d, tree[i]);
		}
	for (i = 0; i < b->n_debug_dirs; i++)
		if (pf_debug_dirs_add(d, b->debug_dirs[i]))
			d->used[d->n - 1] = &b->debug_used[i];
	pf_debug_dirs_add(d, "/usr/lib/debug");
}

/* A debug file given by name must be the debug file of a build of the
 * package: one that served none is refused, not silently passed over. */
static pf_ret
check_debug_used(pf_builder *b)
{
	struct stat st;
	size_t i;

	for (i = 0; i < b->n_debug_dirs; i++)
		if (!b->debug_used[i] && stat(b->debug_dirs[i], &st) == 0 &&
		    !S_ISDIR(st.st_mode))
			return pf_err_set(&b->err, PF_ERR_MISMATCH, "debug file "
			    "'%s' has the build ID of no stripped ELF file of "
			    "the builds: it is for another build",
			    b->debug_dirs[i]);
	return PF_OK;
}

/* The analysis's notes go into the manifest, for patch-inspect. */
static pf_ret
keep_live_notes(pf_builder *b, const char *path, const pf_hp_analysis *an)
{
	pf_live_note *v, *ln;
	size_t i;

	if (an->n_notes == 0)
		return PF_OK;
	v = realloc(b->m.live_notes, (b->m.n_live_notes + an->n_notes) *
	    sizeof *v);
	if (v == NULL)
		return pf_err_nomem(&b->err);
	b->m.live_notes = v;
	for (i = 0; i < an->n_notes; i++) {
		ln = &v[b->m.n_live_notes];
		ln->kind = (uint64_t)an->notes[i].kind;
		ln->path = strdup(path);
		ln->name = strdup(an->notes[i].name);
		ln->text = strdup(an->notes[i].text);
		b->m.n_live_notes++;
		if (ln->path == NULL || ln->name == NULL || ln->text == NULL)
			return pf_err_nomem(&b->err);
	}
	return PF_OK;
}

size_t
pf_builder_note_count(const pf_builder *b)
{
	return b->n_notes;
}

const char *
pf_builder_note(const pf_builder *b, size_t i)
{
	return i < b->n_notes ? b->notes[i] : NULL;
}

static void
add_note(pf_builder *b, const char *path, const char *what)
{
	char **v = realloc(b->notes, (b->n_notes + 1) * sizeof *v);

	if (v == NULL)
		return;
	b->notes = v;
	if (asprintf(&v[b->n_notes], "no hot patch for '%s': %s", path,
	    what) >= 0)
		b->n_notes++;
}

/*
 * The hot-patch record of a changed ELF file (spec/hotpatch.md): the
 * functions whose code changed, with their new code and relocations, and
 * what cannot be made safe.  A file that cannot be analysed (stripped,
 * not x86-64) gets a note for people, not an error.
 */
static pf_ret
record_live(pf_builder *b, pf_entry *e, const side *o, const side *n)
{
	pf_lzma_opts lo = { .preset = 9 };
	pf_hotpatch *hp = NULL;
	pf_buf rec, packed;
	uint32_t dict;
	uint8_t *bytes;
	size_t len;
	pf_err aerr;
	pf_hp_analysis an = { .skip = (const char *const *)b->live_sel[0],
	    .n_skip = b->n_live_sel[0],
	    .only = (const char *const *)b->live_sel[1],
	    .n_only = b->n_live_sel[1] };
	pf_debug_dirs dd;
	char tree[2][4200];
	pf_ret r = PF_OK;

	pf_buf_init(&rec);
	pf_buf_init(&packed);
	pf_err_clear(&aerr);
	debug_dirs(b, &dd, tree);
	an.debug_file = pf_debug_find;
	an.debug_arg = &dd;
	r = pf_hotpatch_analyze_ex(o->content, o->len, n->content, n->len,
	    &an, &hp, &aerr);
	if (r == PF_OK && (r = keep_live_notes(b, e->path, &an)) != PF_OK)
		goto out;
	if (r != PF_OK) {
		/* Running out of memory is a failure; the rest is a note. */
		if (r == PF_ERR_NOMEM) {
			pf_err_copy(&b->err, &aerr);
			goto out;
		}
		r = PF_OK;
		add_note(b, e->path, aerr.msg);
		goto out;
	}
	if (hp->n_funcs == 0 && hp->n_refused == 0)
		goto out;
	pf_hotpatch_set_module(hp, e->path);
	if ((r = pf_hotpatch_encode(hp, &rec)) != PF_OK) {
		pf_err_set(&b->err, r, "cannot encode the hot patch of '%s'",
		    e->path);
		goto out;
	}
	r = pf_lzma_encode(rec.data, rec.len, &lo, &packed, &dict, &b->err);
	if (r != PF_OK)
		goto out;
	bytes = pf_buf_take(&packed, &len);
	r = push_blob(b, PF_SECTION_PAYLOAD, PF_CODEC_LZMA2, dict, bytes, len,
	    rec.len, &e->live);
	free(bytes);
	if (r == PF_OK)
		b->required |= PF_FEAT_LIVE;
out:
	pf_debug_dirs_release(&dd);
	pf_hp_analysis_clear(&an);
	pf_hotpatch_free(hp);
	pf_buf_free(&rec);
	pf_buf_free(&packed);
	return r;
}

pf_ret
pf_builder_diff_one(pf_builder *b, const char *old_root, const char *new_root,
    const char *path, const pf_node *on, const pf_node *nn)
{
	side o, n;
	pf_entry *e;
	bool same, nblob, oblob;
	pf_ret r;

	/* Both are freed at out, also when the old side failed to load. */
	memset(&n, 0, sizeof n);
	if ((r = load_side(b, old_root, on, &o)) != PF_OK ||
	    (r = load_side(b, new_root, nn, &n)) != PF_OK)
		goto out;
	if (sides_equal(&o, &n))
		goto out;
	same = same_content(&o, &n);
	/* A link-group member has no blob of its own (section 5.4.3). */
	nblob = (n.content != NULL || n.big) && !same &&
	    n.st.hardlink == NULL;
	oblob = (o.content != NULL || o.big) && !same &&
	    o.st.hardlink == NULL;
	if ((r = push_entry(b, path, &o, &n)) != PF_OK)
		goto out;
	e = &b->m.entries[b->m.n_entries - 1];
	b->required |= PF_FEAT_META;
	if (nblob &&
	    (r = add_content_blob(b, PF_SECTION_PAYLOAD, &o, &n,
	    &e->payload)) != PF_OK)
		goto out;
	/* The rollback of a changed file is a reverse delta, new to old. */
	if (oblob &&
	    (r = add_content_blob(b, PF_SECTION_ROLLBACK, &n, &o,
	    &e->rollback)) != PF_OK)
		goto out;
	if (!b->no_live && o.elf && n.elf && !same && nblob &&
	    (r = record_live(b, e, &o, &n)) != PF_OK)
		goto out;
	if (n.elf && !same)
		r = record_elf(b, e, &n);
out:
	side_free(&o);
	side_free(&n);
	return r;
}

static pf_ret
diff_files(pf_builder *b, const char *old_path, const char *new_path,
    const struct stat *os, const struct stat *ns)
{
	pf_node on = { 0 }, nn = { 0 };
	char *copy;
	pf_ret r;

	if (b->single_path == NULL) {
		if ((copy = strdup(new_path)) == NULL)
			return pf_err_nomem(&b->err);
		r = pf_builder_set_path(b, basename(copy));
		free(copy);
		if (r != PF_OK)
			return r;
	}
	on.path = nn.path = b->single_path;
	on.type = nn.type = PF_TYPE_FILE;
	pf_node_stat(&on, os);
	pf_node_stat(&nn, ns);
	/* The calling thread is one of the jobs; the rest are helpers'. */
	pf_cpus_add(b->helpers, -1);
	r = pf_builder_diff_one(b, old_path, new_path, b->single_path, &on,
	    &nn);
	pf_cpus_add(b->helpers, 1);
	return r;
}

pf_ret
pf_builder_diff(pf_builder *b, const char *old_path, const char *new_path)
{
	pf_nodelist ol = { 0 }, nl = { 0 };
	struct stat os, ns;
	bool done;
	pf_ret r;

	/*
	 * At most jobs threads in all: each file diffed holds one of them,
	 * and a file's delta starts helpers only on those no file holds.
	 */
	pf_cpus_init(&b->cpus, b->jobs ? (int)b->jobs : 1);
	b->helpers = &b->cpus;
	/* Builds given as archives (create/archive_diff.c). */
	if ((r = pf_archive_diff(b, old_path, new_path, &done)) != PF_OK ||
	    done)
		return r;

	if (stat(old_path, &os) < 0)
		return pf_err_errno(&b->err, PF_ERR_IO, errno,
		    "cannot read '%s'", old_path);
	if (stat(new_path, &ns) < 0)
		return pf_err_errno(&b->err, PF_ERR_IO, errno,
		    "cannot read '%s'", new_path);
	if (S_ISREG(os.st_mode) && S_ISREG(ns.st_mode))
		return diff_files(b, old_path, new_path, &os, &ns);
	if (!S_ISDIR(os.st_mode) || !S_ISDIR(ns.st_mode))
		return pf_err_set(&b->err, PF_ERR_USAGE,
		    "'%s' and '%s' must be two directories or two files",
		    old_path, new_path);
	if (b->single_path != NULL)
		return pf_err_set(&b->err, PF_ERR_USAGE,
		    "a path can only be given when comparing two files");
	b->roots[0] = old_path;
	b->roots[1] = new_path;
	if ((r = pf_scan_tree(old_path, &ol, &b->err)) == PF_OK &&
	    (r = pf_scan_tree(new_path, &nl, &b->err)) == PF_OK)
		r = pf_build_tree(b, old_path, new_path, &ol, &nl);
	b->roots[0] = b->roots[1] = NULL;
	pf_nodelist_free(&ol);
	pf_nodelist_free(&nl);
	return r;
}

pf_ret
pf_builder_add_key(pf_builder *b, const char *path)
{
	pf_seckey k;
	size_t i;
	pf_ret r;

	if (b->signers.n >= PF_MAX_SIGNATURES)
		return pf_err_set(&b->err, PF_ERR_USAGE,
		    "at most %d keys may sign a package", PF_MAX_SIGNATURES);
	if ((r = pf_seckey_load(&k, path, &b->err)) != PF_OK)
		return r;
	for (i = 0; i < b->signers.n; i++)
		if (memcmp(b->signers.keys[i].id, k.id, sizeof k.id) == 0) {
			sodium_memzero(&k, sizeof k);
			return pf_err_set(&b->err, PF_ERR_USAGE,
			    "key '%s' is given twice", path);
		}
	b->signers.keys[b->signers.n++] = k;
	sodium_memzero(&k, sizeof k);
	return PF_OK;
}

pf_ret
pf_builder_set_target(pf_builder *b, const char *product,
    const char *to_version)
{
	pf_ret r;

	if ((r = check_word(b, product, false, "product")) != PF_OK ||
	    (r = check_word(b, to_version, false, "version")) != PF_OK)
		return r;
	if ((product && (r = set_str(b, &b->m.product, product)) != PF_OK) ||
	    (to_version &&
	    (r = set_str(b, &b->m.to_version, to_version)) != PF_OK))
		return r;
	return PF_OK;
}

pf_ret
pf_builder_add_from_version(pf_builder *b, const char *version)
{
	char **v;
	pf_ret r;

	if ((r = check_word(b, version, false, "version")) != PF_OK)
		return r;
	if (b->m.n_from >= PF_MAX_FROM)
		return pf_err_set(&b->err, PF_ERR_USAGE,
		    "at most %d versions to apply from", PF_MAX_FROM);
	v = realloc(b->m.from_versions, (b->m.n_from + 1) * sizeof *v);
	if (v == NULL)
		return pf_err_nomem(&b->err);
	b->m.from_versions = v;
	v[b->m.n_from] = NULL;
	b->m.n_from++;
	return set_str(b, &v[b->m.n_from - 1], version);
}

pf_ret
pf_builder_set_release(pf_builder *b, const char *family, uint64_t counter)
{
	pf_ret r;

	if ((r = check_word(b, family, true, "family")) != PF_OK)
		return r;
	b->m.release = counter;
	return family ? set_str(b, &b->m.family, family) : PF_OK;
}

pf_ret
pf_builder_set_expires(pf_builder *b, uint64_t seconds)
{
	b->m.expires = seconds;
	return PF_OK;
}

/* Patches in the field (sections 5.1.3 to 5.1.5). */
pf_ret
pf_builder_set_provenance(pf_builder *b, const char *issue,
    const char *source_rev, const char *source_url)
{
	pf_ret r;

	if ((r = set_str(b, &b->m.issue, issue)) != PF_OK ||
	    (r = set_str(b, &b->m.source_rev, source_rev)) != PF_OK)
		return r;
	return set_str(b, &b->m.source_url, source_url);
}

pf_ret
pf_builder_add_hook(pf_builder *b, pf_hook_kind kind, uint32_t timeout,
    const uint8_t *script, size_t len)
{
	pf_hook *p;
	size_t i;

	if (kind < PF_HOOK_PRE_APPLY || kind > PF_HOOK_POST_ROLLBACK ||
	    timeout == 0 || timeout > PF_MAX_HOOK_TIMEOUT || len == 0 ||
	    len > PF_MAX_HOOK)
		return pf_err_set(&b->err, PF_ERR_USAGE, "a hook needs a known "
		    "kind, a script of 1 byte to 1 MiB and a timeout of 1 to "
		    "%d seconds", PF_MAX_HOOK_TIMEOUT);
	for (i = 0; i < b->m.n_hooks; i++)
		if (b->m.hooks[i].kind == kind)
			return pf_err_set(&b->err, PF_ERR_USAGE,
			    "hook %d given twice", (int)kind);
	if ((p = realloc(b->m.hooks, (i + 1) * sizeof *p)) == NULL)
		return pf_err_nomem(&b->err);
	b->m.hooks = p;
	/* Kept in the order of kinds, as section 5.1.4 asks. */
	while (i > 0 && p[i - 1].kind > kind) {
		p[i] = p[i - 1];
		i--;
	}
	p[i].kind = kind;
	p[i].timeout = timeout;
	p[i].len = len;
	if ((p[i].script = malloc(len)) == NULL) {
		memmove(&p[i], &p[i + 1], (b->m.n_hooks - i) * sizeof *p);
		return pf_err_nomem(&b->err);
	}
	memcpy(p[i].script, script, len);
	b->m.n_hooks++;
	return PF_OK;
}

pf_ret
pf_builder_set_phase(pf_builder *b, uint32_t share, const char *seed)
{
	if (share > 10000)
		return pf_err_set(&b->err, PF_ERR_USAGE,
		    "a phase is 0 to 100 percent");
	b->m.has_phase = true;
	b->m.phase = share;
	return set_str(b, &b->m.phase_seed, seed);
}

pf_ret
pf_builder_set_memory(pf_builder *b, uint64_t bytes)
{
	if (bytes < PF_BUILD_MEMORY_MIN)
		return pf_err_set(&b->err, PF_ERR_USAGE,
		    "a memory limit of %llu bytes is below the least, %llu",
		    (unsigned long long)bytes,
		    (unsigned long long)PF_BUILD_MEMORY_MIN);
	b->memory = bytes;
	return PF_OK;
}

pf_ret
pf_builder_set_jobs(pf_builder *b, unsigned jobs)
{
	b->jobs = jobs;
	return PF_OK;
}

pf_ret
pf_builder_set_progress(pf_builder *b,
    void (*fn)(void *opaque, const pf_build_progress *p), void *opaque)
{
	b->progress = fn;
	b->progress_opaque = opaque;
	return PF_OK;
}

uint64_t
pf_builder_big_min(const pf_builder *b)
{
	return b->memory / 16;
}

static pf_ret
write_blob(void *opaque, size_t i, int fd, pf_err *err)
{
	pf_builder *b = opaque;

	return pf_spool_copy(b->loc[i].spool, b->loc[i].off,
	    b->m.blobs[i].stored_size, fd, err);
}

pf_ret
pf_builder_write(pf_builder *b, int fd)
{
	pf_write_opts o = { .required = b->required,
		.write_blob = write_blob, .blob_opaque = b };
	pf_ret r;

	if ((r = check_debug_used(b)) != PF_OK)
		return r;

	if (b->signers.n > 0) {
		o.n_signatures = (uint32_t)b->signers.n;
		o.sign = pf_sign_all;
		o.sign_opaque = &b->signers;
	}
	return pf_package_write(fd, &b->m, NULL, &o, &b->err);
}
