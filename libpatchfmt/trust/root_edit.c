/*
 * Changing and signing root metadata through its public handle
 * (spec/keyring.md sections 2 and 4): patch-keyring's side.  Each change
 * drops the signatures; the first signature after a change encodes the
 * body again, and with it checks every rule of the format.
 */
#include <config.h>

#include <string.h>

#include <sodium.h>

#include "common/hash.h"
#include "trust/root.h"
#include "trust/sign.h"

/* A change: no signature holds any more. */
static pf_ret
changed(pf_keyroot *k)
{
	k->changed = true;
	k->r.nsigs = 0;
	k->file_len = 0;
	return PF_OK;
}

pf_ret
pf_keyroot_set_version(pf_keyroot *k, uint64_t version)
{
	if (version == 0)
		return pf_err_set(&k->err, PF_ERR_USAGE, "root metadata "
		    "versions start at 1");
	k->r.version = version;
	return changed(k);
}

pf_ret
pf_keyroot_set_expires(pf_keyroot *k, uint64_t seconds)
{
	if (seconds == 0)
		return pf_err_set(&k->err, PF_ERR_USAGE, "root metadata "
		    "needs an expiry time");
	k->r.expires = seconds;
	return changed(k);
}

pf_ret
pf_keyroot_set_threshold(pf_keyroot *k, pf_keyroot_list which, unsigned n)
{
	if (which != PF_KEYROOT_ROOT && which != PF_KEYROOT_SIGNING)
		return pf_err_set(&k->err, PF_ERR_USAGE, "only the root and "
		    "the signing keys have a threshold");
	if (n < 1 || n > PF_ROOT_MAX_THRESHOLD)
		return pf_err_set(&k->err, PF_ERR_USAGE, "a threshold is a "
		    "number from 1 to %d", PF_ROOT_MAX_THRESHOLD);
	if (which == PF_KEYROOT_ROOT)
		k->r.root_threshold = n;
	else
		k->r.signing_threshold = n;
	return changed(k);
}

/* Section 2.2 and 2.3: a new entry of the list, or the key's own one. */
static pf_root_key *
slot(pf_keyroot *k, pf_keyroot_list which, const uint8_t *id)
{
	pf_root_key *v = which == PF_KEYROOT_ROOT ? k->r.root : k->r.signing;
	size_t *n = which == PF_KEYROOT_ROOT ? &k->r.nroot : &k->r.nsigning;
	size_t max = which == PF_KEYROOT_ROOT ? PF_ROOT_MAX_ROOT :
	    PF_ROOT_MAX_SIGNING;
	pf_root_key *have = (pf_root_key *)pf_root_find(v, *n, id);

	if (have != NULL)
		return have;
	if (*n == max) {
		pf_err_set(&k->err, PF_ERR_USAGE, "root metadata holds at "
		    "most %zu %s keys", max, which == PF_KEYROOT_ROOT ?
		    "root" : "signing");
		return NULL;
	}
	return &v[(*n)++];
}

pf_ret
pf_keyroot_add_key(pf_keyroot *k, pf_keyroot_list which,
    const char *public_key_path, uint64_t expires)
{
	char hex[2 * PF_SIG_KEY_ID_LEN + 1];
	pf_root_key *e;
	pf_pubkey pk;
	pf_ret r;

	if (which != PF_KEYROOT_ROOT && which != PF_KEYROOT_SIGNING)
		return pf_err_set(&k->err, PF_ERR_USAGE, "keys are added as "
		    "root or signing keys; revoke with pf_keyroot_revoke()");
	r = pf_pubkey_load(&pk, public_key_path, PF_ERR_USAGE, &k->err);
	/* A key file that is not one is the caller's mistake here. */
	if (r == PF_ERR_TRUST)
		r = k->err.code = PF_ERR_USAGE;
	if (r != PF_OK)
		return r;
	pf_hex(hex, pk.id, sizeof pk.id);
	if (pf_root_revoked(&k->r, pk.id))
		return pf_err_set(&k->err, PF_ERR_USAGE, "key %s is revoked: "
		    "a revoked key is never trusted again; make a new one",
		    hex);
	if ((e = slot(k, which, pk.id)) == NULL)
		return k->err.code;
	memcpy(e->id, pk.id, sizeof e->id);
	memcpy(e->pk, pk.pk, sizeof e->pk);
	/* Section 2.2: root keys have no expiry time of their own. */
	e->expires = which == PF_KEYROOT_SIGNING ? expires : 0;
	return changed(k);
}

pf_ret
pf_keyroot_clear(pf_keyroot *k, pf_keyroot_list which)
{
	if (which == PF_KEYROOT_ROOT)
		k->r.nroot = 0;
	else if (which == PF_KEYROOT_SIGNING)
		k->r.nsigning = 0;
	else
		return pf_err_set(&k->err, PF_ERR_USAGE, "a revocation is "
		    "never taken back");
	return changed(k);
}

pf_ret
pf_keyroot_revoke(pf_keyroot *k, const uint8_t id[PF_SIG_KEY_ID_LEN])
{
	char hex[2 * PF_SIG_KEY_ID_LEN + 1];
	pf_root *r = &k->r;
	size_t i;

	pf_hex(hex, id, PF_SIG_KEY_ID_LEN);
	if (pf_root_find(r->root, r->nroot, id) != NULL)
		return pf_err_set(&k->err, PF_ERR_USAGE, "key %s is a root "
		    "key: root keys are replaced, not revoked", hex);
	if (pf_root_revoked(r, id))
		return pf_err_set(&k->err, PF_ERR_USAGE, "key %s is revoked "
		    "already", hex);
	if (r->nrevoked == PF_ROOT_MAX_REVOKED)
		return pf_err_set(&k->err, PF_ERR_USAGE, "root metadata holds "
		    "at most %d revoked keys", PF_ROOT_MAX_REVOKED);
	for (i = 0; i < r->nsigning; i++)
		if (memcmp(r->signing[i].id, id, PF_SIG_KEY_ID_LEN) == 0)
			r->signing[i] = r->signing[--r->nsigning];
	memcpy(r->revoked[r->nrevoked++], id, PF_SIG_KEY_ID_LEN);
	return changed(k);
}

pf_ret
pf_keyroot_sign(pf_keyroot *k, const char *secret_key_path,
    const pf_keyroot *prev)
{
	char hex[2 * PF_SIG_KEY_ID_LEN + 1];
	pf_seckey key;
	pf_ret r;

	if (k->changed && (r = pf_root_encode(&k->r, &k->err)) != PF_OK)
		return r;
	k->changed = false;
	if ((r = pf_seckey_load(&key, secret_key_path, &k->err)) != PF_OK)
		goto out;
	pf_hex(hex, key.id, sizeof key.id);
	/* Section 4: the root keys of this version, or of the one before. */
	if (!pf_root_find(k->r.root, k->r.nroot, key.id) && (prev == NULL ||
	    !pf_root_find(prev->r.root, prev->r.nroot, key.id))) {
		r = pf_err_set(&k->err, PF_ERR_USAGE, "secret key '%s': key "
		    "%s is not a root key of the keyring", secret_key_path,
		    hex);
		goto out;
	}
	if ((r = pf_root_sign(&k->r, &key, &k->err)) == PF_OK)
		k->file_len = pf_root_serialize(&k->r, k->file);
out:
	sodium_memzero(&key, sizeof key);
	return r;
}
