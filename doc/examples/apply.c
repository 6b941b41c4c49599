/*
 * Verifies a signed patch package and installs it into a tree with
 * libpatchfmt alone, as a package manager linking the library would:
 *
 *	apply KEYRING-DIR PACKAGE ROOT [STATE-DIR]
 *
 * It uses only the public API (libpatchfmt.h) and links the shared
 * library; make check builds it and runs it on testdata/example
 * (tests/api/example.sh).  Exit status: 0 installed or already
 * installed, otherwise the tools' status for the error
 * (pf_ret_exit_status(), spec/patchfmt.md section 9.6).  Outside the
 * source tree:
 *
 *	cc apply.c -o apply $(pkg-config --cflags --libs libpatchfmt)
 */
#define _POSIX_C_SOURCE 200809L         /* O_CLOEXEC */

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <libpatchfmt.h>

/* Prints what failed and returns the exit status for it. */
static int
failed(const char *what, pf_ret r, const char *msg)
{
	fprintf(stderr, "apply: %s: %s\n", what, msg ? msg : pf_ret_str(r));
	return pf_ret_exit_status(r);
}

int
main(int argc, char **argv)
{
	pf_keyring *keys = NULL;        /* owned here, freed at the end */
	pf_reader *r = NULL;            /* borrowed by t: freed after t */
	pf_txn *t = NULL;
	pf_db *db = NULL;
	pf_trust *trust = NULL;         /* borrows keys */
	const pf_manifest *m;           /* borrowed from r */
	size_t i;
	pf_ret ret;
	int fd = -1, rc = 0;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: apply keyring-dir package root "
		    "[state-dir]\n");
		return 2;
	}
	/* 1. The keys we trust, and what we demand of the package. */
	if ((ret = pf_keyring_new(&keys)) != PF_OK)
		return failed("keyring", ret, NULL);
	if ((ret = pf_keyring_add_dir(keys, argv[1])) != PF_OK) {
		rc = failed("keyring", ret, pf_keyring_error(keys));
		goto out;
	}
	if ((ret = pf_trust_new(&trust)) != PF_OK) {
		rc = failed("trust", ret, NULL);
		goto out;
	}
	pf_trust_set_keyring(trust, keys);
	pf_trust_set_threshold(trust, 1);
	/* 2. Open and verify the whole package before anything else. */
	if ((fd = open(argv[2], O_RDONLY | O_CLOEXEC)) < 0) {
		perror(argv[2]);
		rc = 5;
		goto out;
	}
	ret = pf_reader_open_trusted(&r, fd, trust);
	if (ret != PF_OK) {
		rc = failed(argv[2], ret, r ? pf_reader_error(r) : NULL);
		goto out;
	}
	/* 3. The state directory: locked, and any interrupted run recovered. */
	ret = pf_db_open_root(&db, argv[3], argc == 5 ? argv[4] : NULL, true);
	if (ret == PF_OK)
		ret = pf_db_recover(db, argv[3]);
	if (ret != PF_OK) {
		rc = failed("state", ret, db ? pf_db_error(db) : NULL);
		goto out;
	}
	if ((ret = pf_db_check_install(db, r, false)) != PF_OK) {
		rc = failed(pf_reader_id(r), ret, pf_db_error(db));
		goto out;
	}
	/* 4. Compare the tree with the package, decode every payload against
	 * it, and check there is room: nothing is written until then. */
	ret = pf_txn_new(&t, r, argv[3]);
	if (ret == PF_OK)
		ret = pf_txn_check(t);
	if (ret == PF_OK)
		ret = pf_txn_verify(t);
	if (ret == PF_OK)
		ret = pf_txn_preflight(t);
	if (ret != PF_OK) {
		rc = failed(argv[3], ret, t ? pf_txn_error(t) : NULL);
		goto out;
	}
	if (pf_txn_get_state(t) == PF_TXN_ALREADY_APPLIED) {
		printf("%s: already applied\n", pf_reader_id(r));
		goto out;
	}
	/* 5. Install and record it: one journaled transaction. */
	if ((ret = pf_db_install(db, r, t, argv[3])) != PF_OK) {
		rc = failed(argv[3], ret, pf_db_error(db));
		goto out;
	}
	/* 6. What changed: the manifest, read through its accessors. */
	m = pf_reader_manifest(r);
	for (i = 0; i < pf_manifest_entry_count(m); i++)
		printf("%-7s %s\n", pf_action_str(pf_txn_action(t, i)),
		    pf_entry_path(pf_manifest_entry(m, i)));
	printf("%s: applied to %s\n", pf_reader_id(r), argv[3]);
out:
	pf_txn_free(t);
	pf_reader_free(r);
	pf_trust_free(trust);
	pf_db_free(db);
	pf_keyring_free(keys);
	if (fd >= 0)
		close(fd);
	return rc;
}
