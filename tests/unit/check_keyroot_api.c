/*
 * Root metadata through the public interface alone (pf_keyroot,
 * libpatchfmt.h; spec/keyring.md): made, signed, read back and verified,
 * and refused when a key is wrong, a byte is changed, the threshold is
 * not met or one version does not follow another.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libpatchfmt.h"
#include "run.h"

#define NOW UINT64_C(1800000000)
#define YEAR UINT64_C(31536000)

/* Key pairs A to F (A, B root keys; S a signing key) in a directory. */
static char dir[64];
static char pub[6][96], sec[6][96];
static uint8_t id[6][8];
enum { A, B, C, D, S, T };

static void
key_id(uint8_t out[8], const char *hex)
{
	unsigned x;
	int i;

	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &x), 1);
		out[i] = (uint8_t)x;
	}
}

static void
setup(void)
{
	pf_keyring *k;
	char name[80], hex[17];
	int i;

	strcpy(dir, "/tmp/check_keyroot_api.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(pf_keyring_new(&k), PF_OK);
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof name, "%s/%c", dir, "ABCDST"[i]);
		ck_assert_int_eq(pf_keyring_keygen(k, name, hex), PF_OK);
		snprintf(pub[i], sizeof pub[i], "%s.pub", name);
		snprintf(sec[i], sizeof sec[i], "%s.key", name);
		key_id(id[i], hex);
	}
	pf_keyring_free(k);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Root keys a and b (threshold 2), signing key S, version v, signed by
 * the keys of mask (bit i: key i). */
static pf_keyroot *
make(int a, int b, uint64_t v, unsigned mask, const pf_keyroot *prev)
{
	pf_keyroot *r;
	int i;

	ck_assert_int_eq(pf_keyroot_new(&r), PF_OK);
	ck_assert_int_eq(pf_keyroot_add_key(r, PF_KEYROOT_ROOT, pub[a], 0),
	    PF_OK);
	ck_assert_int_eq(pf_keyroot_add_key(r, PF_KEYROOT_ROOT, pub[b], 0),
	    PF_OK);
	ck_assert_int_eq(pf_keyroot_set_threshold(r, PF_KEYROOT_ROOT, 2),
	    PF_OK);
	ck_assert_int_eq(pf_keyroot_add_key(r, PF_KEYROOT_SIGNING, pub[S],
	    NOW + 10), PF_OK);
	ck_assert_int_eq(pf_keyroot_set_version(r, v), PF_OK);
	ck_assert_int_eq(pf_keyroot_set_expires(r, NOW + YEAR), PF_OK);
	for (i = 0; i < 6; i++)
		if (mask & (1u << i))
			ck_assert_msg(pf_keyroot_sign(r, sec[i], prev) == PF_OK,
			    "%s", pf_keyroot_error(r));
	return r;
}

/* A copy of r's file, read back from its bytes. */
static pf_keyroot *
reparse(const pf_keyroot *r)
{
	const uint8_t *p;
	pf_keyroot *q;
	size_t n;

	ck_assert_ptr_nonnull(p = pf_keyroot_bytes(r, &n));
	ck_assert_int_eq(pf_keyroot_new(&q), PF_OK);
	ck_assert_msg(pf_keyroot_parse(q, p, n) == PF_OK, "%s",
	    pf_keyroot_error(q));
	return q;
}

