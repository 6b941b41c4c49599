/*
 * The applying half of libpatchfmt_delta.h: the handle, and the decoder
 * over file descriptors.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "delta/api.h"
#include "delta/delta.h"
#include "delta/sniff.h"
#include "delta/vcdiff.h"

/* Output is gathered into writes of this size. */
#define OUT_BUF (64u << 10)

typedef struct fd_out {
	int fd;
	int spool;              /* a copy to read back, or -1 (fileio.h) */
	const char *name;
	uint8_t buf[OUT_BUF];
	size_t len;
	pf_sha256_ctx *h;       /* of what is written, when it is checked */
} fd_out;

typedef struct fd_in {
	int fd;
	const char *name;
} fd_in;

pf_ret
pf_delta_new(pf_delta **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? PF_OK : PF_ERR_NOMEM;
}

void
pf_delta_free(pf_delta *d)
{
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < 3; i++)
		free(d->name[i]);
	free(d);
}

const char *
pf_delta_error(const pf_delta *d)
{
	return d->err.msg;
}

pf_ret
pf_delta_set_name(pf_delta *d, pf_delta_file which, const char *name)
{
	char *copy;

	if ((unsigned)which > PF_DELTA_FILE_DELTA)
		return pf_err_set(&d->err, PF_ERR_USAGE, "no such file role");
	if ((copy = strdup(name)) == NULL)
		return pf_err_nomem(&d->err);
	free(d->name[which]);
	d->name[which] = copy;
	return PF_OK;
}

pf_ret
pf_delta_set_new_staged(pf_delta *d, int staged)
{
	d->staged = staged != 0;
	return PF_OK;
}

pf_ret
pf_delta_set_threads(pf_delta *d, unsigned threads)
{
	d->threads = threads;
	return PF_OK;
}

const char *
pf_delta_name(const pf_delta *d, pf_delta_file which)
{
	static const char *const fallback[3] = { "old file", "new file",
		"delta" };

	return d->name[which] ? d->name[which] : fallback[which];
}

static pf_ret
fd_read(void *opaque, void *buf, size_t n, size_t *got, pf_err *err)
{
	fd_in *in = opaque;

	return pf_read_full(in->fd, buf, n, got, err, in->name);
}

static pf_ret
fd_read_at(void *opaque, uint64_t off, void *buf, size_t n, pf_err *err)
{
	fd_in *in = opaque;

	return pf_pread_full(in->fd, buf, n, off, err, in->name);
}

static pf_ret
fd_flush(fd_out *o, pf_err *err)
{
	size_t n = o->len;
	pf_ret r;

	o->len = 0;
	if (o->spool >= 0 &&
	    (r = pf_write_full(o->spool, o->buf, n, err, o->name)) != PF_OK)
		return r;
	return pf_write_full(o->fd, o->buf, n, err, o->name);
}

static pf_ret
fd_write(void *opaque, const void *buf, size_t n, pf_err *err)
{
	fd_out *o = opaque;
	pf_ret r;

	if (o->h != NULL)
		pf_sha256_update(o->h, buf, n);
	if (o->len + n > OUT_BUF && (r = fd_flush(o, err)) != PF_OK)
		return r;
	if (n >= OUT_BUF && o->spool >= 0 &&
	    (r = pf_write_full(o->spool, buf, n, err, o->name)) != PF_OK)
		return r;
	if (n >= OUT_BUF)
		return pf_write_full(o->fd, buf, n, err, o->name);
	memcpy(o->buf + o->len, buf, n);
	o->len += n;
	return PF_OK;
}

/* spec/delta.md section 5.3: the new file read back, or a copy of it. */
static pf_ret
fd_rb_open(void *opaque, pf_err *err)
{
	fd_out *o = opaque;

	return pf_spool_for(o->fd, &o->spool, err, o->name);
}

static pf_ret
fd_rb_read_at(void *opaque, uint64_t off, void *buf, size_t n, pf_err *err)
{
	fd_out *o = opaque;
	pf_ret r;

	if (o->len > 0 && (r = fd_flush(o, err)) != PF_OK)
		return r;
	return pf_pread_full(o->spool >= 0 ? o->spool : o->fd, buf, n, off,
	    err, o->name);
}

/* The old file is read at random offsets: it must be a regular file. */
static pf_ret
old_source(pf_delta *d, fd_in *in, pf_source *src)
{
	struct stat st;

	if (fstat(in->fd, &st) < 0)
		return pf_err_errno(&d->err, PF_ERR_IO, errno,
		    "cannot stat '%s'", in->name);
	if (!S_ISREG(st.st_mode))
		return pf_err_set(&d->err, PF_ERR_USAGE,
		    "'%s' is not a regular file (the old file is read at "
		    "random offsets)", in->name);
	src->read_at = fd_read_at;
	src->opaque = in;
	src->size = (uint64_t)st.st_size;
	return PF_OK;
}

