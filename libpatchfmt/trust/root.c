/*
 * Reading and verifying root metadata (spec/keyring.md).  The bytes are
 * untrusted until their signatures are checked, so every count is
 * bounded before it is used and every rule of canonical form is checked:
 * one metadata has one encoding.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/bytes.h"
#include "common/hash.h"
#include "trust/root.h"

#define BAD(...) pf_err_set(err, PF_ERR_TRUST, "root metadata " __VA_ARGS__)

const char *
pf_root_date(char out[32], uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t > (uint64_t)253402300799u || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, 32, "%llu", (unsigned long long)t);
	else
		strftime(out, 32, "%Y-%m-%d", &tm);
	return out;
}

/* Section 2: IDs strictly increasing, so no key is listed twice. */
static bool
ascending(const uint8_t *prev, const uint8_t *id)
{
	return prev == NULL || memcmp(prev, id, PF_SIG_KEY_ID_LEN) < 0;
}

/* Section 2.2 and 2.3: n public keys (and their expiry times). */
static pf_ret
get_keys(pf_cur *c, pf_root_key *v, size_t n, bool signing, pf_err *err)
{
	const uint8_t *pk, *prev = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!pf_cur_get_bytes(c, &pk, PF_KEY_PUB_LEN) ||
		    (signing && !pf_cur_get_le64(c, &v[i].expires)))
			return BAD("is truncated in its key lists");
		memcpy(v[i].pk, pk, PF_KEY_PUB_LEN);
		pf_key_id(v[i].id, v[i].pk);
		if (!ascending(prev, v[i].id))
			return BAD("lists its %s keys out of key ID order, or "
			    "one twice", signing ? "signing" : "root");
		prev = v[i].id;
	}
	return PF_OK;
}

/* Section 2.1: the header's counts, each within its limit. */
static pf_ret
get_header(pf_cur *c, pf_root *r, pf_err *err)
{
	const uint8_t *h;
	uint16_t ns, nr;

	if (!pf_cur_get_bytes(c, &h, PF_ROOT_HEADER_LEN))
		return BAD("is truncated in its header");
	if (memcmp(h, PF_ROOT_MAGIC, 4) != 0)
		return BAD("has no 'PFKR' magic: not a keyring root file");
	if (h[4] != PF_ROOT_FORMAT)
		return BAD("has format %u, only %u is known", h[4],
		    PF_ROOT_FORMAT);
	r->root_threshold = h[5];
	r->nroot = h[6];
	r->signing_threshold = h[7];
	r->version = pf_load_le64(h + 8);
	r->expires = pf_load_le64(h + 16);
	ns = pf_load_le16(h + 24);
	nr = pf_load_le16(h + 26);
	r->nsigning = ns;
	r->nrevoked = nr;
	if (pf_load_le32(h + 28) != 0)
		return BAD("has non-zero reserved bytes");
	if (r->nroot < 1 || r->nroot > PF_ROOT_MAX_ROOT ||
	    r->root_threshold < 1 || r->root_threshold > r->nroot)
		return BAD("has %zu root keys with threshold %u: need 1 to %d "
		    "keys and a threshold from 1 to their number", r->nroot,
		    r->root_threshold, PF_ROOT_MAX_ROOT);
	if (r->signing_threshold < 1 ||
	    r->signing_threshold > PF_ROOT_MAX_THRESHOLD)
		return BAD("has signing threshold %u, not 1 to %d",
		    r->signing_threshold, PF_ROOT_MAX_THRESHOLD);
	if (r->nsigning > PF_ROOT_MAX_SIGNING ||
	    r->nrevoked > PF_ROOT_MAX_REVOKED)
		return BAD("lists more than %d signing keys or %d revoked ones",
		    PF_ROOT_MAX_SIGNING, PF_ROOT_MAX_REVOKED);
	if (r->version == 0 || r->expires == 0)
		return BAD("has version or expiry time 0");
	return PF_OK;
}

