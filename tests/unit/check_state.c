/*
 * Unit tests of the state layer (spec section 12): the escaping of record
 * values, the record and journal parsers on valid and damaged text, and
 * the life of a state directory through the library: install, records
 * read back after reopening, requirements, superseding, rollback, and
 * recovery when there is nothing to recover.
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
#include "common/hash.h"
#include "state/db.h"
#include "state/journal.h"
#include "run.h"
#include "package/trust.h"
#include "format/types.h"

/* Escapes s, checks that no byte of the result could end a value, and
 * returns the result (static). */
static char *
escaped(const char *s)
{
	static char out[1024];
	char *text = NULL;
	size_t n = 0, i;
	FILE *f = open_memstream(&text, &n);

	ck_assert_ptr_nonnull(f);
	pf_db_escape(f, s);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_uint_lt(n, sizeof out);
	for (i = 0; i < n; i++)
		ck_assert_msg((unsigned char)text[i] > 0x20 &&
		    (unsigned char)text[i] < 0x7f, "byte %zu of '%s'", i, text);
	memcpy(out, text, n + 1);
	free(text);
	return out;
}

START_TEST(escape_round_trip)
{
	static const char *values[] = {
		"plain", "two words", "50%", "%41", "new\nline", "tab\there",
		"\x01\x1f\x7f", "caf\xe9", "\xff\xfe", "a=b", "-", "~1.0+deb12u3",
	};
	char buf[1024];
	size_t i;

	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		snprintf(buf, sizeof buf, "%s", escaped(values[i]));
		ck_assert_int_eq(pf_db_unescape(buf), 0);
		ck_assert_str_eq(buf, values[i]);
	}
	ck_assert_str_eq(escaped("50% off"), "50%25%20off");
}
END_TEST

START_TEST(unescape_refuses)
{
	static const char *bad[] = {
		"%", "%4", "%zz", "%4g", "%2a",   /* upper-case digits only */
		"%00",                             /* no NUL inside a value */
		"a b", "a\tb", "line\n", "caf\xe9",/* raw bytes never appear */
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(buf, sizeof buf, "%s", bad[i]);
		ck_assert_msg(pf_db_unescape(buf) < 0, "accepted '%s'", bad[i]);
	}
}
END_TEST

/* Parses text as the record of id; the pf_ret. */
static pf_ret
parse_rec(const char *text, const char *id, pf_db_rec *r)
{
	char *copy = strdup(text);
	pf_err err;
	pf_ret ret;

	ck_assert_ptr_nonnull(copy);
	memset(r, 0, sizeof *r);
	ret = pf_db_rec_parse(&err, r, copy, strlen(copy), id);
	if (ret != PF_OK)
		ck_assert_ptr_nonnull(strstr(err.msg, "is damaged"));
	free(copy);
	return ret;
}

START_TEST(record_parse)
{
	static const char *damaged[] = {
		"version 1\ndigest ab\n",                  /* no id */
		"id other\ndigest ab\n",                   /* another id */
		"id p1\n",                                 /* no digest */
		"id p1\nid p1\ndigest ab\n",               /* said twice */
		"id p1\ndigest ab\nrelease x\n",
		"id p1\ndigest ab\nrelease 99999999999999999999999\n",
		"id p1\ndigest ab\nrelease -1\n",
		"id p1\ndigest ab",                        /* no last newline */
		"id p1\ndigest ab\nnospace\n",
		"id p1\ndigest ab\n value\n",              /* empty key */
		"id p1\ndigest ab\nversion %zz\n",
		"id p1\ndigest ab\nversion two words\n",
	};
	pf_db_rec r;
	size_t i;

	ck_assert_int_eq(parse_rec("id p1\nversion 1.0%2Bdeb12u1\n"
	    "family curl\nrelease 3\nproduct curl\nto-version 8.0\n"
	    "digest ab\ninstalled 17\nprovides libfoo=2\nprovides bar\n"
	    "requires base\nsupersedes p0\nfuture-key kept%20for%20newer\n",
	    "p1", &r), PF_OK);
	ck_assert_str_eq(r.version, "1.0+deb12u1");
	ck_assert_str_eq(r.family, "curl");
	ck_assert_uint_eq(r.release, 3);
	ck_assert_str_eq(r.to_version, "8.0");
	ck_assert_uint_eq(r.installed, 17);
	ck_assert_uint_eq(r.n_provides, 2);
	ck_assert_str_eq(r.provides[1], "bar");
	ck_assert_uint_eq(r.n_requires, 1);
	ck_assert_str_eq(r.supersedes[0], "p0");
	ck_assert_ptr_null(r.superseded_by);
	pf_db_rec_free(&r);
	for (i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
		ck_assert_msg(parse_rec(damaged[i], "p1", &r) == PF_ERR_IO,
		    "accepted damaged record %zu", i);
		pf_db_rec_free(&r);
	}
}
END_TEST

