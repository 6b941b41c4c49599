/*
 * Files too large to hold (above a sixteenth of the memory limit): read
 * in chunks, hashed and compressed as a stream into the spool, so that
 * memory does not grow with their size.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "install/fsmeta.h"
#include "compress/lzma.h"
#include "create/builder_int.h"
#include "delta/delta.h"
#include "delta/window.h"
#include "format/format.h"

/* Bytes read from a big file at once. */
#define CHUNK (1u << 20)

/* Receives a chunk of content, or (p NULL) a hole of n zeros. */
typedef pf_ret (*chunk_fn)(void *opaque, const uint8_t *p, size_t n,
    pf_err *err);

static pf_ret
read_range(int fd, uint64_t off, uint64_t len, uint8_t *buf, chunk_fn fn,
    void *opaque, pf_err *err, const char *path)
{
	size_t k;
	pf_ret r = PF_OK;

	while (len > 0 && r == PF_OK) {
		k = len < CHUNK ? (size_t)len : CHUNK;
		r = pf_pread_full(fd, buf, k, off, err, path);
		if (r == PF_OK)
			r = fn(opaque, buf, k, err);
		off += k;
		len -= k;
	}
	return r;
}

/*
 * Calls fn on the content of s front to back: for a sparse file, its
 * data extents with the holes between them (section 5.4.2).
 */
static pf_ret
side_read(int fd, const side *s, chunk_fn fn, void *opaque, pf_err *err,
    const char *path)
{
	const pf_extent *x;
	uint64_t pos = 0;
	uint8_t *buf = malloc(CHUNK);
	size_t i;
	pf_ret r = PF_OK;

	if (buf == NULL)
		return pf_err_nomem(err);
	if (!s->sparse)
		r = read_range(fd, 0, s->size, buf, fn, opaque, err, path);
	for (i = 0; s->sparse && i < s->n_ext && r == PF_OK; i++) {
		x = &s->ext[i];
		if (x->offset > pos)
			r = fn(opaque, NULL, x->offset - pos, err);
		if (r == PF_OK)
			r = read_range(fd, x->offset, x->length, buf, fn,
			    opaque, err, path);
		pos = x->offset + x->length;
	}
	if (r == PF_OK && s->sparse && s->size > pos)
		r = fn(opaque, NULL, s->size - pos, err);
	free(buf);
	return r;
}

static pf_ret
hash_chunk(void *opaque, const uint8_t *p, size_t n, pf_err *err)
{
	(void)err;
	if (p == NULL)
		pf_fsmeta_hash_zeros(opaque, n);
	else
		pf_sha256_update(opaque, p, n);
	return PF_OK;
}

/* ELF's e_machine (offset 18, in the file's byte order) says x86. */
static bool
x86_header(int fd)
{
	uint8_t h[20];
	unsigned m;

	if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h ||
	    memcmp(h, "\177ELF", 4) != 0)
		return false;
	m = h[5] == 2 ? (unsigned)h[18] << 8 | h[19] :
	    (unsigned)h[19] << 8 | h[18];
	return m == 3 || m == 62;
}

/*
 * A big file is not inspected as ELF beyond its header: no dependency
 * or hot-patch record is made for it (patch-create(1)).
 */
pf_ret
pf_big_load(pf_builder *b, int fd, const char *path, side *s)
{
	pf_sha256_ctx h;
	pf_ret r;

	if ((s->path = strdup(path)) == NULL)
		return pf_err_nomem(&b->err);
	s->size = s->st.size;
	s->sparse = s->st.sparse;
	s->n_ext = s->st.n_extents;
	if (s->n_ext > 0 && (s->ext = malloc(s->n_ext * sizeof *s->ext)) ==
	    NULL)
		return pf_err_nomem(&b->err);
	if (s->n_ext > 0)
		memcpy(s->ext, s->st.extents, s->n_ext * sizeof *s->ext);
	if (pf_sha256_init(&h) != 0)
		return pf_err_nomem(&b->err);
	if ((r = side_read(fd, s, hash_chunk, &h, &b->err, path)) != PF_OK) {
		pf_sha256_discard(&h);
		return r;
	}
	pf_sha256_final(&h, s->st.sha256);
	memcpy(s->sha256, s->st.sha256, 32);
	s->len = (size_t)pf_state_data_size(&s->st);
	s->x86 = x86_header(fd);
	s->big = true;
	return PF_OK;
}

