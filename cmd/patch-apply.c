/*
 * patch-apply: verify a package and install it into a tree.
 */
#include <config.h>

#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "stale.h"
#include "util.h"
#include "field.h"

static const char usage[] =
    "patch-apply [--check] [--json] [--root dir] [--state-dir dir] "
    "[--keyring dir] [--threshold n] [--allow-unsigned] [--force-downgrade] "
    "[--needs-root dir | --skip-needs] [--pid pid | --all-processes | "
    "--live] [--wait ms] [--no-owners] [--no-xattrs] [--no-hooks] "
    "[--ignore-phasing] " ARCHIVE_APPLY_USAGE "package\n"
    "       patch-apply --recover [--root dir] [--state-dir dir]";

static const char help[] =
    "  --check              verify everything and say what would change\n"
    "  --json               one JSON document on standard output\n"
    "  --root dir           the tree to patch (default /)\n"
    "  --state-dir dir      the state directory (default ROOT/var/lib/patchfmt)\n"
    "  --keyring dir|file   trusted keys (default /etc/patchfmt/keys)\n"
    "  --threshold n        signatures needed from distinct trusted keys\n"
    "  --allow-unsigned     install a package that has no signature\n"
    "  --force-downgrade    let an older release replace a newer one\n"
    "  --needs-root dir     look for needed libraries under dir\n"
    "  --skip-needs         do not check the libraries the package needs\n"
    "  --pid pid            hot-patch one running process\n"
    "  --all-processes      hot-patch every process that runs an old build\n"
    "  --live               install, then hot-patch the running processes\n"
    "  --wait ms            how long to wait for a busy process\n"
    "  --no-owners          do not set owners\n"
    "  --no-xattrs          do not set extended attributes\n"
    "  --no-hooks           do not run the package's hooks\n"
    "  --ignore-phasing     install even outside the phased rollout\n"
    "  --output dir         write the new files to dir, root untouched\n"
    "  --output-tar file    the same as a tar archive (- for stdout)\n"
    "  --recover            only finish or undo an interrupted run\n"
    "  -q, --quiet          no notes\n"
    "  -v, --verbose        more detail\n"
    "  --help, --version\n";

typedef struct opts {
	const char *root;
	const char *package;
	const char *state_dir;
	const char *needs_root;
	int check, json, force_downgrade, skip_needs, all, recover;
	int live;                       /* --live: the tree, then processes */
	unsigned txn_flags;             /* PF_TXN_NO_OWNERS, PF_TXN_NO_XATTRS */
	unsigned pid, wait_ms;
	pf_trust_opts trust;
} opts;

/* Hooks and phasing (field_apply.c). */
static pf_field_apply field;
/* --output, --output-tar: the new files elsewhere (archive_apply.c). */
static pf_archive_out output;

static const char *
status_word(pf_txn_state s, int check)
{
	if (s == PF_TXN_ALREADY_APPLIED)
		return "already-applied";
	return check ? "applicable" : "applied";
}

static void
report_text(const opts *o, const pf_manifest *m, const pf_txn *t)
{
	const char *name = pf_manifest_string(m, PF_MANIFEST_NAME);
	const char *version = pf_manifest_string(m, PF_MANIFEST_VERSION);
	size_t i, n = 0;
	pf_action a;

	for (i = 0; i < pf_manifest_entry_count(m); i++) {
		a = pf_txn_action(t, i);
		if (a == PF_ACTION_NONE)
			continue;
		n++;
		printf("%s %-9s %s\n", o->check ? "would" : "     ",
		    pf_action_str(a),
		    pf_shown(pf_entry_path(pf_manifest_entry(m, i))));
	}
	pf_field_phase_text(&field, stdout);
	printf("%s: '%s'%s%s ", pf_progname, name ? name : o->package,
	    version ? " " : "", version ? version : "");
	if (pf_txn_get_state(t) == PF_TXN_ALREADY_APPLIED)
		printf("is already applied to '%s'\n", o->root);
	else
		printf("%s to '%s': %zu changes\n",
		    o->check ? "can be applied" : "applied", o->root, n);
}

