/*
 * patch-status's part of issue 10: where dpkg's md5sums no longer match
 * a file because a patch changed it (dpkg --verify would report it).
 */
#include <config.h>

#include <stdio.h>

#include "archive.h"
#include "util.h"

/* What show() needs beside the mismatch itself. */
typedef struct shown {
	const pf_db_info *p;
	const char *package;
	bool json;
	bool *first;
} shown;

static void
show(void *opaque, const char *path, const char *expected,
    const char *found)
{
	shown *s = opaque;

	if (s->json) {
		fputs(*s->first ? "{\"id\":" : ",{\"id\":", stdout);
		*s->first = false;
		pf_json_str(stdout, s->p->id);
		fputs(",\"package\":", stdout);
		pf_json_str(stdout, s->package);
		fputs(",\"path\":", stdout);
		pf_json_str(stdout, path);
		printf(",\"expected_md5\":\"%s\",\"found_md5\":\"%s\"}",
		    expected, found);
		return;
	}
	fputs("  dpkg: '", stdout);
	fputs(pf_shown(path), stdout);
	fputs("' no longer matches the md5sums of '", stdout);
	fputs(pf_shown(s->package), stdout);
	printf("' (changed by this patch): expected md5 %s, found %s\n",
	    expected, found);
}

void
pf_archive_status_dpkg(pf_db *db, const pf_db_info *p, const char *root,
    bool json, bool *first)
{
	shown s = { p, NULL, json, first };
	pf_reader *r = NULL;

	if (p->superseded_by != NULL ||
	    pf_db_open_package(db, p->id, &r) != PF_OK)
		goto out;
	s.package = pf_manifest_string(pf_reader_manifest(r),
	    PF_MANIFEST_DPKG_PACKAGE);
	if (s.package == NULL)
		goto out;
	if (pf_reader_dpkg_verify(r, root, show, &s) != PF_OK)
		pf_warnx("cannot compare with dpkg's md5sums: %s",
		    pf_reader_error(r));
out:
	pf_reader_free(r);
}