START_TEST(round_trip)
{
	pf_keyroot *r = make(A, B, 1, 1u << A | 1u << B, NULL), *q, *f;
	const uint8_t *p;
	uint64_t exp;
	char path[96];
	size_t n;
	FILE *out;

	ck_assert_msg(pf_keyroot_verify(r) == PF_OK, "%s", pf_keyroot_error(r));
	q = reparse(r);
	ck_assert_int_eq(pf_keyroot_verify(q), PF_OK);
	ck_assert(pf_keyroot_same(r, q));
	ck_assert_uint_eq(pf_keyroot_version(q), 1);
	ck_assert_uint_eq(pf_keyroot_expires(q), NOW + YEAR);
	ck_assert_uint_eq(pf_keyroot_threshold(q, PF_KEYROOT_ROOT), 2);
	ck_assert_uint_eq(pf_keyroot_threshold(q, PF_KEYROOT_SIGNING), 1);
	ck_assert_uint_eq(pf_keyroot_threshold(q, PF_KEYROOT_REVOKED), 0);
	ck_assert_uint_eq(pf_keyroot_count(q, PF_KEYROOT_ROOT), 2);
	ck_assert_uint_eq(pf_keyroot_count(q, PF_KEYROOT_SIGNING), 1);
	ck_assert_uint_eq(pf_keyroot_count(q, PF_KEYROOT_REVOKED), 0);
	ck_assert(pf_keyroot_has(q, PF_KEYROOT_ROOT, id[A]));
	ck_assert(pf_keyroot_has(q, PF_KEYROOT_ROOT, id[B]));
	ck_assert(!pf_keyroot_has(q, PF_KEYROOT_ROOT, id[S]));
	p = pf_keyroot_key(q, PF_KEYROOT_SIGNING, 0, &exp);
	ck_assert_ptr_nonnull(p);
	ck_assert_mem_eq(p, id[S], 8);
	ck_assert_uint_eq(exp, NOW + 10);
	ck_assert_ptr_null(pf_keyroot_key(q, PF_KEYROOT_SIGNING, 1, &exp));
	ck_assert_uint_eq(exp, 0);
	/* The same bytes come back, through a file too. */
	p = pf_keyroot_bytes(r, &n);
	snprintf(path, sizeof path, "%s/root.pfkr", dir);
	ck_assert_ptr_nonnull(out = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(p, 1, n, out), n);
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_int_eq(pf_keyroot_new(&f), PF_OK);
	ck_assert_int_eq(pf_keyroot_read(f, path), PF_OK);
	ck_assert_int_eq(pf_keyroot_verify(f), PF_OK);
	ck_assert(pf_keyroot_same(f, r));
	/* And a keyring of that directory trusts S, and S alone. */
	{
		pf_keyring *k;

		ck_assert_int_eq(pf_keyring_new(&k), PF_OK);
		ck_assert_msg(pf_keyring_add_dir(k, dir) == PF_OK, "%s",
		    pf_keyring_error(k));
		ck_assert(pf_keyring_rooted(k));
		ck_assert_uint_eq(pf_keyring_size(k), 1);
		ck_assert_uint_eq(pf_keyring_threshold(k), 1);
		pf_keyring_free(k);
	}
	snprintf(path, sizeof path, "%s/nothing.pfkr", dir);
	ck_assert_int_eq(pf_keyroot_read(f, path), PF_ERR_USAGE);
	pf_keyroot_free(r);
	pf_keyroot_free(q);
	pf_keyroot_free(f);
}
END_TEST

START_TEST(wrong_key)
{
	pf_keyroot *r = make(A, B, 1, 0, NULL);

	/* A signing key, or a key of no list, signs no root. */
	ck_assert_int_eq(pf_keyroot_sign(r, sec[S], NULL), PF_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(pf_keyroot_error(r), "not a root key"));
	ck_assert_int_eq(pf_keyroot_sign(r, sec[C], NULL), PF_ERR_USAGE);
	/* A public key file is not a secret key, nor the other way. */
	ck_assert_int_eq(pf_keyroot_sign(r, pub[A], NULL), PF_ERR_TRUST);
	ck_assert_int_eq(pf_keyroot_add_key(r, PF_KEYROOT_ROOT, sec[C], 0),
	    PF_ERR_USAGE);
	ck_assert_int_eq(pf_keyroot_add_key(r, PF_KEYROOT_ROOT, "/nonexistent",
	    0), PF_ERR_USAGE);
	ck_assert_uint_eq(pf_keyroot_count(r, PF_KEYROOT_ROOT), 2);
	ck_assert_int_eq(pf_keyroot_verify(r), PF_ERR_TRUST);
	pf_keyroot_free(r);
}
END_TEST

