/*
 * Writing root metadata (spec/keyring.md section 2): the canonical body
 * from the fields, and its signatures.  Build side: patch-keyring.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/bytes.h"
#include "trust/root.h"

static int
by_id(const void *a, const void *b)
{
	return memcmp(a, b, PF_SIG_KEY_ID_LEN);
}

/* Sorted by key ID, as section 2 demands; a key listed twice fails. */
static bool
sort_ids(void *v, size_t n, size_t size)
{
	const uint8_t *p = v;
	size_t i;

	qsort(v, n, size, by_id);
	for (i = 1; i < n; i++)
		if (memcmp(p + (i - 1) * size, p + i * size,
		    PF_SIG_KEY_ID_LEN) == 0)
			return false;
	return true;
}

static uint8_t *
put_keys(uint8_t *p, const pf_root_key *v, size_t n, bool signing)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(p, v[i].pk, PF_KEY_PUB_LEN);
		p += PF_KEY_PUB_LEN;
		if (signing) {
			pf_store_le64(p, v[i].expires);
			p += 8;
		}
	}
	return p;
}

static pf_ret
check_fields(pf_root *r, pf_err *err)
{
	size_t i;

	if (r->nroot < 1 || r->nroot > PF_ROOT_MAX_ROOT ||
	    r->root_threshold < 1 || r->root_threshold > r->nroot)
		return pf_err_set(err, PF_ERR_USAGE, "the root threshold %u "
		    "must be from 1 to the number of root keys (%zu, at most "
		    "%d)", r->root_threshold, r->nroot, PF_ROOT_MAX_ROOT);
	if (r->signing_threshold < 1 ||
	    r->signing_threshold > PF_ROOT_MAX_THRESHOLD)
		return pf_err_set(err, PF_ERR_USAGE, "the signing threshold "
		    "must be from 1 to %d", PF_ROOT_MAX_THRESHOLD);
	if (r->nsigning > PF_ROOT_MAX_SIGNING ||
	    r->nrevoked > PF_ROOT_MAX_REVOKED)
		return pf_err_set(err, PF_ERR_USAGE, "a keyring holds at most "
		    "%d signing keys and %d revoked ones", PF_ROOT_MAX_SIGNING,
		    PF_ROOT_MAX_REVOKED);
	if (r->version == 0 || r->expires == 0)
		return pf_err_set(err, PF_ERR_USAGE, "version and expiry "
		    "time must not be 0");
	for (i = 0; i < r->nroot; i++)
		pf_key_id(r->root[i].id, r->root[i].pk);
	for (i = 0; i < r->nsigning; i++)
		pf_key_id(r->signing[i].id, r->signing[i].pk);
	if (!sort_ids(r->root, r->nroot, sizeof r->root[0]) ||
	    !sort_ids(r->signing, r->nsigning, sizeof r->signing[0]) ||
	    !sort_ids(r->revoked, r->nrevoked, sizeof r->revoked[0]))
		return pf_err_set(err, PF_ERR_USAGE, "a key is listed twice");
	for (i = 0; i < r->nrevoked; i++)
		if (pf_root_find(r->root, r->nroot, r->revoked[i]) ||
		    pf_root_find(r->signing, r->nsigning, r->revoked[i]))
			return pf_err_set(err, PF_ERR_USAGE, "a revoked key "
			    "cannot be a root or signing key");
	return PF_OK;
}

pf_ret
pf_root_encode(pf_root *r, pf_err *err)
{
	uint8_t *p = r->body;
	size_t i;
	pf_ret ret;

	if ((ret = check_fields(r, err)) != PF_OK)
		return ret;
	/* Section 2.1; the limits keep the whole file in PF_ROOT_FILE_MAX. */
	memset(p, 0, PF_ROOT_HEADER_LEN);
	memcpy(p, PF_ROOT_MAGIC, 4);
	p[4] = PF_ROOT_FORMAT;
	p[5] = (uint8_t)r->root_threshold;
	p[6] = (uint8_t)r->nroot;
	p[7] = (uint8_t)r->signing_threshold;
	pf_store_le64(p + 8, r->version);
	pf_store_le64(p + 16, r->expires);
	pf_store_le16(p + 24, (uint16_t)r->nsigning);
	pf_store_le16(p + 26, (uint16_t)r->nrevoked);
	p = put_keys(p + PF_ROOT_HEADER_LEN, r->root, r->nroot, false);
	p = put_keys(p, r->signing, r->nsigning, true);
	for (i = 0; i < r->nrevoked; i++, p += PF_SIG_KEY_ID_LEN)
		memcpy(p, r->revoked[i], PF_SIG_KEY_ID_LEN);
	r->body_len = (size_t)(p - r->body);
	r->nsigs = 0;
	return PF_OK;
}

pf_ret
pf_root_sign(pf_root *r, const pf_seckey *k, pf_err *err)
{
	size_t n, i;
	uint8_t *m;

	for (i = 0; i < r->nsigs; i++)
		if (memcmp(r->sigs[i].id, k->id, PF_SIG_KEY_ID_LEN) == 0)
			return PF_OK;
	if (r->nsigs == PF_ROOT_MAX_SIGS)
		return pf_err_set(err, PF_ERR_USAGE, "at most %d signatures",
		    PF_ROOT_MAX_SIGS);
	if ((m = pf_root_message(r, &n)) == NULL)
		return pf_err_nomem(err);
	memcpy(r->sigs[r->nsigs].id, k->id, PF_SIG_KEY_ID_LEN);
	crypto_sign_detached(r->sigs[r->nsigs].sig, NULL, m, n, k->sk);
	free(m);
	r->nsigs++;
	/* Section 2.5: in key ID order. */
	qsort(r->sigs, r->nsigs, sizeof r->sigs[0], by_id);
	return PF_OK;
}
