/* The creating half of libpatchfmt_delta.h: the encoder on descriptors. */
#include <config.h>

#include <stdlib.h>

#include "common/buf.h"
#include "common/fileio.h"
#include "delta/api.h"
#include "delta/delta.h"
#include "delta/vcdiff.h"

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
	if (d->format == PF_DELTA_FORMAT_PFDELTA)
		return pf_delta_encode(old->data, old->len, nw->data, nw->len,
		    &opts, out, &d->err);
	vopts.xdelta3 = d->format == PF_DELTA_FORMAT_VCDIFF_LZMA;
	return pf_vcdiff_encode(old->data, old->len, nw->data, nw->len,
	    &vopts, out, &d->err);
}

pf_ret
pf_delta_create_fd(pf_delta *d, int old_fd, int new_fd, int delta_fd)
{
	pf_buf old, nw, out;
	pf_ret r;

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