/* A byte changed in the body or in a signature: it no longer verifies. */
START_TEST(tampered)
{
	pf_keyroot *r = make(A, B, 1, 1u << A | 1u << B, NULL), *q;
	const uint8_t *p;
	uint8_t buf[16384];
	size_t n, at[] = { 16, 0 };
	int i;

	ck_assert_ptr_nonnull(p = pf_keyroot_bytes(r, &n));
	at[1] = n - 1;
	ck_assert_int_eq(pf_keyroot_new(&q), PF_OK);
	for (i = 0; i < 2; i++) {
		memcpy(buf, p, n);
		buf[at[i]] ^= 1;
		ck_assert_int_eq(pf_keyroot_parse(q, buf, n), PF_OK);
		ck_assert_int_eq(pf_keyroot_verify(q), PF_ERR_TRUST);
		ck_assert_ptr_nonnull(strstr(pf_keyroot_error(q),
		    "does not verify"));
	}
	/* Broken structure: refused by the parser, q kept as it was. */
	memcpy(buf, p, n);
	buf[0] = 'X';
	ck_assert_int_eq(pf_keyroot_parse(q, buf, n), PF_ERR_TRUST);
	ck_assert_int_eq(pf_keyroot_parse(q, p, n - 1), PF_ERR_TRUST);
	memcpy(buf, p, n);
	buf[n] = 0;
	ck_assert_int_eq(pf_keyroot_parse(q, buf, n + 1), PF_ERR_TRUST);
	ck_assert_uint_eq(pf_keyroot_version(q), 1);
	pf_keyroot_free(r);
	pf_keyroot_free(q);
}
END_TEST

START_TEST(threshold)
{
	pf_keyroot *r = make(A, B, 1, 1u << A, NULL), *q;

	ck_assert_int_eq(pf_keyroot_verify(r), PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(pf_keyroot_error(r),
	    "signed by 1 of its root keys, 2 required"));
	/* Signed by the second key later, as its holder would. */
	q = reparse(r);
	ck_assert_int_eq(pf_keyroot_sign(q, sec[B], NULL), PF_OK);
	ck_assert_int_eq(pf_keyroot_verify(q), PF_OK);
	ck_assert(pf_keyroot_same(q, r));
	/* A threshold above the number of root keys is never signed. */
	ck_assert_int_eq(pf_keyroot_set_threshold(r, PF_KEYROOT_ROOT, 3),
	    PF_OK);
	ck_assert_int_eq(pf_keyroot_sign(r, sec[A], NULL), PF_ERR_USAGE);
	ck_assert_int_eq(pf_keyroot_set_threshold(r, PF_KEYROOT_ROOT, 0),
	    PF_ERR_USAGE);
	ck_assert_int_eq(pf_keyroot_set_threshold(r, PF_KEYROOT_SIGNING, 17),
	    PF_ERR_USAGE);
	ck_assert_int_eq(pf_keyroot_set_threshold(r, PF_KEYROOT_REVOKED, 1),
	    PF_ERR_USAGE);
	pf_keyroot_free(r);
	pf_keyroot_free(q);
}
END_TEST