static void
report_json(const opts *o, const pf_manifest *m, const pf_txn *t,
    pf_ret ret, const char *msg, const pf_fail_detail *d)
{
	size_t i, n = 0;
	pf_action a;

	pf_json_open(stdout);
	fputs("\"package\":", stdout);
	pf_json_str(stdout, m ? pf_manifest_string(m, PF_MANIFEST_NAME) : NULL);
	fputs(",\"version\":", stdout);
	pf_json_str(stdout, m ? pf_manifest_string(m, PF_MANIFEST_VERSION) : NULL);
	fputs(",\"root\":", stdout);
	pf_json_str(stdout, o->root);
	pf_field_phase_json(&field, stdout);
	if (ret != PF_OK) {
		fputs(",\"status\":\"error\",", stdout);
		pf_json_error(stdout, ret, msg, d);
		printf(",\"exit_status\":%d}\n", pf_ret_exit_status(ret));
		return;
	}
	printf(",\"status\":\"%s\",\"check\":%s,\"changes\":[",
	    status_word(pf_txn_get_state(t), o->check),
	    o->check ? "true" : "false");
	for (i = 0; i < pf_manifest_entry_count(m); i++) {
		a = pf_txn_action(t, i);
		if (a == PF_ACTION_NONE)
			continue;
		fputs(n++ ? ",{\"path\":" : "{\"path\":", stdout);
		pf_json_str(stdout, pf_entry_path(pf_manifest_entry(m, i)));
		printf(",\"action\":\"%s\"}", pf_action_str(a));
	}
	fputs("],\"exit_status\":0}\n", stdout);
}

static int
finish(const opts *o, pf_reader *r, pf_txn *t, pf_db *db, pf_ret ret,
    const char *msg)
{
	const pf_manifest *m = r && pf_reader_status(r) == PF_OK ?
	    pf_reader_manifest(r) : NULL;
	pf_fail_detail d;

	pf_detail_of(&d, msg, r, t, db);
	if (o->json)
		report_json(o, m, t, ret, msg, &d);
	if (ret != PF_OK)
		return pf_fail_at(ret, msg, &d);
	if (!o->json)
		report_text(o, m, t);
	if (fflush(stdout) == 0 && !ferror(stdout))
		return PF_EXIT_OK;
	pf_warnx("cannot write the report to standard output; the package "
	    "%s", o->check ? "can be applied" : "was applied");
	return PF_EXIT_IO;
}

/*
 * One process; with all set, a process that runs none of the builds, has
 * gone since /proc was read, or cannot be looked into (*opaque) is passed
 * over.  *hit tells whether it runs one.
 */
static int
live_one(const opts *o, pf_db *db, pf_reader *r, unsigned pid, bool all,
    bool *hit, bool *opaque)
{
	pf_live_result res = { .size = sizeof res };
	pf_ret ret;
	int rc = 0;

	ret = pf_db_live_apply(db, r, (int)pid, o->wait_ms, &res);
	*hit = ret == PF_OK || (!res.not_running && !res.unreadable);
	if (*hit && !res.already)
		pf_db_log_event(db, "hot-patch", pf_reader_id(r), (int)pid, ret,
		    pf_db_error(db));
	*opaque = res.unreadable && ret == PF_ERR_IO;
	if (ret != PF_OK && all && !*hit)
		return 0;
	if (ret != PF_OK && o->json) {
		pf_json_open(stdout);
		printf("\"id\":\"%s\",\"pid\":%u,\"status\":\"error\",",
		    pf_reader_id(r), pid);
		pf_json_error(stdout, ret, pf_db_error(db), NULL);
		printf(",\"exit_status\":%d}\n", pf_ret_exit_status(ret));
	}
	if (ret != PF_OK)
		rc = pf_fail(ret, pf_db_error(db));
	else if (o->json) {
		pf_json_open(stdout);
		printf("\"id\":\"%s\",\"pid\":%u,\"status\":\"%s\","
		    "\"modules\":%zu,\"functions\":%zu,\"stop_ms\":%.3f,"
		    "\"exit_status\":0}\n", pf_reader_id(r), pid, res.already ?
		    "already-applied" : "applied", res.modules, res.functions,
		    res.stop_ns / 1e6);
	}
	else if (res.already)
		printf("%s: '%s' is already live in process %u\n", pf_progname,
		    pf_reader_id(r), pid);
	else
		printf("%s: '%s' is live in process %u: %zu functions in %zu "
		    "modules, threads stopped %.3f ms\n", pf_progname,
		    pf_reader_id(r), pid, res.functions, res.modules,
		    res.stop_ns / 1e6);
	return rc;
}

