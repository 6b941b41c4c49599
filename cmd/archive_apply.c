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
#include "common/json.h"
#include "install/dpkg.h"
#include "install/output.h"

int
pf_archive_dpkg_check(const char *root, const pf_reader *r, bool json)
{
	const pf_manifest *m = pf_reader_manifest(r);
	pf_dpkg_state st;
	pf_err err;
	pf_ret ret;
	int status;

	pf_err_clear(&err);
	ret = pf_dpkg_check(root, m, &st, &err);
	if (ret == PF_OK)
		return 0;
	status = st == PF_DPKG_ABSENT ? ARCHIVE_EXIT_NOT_INSTALLED :
	    pf_ret_exit_status(ret);
	if (json) {
		fputs("{\"package\":", stdout);
		pf_json_str(stdout, m->name);
		fputs(",\"version\":", stdout);
		pf_json_str(stdout, m->version);
		fputs(",\"root\":", stdout);
		pf_json_str(stdout, root);
		fputs(",\"status\":\"error\",\"error\":", stdout);
		pf_json_str(stdout, err.msg);
		printf(",\"exit_status\":%d}\n", status);
	}
	pf_fail(ret, err.msg);
	return status;
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

	for (i = 0; i < m->n_entries; i++)
		n += m->entries[i].after.type != PF_TYPE_NONE;
	if (json) {
		fputs("{\"package\":", stdout);
		pf_json_str(stdout, m->name);
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

	if ((rc = pf_archive_dpkg_check(root, r, json)) != 0)
		return rc;
	if (ao->tar != NULL && pf_out_open(&f, ao->tar) < 0)
		return PF_EXIT_IO;
	ret = pf_txn_new(&t, r, root);
	if (ret == PF_OK)
		ret = pf_txn_set_flags(t, txn_flags);
	if (ret == PF_OK)
		ret = ao->dir ? pf_output_dir(t, ao->dir) :
		    pf_output_tar(t, f.fd);
	if (ao->tar != NULL && pf_out_close(&f, ret == PF_OK, 0644) < 0 &&
	    ret == PF_OK)
		ret = PF_ERR_IO;
	if (ret == PF_OK)
		report(ao, root, r, json);
	else
		rc = pf_fail(ret, t ? pf_txn_error(t) : NULL);
	if (ret != PF_OK && json) {
		fputs("{\"status\":\"error\",\"error\":", stdout);
		pf_json_str(stdout, t ? pf_txn_error(t) : NULL);
		printf(",\"exit_status\":%d}\n", rc);
	}
	pf_txn_free(t);
	return rc;
}
