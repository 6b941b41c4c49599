/*
 * patch-status: which patches are installed under a root, what
 * superseded what, and whether the files still match.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "util.h"

static const char usage[] =
    "patch-status [--json] [--root dir] [--state-dir dir] [--pid pid | --log]";

static const char help[] =
    "  --json               one JSON document on standard output\n"
    "  --root dir           the tree (default /)\n"
    "  --state-dir dir      the state directory (default ROOT/var/lib/patchfmt)\n"
    "  --pid pid            the hot patches live in one process\n"
    "  --log                the audit log\n"
    "  -q, --quiet          no notes\n"
    "  -v, --verbose        more detail\n"
    "  --help, --version\n";

/* "" or ", on top of A, B" (text) or ["A","B"] (JSON): the patches
 * live patch id stands on in process pid, to be rolled back after it. */
static pf_ret
print_below(pf_db *db, const char *id, unsigned pid, int json)
{
	char **below;
	size_t i, n;
	pf_ret ret;

	if ((ret = pf_db_live_below(db, id, (int)pid, &below, &n)) != PF_OK)
		return ret;
	if (json)
		fputc('[', stdout);
	for (i = 0; i < n; i++) {
		if (json) {
			fputs(i ? "," : "", stdout);
			pf_json_str(stdout, below[i]);
		} else
			printf("%s%s", i ? ", " : ", on top of ", below[i]);
		free(below[i]);
	}
	free(below);
	if (json)
		fputc(']', stdout);
	return PF_OK;
}

/* The hot patches live in one process, after the recovery of what a
 * killed tool left there, each with the patches it stands on; a damaged
 * record is reported, not hidden. */
static int
status_live(pf_db *db, unsigned pid, int json)
{
	char **ids;
	size_t i, n;
	pf_ret ret;
	int rc = 0;
	bool bad;

	if ((ret = pf_db_live_recover(db, (int)pid, 0)) != PF_OK)
		rc = pf_fail(ret, pf_db_error(db));
	if ((ret = pf_db_live_list(db, (int)pid, &ids, &n)) != PF_OK)
		return pf_fail(ret, pf_db_error(db));

	if (json) {
		pf_json_open(stdout);
		printf("\"pid\":%u,\"live\":[", pid);
		for (i = 0; i < n; i++) {
			fputs(i ? "," : "", stdout);
			pf_json_str(stdout, ids[i]);
		}
		fputs("],\"on_top_of\":{", stdout);
	}
	else if (n == 0)
		printf("no patches live in process %u\n", pid);
	for (i = 0; i < n; i++) {
		ret = pf_db_live_check(db, ids[i], (int)pid);
		bad = ret != PF_OK;
		if (json) {
			fputs(i ? "," : "", stdout);
			pf_json_str(stdout, ids[i]);
			fputc(':', stdout);
		} else
			printf("%-24s %s in process %u", ids[i], bad ?
			    "damaged record" : "live", pid);
		if (!bad)
			ret = print_below(db, ids[i], pid, json);
		else if (json)
			fputs("[]", stdout);
		if (ret != PF_OK && rc == 0)
			rc = pf_fail(ret, pf_db_error(db));
		if (!json)
			fputc('\n', stdout);
		free(ids[i]);
	}
	free(ids);
	if (json)
		printf("},\"exit_status\":%d}\n", rc);
	if (fflush(stdout) != 0)
		return PF_EXIT_IO;
	return rc;
}

/* "intact", "modified", "superseded" or "unreadable". */
static const char *
files_state(pf_db *db, const pf_db_info *p, const char *root)
{
	pf_reader *r = NULL;
	pf_txn *t = NULL;
	const char *s = "unreadable";

	if (p->superseded_by != NULL)
		return "superseded";
	if (pf_db_open_package(db, p->id, &r) == PF_OK &&
	    pf_txn_new(&t, r, root) == PF_OK) {
		pf_ret rc = pf_txn_check(t);

		/* A file this user cannot read is not a modified one. */
		if (rc != PF_OK && rc != PF_ERR_MISMATCH)
			s = "unreadable";
		else if (rc != PF_OK ||
		    pf_txn_get_state(t) != PF_TXN_ALREADY_APPLIED)
			s = "modified";
		else
			s = "intact";
	}
	pf_txn_free(t);
	pf_reader_free(r);
	return s;
}

