/*
 * A keyring whose trust comes from root metadata (spec/keyring.md
 * section 5): the signing keys it names, not revoked and not expired,
 * with its signing threshold; nothing else of the directory counts.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hash.h"
#include "trust/keyring.h"
#include "trust/root.h"

bool
pf_keyring_rooted(const pf_keyring *k)
{
	return k->rooted;
}

unsigned
pf_keyring_threshold(const pf_keyring *k)
{
	return k->rooted ? k->threshold : 0;
}

const char *
pf_keyring_distrust(const pf_keyring *k, const uint8_t id[PF_SIG_KEY_ID_LEN])
{
	size_t i;

	for (i = 0; i < k->ngone; i++)
		if (memcmp(k->gone[i].id, id, PF_SIG_KEY_ID_LEN) == 0)
			return k->gone[i].why;
	return NULL;
}

/* Remembers why a key of the metadata is not trusted, for messages. */
static void
distrust(pf_keyring *k, const uint8_t *id, const pf_root *r,
    uint64_t expired)
{
	char hex[2 * PF_SIG_KEY_ID_LEN + 1], date[32];
	pf_distrust *d = &k->gone[k->ngone++];

	memcpy(d->id, id, PF_SIG_KEY_ID_LEN);
	pf_hex(hex, id, PF_SIG_KEY_ID_LEN);
	if (expired)
		snprintf(d->why, sizeof d->why, "signing key %s expired on %s "
		    "(keyring root metadata version %llu)", hex,
		    pf_root_date(date, expired), (unsigned long long)r->version);
	else
		snprintf(d->why, sizeof d->why, "signing key %s is revoked "
		    "(keyring root metadata version %llu)", hex,
		    (unsigned long long)r->version);
}

static pf_ret
take_keys(pf_keyring *k, const pf_root *r, const char *path, uint64_t now)
{
	pf_pubkey key;
	size_t i;
	pf_ret ret;

	free(k->gone);
	k->ngone = 0;
	k->gone = calloc(r->nsigning + r->nrevoked + 1, sizeof *k->gone);
	if (k->gone == NULL)
		return pf_err_nomem(&k->err);
	for (i = 0; i < r->nrevoked; i++)
		distrust(k, r->revoked[i], r, 0);
	for (i = 0; i < r->nsigning; i++) {
		const pf_root_key *s = &r->signing[i];

		/* Section 5: a key past its own expiry time does not count. */
		if (s->expires != 0 && now > s->expires) {
			distrust(k, s->id, r, s->expires);
			continue;
		}
		memcpy(key.id, s->id, PF_SIG_KEY_ID_LEN);
		memcpy(key.pk, s->pk, PF_KEY_PUB_LEN);
		if ((ret = pf_keyring_add_key(k, &key, path)) != PF_OK)
			return ret;
	}
	return PF_OK;
}

pf_ret
pf_keyring_add_root(pf_keyring *k, const char *dir, bool *found)
{
	char path[4096], date[32], msg[PF_ERR_MSG_MAX];
	uint64_t now = (uint64_t)time(NULL);
	pf_root *r;
	pf_ret ret;

	*found = false;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, PF_ROOT_FILE) >=
	    sizeof path)
		return pf_err_set(&k->err, PF_ERR_TRUST, "keyring path '%s' "
		    "is too long", dir);
	if ((r = malloc(sizeof *r)) == NULL)
		return pf_err_nomem(&k->err);
	ret = pf_root_read(r, path, &k->err);
	/* No such file: a keyring of bare keys (section 5). */
	if (ret == PF_ERR_USAGE) {
		ret = PF_OK;
		goto out;
	}
	*found = true;
	if (ret == PF_OK && (ret = pf_root_check(r, &k->err)) != PF_OK) {
		memcpy(msg, k->err.msg, sizeof msg);
		pf_err_set(&k->err, ret, "'%s': %s", path, msg);
	}
	if (ret == PF_OK && now > r->expires)
		ret = pf_err_set(&k->err, PF_ERR_TRUST, "root metadata '%s' "
		    "(version %llu) expired on %s: refusing a keyring that may "
		    "be stale; install a newer root with patch-keyring update",
		    path, (unsigned long long)r->version,
		    pf_root_date(date, r->expires));
	if (ret == PF_OK)
		ret = take_keys(k, r, path, now);
	if (ret == PF_OK) {
		k->rooted = true;
		k->threshold = r->signing_threshold;
	}
out:
	free(r);
	return ret;
}
