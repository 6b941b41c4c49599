/*
 * patch-rollback: undo an installed patch exactly, from the rollback data
 * it carried.
 */
#include <config.h>

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "field.h"

static const char usage[] =
    "patch-rollback [--check] [--force] [--json] [--root dir] "
    "[--state-dir dir] [--no-hooks] [--pid pid [--wait ms] | --live] id";

static const char help[] =
    "  --check              verify the rollback data, change nothing\n"
    "  --force              overwrite files changed since the install\n"
    "  --json               one JSON document on standard output\n"
    "  --root dir           the patched tree (default /)\n"
    "  --state-dir dir      the state directory (default ROOT/var/lib/patchfmt)\n"
    "  --no-hooks           do not run the package's rollback hooks\n"
    "  --pid pid            take a hot patch out of one process\n"
    "  --wait ms            how long to wait for a busy process\n"
    "  --live               out of every process, then out of the tree\n"
    "  -q, --quiet          no notes\n"
    "  -v, --verbose        more detail\n"
    "  --help, --version\n";

typedef struct opts {
	const char *root, *state_dir, *id;
	int check, force, json, live;
	unsigned pid, wait_ms;
} opts;

/* The package's pre-rollback and post-rollback hooks (field_apply.c). */
static pf_field_apply field;

/* Takes a hot patch out of a running process. */
static int
run_live(const opts *o)
{
	pf_db *db = NULL;
	pf_ret ret;
	int rc = 0;

	if ((rc = pf_open_state(&db, o->root, o->state_dir, false)) != 0)
		return rc;
	ret = o->check ? pf_db_live_check(db, o->id, (int)o->pid) :
		    pf_db_live_revert(db, o->id, (int)o->pid, o->wait_ms);
	if (!o->check)
		pf_db_log_event(db, "hot-unpatch", o->id, (int)o->pid, ret,
		    pf_db_error(db));
	if (o->json) {
		pf_json_open(stdout);
		fputs("\"id\":", stdout);
		pf_json_str(stdout, o->id);
		printf(",\"pid\":%u,\"status\":\"%s\"", o->pid, ret !=
		    PF_OK ? "error" : o->check ? "can-take-out" : "taken-out");
		if (ret != PF_OK) {
			fputc(',', stdout);
			pf_json_error(stdout, ret, db ? pf_db_error(db) : NULL,
			    NULL);
		}
		printf(",\"exit_status\":%d}\n", pf_ret_exit_status(ret));
	}
	if (ret != PF_OK)
		rc = pf_fail(ret, db ? pf_db_error(db) : NULL);
	else if (!o->json)
		printf("%s: '%s' %s process %u\n", pf_progname, o->id,
		    o->check ? "can be taken out of" : "taken out of", o->pid);
	pf_db_free(db);
	return rc;
}

/*
 * --live: the patch comes out of every process it is live in (as with
 * --pid, one after the other), then out of the tree.  A process it
 * cannot come out of stops the rollback before the tree changes.
 */
static int
live_all(opts *o)
{
	struct dirent **list = NULL;
	unsigned pid, self = (unsigned)getpid(), *v = NULL;
	size_t k, n_v = 0;
	pf_db *db = NULL;
	int i, n, rc;
	void *q;

	/* Which processes first: run_live takes the lock itself. */
	if ((rc = pf_open_state(&db, o->root, o->state_dir, false)) != 0)
		return rc;
	n = scandir("/proc", &list, NULL, versionsort);
	for (i = 0; i < n; i++) {
		if (pf_parse_uint(list[i]->d_name, 1u << 22, &pid) == 0 &&
		    pid != self && pid != 0 &&
		    pf_db_live_check(db, o->id, (int)pid) == PF_OK &&
		    (q = realloc(v, (n_v + 1) * sizeof *v)) != NULL) {
			v = q;
			v[n_v++] = pid;
		}
		free(list[i]);
	}
	free(list);
	pf_db_free(db);
	for (k = 0; k < n_v && rc == 0; k++) {
		o->pid = v[k];
		rc = run_live(o);
	}
	free(v);
	o->pid = 0;
	return rc;
}

static int
report(const opts *o, const pf_txn *t, const pf_manifest *m, pf_ret ret,
    const char *msg, const pf_fail_detail *d)
{
	size_t i;

	if (o->json) {
		pf_json_open(stdout);
		fputs("\"id\":", stdout);
		pf_json_str(stdout, o->id);
		printf(",\"status\":\"%s\"", ret != PF_OK ? "error" :
		    o->check ? "can-roll-back" : "rolled-back");
		if (ret != PF_OK) {
			fputc(',', stdout);
			pf_json_error(stdout, ret, msg, d);
		}
		printf(",\"exit_status\":%d}\n", pf_ret_exit_status(ret));
	}
	if (ret != PF_OK)
		return pf_fail_at(ret, msg, d);
	if (!o->json) {
		for (i = 0; i < pf_manifest_entry_count(m); i++)
			if (pf_txn_action(t, i) != PF_ACTION_NONE)
				printf("%s %-9s %s\n", o->check ? "would" :
				    "     ", pf_action_str(pf_txn_action(t, i)),
				    pf_shown(pf_entry_path(
				    pf_manifest_entry(m, i))));
		printf("%s: '%s' %s\n", pf_progname, o->id, o->check ?
		    "can be rolled back" : "rolled back");
	}
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	pf_warnx("cannot write the report to standard output; '%s' %s",
	    o->id, o->check ? "can be rolled back" : "was rolled back");
	return PF_EXIT_IO;
}