static void
print_text(const pf_db_info *p, const char *files)
{
	printf("%-24s %-16s release %-4" PRIu64 " files %-10s", p->id,
	    p->version ? p->version : "-", p->release, files);
	if (p->superseded_by)
		printf(" superseded by %s", p->superseded_by);
	putchar('\n');
}

static void
print_json(const pf_db_info *p, const char *files, int first)
{
	fputs(first ? "{\"id\":" : ",{\"id\":", stdout);
	pf_json_str(stdout, p->id);
	fputs(",\"version\":", stdout);
	pf_json_str(stdout, p->version);
	fputs(",\"family\":", stdout);
	pf_json_str(stdout, p->family);
	printf(",\"release\":%" PRIu64 ",\"product\":", p->release);
	pf_json_str(stdout, p->product);
	fputs(",\"to_version\":", stdout);
	pf_json_str(stdout, p->to_version);
	fputs(",\"superseded_by\":", stdout);
	pf_json_str(stdout, p->superseded_by);
	printf(",\"installed\":%" PRIu64 ",\"files\":\"%s\",\"digest\":",
	    p->installed, files);
	pf_json_str(stdout, p->digest);
	fputc('}', stdout);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },
		{ "log", no_argument, NULL, 'l' },
		PF_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *root = "/", *state_dir = NULL;
	const char *files;
	pf_db_info p = { .size = sizeof p };
	pf_db *db = NULL;
	size_t i;
	unsigned pid = 0;
	int c, json = 0, rc, log = 0;

	pf_cli_init("patch-status", usage, help, argc, argv);
	while ((c = getopt_long(argc, argv, "r:s:jqvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': root = optarg; break;
		case 's': state_dir = optarg; break;
		case 'j': json = 1; break;
		case 'l': log = 1; break;
		case 'p':
			if ((c = pf_opt_pid(usage, optarg, &pid)) != 0)
				return c;
			break;
		default:
			if (pf_cli_option(c))
				break;
			return pf_cli_bad_option();
		}
	}
	if (optind != argc)
		return pf_usage_error(usage, "unexpected argument");
	if (log && pid)
		return pf_usage_error(usage,
		    "--log and --pid exclude each other");
	if ((rc = pf_open_state(&db, root, state_dir, false)) != 0) {
		pf_db_free(db);
		return rc;
	}
	if (pid && kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
		pf_db_free(db);
		return pf_usage_error(usage, "no process %u", pid);
	}
	if (pid) {
		rc = status_live(db, pid, json);
		pf_db_free(db);
		return rc;
	}
	/* The audit log (spec section 12.8), after any recovery's line. */
	if (log) {
		pf_ret ret;

		if (json) {
			pf_json_open(stdout);
			fputs("\"log\":", stdout);
		}
		ret = pf_db_log_print(db, stdout, json);
		if (json)
			printf(",\"exit_status\":%d}\n",
			    pf_ret_exit_status(ret));
		rc = ret == PF_OK ? 0 : pf_fail(ret, pf_db_error(db));
		pf_db_free(db);
		return rc == 0 && fflush(stdout) != 0 ? PF_EXIT_IO : rc;
	}
	bool first = true;

	if (json) {
		pf_json_open(stdout);
		fputs("\"patches\":[", stdout);
	} else if (pf_db_count(db) == 0)
		printf("no patches installed under '%s'\n", pf_shown(root));
	for (i = 0; i < pf_db_count(db); i++) {
		pf_db_get(db, i, &p);
		files = files_state(db, &p, root);
		/* Files changed since the install: a status of their own. */
		if (strcmp(files, "modified") == 0)
			rc = PF_EXIT_MODIFIED;
		if (json)
			print_json(&p, files, i == 0);
		else
			print_text(&p, files);
		if (!json)
			pf_archive_status_dpkg(db, &p, root, false, &first);
	}
	/* Files whose dpkg md5sums a patch made stale (cmd/archive_status.c). */
	if (json)
		fputs("],\"dpkg_md5sums\":[", stdout);
	for (i = 0; json && i < pf_db_count(db); i++) {
		pf_db_get(db, i, &p);
		pf_archive_status_dpkg(db, &p, root, true, &first);
	}
	if (json)
		printf("],\"exit_status\":%d}\n", rc);
	else if (rc == PF_EXIT_MODIFIED && !pf_cli_ctx.quiet)
		pf_warnx("files of an installed patch were changed since it "
		    "was installed");
	pf_db_free(db);
	return fflush(stdout) == 0 ? rc : PF_EXIT_IO;
}
