/*
 * Unit tests of patches in the field: the phased rollout over 10,000
 * simulated machines (the share taken, and raising it only adds), the
 * hook, provenance and phase fields of the manifest read back as written,
 * and the audit log cutting a torn last line before it appends.
 */
#include <config.h>

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libpatchfmt.h"
#include "common/buf.h"
#include "format/manifest.h"
#include "format/rollout.h"
#include "state/audit.h"
#include "run.h"

#define MACHINES 10000

/* Machine-ids as systemd makes them: 32 lower-case hex digits. */
static void
machine(char out[33], unsigned i)
{
	snprintf(out, 33, "%08x%08x%08x%08x", i * 2654435761u, i, ~i,
	    i ^ 0x5a5a5a5au);
}

static unsigned
taking(uint32_t share, const char *seed, bool *in)
{
	char id[33];
	unsigned i, n = 0;

	for (i = 0; i < MACHINES; i++) {
		machine(id, i);
		in[i] = pf_phase_place(id, seed) < share;
		n += in[i];
	}
	return n;
}

START_TEST(share_is_kept_within_one_percent)
{
	static const uint32_t shares[] = { 100, 1000, 2500, 5000, 9000 };
	static bool in[MACHINES];
	unsigned n;
	size_t i;

	for (i = 0; i < sizeof shares / sizeof shares[0]; i++) {
		n = taking(shares[i], "libfoo-fix", in);
		/* Within 1% of the percentage: 100 machines of 10,000. */
		ck_assert_msg(abs((int)n - (int)shares[i]) <= 100,
		    "share %u: %u of %u machines", shares[i], n, MACHINES);
	}
	ck_assert_uint_eq(taking(0, "x", in), 0);
	ck_assert_uint_eq(taking(10000, "x", in), MACHINES);
}
END_TEST

START_TEST(raising_the_share_only_adds)
{
	static bool before[MACHINES], after[MACHINES];
	unsigned i, added = 0;

	taking(1000, "libfoo-fix", before);
	taking(3000, "libfoo-fix", after);
	for (i = 0; i < MACHINES; i++) {
		ck_assert_msg(!before[i] || after[i], "machine %u dropped", i);
		added += after[i] && !before[i];
	}
	ck_assert_uint_gt(added, 1500);
}
END_TEST

START_TEST(seeds_pick_other_machines)
{
	static bool a[MACHINES], b[MACHINES];
	unsigned i, both = 0;

	taking(5000, "one", a);
	taking(5000, "two", b);
	for (i = 0; i < MACHINES; i++)
		both += a[i] && b[i];
	/* Independent halves share about a quarter. */
	ck_assert_uint_gt(both, 2200);
	ck_assert_uint_lt(both, 2800);
}
END_TEST

START_TEST(fields_read_back)
{
	pf_manifest m, back;
	pf_hook hooks[2] = {
		{ PF_HOOK_PRE_APPLY, 5, (uint8_t *)"#!/bin/sh\nexit 0\n", 17 },
		{ PF_HOOK_HEALTH, 60, (uint8_t *)"#!/bin/sh\ntrue\n", 15 },
	};
	pf_err err;
	pf_buf b;

	pf_manifest_init(&m);
	m.name = (char *)"fix";
	m.issue = (char *)"BUG-12";
	m.source_rev = (char *)"0123abc";
	m.source_url = (char *)"https://example.org/src.git";
	m.hooks = hooks;
	m.n_hooks = 2;
	m.has_phase = true;
	m.phase = 1250;
	m.phase_seed = (char *)"fam";
	pf_buf_init(&b);
	ck_assert_int_eq(pf_manifest_encode(&m, &b, &err), PF_OK);
	ck_assert_int_eq(pf_manifest_decode(&back, b.data, b.len, &err), PF_OK);
	ck_assert_str_eq(back.issue, "BUG-12");
	ck_assert_str_eq(back.source_rev, "0123abc");
	ck_assert_str_eq(back.source_url, "https://example.org/src.git");
	ck_assert_uint_eq(back.n_hooks, 2);
	ck_assert_int_eq(back.hooks[1].kind, PF_HOOK_HEALTH);
	ck_assert_uint_eq(back.hooks[0].timeout, 5);
	ck_assert_mem_eq(back.hooks[1].script, "#!/bin/sh\ntrue\n", 15);
	ck_assert(back.has_phase);
	ck_assert_uint_eq(back.phase, 1250);
	ck_assert_str_eq(back.phase_seed, "fam");
	pf_manifest_clear(&back);
	pf_buf_free(&b);
}
END_TEST

/* Hooks out of the order of kinds, or twice, are corrupt. */
START_TEST(hooks_out_of_order_are_corrupt)
{
	pf_manifest m, back;
	pf_hook hooks[2] = {
		{ PF_HOOK_HEALTH, 5, (uint8_t *)"a", 1 },
		{ PF_HOOK_PRE_APPLY, 5, (uint8_t *)"b", 1 },
	};
	pf_err err;
	pf_buf b;

	pf_manifest_init(&m);
	m.hooks = hooks;
	m.n_hooks = 2;
	pf_buf_init(&b);
	ck_assert_int_eq(pf_manifest_encode(&m, &b, &err), PF_OK);
	ck_assert_int_eq(pf_manifest_decode(&back, b.data, b.len, &err),
	    PF_ERR_CORRUPT);
	pf_buf_free(&b);
}
END_TEST

START_TEST(torn_line_is_cut)
{
	char dir[] = "/tmp/pf-audit-XXXXXX", path[64], text[256];
	pf_db *db = NULL;
	ssize_t n;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(pf_db_open(&db, dir, true), PF_OK);
	snprintf(path, sizeof path, "%s/log", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{\"a\":1}\n{\"b\":", 13), 13);
	close(fd);
	ck_assert_int_eq(pf_audit_append(db, "{\"c\":2}", 7, NULL), PF_OK);
	/* A second append of a line already last is a no-op with once. */
	ck_assert_int_eq(pf_audit_append(db, "{\"c\":2}", 7, "\"c\""), PF_OK);
	fd = open(path, O_RDONLY);
	n = read(fd, text, sizeof text - 1);
	close(fd);
	ck_assert_int_ge(n, 0);
	text[n] = '\0';
	ck_assert_str_eq(text, "{\"a\":1}\n{\"c\":2}\n");
	pf_db_free(db);
	unlink(path);
	snprintf(path, sizeof path, "%s/lock", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *
field_suite(void)
{
	Suite *s = suite_create("field");
	TCase *tc = tcase_create("phase");

	tcase_add_test(tc, share_is_kept_within_one_percent);
	tcase_add_test(tc, raising_the_share_only_adds);
	tcase_add_test(tc, seeds_pick_other_machines);
	suite_add_tcase(s, tc);
	tc = tcase_create("manifest");
	tcase_add_test(tc, fields_read_back);
	tcase_add_test(tc, hooks_out_of_order_are_corrupt);
	suite_add_tcase(s, tc);
	tc = tcase_create("log");
	tcase_add_test(tc, torn_line_is_cut);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_check_run(field_suite());
}