static int
run(const opts *o)
{
	pf_fail_detail d;
	const char *msg = NULL;
	pf_reader *r = NULL;
	pf_txn *t = NULL;
	pf_db *db = NULL;
	pf_ret ret;
	int rc;

	if ((rc = pf_open_state(&db, o->root, o->state_dir, false)) != 0)
		return rc;
	ret = pf_db_check_rollback(db, o->id, o->force);
	if (ret == PF_OK)
		ret = pf_db_open_package(db, o->id, &r);
	if (ret != PF_OK) {
		msg = db ? pf_db_error(db) : NULL;
		goto out;
	}
	ret = pf_txn_new_reverse(&t, r, o->root, o->force);
	if (ret == PF_OK)
		ret = pf_txn_check(t);
	/* --check decodes every piece of rollback data against the tree. */
	if (ret == PF_OK && o->check)
		ret = pf_txn_verify(t);
	if (ret == PF_OK && o->check)
		ret = pf_txn_preflight(t);
	msg = t ? pf_txn_error(t) : NULL;
	if (ret == PF_OK && !o->check && pf_txn_get_state(t) ==
	    PF_TXN_PENDING && (ret = pf_field_hook(&field, db, r,
	    PF_HOOK_PRE_ROLLBACK, o->root, t)) != PF_OK)
		msg = field.msg;
	/* Tree and state in one journaled transaction, as for an install. */
	if (ret == PF_OK && !o->check) {
		pf_txn_set_cancel(t, &pf_stop);
		pf_signals_arm(true);
		ret = pf_db_rollback(db, o->id, t, o->root);
		pf_signals_arm(false);
		msg = pf_db_error(db);
		if (ret == PF_OK && pf_txn_note(t) != NULL)
			pf_warnx("warning: %s", pf_txn_note(t));
		/* Too late to stop anything: a failure is only told. */
		if (ret == PF_OK && pf_txn_get_state(t) == PF_TXN_APPLIED &&
		    pf_field_hook(&field, db, r, PF_HOOK_POST_ROLLBACK,
		    o->root, t) != PF_OK)
			pf_warnx("warning: %s", field.msg);
	}
out:
	pf_detail_of(&d, msg, r, t, db);
	rc = report(o, t, r ? pf_reader_manifest(r) : NULL, ret, msg, &d);
	pf_txn_free(t);
	pf_reader_free(r);
	pf_db_free(db);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },
		{ "wait", required_argument, NULL, 'w' },
		{ "no-hooks", no_argument, NULL, PF_OPT_NO_HOOKS },
		{ "live", no_argument, NULL, 'L' },
		PF_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	opts o = { .root = "/" };
	int c;

	pf_cli_init("patch-rollback", usage, help, argc, argv);
	while ((c = getopt_long(argc, argv, "r:s:cfjqvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o.root = optarg; break;
		case 's': o.state_dir = optarg; break;
		case 'c': o.check = 1; break;
		case 'f': o.force = 1; break;
		case 'j': o.json = 1; break;
		case PF_OPT_NO_HOOKS: field.no_hooks = 1; break;
		case 'L': o.live = 1; break;
		case 'p':
			if ((c = pf_opt_pid(usage, optarg, &o.pid)) != 0)
				return c;
			break;
		case 'w':
			if ((c = pf_opt_wait(usage, optarg, &o.wait_ms)) != 0)
				return c;
			break;
		default:
			if (pf_cli_option(c))
				break;
			return pf_cli_bad_option();
		}
	}
	if (argc - optind != 1)
		return pf_usage_error(usage, "expected one patch ID");
	o.id = argv[optind];
	if (o.wait_ms && !o.pid)
		return pf_usage_error(usage, "--wait goes with --pid");
	if (o.pid && o.force)
		return pf_usage_error(usage, "--force does not go with --pid");
	if (o.pid && o.live)
		return pf_usage_error(usage, "--pid and --live exclude each "
		    "other");
	pf_signals_init();
	if (o.pid)
		return run_live(&o);
	if (o.live && (c = live_all(&o)) != 0)
		return c;
	if (o.force)
		pf_warnx("WARNING: --force: files changed since the install "
		    "will be overwritten");
	if (field.no_hooks && !o.check)
		pf_warnx("WARNING: --no-hooks: the package's pre-rollback and "
		    "post-rollback hooks are not run");
	return run(&o);
}
