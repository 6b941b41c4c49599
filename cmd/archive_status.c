/*
 * patch-status's part of issue 10: where dpkg's md5sums no longer match
 * a file because a patch changed it (dpkg --verify would report it).
 */
#include <config.h>

#include <stdio.h>

#include "archive.h"
#include "util.h"
#include "common/escape.h"
#include "format/dpkg.h"
#include "install/dpkg.h"

static void
show(const pf_db_info *p, const char *package, const pf_dpkg_mismatch *x,
    bool json, bool *first)
{
	if (json) {
		fputs(*first ? "{\"id\":" : ",{\"id\":", stdout);
		*first = false;
		pf_json_str(stdout, p->id);
		fputs(",\"package\":", stdout);
		pf_json_str(stdout, package);
		fputs(",\"path\":", stdout);
		pf_json_str(stdout, x->path);
		printf(",\"expected_md5\":\"%s\",\"found_md5\":\"%s\"}",
		    x->expected, x->found);
		return;
	}
	fputs("  dpkg: '", stdout);
	pf_text_str(stdout, x->path);
	fputs("' no longer matches the md5sums of '", stdout);
	pf_text_str(stdout, package);
	printf("' (changed by this patch): expected md5 %s, found %s\n",
	    x->expected, x->found);
}

void
pf_archive_status_dpkg(pf_db *db, const pf_db_info *p, const char *root,
    bool json, bool *first)
{
	const pf_manifest *m;
	pf_dpkg_mismatch *v = NULL;
	pf_reader *r = NULL;
	size_t i, n = 0;
	pf_err err;

	if (p->superseded_by != NULL ||
	    pf_db_open_package(db, p->id, &r) != PF_OK)
		goto out;
	m = pf_reader_manifest(r);
	pf_err_clear(&err);
	if (pf_manifest_string(m, PF_MANIFEST_DPKG_PACKAGE) == NULL)
		goto out;
	if (pf_dpkg_md5_mismatches(root, m, &v, &n, &err) != PF_OK) {
		pf_warnx("cannot compare with dpkg's md5sums: %s", err.msg);
		goto out;
	}
	for (i = 0; i < n; i++)
		show(p, pf_manifest_string(m, PF_MANIFEST_DPKG_PACKAGE), &v[i],
		    json, first);
out:
	pf_dpkg_mismatches_free(v, n);
	pf_reader_free(r);
}
