/*
 * The undo record of an applied hot patch (spec/hotpatch.md section 9):
 * what pf_live_revert needs, kept by the caller in its state directory;
 * and the journal around it (section 9.1), the whole file the caller
 * keeps for one patch in one process.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "live/hotpatch.h"

#define UNDO_MAGIC "PFHU"
#define UNDO_VERSION 2
#define UNDO_MAPPED 0x1u
#define UNDO_ROOM 0x2u
#define JOURNAL_MAGIC "PFHJ"
#define JOURNAL_VERSION 1
#define JOURNAL_FROZEN 0x1u

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
	pf_buf_put_u8(b, (u->mapped ? UNDO_MAPPED : 0) |
	    (u->room ? UNDO_ROOM : 0));
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
	uint8_t version, flags;
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
	if (!pf_cur_get_u8(&c, &flags) ||
	    (flags & ~(UNDO_MAPPED | UNDO_ROOM)) != 0) {
		r = pf_err_set(err, PF_ERR_CORRUPT, "undo record: bad 'flags'");
		goto out;
	}
	u->mapped = (flags & UNDO_MAPPED) != 0;
	u->room = (flags & UNDO_ROOM) != 0;
	if ((r = decode_body(&c, u, err)) != PF_OK)
		goto out;
	*out = u;
	u = NULL;
out:
	pf_live_undo_free(u);
	return r;
}

void
pf_live_journal_free(pf_live_journal *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->n_mods; i++)
		pf_live_undo_free(j->mods[i]);
	free(j->mods);
	free(j);
}

pf_ret
pf_live_journal_encode(const pf_live_journal *j, pf_buf *b)
{
	const pf_live_hijack *h = &j->hijack;
	pf_buf one;
	size_t i;
	pf_ret r = PF_OK;

	pf_buf_append(b, JOURNAL_MAGIC, 4);
	pf_buf_put_u8(b, JOURNAL_VERSION);
	pf_buf_append(b, j->digest, 32);
	pf_buf_put_u8(b, (uint8_t)j->phase);
	pf_buf_put_u8(b, j->frozen ? JOURNAL_FROZEN : 0);
	pf_buf_put_uvarint(b, h->tid);
	if (h->tid != 0) {
		pf_buf_put_uvarint(b, h->insn);
		pf_buf_put_uvarint(b, h->nr);
		for (i = 0; i < 6; i++)
			pf_buf_put_uvarint(b, h->args[i]);
		pf_buf_append(b, h->regs, sizeof h->regs);
	}
	pf_buf_put_uvarint(b, j->n_mods);
	for (i = 0; i < j->n_mods && r == PF_OK; i++) {
		pf_buf_init(&one);
		r = pf_live_undo_encode(j->mods[i], &one);
		pf_buf_put_uvarint(b, one.len);
		pf_buf_append(b, one.data, one.len);
		pf_buf_free(&one);
	}
	return r != PF_OK || b->failed ? PF_ERR_NOMEM : PF_OK;
}

static bool
get_hijack(pf_cur *c, pf_live_hijack *h)
{
	const uint8_t *p;
	uint64_t v;
	size_t i;

	if (!pf_cur_get_uvarint(c, &v) || v > INT32_MAX)
		return false;
	h->tid = (uint32_t)v;
	if (h->tid == 0)
		return true;
	if (!pf_cur_get_uvarint(c, &h->insn) || !pf_cur_get_uvarint(c, &h->nr))
		return false;
	for (i = 0; i < 6; i++)
		if (!pf_cur_get_uvarint(c, &h->args[i]))
			return false;
	if (!pf_cur_get_bytes(c, &p, sizeof h->regs))
		return false;
	memcpy(h->regs, p, sizeof h->regs);
	return true;
}

static pf_ret
journal_mods(pf_cur *c, pf_live_journal *j, pf_err *err)
{
	const uint8_t *p;
	uint64_t n, len;
	size_t i;
	pf_ret r;

	/* Section 9.1: no module yet is a journal of a patch going in. */
	if (!pf_cur_get_uvarint(c, &n) || n > PF_HP_ITEMS_MAX ||
	    n > pf_cur_left(c) || (n == 0 && j->phase != PF_LIVE_APPLYING))
		return pf_err_set(err, PF_ERR_CORRUPT, "live journal: bad "
		    "'count'");
	if ((j->mods = calloc(n ? (size_t)n : 1, sizeof *j->mods)) == NULL)
		return pf_err_nomem(err);
	for (i = 0; i < n; i++, j->n_mods++) {
		if (!pf_cur_get_uvarint(c, &len) || len > pf_cur_left(c) ||
		    !pf_cur_get_bytes(c, &p, (size_t)len))
			return pf_err_set(err, PF_ERR_CORRUPT, "live journal: "
			    "bad 'length' of module %zu", i);
		if ((r = pf_live_undo_decode(p, (size_t)len, &j->mods[i],
		    err)) != PF_OK)
			return r == PF_ERR_NOMEM ? r : pf_err_set(err,
			    PF_ERR_CORRUPT, "live journal: module %zu is not "
			    "a valid undo record", i);
	}
	if (pf_cur_left(c) != 0)
		return pf_err_set(err, PF_ERR_CORRUPT, "live journal: trailing "
		    "bytes");
	return PF_OK;
}

pf_ret
pf_live_journal_decode(const uint8_t *p, size_t n, pf_live_journal **out,
    pf_err *err)
{
	pf_live_journal *j = calloc(1, sizeof *j);
	const uint8_t *b;
	uint8_t version, phase, flags;
	pf_cur c;
	pf_ret r;

	*out = NULL;
	if (j == NULL)
		return pf_err_nomem(err);
	pf_cur_init(&c, p, n);
	if (!pf_cur_get_bytes(&c, &b, 4) || memcmp(b, JOURNAL_MAGIC, 4) != 0 ||
	    !pf_cur_get_u8(&c, &version) || version != JOURNAL_VERSION ||
	    !pf_cur_get_bytes(&c, &b, 32) || !pf_cur_get_u8(&c, &phase) ||
	    phase < PF_LIVE_APPLYING || phase > PF_LIVE_REVERTING ||
	    !pf_cur_get_u8(&c, &flags) || (flags & ~JOURNAL_FROZEN) != 0 ||
	    !get_hijack(&c, &j->hijack)) {
		r = pf_err_set(err, PF_ERR_CORRUPT, "live journal: bad header");
		goto out;
	}
	memcpy(j->digest, b, 32);
	j->phase = (pf_live_phase)phase;
	j->frozen = (flags & JOURNAL_FROZEN) != 0;
	if ((r = journal_mods(&c, j, err)) != PF_OK)
		goto out;
	*out = j;
	j = NULL;
out:
	pf_live_journal_free(j);
	return r;
}