/* Opens a big side's file again, checking it is still the same size. */
static pf_ret
side_open(pf_builder *b, const side *s, int *fd)
{
	struct stat st;

	*fd = open(s->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return pf_err_errno(&b->err, PF_ERR_IO, errno,
		    "cannot open '%s'", s->path);
	if (fstat(*fd, &st) == 0 && (uint64_t)st.st_size == s->size)
		return PF_OK;
	close(*fd);
	*fd = -1;
	return pf_err_set(&b->err, PF_ERR_IO,
	    "'%s' changed while the package was made", s->path);
}

typedef struct sink {
	pf_lzma_enc *enc;       /* NULL: stored */
	pf_ostream out;
	pf_sha256_ctx check;    /* the content again, to catch a change */
} sink;

static pf_ret
sink_chunk(void *opaque, const uint8_t *p, size_t n, pf_err *err)
{
	sink *k = opaque;

	if (p == NULL)
		return hash_chunk(&k->check, p, n, err);
	pf_sha256_update(&k->check, p, n);
	if (k->enc != NULL)
		return pf_lzma_enc_write(k->enc, p, n, &k->out, err);
	return k->out.write(k->out.opaque, p, n, err);
}

/* Writes s's content to the spool, compressed or (x NULL) stored. */
static pf_ret
stream_content(pf_builder *b, const side *s, const pf_lzma_opts *x,
    uint32_t *dict, pf_spool_out *so)
{
	uint8_t sha[32];
	sink k;
	int fd = -1;
	pf_ret r;

	memset(&k, 0, sizeof k);
	if ((r = pf_spool_out_start(so, b->sp, &k.out, &b->err)) != PF_OK)
		return r;
	if (pf_sha256_init(&k.check) != 0)
		return pf_err_nomem(&b->err);
	if (x != NULL && (r = pf_lzma_enc_new(&k.enc, x, s->len, dict,
	    &b->err)) != PF_OK)
		goto out;
	/* The small side of a big pair is in memory already. */
	if (!s->big) {
		r = k.enc ? pf_lzma_enc_write(k.enc, s->content, s->len,
		    &k.out, &b->err) : k.out.write(k.out.opaque, s->content,
		    s->len, &b->err);
		if (r == PF_OK && k.enc != NULL)
			r = pf_lzma_enc_finish(k.enc, &k.out, &b->err);
		goto out;
	}
	if ((r = side_open(b, s, &fd)) != PF_OK)
		goto out;
	if ((r = side_read(fd, s, sink_chunk, &k, &b->err, s->path)) != PF_OK)
		goto out;
	if (k.enc != NULL && (r = pf_lzma_enc_finish(k.enc, &k.out,
	    &b->err)) != PF_OK)
		goto out;
	pf_sha256_final(&k.check, sha);
	if (memcmp(sha, s->sha256, 32) != 0)
		r = pf_err_set(&b->err, PF_ERR_IO,
		    "'%s' changed while the package was made", s->path);
out:
	pf_sha256_discard(&k.check);
	pf_lzma_enc_free(k.enc);
	if (fd >= 0)
		close(fd);
	return r;
}

static pf_ret
push_out(pf_builder *b, pf_section sec, pf_codec codec, uint64_t param,
    pf_spool_out *so, const side *s, uint32_t *idx)
{
	uint8_t sha[32];

	pf_sha256_final(&so->h, sha);
	return pf_builder_push_spooled(b, sec, codec, param, so->start, so->n,
	    sha, s->len, idx);
}

/*
 * LZMA2 as a stream (with the x86 filter for x86 ELF files), or the
 * bytes as they are when that is not smaller.  Preset 6: the dictionary
 * is at most 8 MiB (pf_lzma_dict_for()) at any preset, and 9's deeper
 * search costs minutes on files of GiBs for little gain.
 */
static pf_ret
whole_blob(pf_builder *b, pf_section sec, const side *s, uint32_t *idx)
{
	pf_lzma_opts o = { .preset = 6, .x86 = s->x86 };
	pf_spool_out so = { 0 };
	uint32_t dict;
	pf_ret r;

	/* The encoder holds about ten times its dictionary. */
	o.dict_size = pf_lzma_dict_for(s->len);
	while (o.dict_size > 65536 && o.dict_size > b->memory / 16)
		o.dict_size >>= 1;

	r = stream_content(b, s, &o, &dict, &so);
	if (r == PF_OK && so.n < s->len) {
		r = push_out(b, sec, s->x86 ? PF_CODEC_X86_LZMA2 :
		    PF_CODEC_LZMA2, dict, &so, s, idx);
		goto out;
	}
	if (r == PF_OK)
		r = pf_spool_cut(b->sp, so.start, &b->err);
	if (r == PF_OK)
		r = stream_content(b, s, NULL, &dict, &so);
	if (r == PF_OK)
		r = push_out(b, sec, PF_CODEC_STORED, 0, &so, s, idx);
out:
	pf_spool_out_discard(&so);
	return r;
}

typedef struct fd_src {
	int fd;
	const char *path;
} fd_src;

static pf_ret
fd_read_at(void *opaque, uint64_t off, void *buf, size_t n, pf_err *err)
{
	fd_src *f = opaque;

	return pf_pread_full(f->fd, buf, n, off, err, f->path);
}

/* A source over a side: its file, or its bytes when it is small. */
static pf_ret
side_source(pf_builder *b, const side *s, fd_src *f, pf_source *src)
{
	pf_ret r;

	f->fd = -1;
	f->path = s->path;
	if (!s->big) {
		pf_source_from_mem(src, s->content, s->len);
		return PF_OK;
	}
	if ((r = side_open(b, s, &f->fd)) != PF_OK)
		return r;
	*src = (pf_source){ fd_read_at, f, s->size };
	return PF_OK;
}

/* A delta made in windows (delta/window.h), into the spool. */
static pf_ret
window_delta(pf_builder *b, const side *base, const side *s,
    pf_spool_out *so)
{
	fd_src fo, fn;
	pf_source old, nw;
	pf_ostream out;
	pf_ret r;

	fo.fd = fn.fd = -1;
	if ((r = pf_spool_out_start(so, b->sp, &out, &b->err)) != PF_OK)
		return r;
	if ((r = side_source(b, base, &fo, &old)) == PF_OK &&
	    (r = side_source(b, s, &fn, &nw)) == PF_OK)
		r = pf_delta_encode_window(&old, &nw, b->memory, b->helpers,
		    &out, &b->err);
	if (fo.fd >= 0)
		close(fo.fd);
	if (fn.fd >= 0)
		close(fn.fd);
	return r;
}

/*
 * As add_content_blob() does for files in memory: a delta when there is
 * a base (neither side sparse), then whole-file compression unless the
 * delta is already small, whichever is smaller.
 */
pf_ret
pf_big_blob(pf_builder *b, pf_section sec, const side *base, const side *s,
    uint32_t *idx)
{
	pf_spool_out so = { 0 };
	uint64_t end;
	pf_ret r;

	if (b->sp->fd < 0 && (r = pf_spool_open(b->sp, &b->err)) != PF_OK)
		return r;
	if (base == NULL || (base->content == NULL && !base->big) ||
	    base->sparse || s->sparse)
		return whole_blob(b, sec, s, idx);
	if ((r = window_delta(b, base, s, &so)) != PF_OK)
		goto out;
	if (so.n <= s->len / 16)
		goto delta;
	end = b->sp->len;
	if ((r = whole_blob(b, sec, s, idx)) != PF_OK ||
	    b->m.blobs[*idx].stored_size < so.n)
		goto out;
	/* The delta won: forget the whole-file blob. */
	b->m.n_blobs--;
	if ((r = pf_spool_cut(b->sp, end, &b->err)) != PF_OK)
		goto out;
delta:
	b->required |= PF_FEAT_DELTA;
	r = push_out(b, sec, PF_CODEC_DELTA, 0, &so, s, idx);
out:
	pf_spool_out_discard(&so);
	return r;
}
