/*
 * The undo record of an applied hot patch (spec/hotpatch.md section 9):
 * what pf_live_revert needs, kept by the caller in its state directory.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "live/hotpatch.h"

#define UNDO_MAGIC "PFHU"
#define UNDO_VERSION 1

void
pf_live_undo_free(pf_live_undo *u)
{
	if (u == NULL)
		return;
	free(u->sites);
	free(u);
}

pf_ret
pf_live_undo_encode(const pf_live_undo *u, pf_buf *b)
{
	size_t i;

	pf_buf_append(b, UNDO_MAGIC, 4);
	pf_buf_put_u8(b, UNDO_VERSION);
	pf_buf_put_uvarint(b, u->build_id_len);
	pf_buf_append(b, u->build_id, u->build_id_len);
	pf_buf_put_uvarint(b, u->base);
	pf_buf_put_uvarint(b, u->region);
	pf_buf_put_uvarint(b, u->region_len);
	pf_buf_put_uvarint(b, u->n_sites);
	for (i = 0; i < u->n_sites; i++) {
		const pf_live_site *s = &u->sites[i];

		pf_buf_put_uvarint(b, s->addr);
		pf_buf_put_u8(b, s->len);
		pf_buf_append(b, s->old, s->len);
		pf_buf_append(b, s->new, s->len);
	}
	return b->failed ? PF_ERR_NOMEM : PF_OK;
}

static bool
get_site(pf_cur *c, pf_live_site *s)
{
	const uint8_t *p, *q;

	if (!pf_cur_get_uvarint(c, &s->addr) || !pf_cur_get_u8(c, &s->len) ||
	    s->len == 0 || s->len > PF_HP_HEAD_MAX ||
	    !pf_cur_get_bytes(c, &p, s->len) ||
	    !pf_cur_get_bytes(c, &q, s->len))
		return false;
	memcpy(s->old, p, s->len);
	memcpy(s->new, q, s->len);
	return true;
}

static pf_ret
decode_body(pf_cur *c, pf_live_undo *u, pf_err *err)
{
	const uint8_t *p;
	uint64_t n;
	size_t i;

	if (!pf_cur_get_uvarint(c, &n) || n == 0 || n > sizeof u->build_id ||
	    !pf_cur_get_bytes(c, &p, (size_t)n))
		return pf_err_set(err, PF_ERR_CORRUPT, "undo record: bad "
		    "'build id'");
	memcpy(u->build_id, p, (size_t)n);
	u->build_id_len = (size_t)n;
	if (!pf_cur_get_uvarint(c, &u->base) ||
	    !pf_cur_get_uvarint(c, &u->region) ||
	    !pf_cur_get_uvarint(c, &u->region_len) ||
	    !pf_cur_get_uvarint(c, &n) || n > pf_cur_left(c) / 3)
		return pf_err_set(err, PF_ERR_CORRUPT, "undo record: bad "
		    "'region' or 'site count'");
	if ((u->sites = calloc(n ? (size_t)n : 1, sizeof *u->sites)) == NULL)
		return pf_err_nomem(err);
	for (i = 0; i < n; i++, u->n_sites++)
		if (!get_site(c, &u->sites[i]))
			return pf_err_set(err, PF_ERR_CORRUPT, "undo record: "
			    "bad 'site' %zu", i);
	if (pf_cur_left(c) != 0)
		return pf_err_set(err, PF_ERR_CORRUPT, "undo record: trailing "
		    "bytes");
	return PF_OK;
}

pf_ret
pf_live_undo_decode(const uint8_t *p, size_t n, pf_live_undo **out,
    pf_err *err)
{
	pf_live_undo *u = calloc(1, sizeof *u);
	const uint8_t *magic;
	uint8_t version;
	pf_cur c;
	pf_ret r;

	*out = NULL;
	if (u == NULL)
		return pf_err_nomem(err);
	pf_cur_init(&c, p, n);
	if (!pf_cur_get_bytes(&c, &magic, 4) || memcmp(magic, UNDO_MAGIC, 4)) {
		r = pf_err_set(err, PF_ERR_NOT_PACKAGE, "not an undo record");
		goto out;
	}
	if (!pf_cur_get_u8(&c, &version) || version != UNDO_VERSION) {
		r = pf_err_set(err, PF_ERR_UNSUPPORTED, "undo record version "
		    "is not supported");
		goto out;
	}
	if ((r = decode_body(&c, u, err)) != PF_OK)
		goto out;
	*out = u;
	u = NULL;
out:
	pf_live_undo_free(u);
	return r;
}
