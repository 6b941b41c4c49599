/*
 * Unit tests of the install layer: check, commit, already applied, a
 * half-applied tree completed, and refusals that write nothing.
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

#include "libpatchfmt.h"
#include "run.h"
#include "package/trust.h"
#include "format/types.h"

static char base[256];
static pf_keyring *empty;
static int pkg_fd = -1;                 /* the last package() made */
static pf_trust unsigned_ok = { .allow_unsigned = true };

static void
put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s/%s", base, dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char *
get(const char *dir, const char *name)
{
	static char buf[256];
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s/%s", base, dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
mk(const char *dir)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", base, dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

/* old: a=1 b=2; new: a=1 b=22 c=3; target: a copy of old. */
static void
setup(void)
{
	ck_assert_int_eq(pf_keyring_new(&empty), PF_OK);
	unsigned_ok.keyring = empty;
	strcpy(base, "/tmp/pf-check-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	mk("old");
	mk("new");
	mk("target");
	put("old", "a", "1");
	put("old", "b", "2");
	put("new", "a", "1");
	put("new", "b", "22");
	put("new", "c", "3");
	put("target", "a", "1");
	put("target", "b", "2");
}

static void
teardown(void)
{
	char cmd[600];

	pf_keyring_free(empty);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}

static pf_reader *
package(void)
{
	char o[512], n[512];
	pf_builder *b;
	pf_reader *r;
	int fd = memfd_create("pkg", 0);

	snprintf(o, sizeof o, "%s/old", base);
	snprintf(n, sizeof n, "%s/new", base);
	ck_assert_int_eq(pf_builder_new(&b), PF_OK);
	ck_assert_int_eq(pf_builder_diff(b, o, n), PF_OK);
	ck_assert_int_eq(pf_builder_write(b, fd), PF_OK);
	pf_builder_free(b);
	lseek(fd, 0, SEEK_SET);
	ck_assert_int_eq(pf_reader_open_trusted(&r, fd, &unsigned_ok), PF_OK);
	pkg_fd = fd;
	return r;
}

static pf_ret
apply(pf_reader *r, bool commit, pf_txn_state *st)
{
	char root[512];
	pf_txn *t;
	pf_ret ret;

	snprintf(root, sizeof root, "%s/target", base);
	ck_assert_int_eq(pf_txn_new(&t, r, root), PF_OK);
	ret = pf_txn_check(t);
	if (ret == PF_OK && commit)
		ret = pf_txn_commit(t);
	*st = pf_txn_get_state(t);
	pf_txn_free(t);
	return ret;
}

START_TEST(apply_then_already_applied)
{
	pf_reader *r = package();
	pf_txn_state st;

	ck_assert_uint_eq(pf_reader_manifest(r)->n_entries, 2);
	ck_assert_int_eq(apply(r, false, &st), PF_OK);
	ck_assert_int_eq(st, PF_TXN_PENDING);
	ck_assert_str_eq(get("target", "b"), "2");      /* check wrote nothing */
	ck_assert_ptr_null(get("target", "c"));
	ck_assert_int_eq(apply(r, true, &st), PF_OK);
	ck_assert_int_eq(st, PF_TXN_APPLIED);
	ck_assert_str_eq(get("target", "b"), "22");
	ck_assert_str_eq(get("target", "c"), "3");
	ck_assert_int_eq(apply(r, true, &st), PF_OK);
	ck_assert_int_eq(st, PF_TXN_ALREADY_APPLIED);
	pf_reader_free(r);
}
END_TEST

START_TEST(half_applied_is_completed)
{
	pf_reader *r = package();
	pf_txn_state st;

	put("target", "c", "3");        /* as if a crash came after 'c' */
	ck_assert_int_eq(apply(r, true, &st), PF_OK);
	ck_assert_int_eq(st, PF_TXN_APPLIED);
	ck_assert_str_eq(get("target", "b"), "22");
	pf_reader_free(r);
}
END_TEST

START_TEST(mismatch_writes_nothing)
{
	pf_reader *r = package();
	pf_txn_state st;

	put("target", "b", "something else");
	ck_assert_int_eq(apply(r, true, &st), PF_ERR_MISMATCH);
	ck_assert_str_eq(get("target", "b"), "something else");
	ck_assert_ptr_null(get("target", "c"));
	put("target", "b", "2");
	put("target", "c", "in the way");
	ck_assert_int_eq(apply(r, true, &st), PF_ERR_MISMATCH);
	ck_assert_str_eq(get("target", "b"), "2");
	pf_reader_free(r);
}
END_TEST

/*
 * The package file is rewritten after it was verified (a download
 * directory, NFS): nothing of the new bytes is installed or kept.
 */
/* Overwrites the blobs of the last package() with other bytes. */
static void
rewrite_blobs(pf_reader *r)
{
	const pf_manifest *m = pf_reader_manifest(r);
	uint64_t size = pf_reader_package_size(r);
	uint64_t off = size - m->payload_size - m->rollback_size;
	char junk[4096];
	size_t k;

	memset(junk, 'X', sizeof junk);
	ck_assert_uint_lt(off, size);
	for (; off < size; off += k) {
		k = size - off < sizeof junk ? (size_t)(size - off) : sizeof junk;
		ck_assert_int_eq(pwrite(pkg_fd, junk, k, (off_t)off), (ssize_t)k);
	}
}

START_TEST(rewritten_package_is_refused)
{
	pf_reader *r = package();
	pf_txn_state st;
	int copy = memfd_create("copy", 0);

	rewrite_blobs(r);
	ck_assert_int_eq(apply(r, true, &st), PF_ERR_CORRUPT);
	ck_assert_str_eq(get("target", "b"), "2");
	ck_assert_ptr_null(get("target", "c"));
	pf_reader_free(r);
	r = package();
	rewrite_blobs(r);
	ck_assert_int_eq(pf_reader_copy(r, copy), PF_ERR_CORRUPT);
	ck_assert_str_eq(pf_reader_error(r),
	    "the package file changed after it was verified");
	close(copy);
	pf_reader_free(r);
}
END_TEST

static Suite *
install_suite(void)
{
	Suite *s = suite_create("install");
	TCase *tc = tcase_create("txn");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, apply_then_already_applied);
	tcase_add_test(tc, half_applied_is_completed);
	tcase_add_test(tc, mismatch_writes_nothing);
	tcase_add_test(tc, rewritten_package_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_check_run(install_suite());
}