/* Section 2.4: revoked key IDs, none of them a key the metadata trusts. */
static pf_ret
get_revoked(pf_cur *c, pf_root *r, pf_err *err)
{
	const uint8_t *id, *prev = NULL;
	size_t i;

	for (i = 0; i < r->nrevoked; i++) {
		if (!pf_cur_get_bytes(c, &id, PF_SIG_KEY_ID_LEN))
			return BAD("is truncated in its revoked keys");
		if (!ascending(prev, id))
			return BAD("lists its revoked keys out of order, or "
			    "one twice");
		memcpy(r->revoked[i], id, PF_SIG_KEY_ID_LEN);
		if (pf_root_find(r->root, r->nroot, id) != NULL ||
		    pf_root_find(r->signing, r->nsigning, id) != NULL)
			return BAD("both trusts and revokes a key");
		prev = r->revoked[i];
	}
	return PF_OK;
}

/* Section 2.5: the signatures, after the body. */
static pf_ret
get_sigs(pf_cur *c, pf_root *r, pf_err *err)
{
	const uint8_t *h, *s, *prev = NULL;
	size_t i;

	if (!pf_cur_get_bytes(c, &h, PF_ROOT_SIGHDR_LEN))
		return BAD("has no signature section");
	r->nsigs = h[0];
	if (r->nsigs < 1 || r->nsigs > PF_ROOT_MAX_SIGS)
		return BAD("has %zu signatures, not 1 to %d", r->nsigs,
		    PF_ROOT_MAX_SIGS);
	for (i = 1; i < PF_ROOT_SIGHDR_LEN; i++)
		if (h[i] != 0)
			return BAD("has non-zero reserved bytes");
	for (i = 0; i < r->nsigs; i++) {
		if (!pf_cur_get_bytes(c, &s, PF_ROOT_SIG_LEN))
			return BAD("is truncated in its signatures");
		if (!ascending(prev, s))
			return BAD("lists its signatures out of key ID order, "
			    "or one key twice");
		memcpy(r->sigs[i].id, s, PF_SIG_KEY_ID_LEN);
		memcpy(r->sigs[i].sig, s + PF_SIG_KEY_ID_LEN, 64);
		prev = s;
	}
	if (pf_cur_left(c) != 0)
		return BAD("has data after its signatures");
	return PF_OK;
}

pf_ret
pf_root_parse(pf_root *r, const uint8_t *p, size_t n, pf_err *err)
{
	pf_cur c;
	pf_ret ret;

	memset(r, 0, sizeof *r);
	if (n > PF_ROOT_FILE_MAX)
		return BAD("is larger than %d bytes", PF_ROOT_FILE_MAX);
	pf_cur_init(&c, p, n);
	if ((ret = get_header(&c, r, err)) != PF_OK ||
	    (ret = get_keys(&c, r->root, r->nroot, false, err)) != PF_OK ||
	    (ret = get_keys(&c, r->signing, r->nsigning, true, err)) != PF_OK ||
	    (ret = get_revoked(&c, r, err)) != PF_OK)
		return ret;
	r->body_len = n - pf_cur_left(&c);
	memcpy(r->body, p, r->body_len);
	return get_sigs(&c, r, err);
}

pf_ret
pf_root_read(pf_root *r, const char *path, pf_err *err)
{
	char msg[PF_ERR_MSG_MAX];
	uint8_t *data = NULL;
	size_t n;
	pf_ret ret;

	ret = pf_trust_file_read(path, "root metadata", PF_ERR_USAGE,
	    PF_ROOT_FILE_MAX, &data, &n, err);
	if (ret == PF_OK && (ret = pf_root_parse(r, data, n, err)) != PF_OK) {
		memcpy(msg, err->msg, sizeof msg);
		pf_err_set(err, ret, "'%s': %s", path, msg);
	}
	free(data);
	return ret;
}

const pf_root_key *
pf_root_find(const pf_root_key *v, size_t n,
    const uint8_t id[PF_SIG_KEY_ID_LEN])
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(v[i].id, id, PF_SIG_KEY_ID_LEN) == 0)
			return &v[i];
	return NULL;
}

bool
pf_root_revoked(const pf_root *r, const uint8_t id[PF_SIG_KEY_ID_LEN])
{
	size_t i;

	for (i = 0; i < r->nrevoked; i++)
		if (memcmp(r->revoked[i], id, PF_SIG_KEY_ID_LEN) == 0)
			return true;
	return false;
}

