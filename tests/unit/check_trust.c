/*
 * Unit tests of keys and trust: key files, signatures, keyrings, and the
 * reader's trust policy on whole packages.
 */
#include <config.h>

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hash.h"
#include "trust/keys.h"
#include "trust/sign.h"
#include "run.h"
#include "package/trust.h"
#include "format/types.h"

static char dir[64];

static void
setup(void)
{
	strcpy(dir, "/tmp/pf-trust-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	pf_crypto_init();
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* pf_keyring_keygen() with a keyring handle of its own. */
static pf_ret
keygen_at(const char *path, char id[17])
{
	pf_keyring *k = NULL;
	pf_ret r;

	ck_assert_int_eq(pf_keyring_new(&k), PF_OK);
	r = pf_keyring_keygen(k, path, id);
	if (r != PF_OK)
		ck_assert_str_ne(pf_keyring_error(k), "");
	pf_keyring_free(k);
	return r;
}

static void
keygen(const char *name)
{
	char path[128], id[17];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	ck_assert_int_eq(keygen_at(path, id), PF_OK);
}

static char *
slurp(const char *name, size_t *n)
{
	static char buf[4096];
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	*n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[*n] = '\0';
	return buf;
}

START_TEST(key_files)
{
	char path[128], id[17];
	pf_pubkey pk;
	pf_seckey sk;
	pf_signature sig;
	uint8_t digest[32] = { 1, 2, 3 };
	pf_err err;
	char *text;
	size_t n;

	keygen("a");
	/* Never overwritten. */
	snprintf(path, sizeof path, "%s/a", dir);
	ck_assert_int_eq(keygen_at(path, id), PF_ERR_USAGE);
	text = slurp("a.pub", &n);
	ck_assert_int_eq(pf_pubkey_parse(&pk, text, n, "a.pub", &err), PF_OK);
	text = slurp("a.key", &n);
	ck_assert_int_eq(pf_seckey_parse(&sk, text, n, "a.key", &err), PF_OK);
	ck_assert(memcmp(pk.id, sk.id, 8) == 0);
	pf_sig_make(&sk, digest, &sig);
	ck_assert(pf_sig_verify(&pk, &sig, digest));
	digest[0] ^= 1;
	ck_assert(!pf_sig_verify(&pk, &sig, digest));
	/* A public key is not a secret key, and a damaged one is refused. */
	text = slurp("a.pub", &n);
	ck_assert_int_eq(pf_seckey_parse(&sk, text, n, "a.pub", &err),
	    PF_ERR_TRUST);
	text[strlen("untrusted comment: ") + 60] ^= 1;
	text[n - 3] = text[n - 3] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(pf_pubkey_parse(&pk, text, n, "a.pub", &err),
	    PF_ERR_TRUST);
	ck_assert_int_eq(pf_pubkey_parse(&pk, "x", 1, "x", &err), PF_ERR_TRUST);
}
END_TEST

/* A one-file package, signed by the given keys, in a memfd. */
static int
package(const char **keys, size_t n, uint64_t expires)
{
	char o[128], nw[128], path[128];
	pf_builder *b;
	FILE *f;
	size_t i;
	int fd = memfd_create("pkg", 0);

	snprintf(o, sizeof o, "%s/old", dir);
	snprintf(nw, sizeof nw, "%s/new", dir);
	ck_assert_ptr_nonnull(f = fopen(o, "w"));
	fputs("old", f);
	fclose(f);
	ck_assert_ptr_nonnull(f = fopen(nw, "w"));
	fputs("new", f);
	fclose(f);
	ck_assert_int_eq(pf_builder_new(&b), PF_OK);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s.key", dir, keys[i]);
		ck_assert_int_eq(pf_builder_add_key(b, path), PF_OK);
	}
	pf_builder_set_expires(b, expires);
	ck_assert_int_eq(pf_builder_diff(b, o, nw), PF_OK);
	ck_assert_int_eq(pf_builder_write(b, fd), PF_OK);
	pf_builder_free(b);
	return fd;
}

static pf_ret
open_with(int fd, const char **trusted, size_t n, unsigned threshold,
    bool allow_unsigned, uint64_t now)
{
	pf_keyring *kr;
	pf_reader *r = NULL;
	pf_trust t = { .threshold = threshold,
	    .allow_unsigned = allow_unsigned, .now = now };
	char path[128];
	size_t i;
	pf_ret ret;

	ck_assert_int_eq(pf_keyring_new(&kr), PF_OK);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s.pub", dir, trusted[i]);
		ck_assert_int_eq(pf_keyring_add_file(kr, path), PF_OK);
	}
	t.keyring = kr;
	lseek(fd, 0, SEEK_SET);
	ret = pf_reader_open_trusted(&r, fd, &t);
	if (ret == PF_OK)
		ck_assert(pf_reader_trusted(r));
	pf_reader_free(r);
	pf_keyring_free(kr);
	return ret;
}