/* Every change drops the signatures. */
START_TEST(change_unsigns)
{
	pf_keyroot *r = make(A, B, 1, 1u << A | 1u << B, NULL), *q;
	size_t n;

	ck_assert_int_eq(pf_keyroot_dup(&q, r), PF_OK);
	ck_assert(pf_keyroot_same(q, r));
	ck_assert_int_eq(pf_keyroot_set_expires(q, NOW + 2 * YEAR), PF_OK);
	ck_assert_ptr_null(pf_keyroot_bytes(q, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert(!pf_keyroot_same(q, r));
	ck_assert_int_eq(pf_keyroot_verify(q), PF_ERR_TRUST);
	ck_assert_int_eq(pf_keyroot_set_expires(q, 0), PF_ERR_USAGE);
	ck_assert_int_eq(pf_keyroot_set_version(q, 0), PF_ERR_USAGE);
	ck_assert_ptr_nonnull(pf_keyroot_bytes(r, &n));
	pf_keyroot_free(r);
	pf_keyroot_free(q);
}
END_TEST

START_TEST(revoked)
{
	pf_keyroot *r = make(A, B, 1, 0, NULL);

	ck_assert_int_eq(pf_keyroot_revoke(r, id[S]), PF_OK);
	ck_assert_uint_eq(pf_keyroot_count(r, PF_KEYROOT_SIGNING), 0);
	ck_assert(pf_keyroot_has(r, PF_KEYROOT_REVOKED, id[S]));
	ck_assert_mem_eq(pf_keyroot_key(r, PF_KEYROOT_REVOKED, 0, NULL),
	    id[S], 8);
	/* Never trusted again; root keys are replaced, not revoked. */
	ck_assert_int_eq(pf_keyroot_add_key(r, PF_KEYROOT_SIGNING, pub[S], 0),
	    PF_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(pf_keyroot_error(r), "is revoked"));
	ck_assert_int_eq(pf_keyroot_revoke(r, id[S]), PF_ERR_USAGE);
	ck_assert_int_eq(pf_keyroot_revoke(r, id[A]), PF_ERR_USAGE);
	ck_assert_int_eq(pf_keyroot_clear(r, PF_KEYROOT_REVOKED), PF_ERR_USAGE);
	/* A key ID of no key may be revoked too. */
	ck_assert_int_eq(pf_keyroot_revoke(r, id[T]), PF_OK);
	ck_assert_int_eq(pf_keyroot_sign(r, sec[A], NULL), PF_OK);
	ck_assert_int_eq(pf_keyroot_sign(r, sec[B], NULL), PF_OK);
	ck_assert_int_eq(pf_keyroot_verify(r), PF_OK);
	ck_assert_uint_eq(pf_keyroot_count(r, PF_KEYROOT_REVOKED), 2);
	pf_keyroot_free(r);
}
END_TEST

/* Section 4: what may replace the current root. */
START_TEST(follows)
{
	const unsigned ab = 1u << A | 1u << B, cd = 1u << C | 1u << D;
	pf_keyroot *cur = make(A, B, 2, ab, NULL), *next;

	next = make(A, B, 5, ab, cur);
	ck_assert_msg(pf_keyroot_follows(next, cur, NOW, false) == PF_OK, "%s",
	    pf_keyroot_error(next));
	pf_keyroot_free(next);
	/* Rollback, fork, and the same root again. */
	next = make(A, B, 1, ab, cur);
	ck_assert_int_eq(pf_keyroot_follows(next, cur, NOW, false),
	    PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(pf_keyroot_error(next), "older"));
	pf_keyroot_free(next);
	next = make(A, B, 2, ab, cur);
	ck_assert_int_eq(pf_keyroot_set_expires(next, NOW + 5), PF_OK);
	ck_assert_int_eq(pf_keyroot_sign(next, sec[A], cur), PF_OK);
	ck_assert_int_eq(pf_keyroot_sign(next, sec[B], cur), PF_OK);
	ck_assert_int_eq(pf_keyroot_follows(next, cur, NOW, false),
	    PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(pf_keyroot_error(next), "(a fork)"));
	/* Expired: refused unless the caller allows it. */
	ck_assert_int_eq(pf_keyroot_set_version(next, 3), PF_OK);
	ck_assert_int_eq(pf_keyroot_sign(next, sec[A], cur), PF_OK);
	ck_assert_int_eq(pf_keyroot_sign(next, sec[B], cur), PF_OK);
	ck_assert_int_eq(pf_keyroot_follows(next, cur, NOW + 6, false),
	    PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(pf_keyroot_error(next), "expired"));
	ck_assert_int_eq(pf_keyroot_follows(next, cur, NOW + 6, true), PF_OK);
	pf_keyroot_free(next);
	/* Rotation: new root keys C and D, signed by the old ones too. */
	next = make(C, D, 3, cd, cur);
	ck_assert_int_eq(pf_keyroot_verify(next), PF_OK);
	ck_assert_int_eq(pf_keyroot_follows(next, cur, NOW, false),
	    PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(pf_keyroot_error(next),
	    "signed by 0 of the keyring's root keys"));
	ck_assert_int_eq(pf_keyroot_sign(next, sec[A], cur), PF_OK);
	ck_assert_int_eq(pf_keyroot_follows(next, cur, NOW, false),
	    PF_ERR_TRUST);
	ck_assert_int_eq(pf_keyroot_sign(next, sec[B], cur), PF_OK);
	ck_assert_int_eq(pf_keyroot_follows(next, cur, NOW, false), PF_OK);
	/* Without cur, the old keys cannot sign the new root. */
	ck_assert_int_eq(pf_keyroot_sign(next, sec[A], NULL), PF_ERR_USAGE);
	pf_keyroot_free(next);
	pf_keyroot_free(cur);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("keyroot_api");
	TCase *tc = tcase_create("keyroot");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, wrong_key);
	tcase_add_test(tc, tampered);
	tcase_add_test(tc, threshold);
	tcase_add_test(tc, change_unsigns);
	tcase_add_test(tc, revoked);
	tcase_add_test(tc, follows);
	suite_add_tcase(s, tc);
	return pf_check_run(s);
}
