#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "format/field.h"

bool
pf_field_next(pf_cur *c, pf_field *f)
{
	uint64_t len;

	if (c->bad || pf_cur_left(c) == 0)
		return false;
	if (!pf_cur_get_uvarint(c, &f->tag) || !pf_cur_get_uvarint(c, &len))
		return false;
	if (len > pf_cur_left(c)) {
		c->bad = true;
		return false;
	}
	f->len = (size_t)len;
	return pf_cur_get_bytes(c, &f->val, f->len);
}

pf_ret
pf_field_uint(const pf_field *f, uint64_t *v, pf_err *err, const char *what)
{
	pf_cur c;

	/* The value is exactly one canonical uvarint. */
	pf_cur_init(&c, f->val, f->len);
	if (!pf_cur_get_uvarint(&c, v) || pf_cur_left(&c) != 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "malformed integer in %s", what);
	return PF_OK;
}

pf_ret
pf_field_string(const pf_field *f, size_t max, char **s, pf_err *err,
    const char *what)
{
	char *p;

	if (f->len > max)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "%s is longer than %zu bytes", what, max);
	if (memchr(f->val, '\0', f->len) != NULL)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "%s holds a NUL byte", what);
	p = malloc(f->len + 1);
	if (p == NULL)
		return pf_err_nomem(err);
	memcpy(p, f->val, f->len);
	p[f->len] = '\0';
	free(*s);
	*s = p;
	return PF_OK;
}

pf_ret
pf_field_sha256(const pf_field *f, uint8_t out[32], pf_err *err,
    const char *what)
{
	if (f->len != 32)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "%s is not a 32-byte sha256", what);
	memcpy(out, f->val, 32);
	return PF_OK;
}

void
pf_put_uint(pf_buf *b, uint64_t tag, uint64_t v)
{
	pf_buf tmp;

	pf_buf_init(&tmp);
	pf_buf_put_uvarint(&tmp, v);
	pf_put_bytes(b, tag, tmp.data, tmp.len);
	if (tmp.failed)
		b->failed = true;
	pf_buf_free(&tmp);
}

void
pf_put_bytes(pf_buf *b, uint64_t tag, const void *p, size_t n)
{
	pf_buf_put_uvarint(b, tag);
	pf_buf_put_uvarint(b, n);
	pf_buf_append(b, p, n);
}

void
pf_put_string(pf_buf *b, uint64_t tag, const char *s)
{
	if (s != NULL)
		pf_put_bytes(b, tag, s, strlen(s));
}

void
pf_put_nested(pf_buf *b, uint64_t tag, const pf_buf *inner)
{
	if (inner->failed)
		b->failed = true;
	pf_put_bytes(b, tag, inner->data, inner->len);
}
