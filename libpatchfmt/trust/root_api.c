/*
 * pf_keyroot, the public handle of root metadata (spec/keyring.md):
 * reading it, checking it and looking into it.  The applier's half;
 * root_edit.c changes and signs it.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "trust/root.h"

pf_ret
pf_keyroot_new(pf_keyroot **out)
{
	pf_keyroot *k;

	*out = NULL;
	if (pf_crypto_init() < 0 || (k = calloc(1, sizeof *k)) == NULL)
		return PF_ERR_NOMEM;
	k->r.version = 1;
	k->r.root_threshold = 1;
	k->r.signing_threshold = 1;
	k->changed = true;
	*out = k;
	return PF_OK;
}

pf_ret
pf_keyroot_dup(pf_keyroot **out, const pf_keyroot *r)
{
	if ((*out = malloc(sizeof **out)) == NULL)
		return PF_ERR_NOMEM;
	memcpy(*out, r, sizeof **out);
	return PF_OK;
}

void
pf_keyroot_free(pf_keyroot *r)
{
	free(r);
}

const char *
pf_keyroot_error(const pf_keyroot *r)
{
	return r->err.msg;
}

/* Takes a parsed root: its file is the bytes it was read from. */
static void
take(pf_keyroot *k, const pf_root *r)
{
	memcpy(&k->r, r, sizeof *r);
	k->file_len = pf_root_serialize(&k->r, k->file);
	k->changed = false;
}

pf_ret
pf_keyroot_parse(pf_keyroot *k, const uint8_t *p, size_t n)
{
	pf_root *r;
	pf_ret ret;

	/* A failure leaves k as it was. */
	if ((r = malloc(sizeof *r)) == NULL)
		return pf_err_nomem(&k->err);
	if ((ret = pf_root_parse(r, p, n, &k->err)) == PF_OK)
		take(k, r);
	free(r);
	return ret;
}

pf_ret
pf_keyroot_read(pf_keyroot *k, const char *path)
{
	pf_root *r;
	pf_ret ret;

	if ((r = malloc(sizeof *r)) == NULL)
		return pf_err_nomem(&k->err);
	if ((ret = pf_root_read(r, path, &k->err)) == PF_OK)
		take(k, r);
	free(r);
	return ret;
}

pf_ret
pf_keyroot_verify(pf_keyroot *r)
{
	return pf_root_check(&r->r, &r->err);
}

pf_ret
pf_keyroot_follows(pf_keyroot *next, const pf_keyroot *cur, uint64_t now,
    bool allow_expired)
{
	return pf_root_accept(&cur->r, &next->r, now, allow_expired,
	    &next->err);
}

bool
pf_keyroot_same(const pf_keyroot *a, const pf_keyroot *b)
{
	return !a->changed && !b->changed && pf_root_same(&a->r, &b->r);
}

uint64_t
pf_keyroot_version(const pf_keyroot *r)
{
	return r->r.version;
}

uint64_t
pf_keyroot_expires(const pf_keyroot *r)
{
	return r->r.expires;
}

unsigned
pf_keyroot_threshold(const pf_keyroot *r, pf_keyroot_list which)
{
	if (which == PF_KEYROOT_ROOT)
		return r->r.root_threshold;
	return which == PF_KEYROOT_SIGNING ? r->r.signing_threshold : 0;
}

size_t
pf_keyroot_count(const pf_keyroot *r, pf_keyroot_list which)
{
	switch (which) {
	case PF_KEYROOT_ROOT: return r->r.nroot;
	case PF_KEYROOT_SIGNING: return r->r.nsigning;
	case PF_KEYROOT_REVOKED: return r->r.nrevoked;
	}
	return 0;
}

const uint8_t *
pf_keyroot_key(const pf_keyroot *r, pf_keyroot_list which, size_t i,
    uint64_t *expires)
{
	const pf_root_key *k = NULL;

	if (expires != NULL)
		*expires = 0;
	if (i >= pf_keyroot_count(r, which))
		return NULL;
	if (which == PF_KEYROOT_REVOKED)
		return r->r.revoked[i];
	k = which == PF_KEYROOT_ROOT ? &r->r.root[i] : &r->r.signing[i];
	if (expires != NULL)
		*expires = k->expires;
	return k->id;
}

bool
pf_keyroot_has(const pf_keyroot *r, pf_keyroot_list which,
    const uint8_t id[PF_SIG_KEY_ID_LEN])
{
	switch (which) {
	case PF_KEYROOT_ROOT:
		return pf_root_find(r->r.root, r->r.nroot, id) != NULL;
	case PF_KEYROOT_SIGNING:
		return pf_root_find(r->r.signing, r->r.nsigning, id) != NULL;
	case PF_KEYROOT_REVOKED:
		return pf_root_revoked(&r->r, id);
	}
	return false;
}

const uint8_t *
pf_keyroot_bytes(const pf_keyroot *r, size_t *len)
{
	*len = r->file_len;
	return r->file_len > 0 ? r->file : NULL;
}