pf_ret
pf_delta_apply_fd(pf_delta *d, int old_fd, int delta_fd, int new_fd)
{
	fd_in old = { old_fd, pf_delta_name(d, PF_DELTA_FILE_OLD) };
	fd_in delta = { delta_fd, pf_delta_name(d, PF_DELTA_FILE_DELTA) };
	fd_out *out = NULL;
	pf_istream in = { fd_read, &delta };
	pf_delta_check chk = { old.name, !d->want[PF_DELTA_FILE_NEW], false };
	pf_sha256_ctx h = { 0 };
	pf_ostream os;
	pf_readback rb = { fd_rb_open, fd_rb_read_at, NULL };
	pf_source src;
	pf_ret r;

	pf_err_clear(&d->err);
	if ((r = old_source(d, &old, &src)) != PF_OK ||
	    (r = pf_delta_check_want_old(d, &src)) != PF_OK)
		goto out;
	/*
	 * Into a file that the caller keeps aside until this succeeds, the
	 * hash of new covers old (spec/delta.md section 7): old is hashed
	 * only to name the cause of a failure.  Else old is checked before
	 * the first byte goes out.
	 */
	chk.old_late = d->staged;
	if ((out = malloc(sizeof *out)) == NULL ||
	    (d->want[PF_DELTA_FILE_NEW] && pf_sha256_init(&h) != 0)) {
		r = pf_err_nomem(&d->err);
		goto out;
	}
	out->fd = new_fd;
	out->spool = -1;
	out->name = pf_delta_name(d, PF_DELTA_FILE_NEW);
	out->len = 0;
	out->h = d->want[PF_DELTA_FILE_NEW] ? &h : NULL;
	os.write = fd_write;
	os.opaque = out;
	rb.opaque = out;
	r = pf_delta_decode_any(&in, &src, &chk, &os, &rb, UINT64_MAX,
	    &d->err);
	if (r == PF_OK)
		r = fd_flush(out, &d->err);
	if (r == PF_OK && out->h != NULL)
		r = pf_delta_check_want_new(d, &h);
out:
	if (out != NULL && out->spool >= 0)
		close(out->spool);
	pf_sha256_discard(&h);
	free(out);
	return r;
}

static void
print_info(const pf_delta_info *info, FILE *f)
{
	char hex[PF_SHA256_HEX_LEN];

	fprintf(f, "format: pfdelta %u\n", info->version);
	fprintf(f, "old size: %llu\n", (unsigned long long)info->old_size);
	fprintf(f, "old sha256: %s\n", info->has_sha256 ?
	    pf_sha256_hex(hex, info->old_sha256) : "none");
	fprintf(f, "new size: %llu\n", (unsigned long long)info->new_size);
	fprintf(f, "new sha256: %s\n", info->has_sha256 ?
	    pf_sha256_hex(hex, info->new_sha256) : "none");
	fprintf(f, "block size: %u\n", info->block_size);
	fprintf(f, "lzma2 dictionaries: control %u, extra %u\n",
	    info->dict[PF_DELTA_CTRL], info->dict[PF_DELTA_EXTRA]);
}

/* The bytes read past a short header, then the rest of the delta. */
typedef struct rest_in {
	fd_in fd;
	const uint8_t *p;
	size_t n;
} rest_in;

static pf_ret
rest_read(void *opaque, void *buf, size_t n, size_t *got, pf_err *err)
{
	rest_in *r = opaque;

	if (r->n == 0)
		return fd_read(&r->fd, buf, n, got, err);
	*got = n < r->n ? n : r->n;
	memcpy(buf, r->p, *got);
	r->p += *got;
	r->n -= *got;
	return PF_OK;
}

pf_ret
pf_delta_print_info_fd(pf_delta *d, int delta_fd, FILE *f)
{
	rest_in rest = { { delta_fd, pf_delta_name(d, PF_DELTA_FILE_DELTA) },
		NULL, 0 };
	pf_istream in = { rest_read, &rest };
	uint8_t hdr[PF_DELTA_HEADER_MAX];
	pf_delta_info info;
	size_t got;
	pf_ret r;

	pf_err_clear(&d->err);
	r = pf_read_full(delta_fd, hdr, sizeof hdr, &got, &d->err,
	    pf_delta_name(d, PF_DELTA_FILE_DELTA));
	if (r != PF_OK)
		return r;
	if (pf_vcd_is_vcdiff(hdr, got))
		return pf_vcd_print_info(hdr, got, f, &d->err);
	if ((r = pf_delta_read_info(hdr, got, &info, &d->err)) != PF_OK)
		return r;
	rest.p = hdr + info.header_len;
	rest.n = got - info.header_len;
	print_info(&info, f);
	return pf_delta_print_parts(&in, &info, f, &d->err);
}
