/*
 * The SHA-256 a caller expects of the old and the new file
 * (pf_delta_set_sha256()): what checks a standalone delta whose header
 * holds no hashes (spec/delta.md section 3.4), and a second check of one
 * that does.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "delta/api.h"

/* Bytes of old hashed at once. */
#define HASH_STEP (64u << 10)

pf_ret
pf_delta_set_sha256(pf_delta *d, pf_delta_file which, const uint8_t *sha256)
{
	pf_err_clear(&d->err);
	if ((unsigned)which > PF_DELTA_FILE_NEW)
		return pf_err_set(&d->err, PF_ERR_USAGE,
		    "only the old and the new file have an expected sha256");
	d->want[which] = sha256 != NULL;
	if (sha256 != NULL)
		memcpy(d->sha256[which], sha256, PF_SHA256_LEN);
	return PF_OK;
}

/* The message for a file whose hash is not the one given. */
static pf_ret
not_expected(pf_delta *d, pf_delta_file which, pf_ret code,
    const uint8_t *got)
{
	char want_hex[PF_SHA256_HEX_LEN], got_hex[PF_SHA256_HEX_LEN];

	return pf_err_set(&d->err, code, "'%s' does not match the expected "
	    "sha256 %s: found %s", pf_delta_name(d, which),
	    pf_sha256_hex(want_hex, d->sha256[which]),
	    pf_sha256_hex(got_hex, got));
}

pf_ret
pf_delta_check_want_old(pf_delta *d, const pf_source *old)
{
	uint8_t digest[PF_SHA256_LEN], *buf = NULL;
	pf_sha256_ctx h;
	uint64_t off;
	size_t n;
	pf_ret r = PF_OK;

	if (!d->want[PF_DELTA_FILE_OLD])
		return PF_OK;
	if (pf_sha256_init(&h) != 0 || (buf = malloc(HASH_STEP)) == NULL) {
		r = pf_err_nomem(&d->err);
		goto out;
	}
	for (off = 0; off < old->size && r == PF_OK; off += n) {
		n = old->size - off < HASH_STEP ? (size_t)(old->size - off) :
		    HASH_STEP;
		if ((r = old->read_at(old->opaque, off, buf, n, &d->err)) ==
		    PF_OK)
			pf_sha256_update(&h, buf, n);
	}
	if (r != PF_OK)
		goto out;
	pf_sha256_final(&h, digest);
	if (memcmp(digest, d->sha256[PF_DELTA_FILE_OLD], PF_SHA256_LEN) != 0)
		r = not_expected(d, PF_DELTA_FILE_OLD, PF_ERR_MISMATCH, digest);
out:
	pf_sha256_discard(&h);
	free(buf);
	return r;
}

pf_ret
pf_delta_check_want_new(pf_delta *d, pf_sha256_ctx *h)
{
	uint8_t digest[PF_SHA256_LEN];

	pf_sha256_final(h, digest);
	if (memcmp(digest, d->sha256[PF_DELTA_FILE_NEW], PF_SHA256_LEN) != 0)
		return not_expected(d, PF_DELTA_FILE_NEW, PF_ERR_CORRUPT,
		    digest);
	return PF_OK;
}