/* A journal of body (lines after the first), with its end line; -1 for a
 * wrong hash. */
static int
parse_journal(const char *body, bool good_hash)
{
	char text[4096], hex[PF_SHA256_HEX_LEN];
	uint8_t d[32];
	int n;

	n = snprintf(text, sizeof text, "patchfmt-journal 1\n%s", body);
	ck_assert_int_eq(pf_sha256(d, text, (size_t)n), 0);
	if (!good_hash)
		d[0] ^= 1;
	n += snprintf(text + n, sizeof text - (size_t)n, "end %s\n",
	    pf_sha256_hex(hex, d));
	return pf_journal_parse(text, (size_t)n);
}

START_TEST(journal_parse)
{
	static const char *good =
	    "op install\nid p1\ndigest "
	    "0000000000000000000000000000000000000000000000000000000000000000\n"
	    "root /srv/app%20data\nroot-id 2049 131\nflags 0\n"
	    "step 0 1 0 .pf-new-0123456789abcdef - usr/bin/hello\n"
	    "step 3 2 2 .pf-new-00000000000000ff .pf-old-00000000000000ff "
	    "etc/a%20b\n";
	static const char *bad[] = {
		"op install\nroot /\n",                            /* no id */
		"op install\nid p1\n",                             /* no root */
		"op upgrade\nid p1\nroot /\n",
		"id p1\nid p2\nroot /\n",
		"id ../x\nroot /\n",
		"id p1\nroot /\ndigest 00\n",
		"id p1\nroot /\nstep 0 0 0 - - a\n",               /* no action */
		"id p1\nroot /\nstep 0 9 0 - - a\n",
		"id p1\nroot /\nstep 0 1 7 - - a\n",               /* no keep */
		"id p1\nroot /\nstep 0 1 0 .pf-new-xyz - a\n",
		"id p1\nroot /\nstep 0 1 0 - .pf-new-0123456789abcdef a\n",
		"id p1\nroot /\nstep 0 1 0 - - a b\n",
		"id p1\nroot /\nunknown line\n",
	};
	char text[64] = "patchfmt-journal 1\nend 00\n";
	size_t i;

	ck_assert_int_eq(parse_journal(good, true), 0);
	ck_assert_int_eq(parse_journal(good, false), -1);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(parse_journal(bad[i], true) < 0,
		    "accepted damaged journal %zu", i);
	ck_assert_int_eq(pf_journal_parse(text, strlen(text)), -1);
	ck_assert_int_eq(pf_journal_parse(text, 0), -1);
}
END_TEST

/* The state directory through the public API. */

static char base[256];
static pf_keyring *empty;
static pf_trust unsigned_ok = { .allow_unsigned = true };

