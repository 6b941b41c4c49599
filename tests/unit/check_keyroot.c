/*
 * Unit tests of keyring root metadata (spec/keyring.md): the parser's
 * canonical-form rules, the signature threshold, the rules of section 4
 * for one version following another, and a keyring loaded from it.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/bytes.h"
#include "common/hash.h"
#include "trust/keyring.h"
#include "trust/root.h"
#include "run.h"

#define NKEYS 6
static pf_seckey sec[NKEYS];
static pf_root_key pub[NKEYS];
static pf_root *r, *q;
static uint8_t file[PF_ROOT_FILE_MAX + 16];
static size_t flen;
static pf_err err;

static void
setup(void)
{
	uint8_t pk[32];
	int i;

	pf_crypto_init();
	for (i = 0; i < NKEYS; i++) {
		crypto_sign_keypair(pk, sec[i].sk);
		pf_key_id(sec[i].id, pk);
		memset(&pub[i], 0, sizeof pub[i]);
		memcpy(pub[i].pk, pk, 32);
		pf_key_id(pub[i].id, pk);
	}
	r = calloc(1, sizeof *r);
	q = calloc(1, sizeof *q);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(q);
}

static void
teardown(void)
{
	free(r);
	free(q);
}

/* Encodes m again after a change, signed by the keys in the mask. */
static void
resign(pf_root *m, unsigned signers)
{
	int i;

	ck_assert_int_eq(pf_root_encode(m, &err), PF_OK);
	for (i = 0; i < NKEYS; i++)
		if (signers & 1u << i)
			ck_assert_int_eq(pf_root_sign(m, &sec[i], &err), PF_OK);
}

/* Keys 0 and 1 are root keys (threshold 2), 2 signs packages, and an
 * unrelated ID is revoked; signed by the keys in the mask. */
static void
make(pf_root *m, uint64_t version, unsigned signers)
{
	memset(m, 0, sizeof *m);
	m->version = version;
	m->expires = (uint64_t)time(NULL) + 86400;
	m->root_threshold = 2;
	m->signing_threshold = 1;
	m->root[0] = pub[0];
	m->root[1] = pub[1];
	m->nroot = 2;
	m->signing[0] = pub[2];
	m->nsigning = 1;
	memset(m->revoked[0], 0xee, PF_SIG_KEY_ID_LEN);
	m->nrevoked = 1;
	resign(m, signers);
}

static void
make_file(unsigned signers)
{
	make(r, 1, signers);
	flen = pf_root_serialize(r, file);
}

static pf_ret
parse(void)
{
	return pf_root_parse(q, file, flen, &err);
}

START_TEST(round_trip)
{
	uint8_t again[PF_ROOT_FILE_MAX];

	make_file(3);
	ck_assert_int_eq(parse(), PF_OK);
	ck_assert_uint_eq(q->version, 1);
	ck_assert_uint_eq(q->nroot, 2);
	ck_assert_uint_eq(q->nsigning, 1);
	ck_assert_uint_eq(q->nrevoked, 1);
	ck_assert_uint_eq(q->nsigs, 2);
	ck_assert_int_eq(pf_root_check(q, &err), PF_OK);
	ck_assert_uint_eq(pf_root_serialize(q, again), flen);
	ck_assert_mem_eq(again, file, flen);
	ck_assert_ptr_nonnull(pf_root_find(q->signing, q->nsigning, pub[2].id));
	ck_assert(pf_root_revoked(q, q->revoked[0]));
	ck_assert(!pf_root_revoked(q, pub[2].id));
}
END_TEST

/* Changes a byte of the file at off, parses, and wants a refusal. */
static void
refused_with(size_t off, uint8_t v, const char *says)
{
	uint8_t keep = file[off];

	file[off] = v;
	ck_assert_int_eq(parse(), PF_ERR_TRUST);
	ck_assert_msg(strstr(err.msg, says) != NULL, "%s: %s", says, err.msg);
	file[off] = keep;
}

