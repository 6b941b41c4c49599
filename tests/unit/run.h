/*
 * The main loop every Check program shares: run the suite (forked, as
 * CK_FORK=yes from the harness asks), report, and turn the failure count
 * into an exit status.
 */
#ifndef PF_TESTS_RUN_H
#define PF_TESTS_RUN_H

#include <check.h>
#include <stdlib.h>

#include "common/hash.h"

static inline int
pf_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	pf_crypto_init();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