static bool
has_live(const pf_manifest *m)
{
	size_t i;

	for (i = 0; i < pf_manifest_entry_count(m); i++)
		if (pf_entry_blob(pf_manifest_entry(m, i), PF_BLOB_LIVE) !=
		    PF_NO_BLOB)
			return true;
	return false;
}

/* Every process that runs one of the builds the package hot-patches. */
static int
live_all(const opts *o, pf_db *db, pf_reader *r)
{
	struct dirent **list = NULL;
	unsigned pid, self = (unsigned)getpid(), hidden = 0;
	int i, n, rc = 0, one;
	bool hit, opaque, any = false;

	/* Said once, not for every process. */
	if (!has_live(pf_reader_manifest(r))) {
		return pf_fail_path(PF_ERR_MISMATCH, NULL, "package '%s' has no hot-patch records: install it "
		    "on disk", pf_reader_id(r));
	}
	n = scandir("/proc", &list, NULL, versionsort);
	for (i = 0; i < n; i++) {
		if (pf_parse_uint(list[i]->d_name, 1u << 22, &pid) == 0 &&
		    pid != self && pid != 0) {
			one = live_one(o, db, r, pid, true, &hit, &opaque);
			any |= hit;
			hidden += opaque;
			if (rc == 0)
				rc = one;
		}
		free(list[i]);
	}
	free(list);
	if (hidden > 0)
		pf_warnx("%u processes could not be looked into (ptrace "
		    "permission)", hidden);
	if (!any && rc == 0)
		rc = pf_fail(PF_ERR_MISMATCH, "no process runs a build this "
		    "package hot-patches");
	return rc;
}

/*
 * --live: once the files are installed, every process that runs an old
 * build the package hot-patches gets the patch, and those that still
 * map a replaced file and were not patched are listed.  The install
 * stands either way: the status is the install's.
 */
static int
live_after(const opts *o, pf_reader *r)
{
	const pf_manifest *m = pf_reader_manifest(r);
	struct dirent **list = NULL;
	unsigned pid, *done = NULL, self = (unsigned)getpid();
	size_t n_done = 0;
	pf_db *db = NULL;
	bool hit, opaque;
	int i, n = 0;
	void *v;

	if (!has_live(m))
		;
	else if (pf_reader_signature_count(r) == 0)
		pf_warnx("hot patches come from signed packages only: no "
		    "process was patched");
	else if (pf_open_state(&db, o->root, o->state_dir, true) == 0)
		n = scandir("/proc", &list, NULL, versionsort);
	for (i = 0; i < n; i++) {
		if (pf_parse_uint(list[i]->d_name, 1u << 22, &pid) == 0 &&
		    pid != self && pid != 0 &&
		    live_one(o, db, r, pid, true, &hit, &opaque) == 0 && hit &&
		    (v = realloc(done, (n_done + 1) * sizeof *done)) != NULL) {
			done = v;
			done[n_done++] = pid;
		}
		free(list[i]);
	}
	free(list);
	pf_db_free(db);
	pf_stale_report(m, o->root, done, n_done, o->json, pf_reader_id(r));
	free(done);
	return fflush(stdout) == 0 ? 0 : PF_EXIT_IO;
}

/* Hot patching: into the memory of processes, not into files. */
static int
install_live(const opts *o, pf_reader *r)
{
	pf_db *db = NULL;
	bool hit, opaque;
	int rc;

	/* Code goes into a running process from signed packages only. */
	if (pf_reader_signature_count(r) == 0)
		return pf_fail(PF_ERR_TRUST, "hot patches are installed from "
		    "signed packages only, --allow-unsigned or not");
	if ((rc = pf_open_state(&db, o->root, o->state_dir, true)) != 0)
		;
	else if (o->all)
		rc = live_all(o, db, r);
	else
		rc = live_one(o, db, r, o->pid, false, &hit, &opaque);
	pf_db_free(db);
	return rc;
}

/*
 * The state first (dependencies, downgrades), then the tree: the install
 * itself is one journaled transaction of tree and state together
 * (pf_db_install()), which a later run finishes or undoes after a crash.
 */