START_TEST(header_rules)
{
	size_t sigs;

	make_file(3);
	sigs = r->body_len;
	refused_with(0, 'X', "magic");
	refused_with(4, 2, "format 2");
	refused_with(5, 0, "threshold 0");
	refused_with(5, 3, "threshold 3");
	refused_with(6, 0, "0 root keys");
	refused_with(6, 17, "17 root keys");
	refused_with(7, 0, "signing threshold 0");
	refused_with(7, 17, "signing threshold 17");
	refused_with(25, 1, "more than 64");
	refused_with(27, 4, "more than 64");
	refused_with(28, 1, "reserved");
	refused_with(sigs, 0, "0 signatures");
	refused_with(sigs, 33, "33 signatures");
	refused_with(sigs + 3, 1, "reserved");
	/* version 0 and expires 0 */
	memset(file + 8, 0, 8);
	ck_assert_int_eq(parse(), PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "version or expiry time 0"));
}
END_TEST

START_TEST(truncated_and_trailing)
{
	size_t n, full;

	make_file(3);
	full = flen;
	for (n = 0; n < full; n++) {
		flen = n;
		ck_assert_int_eq(parse(), PF_ERR_TRUST);
	}
	file[full] = 0;
	flen = full + 1;
	ck_assert_int_eq(parse(), PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "data after"));
	ck_assert_int_eq(pf_root_parse(q, file, PF_ROOT_FILE_MAX + 1, &err),
	    PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "larger than"));
}
END_TEST

/* Swaps two n-byte entries at a and b. */
static void
swap(size_t a, size_t b, size_t n)
{
	uint8_t t[PF_ROOT_SIG_LEN];

	memcpy(t, file + a, n);
	memcpy(file + a, file + b, n);
	memcpy(file + b, t, n);
}

START_TEST(order_rules)
{
	size_t keys = PF_ROOT_HEADER_LEN, sigs;

	make_file(3);
	sigs = r->body_len + PF_ROOT_SIGHDR_LEN;
	swap(keys, keys + 32, 32);
	ck_assert_int_eq(parse(), PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "root keys out of key ID order"));
	swap(keys, keys + 32, 32);
	memcpy(file + keys + 32, file + keys, 32);
	ck_assert_int_eq(parse(), PF_ERR_TRUST);
	make_file(3);
	swap(sigs, sigs + PF_ROOT_SIG_LEN, PF_ROOT_SIG_LEN);
	ck_assert_int_eq(parse(), PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "signatures out of key ID"));
	/* The revoked ID made the signing key's: both trusted and revoked. */
	make_file(3);
	memcpy(file + r->body_len - 8, pub[2].id, 8);
	ck_assert_int_eq(parse(), PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "both trusts and revokes"));
}
END_TEST

START_TEST(threshold)
{
	make_file(1);
	ck_assert_int_eq(parse(), PF_OK);
	ck_assert_int_eq(pf_root_check(q, &err), PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "signed by 1 of its root keys, "
	    "2 required"));
	/* A signature by a key that is not a root key does not count. */
	make_file(1 | 1u << 3);
	ck_assert_int_eq(parse(), PF_OK);
	ck_assert_int_eq(pf_root_check(q, &err), PF_ERR_TRUST);
	/* One altered signature by a root key refuses the file. */
	make_file(3);
	file[flen - 1] ^= 1;
	ck_assert_int_eq(parse(), PF_OK);
	ck_assert_int_eq(pf_root_check(q, &err), PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not verify"));
	/* An altered body breaks every signature. */
	make_file(3);
	file[16] ^= 1;
	ck_assert_int_eq(parse(), PF_OK);
	ck_assert_int_eq(pf_root_check(q, &err), PF_ERR_TRUST);
}
END_TEST

START_TEST(accept_rules)
{
	uint64_t now = (uint64_t)time(NULL);
	pf_root *cur = r, *next = q;

	make(cur, 5, 3);
	make(next, 6, 3);
	ck_assert_int_eq(pf_root_accept(cur, next, now, false, &err), PF_OK);
	/* Rollback, fork, the same one again. */
	make(next, 4, 3);
	ck_assert_int_eq(pf_root_accept(cur, next, now, false, &err),
	    PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "older"));
	make(next, 5, 3);
	next->signing_threshold = 2;
	resign(next, 3);
	ck_assert_int_eq(pf_root_accept(cur, next, now, false, &err),
	    PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "(a fork)"));
	/* Expired: refused unless allowed. */
	make(next, 6, 3);
	next->expires = 1000;
	resign(next, 3);
	ck_assert_int_eq(pf_root_accept(cur, next, now, false, &err),
	    PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "expired on 1970-01-01"));
	ck_assert_int_eq(pf_root_accept(cur, next, now, true, &err), PF_OK);
	/* Rotation to keys 3 and 4: the new pair alone is not enough. */
	make(next, 6, 0);
	next->root[0] = pub[3];
	next->root[1] = pub[4];
	resign(next, 1u << 3 | 1u << 4);
	ck_assert_int_eq(pf_root_accept(cur, next, now, false, &err),
	    PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "of the keyring's root keys"));
	ck_assert_int_eq(pf_root_sign(next, &sec[0], &err), PF_OK);
	ck_assert_int_eq(pf_root_accept(cur, next, now, false, &err),
	    PF_ERR_TRUST);
	ck_assert_int_eq(pf_root_sign(next, &sec[1], &err), PF_OK);
	ck_assert_int_eq(pf_root_accept(cur, next, now, false, &err), PF_OK);
}
END_TEST