static void
put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", base, dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%s/%s", base, dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
setup(void)
{
	ck_assert_int_eq(pf_keyring_new(&empty), PF_OK);
	unsigned_ok.keyring = empty;
	strcpy(base, "/tmp/pf-state-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	put("v1", "a", "1");
	put("v2", "a", "2");
	put("v3", "a", "3");
	put("root", "a", "1");
}

static void
teardown(void)
{
	char cmd[600];

	pf_keyring_free(empty);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}

/* A package from base/FROM to base/TO; dep adds one dependency. */
static pf_reader *
package(const char *name, const char *from, const char *to,
    pf_dep_kind kind, const char *dep)
{
	char o[512], n[512];
	pf_builder *b;
	pf_reader *r;
	int fd = memfd_create("pkg", 0);

	snprintf(o, sizeof o, "%s/%s", base, from);
	snprintf(n, sizeof n, "%s/%s", base, to);
	ck_assert_int_eq(pf_builder_new(&b), PF_OK);
	ck_assert_int_eq(pf_builder_set_info(b, name, "1.0", NULL), PF_OK);
	if (dep != NULL)
		ck_assert_int_eq(pf_builder_add_dep(b, kind, dep, NULL), PF_OK);
	ck_assert_int_eq(pf_builder_diff(b, o, n), PF_OK);
	ck_assert_int_eq(pf_builder_write(b, fd), PF_OK);
	pf_builder_free(b);
	lseek(fd, 0, SEEK_SET);
	ck_assert_int_eq(pf_reader_open_trusted(&r, fd, &unsigned_ok), PF_OK);
	return r;       /* the memfd stays open until the test process ends */
}

static pf_db *
open_db(void)
{
	char root[512], dir[512];
	pf_db *db;

	snprintf(root, sizeof root, "%s/root", base);
	snprintf(dir, sizeof dir, "%s/state", base);
	ck_assert_int_eq(pf_db_open_root(&db, root, dir, true), PF_OK);
	ck_assert_int_eq(pf_db_recover(db, root), PF_OK);
	ck_assert_ptr_null(pf_db_recovered(db));
	return db;
}

static pf_ret
install(pf_db *db, pf_reader *r)
{
	char root[512];
	pf_txn *t;
	pf_ret ret;

	snprintf(root, sizeof root, "%s/root", base);
	if ((ret = pf_db_check_install(db, r, false)) != PF_OK)
		return ret;
	ck_assert_int_eq(pf_txn_new(&t, r, root), PF_OK);
	ck_assert_int_eq(pf_txn_check(t), PF_OK);
	ret = pf_db_install(db, r, t, root);
	pf_txn_free(t);
	return ret;
}

static pf_ret
rollback(pf_db *db, const char *id)
{
	char root[512];
	pf_reader *r;
	pf_txn *t;
	pf_ret ret;

	snprintf(root, sizeof root, "%s/root", base);
	if ((ret = pf_db_check_rollback(db, id, false)) != PF_OK)
		return ret;
	ck_assert_int_eq(pf_db_open_package(db, id, &r), PF_OK);
	ck_assert_int_eq(pf_txn_new_reverse(&t, r, root, false), PF_OK);
	ck_assert_int_eq(pf_txn_check(t), PF_OK);
	ret = pf_db_rollback(db, id, t, root);
	pf_txn_free(t);
	pf_reader_free(r);
	return ret;
}

static const char *
content(void)
{
	static char buf[16];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/root/a", base);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(install_supersede_rollback)
{
	pf_reader *p1 = package("p1", "v1", "v2", PF_DEP_REQUIRES, NULL);
	pf_reader *p2 = package("p2", "v2", "v3", PF_DEP_SUPERSEDES, "p1");
	pf_reader *needy = package("needy", "v1", "v1", PF_DEP_REQUIRES,
	    "nothing-provides-this");
	pf_reader *uses_p1 = package("uses", "v1", "v1", PF_DEP_REQUIRES, "p1");
	pf_db_info info = { .size = sizeof info };
	pf_db *db = open_db();

	ck_assert_uint_eq(pf_db_count(db), 0);
	ck_assert_int_eq(install(db, needy), PF_ERR_DEPENDENCY);
	ck_assert_ptr_nonnull(strstr(pf_db_error(db), "nothing-provides"));
	ck_assert_uint_eq(pf_db_count(db), 0);
	ck_assert_int_eq(install(db, p1), PF_OK);
	ck_assert_str_eq(content(), "2");
	/* The same handle sees what it installed. */
	ck_assert_uint_eq(pf_db_count(db), 1);
	ck_assert_int_eq(pf_db_check_install(db, uses_p1, false), PF_OK);
	ck_assert_int_eq(install(db, p2), PF_OK);
	ck_assert_str_eq(content(), "3");
	pf_db_get(db, 0, &info);
	ck_assert_str_eq(info.superseded_by, "p2");
	pf_db_free(db);

	/* Everything is read back from the directory. */
	db = open_db();
	ck_assert_uint_eq(pf_db_count(db), 2);
	pf_db_get(db, 0, &info);
	ck_assert_str_eq(info.id, "p1");
	ck_assert_str_eq(info.version, "1.0");
	ck_assert_str_eq(info.superseded_by, "p2");
	ck_assert_uint_eq(strlen(info.digest), 64);
	pf_db_get(db, 1, &info);
	ck_assert_str_eq(info.id, "p2");
	ck_assert_ptr_null(info.superseded_by);
	/* p1 is superseded: it cannot go before p2. */
	ck_assert_int_eq(rollback(db, "p1"), PF_ERR_DEPENDENCY);
	ck_assert_int_eq(rollback(db, "p2"), PF_OK);
	ck_assert_str_eq(content(), "2");
	pf_db_get(db, 0, &info);
	ck_assert_ptr_null(info.superseded_by);
	ck_assert_int_eq(rollback(db, "p1"), PF_OK);
	ck_assert_str_eq(content(), "1");
	ck_assert_uint_eq(pf_db_count(db), 0);
	ck_assert_int_eq(pf_db_check_rollback(db, "p1", false), PF_ERR_NOT_INSTALLED);
	pf_db_free(db);
	pf_reader_free(p1);
	pf_reader_free(p2);
	pf_reader_free(needy);
	pf_reader_free(uses_p1);
}
END_TEST

static Suite *
state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *t = tcase_create("text");

	tcase_add_test(t, escape_round_trip);
	tcase_add_test(t, unescape_refuses);
	tcase_add_test(t, record_parse);
	tcase_add_test(t, journal_parse);
	suite_add_tcase(s, t);
	t = tcase_create("directory");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, install_supersede_rollback);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return pf_check_run(state_suite());
}