uint8_t *
pf_root_message(const pf_root *r, size_t *n)
{
	size_t clen = strlen(PF_ROOT_CONTEXT);
	uint8_t *m;

	/* Section 2.5: the context string, then the body. */
	if ((m = malloc(clen + r->body_len)) == NULL)
		return NULL;
	memcpy(m, PF_ROOT_CONTEXT, clen);
	memcpy(m + clen, r->body, r->body_len);
	*n = clen + r->body_len;
	return m;
}

size_t
pf_root_serialize(const pf_root *r, uint8_t *out)
{
	uint8_t *p = out;
	size_t i;

	memcpy(p, r->body, r->body_len);
	p += r->body_len;
	memset(p, 0, PF_ROOT_SIGHDR_LEN);
	p[0] = (uint8_t)r->nsigs;
	p += PF_ROOT_SIGHDR_LEN;
	for (i = 0; i < r->nsigs; i++, p += PF_ROOT_SIG_LEN) {
		memcpy(p, r->sigs[i].id, PF_SIG_KEY_ID_LEN);
		memcpy(p + PF_SIG_KEY_ID_LEN, r->sigs[i].sig, 64);
	}
	return (size_t)(p - out);
}

static bool
sig_ok(const pf_root *r, const pf_root_sig *s, const pf_root_key *k)
{
	size_t n;
	uint8_t *m;
	bool ok;

	if ((m = pf_root_message(r, &n)) == NULL)
		return false;
	ok = crypto_sign_verify_detached(s->sig, m, n, k->pk) == 0;
	free(m);
	return ok;
}

pf_ret
pf_root_signed_by(const pf_root *r, const pf_root *by, unsigned *count,
    pf_err *err)
{
	char hex[2 * PF_SIG_KEY_ID_LEN + 1];
	const pf_root_key *k;
	size_t i;

	*count = 0;
	for (i = 0; i < r->nsigs; i++) {
		/* Signatures are by distinct keys (section 2.5). */
		if ((k = pf_root_find(by->root, by->nroot, r->sigs[i].id)) ==
		    NULL)
			continue;
		if (!sig_ok(r, &r->sigs[i], k)) {
			pf_hex(hex, k->id, PF_SIG_KEY_ID_LEN);
			return BAD("version %llu: signature by root key %s "
			    "does not verify: the file was altered",
			    (unsigned long long)r->version, hex);
		}
		(*count)++;
	}
	return PF_OK;
}

pf_ret
pf_root_check(const pf_root *r, pf_err *err)
{
	unsigned n;
	pf_ret ret;

	if ((ret = pf_root_signed_by(r, r, &n, err)) != PF_OK)
		return ret;
	if (n < r->root_threshold)
		return BAD("version %llu is signed by %u of its root keys, %u "
		    "required", (unsigned long long)r->version, n,
		    r->root_threshold);
	return PF_OK;
}

bool
pf_root_same(const pf_root *a, const pf_root *b)
{
	return a->body_len == b->body_len &&
	    memcmp(a->body, b->body, a->body_len) == 0;
}

pf_ret
pf_root_accept(const pf_root *cur, const pf_root *next, uint64_t now,
    bool allow_expired, pf_err *err)
{
	unsigned long long nv = next->version, cv = cur->version;
	char date[32];
	unsigned n;
	pf_ret ret;

	/* Section 4: authenticity first, so that no message depends on
	 * what an unauthenticated file claims. */
	if ((ret = pf_root_check(next, err)) != PF_OK)
		return ret;
	if ((ret = pf_root_signed_by(next, cur, &n, err)) != PF_OK)
		return ret;
	if (n < cur->root_threshold)
		return BAD("version %llu is signed by %u of the keyring's root "
		    "keys (version %llu), %u required: it does not follow "
		    "from the keyring", nv, n, cv, cur->root_threshold);
	if (nv < cv)
		return BAD("version %llu is older than the keyring's version "
		    "%llu: refusing to roll the keyring back", nv, cv);
	if (nv == cv && !pf_root_same(cur, next))
		return BAD("version %llu differs from the keyring's own "
		    "version %llu: two roots with one version (a fork), "
		    "refusing it", nv, cv);
	if (nv == cv)
		return BAD("version %llu is the keyring's version already: "
		    "nothing to update", nv);
	if (!allow_expired && now > next->expires)
		return BAD("version %llu expired on %s: refusing stale "
		    "metadata", nv, pf_root_date(date, next->expires));
	return PF_OK;
}