START_TEST(trust_policy)
{
	const char *a[] = { "a" }, *ab[] = { "a", "b" }, *b[] = { "b" };
	const char *aa[] = { "a", "a" };
	int fd;

	keygen("a");
	keygen("b");
	fd = package(NULL, 0, 0);
	ck_assert_int_eq(open_with(fd, a, 1, 0, false, 0), PF_ERR_TRUST);
	ck_assert_int_eq(open_with(fd, a, 1, 0, true, 0), PF_OK);
	close(fd);
	fd = package(a, 1, 0);
	ck_assert_int_eq(open_with(fd, a, 1, 0, false, 0), PF_OK);
	ck_assert_int_eq(open_with(fd, b, 1, 0, false, 0), PF_ERR_TRUST);
	ck_assert_int_eq(open_with(fd, ab, 2, 2, false, 0), PF_ERR_TRUST);
	/* The same key twice in the keyring is still one key. */
	ck_assert_int_eq(open_with(fd, aa, 2, 2, false, 0), PF_ERR_TRUST);
	close(fd);
	fd = package(ab, 2, 0);
	ck_assert_int_eq(open_with(fd, ab, 2, 2, false, 0), PF_OK);
	ck_assert_int_eq(open_with(fd, b, 1, 0, false, 0), PF_OK);
	close(fd);
	fd = package(a, 1, 1000);
	ck_assert_int_eq(open_with(fd, a, 1, 0, false, 999), PF_OK);
	ck_assert_int_eq(open_with(fd, a, 1, 0, false, 1001), PF_ERR_EXPIRED);
	close(fd);
}
END_TEST

START_TEST(signing_twice_refused)
{
	pf_builder *b;
	char path[128];

	keygen("a");
	snprintf(path, sizeof path, "%s/a.key", dir);
	ck_assert_int_eq(pf_builder_new(&b), PF_OK);
	ck_assert_int_eq(pf_builder_add_key(b, path), PF_OK);
	ck_assert_int_eq(pf_builder_add_key(b, path), PF_ERR_USAGE);
	snprintf(path, sizeof path, "%s/a.pub", dir);
	ck_assert_int_eq(pf_builder_add_key(b, path), PF_ERR_TRUST);
	pf_builder_free(b);
}
END_TEST

/*
 * A keyring with one odd entry named NAME.pub, made by make, beside the
 * good key "good": loading fails at once, with PF_ERR_TRUST and a message that
 * names the entry and holds what.
 */
