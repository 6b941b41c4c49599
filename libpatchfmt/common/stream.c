#include <config.h>

#include <string.h>

#include "common/buf.h"
#include "common/stream.h"

pf_ret
pf_istream_read_full(pf_istream *in, void *buf, size_t n, const char *what,
    pf_err *err)
{
	uint8_t *p = buf;
	size_t got;
	pf_ret r;

	while (n > 0) {
		r = in->read(in->opaque, p, n, &got, err);
		if (r != PF_OK)
			return r;
		if (got == 0)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "%s is truncated", what);
		p += got;
		n -= got;
	}
	return PF_OK;
}

static pf_ret
buf_write(void *opaque, const void *p, size_t n, pf_err *err)
{
	pf_buf *b = opaque;

	pf_buf_append(b, p, n);
	return b->failed ? pf_err_nomem(err) : PF_OK;
}

void
pf_ostream_to_buf(pf_ostream *o, pf_buf *b)
{
	o->write = buf_write;
	o->opaque = b;
}

static pf_ret
mem_read(void *opaque, void *buf, size_t n, size_t *got, pf_err *err)
{
	pf_mem_in *m = opaque;
	size_t left = m->n - m->pos;

	(void)err;
	if (n > left)
		n = left;
	if (n > 0)
		memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	*got = n;
	return PF_OK;
}

void
pf_istream_from_mem(pf_istream *in, pf_mem_in *m, const void *p, size_t n)
{
	m->p = p;
	m->n = n;
	m->pos = 0;
	in->read = mem_read;
	in->opaque = m;
}

static pf_ret
mem_read_at(void *opaque, uint64_t off, void *buf, size_t n, pf_err *err)
{
	(void)err;
	if (n > 0)
		memcpy(buf, (const uint8_t *)opaque + off, n);
	return PF_OK;
}

void
pf_source_from_mem(pf_source *s, const void *p, size_t n)
{
	s->read_at = mem_read_at;
	s->opaque = (void *)(uintptr_t)p;
	s->size = n;
}

pf_ret
pf_stream_copy(pf_istream *in, pf_ostream *out, uint64_t n, pf_err *err)
{
	uint8_t buf[16384];
	size_t chunk;
	pf_ret r;

	while (n > 0) {
		chunk = n > sizeof buf ? sizeof buf : (size_t)n;
		r = pf_istream_read_full(in, buf, chunk, "stored data", err);
		if (r == PF_OK)
			r = out->write(out->opaque, buf, chunk, err);
		if (r != PF_OK)
			return r;
		n -= chunk;
	}
	return PF_OK;
}
