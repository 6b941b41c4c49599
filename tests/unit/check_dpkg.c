/*
 * Check tests of the deb822 parser (common/deb822.c) and of the dpkg
 * status lookup and origin record (install/dpkg.c, format/dpkg.c).
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/deb822.h"
#include "format/dpkg.h"
#include "format/manifest.h"
#include "install/dpkg.h"
#include "run.h"

static const char status[] =
    "Package: libc6\n"
    "Status: install ok installed\n"
    "Version: 2.36\n"
    "\n\n  \n"
    "Package: pkg\n"
    "Status: deinstall ok config-files\n"
    "Architecture: amd64\n"
    "Version: 0.9\n"
    "\n"
    "package: PKG\n"
    "Status: install ok installed\n"
    "\n"
    "Package: pkg\n"
    "Status: install ok installed\n"
    "Architecture: arm64\n"
    "Version: 1.5\n"
    "\n"
    "Package: pkg\r\n"
    "Status: install ok installed\r\n"
    "Architecture: amd64\r\n"
    "Version: 1.0-1\r\n"
    "Depends: libc6 (>= 2.34),\n"
    " dpkg,\n"
    "\tlibfoo\n";

static char *
field(const char *text, const char *name)
{
	pf_deb822 d;
	const char *s;
	size_t n;
	char *v = NULL;
	pf_err err;

	pf_deb822_init(&d, text, strlen(text));
	while (v == NULL && pf_deb822_next(&d, &s, &n))
		ck_assert_int_eq(pf_deb822_field(s, n, name, &v, &err), PF_OK);
	return v;
}

START_TEST(test_stanzas)
{
	pf_deb822 d;
	const char *s;
	size_t n, count = 0;
	char *v;

	pf_deb822_init(&d, status, strlen(status));
	while (pf_deb822_next(&d, &s, &n))
		count++;
	ck_assert_uint_eq(count, 5);
	/* Continuation lines join with one space; names ignore case. */
	v = field(status, "depends");
	ck_assert_str_eq(v, "libc6 (>= 2.34), dpkg, libfoo");
	free(v);
	ck_assert_ptr_null(field(status, "Missing"));
	ck_assert_ptr_null(field("", "Package"));
	ck_assert_ptr_null(field(" Package: x\n", "Package"));
}
END_TEST

