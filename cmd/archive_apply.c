/*
 * patch-apply's part of issue 10: dpkg's status checked before writing.
 */
#include <config.h>

#include <stdio.h>

#include "archive.h"
#include "util.h"
#include "common/json.h"
#include "install/dpkg.h"

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