static int
install(const opts *o, pf_reader *r, pf_txn **t)
{
	const char *msg = NULL;
	pf_db *db = NULL;
	pf_ret ret;
	int rc;

	if (o->force_downgrade)
		pf_warnx("WARNING: --force-downgrade: an older release may "
		    "replace a newer one");
	if (o->txn_flags & PF_TXN_NO_OWNERS)
		pf_warnx("WARNING: --no-owners: files keep the owner this "
		    "process gives them, not the package's");
	if (o->txn_flags & PF_TXN_NO_XATTRS)
		pf_warnx("WARNING: --no-xattrs: capabilities, ACLs, labels and "
		    "other extended attributes of the package are not set");
	if (!o->check)
		pf_field_warn_no_hooks(&field, r);
	/* dpkg's record of the root, before anything is written. */
	if ((rc = pf_archive_dpkg_check(o->root, r, o->json)) != 0)
		return rc;
	if ((rc = pf_open_state(&db, o->root, o->state_dir, !o->check)) != 0)
		return rc;
	ret = pf_db_check_install(db, r, o->force_downgrade);
	if (ret != PF_OK) {
		msg = pf_db_error(db);
		goto out;
	}
	ret = pf_txn_new(t, r, o->root);
	if (ret == PF_OK)
		ret = pf_txn_set_flags(*t, o->txn_flags);
	if (ret == PF_OK)
		ret = pf_txn_check(*t);
	if (ret == PF_OK && !o->skip_needs)
		ret = pf_txn_check_needs(*t, o->needs_root);
	if (ret == PF_OK && o->check)
		ret = pf_txn_verify(*t);
	if (ret == PF_OK && o->check)
		ret = pf_txn_preflight(*t);
	msg = *t ? pf_txn_error(*t) : NULL;
	/* Phasing and the pre-apply hook: still nothing written. */
	if (ret == PF_OK && pf_txn_get_state(*t) == PF_TXN_PENDING &&
	    ((ret = pf_field_phase(&field, r, o->root)) != PF_OK ||
	    (!o->check && (ret = pf_field_hook(&field, db, r,
	    PF_HOOK_PRE_APPLY, o->root, *t)) != PF_OK)))
		msg = field.msg;
	if (ret == PF_OK && !o->check) {
		pf_txn_set_cancel(*t, &pf_stop);
		pf_signals_arm(true);
		ret = pf_db_install(db, r, *t, o->root);
		pf_signals_arm(false);
		msg = pf_db_error(db);
		if (ret == PF_OK && pf_txn_note(*t) != NULL)
			pf_warnx("warning: %s", pf_txn_note(*t));
		if (ret == PF_OK && (ret = pf_field_after_install(&field, db, r,
		    o->root, *t, o->txn_flags)) != PF_OK)
			msg = field.msg;
	}
out:
	rc = finish(o, r, *t, db, ret, msg);
	pf_db_free(db);
	return rc;
}

/* patch-apply --recover: only what an interrupted run left. */
static int
recover_only(const opts *o)
{
	pf_db *db = NULL;
	int rc;

	rc = pf_open_state(&db, o->root, o->state_dir, false);
	if (rc == 0 && o->json) {
		pf_json_open(stdout);
		fputs("\"root\":", stdout);
		pf_json_str(stdout, o->root);
		printf(",\"status\":\"%s\",\"recovered\":",
		    pf_db_recovered(db) ? "recovered" : "nothing-to-recover");
		pf_json_str(stdout, pf_db_recovered(db));
		fputs(",\"exit_status\":0}\n", stdout);
	} else if (rc == 0 && pf_db_recovered(db) == NULL)
		printf("%s: nothing to recover under '%s'\n", pf_progname,
		    pf_shown(o->root));
	pf_db_free(db);
	return rc;
}