START_TEST(encode_rules)
{
	make(r, 1, 0);
	r->signing[1] = pub[2];
	r->nsigning = 2;
	ck_assert_int_eq(pf_root_encode(r, &err), PF_ERR_USAGE);
	make(r, 1, 0);
	memcpy(r->revoked[0], pub[0].id, 8);
	ck_assert_int_eq(pf_root_encode(r, &err), PF_ERR_USAGE);
	make(r, 1, 0);
	r->root_threshold = 3;
	ck_assert_int_eq(pf_root_encode(r, &err), PF_ERR_USAGE);
	/* A second signature by one key is not added. */
	make(r, 1, 1);
	ck_assert_int_eq(pf_root_sign(r, &sec[0], &err), PF_OK);
	ck_assert_uint_eq(r->nsigs, 1);
}
END_TEST

/* Writes the file into a new keyring directory and loads it. */
static pf_ret
load(pf_keyring **k, char *dir)
{
	char path[128];
	FILE *f;

	strcpy(dir, "/tmp/pf-keyroot-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/%s", dir, PF_ROOT_FILE);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(file, 1, flen, f), flen);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(pf_keyring_new(k), PF_OK);
	return pf_keyring_add_dir(*k, dir);
}

static void
cleanup(pf_keyring *k, const char *dir)
{
	char cmd[128];

	pf_keyring_free(k);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(keyring)
{
	pf_keyring *k;
	char dir[64];

	/* Key 2 signs; key 3 has expired; key 4 is revoked. */
	make(r, 7, 0);
	r->signing[1] = pub[3];
	r->signing[1].expires = 1000;
	r->nsigning = 2;
	r->signing_threshold = 2;
	memcpy(r->revoked[0], pub[4].id, 8);
	resign(r, 3);
	flen = pf_root_serialize(r, file);
	ck_assert_int_eq(load(&k, dir), PF_OK);
	ck_assert(pf_keyring_rooted(k));
	ck_assert_uint_eq(pf_keyring_threshold(k), 2);
	ck_assert_uint_eq(pf_keyring_size(k), 1);
	ck_assert_ptr_nonnull(pf_keyring_find(k, pub[2].id));
	ck_assert_ptr_null(pf_keyring_find(k, pub[3].id));
	ck_assert_ptr_null(pf_keyring_find(k, pub[0].id));
	ck_assert_ptr_nonnull(strstr(pf_keyring_distrust(k, pub[3].id),
	    "expired on 1970-01-01"));
	ck_assert_ptr_nonnull(strstr(pf_keyring_distrust(k, pub[4].id),
	    "is revoked"));
	ck_assert_ptr_null(pf_keyring_distrust(k, pub[2].id));
	cleanup(k, dir);
	/* An expired root, and one below its threshold, fail as a whole. */
	r->expires = 1000;
	resign(r, 3);
	flen = pf_root_serialize(r, file);
	ck_assert_int_eq(load(&k, dir), PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(pf_keyring_error(k), "expired on"));
	cleanup(k, dir);
	make_file(1);
	ck_assert_int_eq(load(&k, dir), PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(pf_keyring_error(k), "2 required"));
	cleanup(k, dir);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("keyroot");
	TCase *t;

	t = tcase_create("parse");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, round_trip);
	tcase_add_test(t, header_rules);
	tcase_add_test(t, truncated_and_trailing);
	tcase_add_test(t, order_rules);
	suite_add_tcase(s, t);
	t = tcase_create("verify");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, threshold);
	tcase_add_test(t, accept_rules);
	tcase_add_test(t, encode_rules);
	suite_add_tcase(s, t);
	t = tcase_create("keyring");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, keyring);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return pf_check_run(suite());
}