START_TEST(test_installed_version)
{
	char *v;
	pf_err err;

	/* Only an installed stanza of a fitting architecture counts. */
	ck_assert_int_eq(pf_dpkg_status_version(status, strlen(status), "pkg",
	    "amd64", &v, &err), PF_OK);
	ck_assert_str_eq(v, "1.0-1");
	free(v);
	ck_assert_int_eq(pf_dpkg_status_version(status, strlen(status), "pkg",
	    "arm64", &v, &err), PF_OK);
	ck_assert_str_eq(v, "1.5");
	free(v);
	ck_assert_int_eq(pf_dpkg_status_version(status, strlen(status), "pkg",
	    "s390x", &v, &err), PF_OK);
	ck_assert_ptr_null(v);
	/* Installed without a Version: another version than any. */
	ck_assert_int_eq(pf_dpkg_status_version(status, strlen(status), "PKG",
	    NULL, &v, &err), PF_OK);
	ck_assert_str_eq(v, "");
	free(v);
	ck_assert_int_eq(pf_dpkg_status_version(status, strlen(status), "nope",
	    NULL, &v, &err), PF_OK);
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(test_origin_roundtrip)
{
	pf_manifest m, back;
	pf_dpkg_origin *d = calloc(1, sizeof *d);
	pf_buf b;
	pf_err err;

	ck_assert_ptr_nonnull(d);
	pf_manifest_init(&m);
	d->package = strdup("pkg");
	d->from_version = strdup("1:1.0-1");
	d->to_version = strdup("1:1.0-2");
	d->depends = strdup("libc6 (>= 2.34)");
	m.dpkg = d;
	pf_buf_init(&b);
	ck_assert_int_eq(pf_manifest_encode(&m, &b, &err), PF_OK);
	ck_assert_int_eq(pf_manifest_decode(&back, b.data, b.len, &err),
	    PF_OK);
	ck_assert_ptr_nonnull(back.dpkg);
	ck_assert_str_eq(back.dpkg->package, "pkg");
	ck_assert_str_eq(back.dpkg->from_version, "1:1.0-1");
	ck_assert_str_eq(back.dpkg->to_version, "1:1.0-2");
	ck_assert_ptr_null(back.dpkg->arch);
	ck_assert_str_eq(back.dpkg->depends, "libc6 (>= 2.34)");
	pf_manifest_clear(&back);
	/* Without its version the origin is corrupt. */
	free(d->from_version);
	d->from_version = NULL;
	pf_buf_free(&b);
	pf_buf_init(&b);
	ck_assert_int_eq(pf_manifest_encode(&m, &b, &err), PF_OK);
	ck_assert_int_eq(pf_manifest_decode(&back, b.data, b.len, &err),
	    PF_ERR_CORRUPT);
	pf_buf_free(&b);
	pf_manifest_clear(&m);
}
END_TEST

START_TEST(test_vercmp)
{
	/* deb-version(7): epochs first, '~' before everything. */
	ck_assert_int_lt(pf_dpkg_vercmp("1.0", "1.1"), 0);
	ck_assert_int_gt(pf_dpkg_vercmp("1.10", "1.9"), 0);
	ck_assert_int_eq(pf_dpkg_vercmp("1.0-1", "1.0-1"), 0);
	ck_assert_int_eq(pf_dpkg_vercmp("0:1.0", "1.0"), 0);
	ck_assert_int_gt(pf_dpkg_vercmp("1:0.1", "9.9"), 0);
	ck_assert_int_lt(pf_dpkg_vercmp("1.0~rc1", "1.0"), 0);
	ck_assert_int_lt(pf_dpkg_vercmp("1.0~rc1", "1.0~rc2"), 0);
	ck_assert_int_gt(pf_dpkg_vercmp("1.0a", "1.0"), 0);
	ck_assert_int_gt(pf_dpkg_vercmp("1.0+b1", "1.0"), 0);
	ck_assert_int_gt(pf_dpkg_vercmp("1.0-10", "1.0-9"), 0);
	ck_assert_int_lt(pf_dpkg_vercmp("7.88.1-10+deb12u5",
	    "7.88.1-10+deb12u15"), 0);
	ck_assert_int_gt(pf_dpkg_vercmp("1.0-1.1", "1.0-1"), 0);
}
END_TEST

START_TEST(test_depends)
{
	static const char st[] =
	    "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\n\n"
	    "Package: exim4\nStatus: install ok installed\nVersion: 4.96\n"
	    "Provides: mail-transport-agent\n\n"
	    "Package: old\nStatus: deinstall ok config-files\nVersion: 9\n"
	    "Provides: gone\n";
	pf_err err;
	size_t n = strlen(st);

	ck_assert_int_eq(pf_dpkg_check_depends(st, n, "libc6 (>= 2.34), "
	    "nope | libc6:any (<< 3), mail-transport-agent", "p", &err),
	    PF_OK);
	ck_assert_int_eq(pf_dpkg_check_depends(st, n, "libc6 (>>2.36-9)",
	    "p", &err), PF_ERR_DEPENDENCY);
	ck_assert_ptr_nonnull(strstr(err.msg, "'libc6 (>>2.36-9)'"));
	ck_assert_int_eq(pf_dpkg_check_depends(st, n, "libc6 (= 2.36-9), "
	    "libc6 (<= 2.36-9), libc6 (2.36-9)", "p", &err), PF_OK);
	/* A virtual package satisfies no versioned clause, and a removed
	 * package provides nothing. */
	ck_assert_int_eq(pf_dpkg_check_depends(st, n,
	    "mail-transport-agent (>= 1)", "p", &err), PF_ERR_DEPENDENCY);
	ck_assert_int_eq(pf_dpkg_check_depends(st, n, "gone", "p", &err),
	    PF_ERR_DEPENDENCY);
	ck_assert_int_eq(pf_dpkg_check_depends(st, n, " , ,", "p", &err),
	    PF_OK);
}
END_TEST

static Suite *
dpkg_suite(void)
{
	Suite *s = suite_create("dpkg");
	TCase *tc = tcase_create("deb822");

	tcase_add_test(tc, test_stanzas);
	suite_add_tcase(s, tc);
	tc = tcase_create("status");
	tcase_add_test(tc, test_installed_version);
	tcase_add_test(tc, test_vercmp);
	tcase_add_test(tc, test_depends);
	suite_add_tcase(s, tc);
	tc = tcase_create("origin");
	tcase_add_test(tc, test_origin_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_check_run(dpkg_suite());
}
