/*
 * The versioned structs of libpatchfmt.h: the library fills only as much
 * of one as its size says, so that a caller built against an older
 * header, whose struct is shorter, is never written past; a size of 0 is
 * refused by the functions that can say so.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/sized.h"
#include "libpatchfmt.h"
#include "run.h"

/* Version 2 of a struct, and the version 1 an old caller knows. */
typedef struct v2 {
	size_t size;
	int a, b;
	char c[8];
} v2;
typedef struct v1 {
	size_t size;
	int a, b;
} v1;

START_TEST(only_what_fits)
{
	v2 full = { .size = sizeof full, .a = 1, .b = 2, .c = "new" };
	struct {
		v1 s;
		char after[8];
	} old;
	v2 big;

	memset(&old, 'x', sizeof old);
	old.s.size = sizeof old.s;
	pf_sized_copy(&old.s, &full, sizeof full);
	ck_assert_uint_eq(old.s.size, sizeof old.s);
	ck_assert_int_eq(old.s.a, 1);
	ck_assert_int_eq(old.s.b, 2);
	ck_assert_mem_eq(old.after, "xxxxxxxx", 8);
	/* Size 0: nothing; a larger size: all there is. */
	memset(&big, 0, sizeof big);
	pf_sized_copy(&big, &full, sizeof full);
	ck_assert_int_eq(big.a, 0);
	big.size = sizeof big + 100;
	pf_sized_copy(&big, &full, sizeof full);
	ck_assert_uint_eq(big.size, sizeof big + 100);
	ck_assert_str_eq(big.c, "new");
}
END_TEST

START_TEST(size_zero_refused)
{
	char dir[] = "/tmp/check_sized.XXXXXX", cmd[64];
	pf_hook_result hr = { .size = 0 };
	pf_live_result lr = { .size = 0 };
	pf_db *db;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(pf_db_open(&db, dir, true), PF_OK);
	/* Refused before anything else is looked at. */
	ck_assert_int_eq(pf_db_run_hook(db, NULL, PF_HOOK_PRE_APPLY, dir, NULL,
	    &hr), PF_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(pf_db_error(db), "size"));
	ck_assert_int_eq(pf_db_live_apply(db, NULL, 1, 0, &lr), PF_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(pf_db_error(db), "size"));
	pf_db_free(db);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sized");
	TCase *tc = tcase_create("sized");

	tcase_add_test(tc, only_what_fits);
	tcase_add_test(tc, size_zero_refused);
	suite_add_tcase(s, tc);
	return pf_check_run(s);
}
