/*
 * patch-apply's part of issue 10: dpkg's status checked before writing,
 * and the new files written elsewhere (--output, --output-tar).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "archive_out.h"
#include "util.h"

int
pf_archive_dpkg_check(const char *root, pf_reader *r, bool json)
{
	const pf_manifest *m = pf_reader_manifest(r);
	pf_dpkg_state st;
	pf_ret ret;

	ret = pf_reader_dpkg_check(r, root, &st);
	if (ret == PF_OK)
		return 0;
	/* dpkg has not installed the package: a status of its own. */
	if (st == PF_DPKG_ABSENT)
		ret = PF_ERR_NOT_INSTALLED;
	if (json) {
		pf_json_open(stdout);
		fputs("\"package\":", stdout);
		pf_json_str(stdout, pf_manifest_string(m, PF_MANIFEST_NAME));
		fputs(",\"version\":", stdout);
		pf_json_str(stdout, pf_manifest_string(m, PF_MANIFEST_VERSION));
		fputs(",\"root\":", stdout);
		pf_json_str(stdout, root);
		fputs(",\"status\":\"error\",", stdout);
		pf_json_error(stdout, ret, pf_reader_error(r), NULL);
		printf(",\"exit_status\":%d}\n", pf_ret_exit_status(ret));
	}
	return pf_fail(ret, pf_reader_error(r));
}

int
pf_archive_out_opt(pf_archive_out *ao, int c, const char *arg)
{
	if (c == ARCHIVE_OPT_OUTPUT)
		ao->dir = arg;
	else if (c == ARCHIVE_OPT_OUTPUT_TAR)
		ao->tar = arg;
	else
		return 0;
	return 1;
}

static void
report(const pf_archive_out *ao, const char *root, const pf_reader *r,
    bool json)
{
	const pf_manifest *m = pf_reader_manifest(r);
	const char *to = ao->dir ? ao->dir : ao->tar;
	size_t i, n = 0;

	for (i = 0; i < pf_manifest_entry_count(m); i++)
		n += pf_state_type(pf_entry_state(pf_manifest_entry(m, i),
		    PF_AFTER)) != PF_TYPE_NONE;
	if (json) {
		pf_json_open(stdout);
		fputs("\"package\":", stdout);
		pf_json_str(stdout, pf_manifest_string(m, PF_MANIFEST_NAME));
		fputs(",\"root\":", stdout);
		pf_json_str(stdout, root);
		fputs(",\"output\":", stdout);
		pf_json_str(stdout, to);
		printf(",\"status\":\"written\",\"paths\":%zu,"
		    "\"exit_status\":0}\n", n);
	} else if (ao->tar == NULL || strcmp(ao->tar, "-") != 0)
		printf("%s: wrote the new state of %zu paths of '%s' to '%s'; "
		    "'%s' was not changed\n", pf_progname, n, pf_reader_id(r),
		    to, root);
}

int
pf_archive_output(const pf_archive_out *ao, const char *root, pf_reader *r,
    unsigned txn_flags, bool json)
{
	pf_out_file f = { .fd = -1 };
	pf_txn *t = NULL;
	pf_ret ret;
	int rc;

	/* With --json the document is the standard output: not the tar. */
	if (json && ao->tar != NULL && strcmp(ao->tar, "-") == 0)
		return pf_fail(PF_ERR_USAGE, "--json writes to the standard "
		    "output: give --output-tar a file");
	if ((rc = pf_archive_dpkg_check(root, r, json)) != 0)
		return rc;
	if (ao->tar != NULL && (rc = pf_out_open(&f, ao->tar)) != 0)
		return rc;
	ret = pf_txn_new(&t, r, root);
	if (ret == PF_OK)
		ret = pf_txn_set_flags(t, txn_flags);
	if (ret == PF_OK)
		ret = ao->dir ? pf_txn_output_dir(t, ao->dir) :
		    pf_txn_output_tar(t, f.fd);
	if (ao->tar != NULL && pf_out_close(&f, ret == PF_OK, 0644) < 0 &&
	    ret == PF_OK)
		ret = PF_ERR_IO;
	if (ret == PF_OK)
		report(ao, root, r, json);
	else {
		pf_fail_detail d;

		pf_detail_of(&d, t ? pf_txn_error(t) : NULL, r, t, NULL);
		rc = pf_fail_at(ret, t ? pf_txn_error(t) : NULL, &d);
	}
	pf_txn_free(t);
	return rc;
}
