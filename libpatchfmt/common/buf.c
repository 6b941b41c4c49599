#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/bytes.h"
#include "common/ckd.h"

void
pf_buf_init(pf_buf *b)
{
	memset(b, 0, sizeof *b);
}

void
pf_buf_free(pf_buf *b)
{
	free(b->data);
	pf_buf_init(b);
}

bool
pf_buf_reserve(pf_buf *b, size_t n)
{
	size_t need, cap;
	uint8_t *p;

	if (b->failed)
		return false;
	if (pf_add_overflow_size(b->len, n, &need))
		goto fail;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < need) {
		if (pf_mul_overflow_size(cap, 2, &cap))
			goto fail;
	}
	p = realloc(b->data, cap);
	if (p == NULL)
		goto fail;
	b->data = p;
	b->cap = cap;
	return true;
fail:
	b->failed = true;
	return false;
}

void
pf_buf_append(pf_buf *b, const void *p, size_t n)
{
	if (n == 0 || !pf_buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
pf_buf_put_u8(pf_buf *b, uint8_t v)
{
	pf_buf_append(b, &v, 1);
}

void
pf_buf_put_le32(pf_buf *b, uint32_t v)
{
	uint8_t t[4];

	pf_store_le32(t, v);
	pf_buf_append(b, t, sizeof t);
}

void
pf_buf_put_le64(pf_buf *b, uint64_t v)
{
	uint8_t t[8];

	pf_store_le64(t, v);
	pf_buf_append(b, t, sizeof t);
}

void
pf_buf_put_uvarint(pf_buf *b, uint64_t v)
{
	uint8_t t[PF_UVARINT_MAX];
	size_t n = 0;

	do {
		t[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			t[n] |= 0x80;
		n++;
	} while (v != 0);
	pf_buf_append(b, t, n);
}

uint8_t *
pf_buf_take(pf_buf *b, size_t *len)
{
	uint8_t *p = b->data;

	*len = b->len;
	pf_buf_init(b);
	return p;
}

void
pf_cur_init(pf_cur *c, const void *p, size_t n)
{
	c->p = p;
	c->end = c->p + n;
	c->bad = false;
}

size_t
pf_cur_left(const pf_cur *c)
{
	return (size_t)(c->end - c->p);
}

bool
pf_cur_get_bytes(pf_cur *c, const uint8_t **p, size_t n)
{
	if (c->bad || pf_cur_left(c) < n) {
		c->bad = true;
		return false;
	}
	*p = c->p;
	c->p += n;
	return true;
}

bool
pf_cur_get_u8(pf_cur *c, uint8_t *v)
{
	const uint8_t *p;

	if (!pf_cur_get_bytes(c, &p, 1))
		return false;
	*v = p[0];
	return true;
}

bool
pf_cur_get_le32(pf_cur *c, uint32_t *v)
{
	const uint8_t *p;

	if (!pf_cur_get_bytes(c, &p, 4))
		return false;
	*v = pf_load_le32(p);
	return true;
}

bool
pf_cur_get_le64(pf_cur *c, uint64_t *v)
{
	const uint8_t *p;

	if (!pf_cur_get_bytes(c, &p, 8))
		return false;
	*v = pf_load_le64(p);
	return true;
}

bool
pf_cur_get_uvarint(pf_cur *c, uint64_t *v)
{
	uint64_t r = 0;
	uint8_t byte;
	unsigned i;

	for (i = 0; i < PF_UVARINT_MAX; i++) {
		if (!pf_cur_get_u8(c, &byte))
			return false;
		/* The tenth byte may only carry the top bit of a 64-bit value. */
		if (i == PF_UVARINT_MAX - 1 && byte > 1)
			break;
		r |= (uint64_t)(byte & 0x7f) << (7 * i);
		if ((byte & 0x80) == 0) {
			/* A trailing zero byte means a longer form than needed. */
			if (i > 0 && byte == 0)
				break;
			*v = r;
			return true;
		}
	}
	c->bad = true;
	return false;
}