static int
run(const opts *o)
{
	pf_keyring *kr = NULL;
	pf_reader *r = NULL;
	pf_txn *t = NULL;
	pf_trust *trust = NULL;
	pf_ret ret;
	int fd, rc;

	if ((rc = pf_check_root(o->root)) != 0)
		return rc;
	if ((rc = pf_load_trust(&o->trust, o->root, &kr, &trust)) != 0) {
		pf_keyring_free(kr);
		return rc;
	}
	if ((fd = pf_open_input(o->package)) < 0) {
		pf_trust_free(trust);
		pf_keyring_free(kr);
		return PF_EXIT_IO;
	}
	ret = pf_reader_open_trusted(&r, fd, trust);
	if (ret != PF_OK) {
		rc = finish(o, r, NULL, NULL, ret, r ? pf_reader_error(r) :
		    NULL);
		goto out;
	}
	pf_warn_unsigned(&o->trust, r);
	if (output.dir || output.tar)
		rc = pf_archive_output(&output, o->root, r, o->txn_flags,
		    o->json);
	else
		rc = o->pid || o->all ? install_live(o, r) : install(o, r, &t);
	if (rc == 0 && o->live && !o->check)
		rc = live_after(o, r);
out:
	pf_txn_free(t);
	pf_reader_free(r);
	pf_trust_free(trust);
	pf_keyring_free(kr);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "check", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "keyring", required_argument, NULL, 'K' },
		{ "threshold", required_argument, NULL, 't' },
		{ "allow-unsigned", no_argument, NULL, 'U' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "force-downgrade", no_argument, NULL, 'D' },
		{ "needs-root", required_argument, NULL, 'N' },
		{ "pid", required_argument, NULL, 'p' },
		{ "wait", required_argument, NULL, 'w' },
		{ "all-processes", no_argument, NULL, 'A' },
		{ "live", no_argument, NULL, 'L' },
		{ "skip-needs", no_argument, NULL, 'S' },
		{ "recover", no_argument, NULL, 'R' },
		{ "no-owners", no_argument, NULL, 'O' },
		{ "no-xattrs", no_argument, NULL, 'X' },
		PF_FIELD_APPLY_LONGOPTS,
		ARCHIVE_APPLY_LONGOPTS,
		PF_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	opts o = { .root = "/" };
	int c;

	pf_cli_init("patch-apply", usage, help, argc, argv);
	while ((c = getopt_long(argc, argv, "r:cjqvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o.root = optarg; break;
		case 'c': o.check = 1; break;
		case 'j': o.json = 1; break;
		case 'K': o.trust.keyring = optarg; break;
		case 'U': o.trust.allow_unsigned = 1; break;
		case 's': o.state_dir = optarg; break;
		case 'D': o.force_downgrade = 1; break;
		case 'N': o.needs_root = optarg; break;
		case 'S': o.skip_needs = 1; break;
		case 'A': o.all = 1; break;
		case 'L': o.live = 1; break;
		case 'R': o.recover = 1; break;
		case 'O': o.txn_flags |= PF_TXN_NO_OWNERS; break;
		case 'X': o.txn_flags |= PF_TXN_NO_XATTRS; break;
		case PF_OPT_NO_HOOKS: field.no_hooks = 1; break;
		case PF_OPT_IGNORE_PHASING: field.ignore_phasing = 1; break;
		case 'p':
			if ((c = pf_opt_pid(usage, optarg, &o.pid)) != 0)
				return c;
			break;
		case 'w':
			if ((c = pf_opt_wait(usage, optarg, &o.wait_ms)) != 0)
				return c;
			break;
		case 't':
			if (pf_parse_threshold(optarg, &o.trust.threshold) < 0)
				return pf_usage_error(usage,
				    "--threshold takes a number from 1 to 16");
			break;
		default:
			if (pf_cli_option(c))
				break;
			/* --output, --output-tar (cmd/archive_apply.c). */
			if (pf_archive_out_opt(&output, c, optarg))
				break;
			return pf_cli_bad_option();
		}
	}
	pf_signals_init();
	if (o.recover && argc - optind == 0)
		return recover_only(&o);
	if (o.recover)
		return pf_usage_error(usage, "--recover takes no package");
	if (argc - optind != 1)
		return pf_usage_error(usage, "expected one package");
	o.package = argv[optind];
	if ((o.pid || o.all) && o.check)
		return pf_usage_error(usage, "--check does not go with --pid");
	if (o.pid && o.all)
		return pf_usage_error(usage,
		    "--pid and --all-processes exclude each other");
	if (o.live && (o.pid || o.all))
		return pf_usage_error(usage, "--live installs the files too: "
		    "not with --pid or --all-processes");
	if (o.wait_ms && !o.pid && !o.all)
		return pf_usage_error(usage, "--wait goes with --pid");
	if ((output.dir || output.tar) && (o.pid || o.all || o.live ||
	    o.check || (output.dir && output.tar)))
		return pf_usage_error(usage, "--output or --output-tar goes "
		    "without --pid, --all-processes, --live, --check or the "
		    "other");
	if (o.needs_root && o.skip_needs)
		return pf_usage_error(usage,
		    "--needs-root and --skip-needs exclude each other");
	return run(&o);
}
