/* The creating half of libpatchfmt_delta.h: the encoder on descriptors. */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/fileio.h"
#include "delta/api.h"
#include "delta/delta.h"
#include "delta/vcdiff.h"
#include "delta/window.h"

/* Bytes read from a descriptor at once while reading it whole. */
#define READ_STEP (1u << 20)

/* Reads fd to its end, so that pipes work as well as files. */
static pf_ret
read_all(int fd, pf_buf *b, const char *name, pf_err *err)
{
	size_t got;
	pf_ret r;

	do {
		if (!pf_buf_reserve(b, READ_STEP))
			return pf_err_nomem(err);
		r = pf_read_full(fd, b->data + b->len, READ_STEP, &got, err,
		    name);
		if (r != PF_OK)
			return r;
		b->len += got;
	} while (got == READ_STEP);
	return PF_OK;
}

pf_ret
pf_delta_set_format(pf_delta *d, pf_delta_format format)
{
	if ((unsigned)format > PF_DELTA_FORMAT_VCDIFF_LZMA)
		return pf_err_set(&d->err, PF_ERR_USAGE, "no such delta format");
	d->format = format;
	return PF_OK;
}

/* The encoder the handle's format names. */
static pf_ret
encode(pf_delta *d, const pf_buf *old, const pf_buf *nw, pf_buf *out)
{
	pf_delta_opts opts = { 0 };
	pf_vcdiff_opts vopts = { 0 };

	opts.threads = vopts.threads = d->threads;
	opts.no_sha256 = d->no_sha256;
	if (d->format == PF_DELTA_FORMAT_PFDELTA)
		return pf_delta_encode(old->data, old->len, nw->data, nw->len,
		    &opts, out, &d->err);
	vopts.xdelta3 = d->format == PF_DELTA_FORMAT_VCDIFF_LZMA;
	return pf_vcdiff_encode(old->data, old->len, nw->data, nw->len,
	    &vopts, out, &d->err);
}

pf_ret
pf_delta_set_header_sha256(pf_delta *d, int on)
{
	d->no_sha256 = !on;
	return PF_OK;
}

pf_ret
pf_delta_set_memory(pf_delta *d, uint64_t bytes)
{
	pf_err_clear(&d->err);
	if (bytes != 0 && bytes < PF_BUILD_MEMORY_MIN)
		return pf_err_set(&d->err, PF_ERR_USAGE,
		    "a memory limit below %llu bytes",
		    (unsigned long long)PF_BUILD_MEMORY_MIN);
	d->memory = bytes;
	return PF_OK;
}

typedef struct fd_io {
	int fd;
	const char *name;
} fd_io;

static pf_ret
fd_read_at(void *opaque, uint64_t off, void *buf, size_t n, pf_err *err)
{
	fd_io *f = opaque;

	return pf_pread_full(f->fd, buf, n, off, err, f->name);
}

static pf_ret
fd_write(void *opaque, const void *buf, size_t n, pf_err *err)
{
	fd_io *f = opaque;

	return pf_write_full(f->fd, buf, n, err, f->name);
}

/* The size of a regular file, or false for a pipe or terminal. */
static bool
regular_size(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	*size = (uint64_t)st.st_size;
	return true;
}

/* Two regular files, one of them big: the windowed encoder (1 if so). */
static int
create_window(pf_delta *d, int old_fd, int new_fd, int delta_fd,
    pf_ret *r)
{
	uint64_t mem = d->memory ? d->memory : UINT64_C(1) << 30, os, ns;
	pf_cpus cpus;
	fd_io fo = { old_fd, pf_delta_name(d, PF_DELTA_FILE_OLD) };
	fd_io fn = { new_fd, pf_delta_name(d, PF_DELTA_FILE_NEW) };
	fd_io fd = { delta_fd, pf_delta_name(d, PF_DELTA_FILE_DELTA) };
	pf_source old, nw;
	pf_ostream out = { fd_write, &fd };

	/* The windowed encoder writes pfdelta only. */
	if (d->format != PF_DELTA_FORMAT_PFDELTA ||
	    !regular_size(old_fd, &os) || !regular_size(new_fd, &ns) ||
	    (os <= mem / 16 && ns <= mem / 16))
		return 0;
	old = (pf_source){ fd_read_at, &fo, os };
	nw = (pf_source){ fd_read_at, &fn, ns };
	pf_cpus_init_threads(&cpus, d->threads);
	*r = pf_delta_encode_window(&old, &nw, mem, &cpus, &out, &d->err);
	return 1;
}

pf_ret
pf_delta_create_fd(pf_delta *d, int old_fd, int new_fd, int delta_fd)
{
	pf_buf old, nw, out;
	pf_ret r;

	pf_err_clear(&d->err);
	if (create_window(d, old_fd, new_fd, delta_fd, &r))
		return r;

	pf_buf_init(&old);
	pf_buf_init(&nw);
	pf_buf_init(&out);
	pf_err_clear(&d->err);
	r = read_all(old_fd, &old, pf_delta_name(d, PF_DELTA_FILE_OLD),
	    &d->err);
	if (r != PF_OK)
		goto out;
	r = read_all(new_fd, &nw, pf_delta_name(d, PF_DELTA_FILE_NEW), &d->err);
	if (r != PF_OK)
		goto out;
	r = encode(d, &old, &nw, &out);
	if (r != PF_OK)
		goto out;
	r = pf_write_full(delta_fd, out.data, out.len, &d->err,
	    pf_delta_name(d, PF_DELTA_FILE_DELTA));
out:
	pf_buf_free(&old);
	pf_buf_free(&nw);
	pf_buf_free(&out);
	return r;
}