static void
odd_keyring(const char *name, void (*make)(const char *path),
    const char *what)
{
	char ring[128], path[320];
	pf_keyring *kr;
	pf_ret r;

	snprintf(ring, sizeof ring, "%s/ring-%s", dir, name);
	ck_assert_int_eq(mkdir(ring, 0755), 0);
	snprintf(path, sizeof path, "cp %s/good.pub %s/", dir, ring);
	ck_assert_int_eq(system(path), 0);
	snprintf(path, sizeof path, "%s/%s.pub", ring, name);
	make(path);
	ck_assert_int_eq(pf_keyring_new(&kr), PF_OK);
	/* A FIFO that blocked the open would never get here. */
	alarm(10);
	r = pf_keyring_add_dir(kr, ring);
	alarm(0);
	ck_assert_int_eq(r, PF_ERR_TRUST);
	ck_assert_msg(strstr(pf_keyring_error(kr), name) != NULL &&
	    strstr(pf_keyring_error(kr), what) != NULL, "message '%s'",
	    pf_keyring_error(kr));
	pf_keyring_free(kr);
}

static void
make_fifo(const char *path)
{
	ck_assert_int_eq(mkfifo(path, 0644), 0);
}

static void
make_dir(const char *path)
{
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void
make_dangling(const char *path)
{
	ck_assert_int_eq(symlink("/nonexistent/key.pub", path), 0);
}

static void
make_link_to_fifo(const char *path)
{
	char fifo[192];

	snprintf(fifo, sizeof fifo, "%s.fifo", path);
	make_fifo(fifo);
	ck_assert_int_eq(symlink(fifo, path), 0);
}

static void
make_big(const char *path)
{
	FILE *f = fopen(path, "w");
	int i;

	ck_assert_ptr_nonnull(f);
	fputs("untrusted comment: padded\n", f);
	for (i = 0; i < 4097; i++)
		fputc('A', f);
	fclose(f);
}

START_TEST(keyring_odd_entries)
{
	keygen("good");
	odd_keyring("fifo", make_fifo, "not a regular file");
	odd_keyring("dir", make_dir, "not a regular file");
	odd_keyring("dangling", make_dangling, "dangling symbolic link");
	odd_keyring("tofifo", make_link_to_fifo, "not a regular file");
	odd_keyring("big", make_big, "larger than 4096 bytes");
}
END_TEST

/* A symbolic link to a key file is followed (section 11.2). */
START_TEST(keyring_follows_links)
{
	char ring[128], path[192], target[192];
	pf_keyring *kr;

	keygen("linked");
	snprintf(ring, sizeof ring, "%s/ring", dir);
	ck_assert_int_eq(mkdir(ring, 0755), 0);
	snprintf(target, sizeof target, "%s/linked.pub", dir);
	snprintf(path, sizeof path, "%s/linked.pub", ring);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(pf_keyring_new(&kr), PF_OK);
	ck_assert_int_eq(pf_keyring_add_dir(kr, ring), PF_OK);
	ck_assert_uint_eq(pf_keyring_size(kr), 1);
	pf_keyring_free(kr);
}
END_TEST

/* Secret keys go through the same checks. */
START_TEST(secret_key_odd_files)
{
	char path[128];
	pf_seckey k;
	pf_err err;

	snprintf(path, sizeof path, "%s/fifo.key", dir);
	make_fifo(path);
	alarm(10);
	ck_assert_int_eq(pf_seckey_load(&k, path, &err), PF_ERR_TRUST);
	alarm(0);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a regular file"));
	snprintf(path, sizeof path, "%s/big.key", dir);
	make_big(path);
	ck_assert_int_eq(pf_seckey_load(&k, path, &err), PF_ERR_TRUST);
	ck_assert_ptr_nonnull(strstr(err.msg, "larger than 4096 bytes"));
	snprintf(path, sizeof path, "%s/missing.key", dir);
	ck_assert_int_eq(pf_seckey_load(&k, path, &err), PF_ERR_USAGE);
}
END_TEST

static Suite *
trust_suite(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("keys");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, key_files);
	tcase_add_test(tc, trust_policy);
	tcase_add_test(tc, signing_twice_refused);
	tcase_add_test(tc, keyring_odd_entries);
	tcase_add_test(tc, keyring_follows_links);
	tcase_add_test(tc, secret_key_odd_files);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_check_run(trust_suite());
}
