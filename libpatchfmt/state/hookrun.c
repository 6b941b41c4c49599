/*
 * The hooks of an installed or installing package, run for the state
 * directory (spec section 9.8): which root they see, the environment they
 * get, and the line each run leaves in the audit log.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/json.h"
#include "common/sized.h"
#include "format/rollout.h"
#include "install/hooks.h"
#include "install/txn_int.h"
#include "state/audit.h"
#include "state/db.h"
#include "format/types.h"

#define MAX_ENV 24

/* The version of product installed by a patch in force other than id. */
static const char *
installed_version(const pf_db *db, const char *product, const char *id)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; product != NULL && i < db->n; i++)
		if (db->recs[i].superseded_by == NULL &&
		    db->recs[i].product != NULL &&
		    strcmp(db->recs[i].product, product) == 0 &&
		    strcmp(db->recs[i].id, id) != 0)
			v = db->recs[i].to_version;
	return v;
}

typedef struct env {
	char *v[MAX_ENV + 1];
	size_t n;
	bool bad;
} env;

static void
setv(env *e, const char *name, const char *val)
{
	if (val == NULL || e->n >= MAX_ENV)
		return;
	if (asprintf(&e->v[e->n], "%s=%s", name, val) < 0)
		e->bad = true;
	else
		e->n++;
}

static void
fill_env(env *e, const pf_db *db, const pf_reader *r, pf_hook_kind kind,
    const char *seen_root)
{
	const pf_manifest *m = pf_reader_manifest(r);
	const char *id = pf_reader_id(r), *was;
	bool back = kind >= PF_HOOK_PRE_ROLLBACK;
	char hex[PF_SHA256_HEX_LEN], pct[16];

	was = installed_version(db, m->product, id);
	if (was == NULL && m->n_from == 1)
		was = m->from_versions[0];
	setv(e, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
	    "/sbin:/bin");
	setv(e, "HOME", "/");
	setv(e, "LC_ALL", "C");
	setv(e, "PF_ROOT", seen_root);
	setv(e, "PF_PHASE", pf_hook_name(kind));
	setv(e, "PF_ACTION", back ? "rollback" : "install");
	setv(e, "PF_PACKAGE_ID", id);
	setv(e, "PF_PACKAGE_VERSION", m->version);
	setv(e, "PF_DIGEST", pf_sha256_hex(hex, pf_reader_digest(r)));
	setv(e, "PF_PRODUCT", m->product);
	setv(e, "PF_FROM_VERSION", back ? m->to_version : was);
	setv(e, "PF_TO_VERSION", back ? was : m->to_version);
	setv(e, "PF_ISSUE", m->issue);
	setv(e, "PF_SOURCE_REV", m->source_rev);
	if (m->has_phase) {
		snprintf(pct, sizeof pct, "%u.%02u", (unsigned)m->phase / 100,
		    (unsigned)m->phase % 100);
		setv(e, "PF_ROLLOUT_PERCENT", pct);
	}
}

/* The changed paths, one a line, escaped as in records (section 12.2). */
static char *
path_list(const pf_txn *t, size_t *n)
{
	char *text = NULL;
	size_t i;
	FILE *f = open_memstream(&text, n);

	if (f == NULL)
		return NULL;
	for (i = 0; t != NULL && i < t->m->n_entries; i++) {
		if (t->plan[i].action == PF_ACTION_NONE)
			continue;
		pf_db_escape(f, t->m->entries[i].path);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * Where the hook runs: the host's root as it is; another root chrooted,
 * like dpkg's maintainer scripts with --root, which needs privileges and
 * the root's own state directory (the script is written there).
 */
static pf_ret
place(pf_db *db, const char *root, pf_hook_exec *x, char **seen)
{
	struct stat a, b;

	if (stat(root, &a) < 0 || stat("/", &b) < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot stat root '%s'", root);
	*seen = NULL;
	if (a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		if ((*seen = realpath(db->dir, NULL)) == NULL)
			return pf_err_errno(&db->err, PF_ERR_IO, errno,
			    "cannot resolve '%s'", db->dir);
		x->scratch_seen = *seen;
		return PF_OK;
	}
	if (!db->under_root)
		return pf_err_set(&db->err, PF_ERR_HOOK, "hooks under root "
		    "'%s' run chrooted and need its own state directory, not "
		    "--state-dir; give --no-hooks to go without them", root);
	if (geteuid() != 0)
		return pf_err_set(&db->err, PF_ERR_HOOK, "hooks under root "
		    "'%s' run chrooted, which needs root privileges; give "
		    "--no-hooks to go without them", root);
	x->chroot_dir = root;
	x->scratch_seen = "/" PF_STATE_DIR;
	return PF_OK;
}

static void
log_hook(pf_db *db, const pf_reader *r, pf_hook_kind kind, const char *root,
    const pf_hook_result *res, const char *failure)
{
	char hex[PF_SHA256_HEX_LEN], *text;
	size_t n;
	FILE *f;

	if ((f = pf_audit_open(&text, &n, "hook")) == NULL)
		return;
	fprintf(f, ",\"hook\":\"%s\",\"id\":", pf_hook_name(kind));
	pf_json_str(f, pf_reader_id(r));
	fprintf(f, ",\"digest\":\"%s\",\"root\":",
	    pf_sha256_hex(hex, pf_reader_digest(r)));
	pf_json_str(f, root);
	fprintf(f, ",\"result\":\"%s\",\"status\":%d,\"timed_out\":%s,"
	    "\"pid\":%ld,\"seconds\":%.3f,\"error\":", res->ran &&
	    res->status == 0 && !res->timed_out ? "ok" : "failed",
	    res->status, res->timed_out ? "true" : "false", res->pid,
	    res->seconds);
	pf_json_str(f, failure);
	fputs(",\"output\":", f);
	pf_json_strn(f, res->output, res->output_len);
	fprintf(f, ",\"output_cut\":%s", res->output_cut ? "true" : "false");
	pf_audit_close(db, f, &text, &n);
}

pf_ret
pf_db_hooks_check(pf_db *db, const pf_reader *r, const char *root)
{
	pf_hook_exec x = { 0 };
	char *seen = NULL;
	pf_ret ret;

	pf_err_clear(&db->err);
	if (pf_reader_manifest(r)->n_hooks == 0)
		return PF_OK;
	ret = place(db, root, &x, &seen);
	free(seen);
	return ret == PF_OK ? ret : (db->err.code = PF_ERR_HOOK);
}

static pf_ret
run_hook(pf_db *db, pf_reader *r, pf_hook_kind kind, const char *root,
    const pf_txn *t, pf_hook_result *res)
{
	const pf_hook *h = pf_manifest_hook(pf_reader_manifest(r), kind);
	pf_hook_exec x = { 0 };
	env e = { { NULL }, 0, false };
	char *seen = NULL, *paths = NULL;
	pf_err saved;
	size_t i;
	pf_ret ret;

	memset(res, 0, sizeof *res);
	pf_err_clear(&db->err);
	if (h == NULL)
		return PF_OK;
	if ((ret = place(db, root, &x, &seen)) != PF_OK)
		goto out;
	fill_env(&e, db, r, kind, x.chroot_dir ? "/" : root);
	if (e.bad || (paths = path_list(t, &x.paths_len)) == NULL) {
		ret = pf_err_nomem(&db->err);
		goto out;
	}
	x.script = h->script;
	x.len = h->len;
	x.timeout = h->timeout;
	x.scratch_dfd = db->dfd;
	x.env = (const char *const *)e.v;
	x.paths = paths;
	x.cancel = db->cancel;
	if ((ret = pf_hook_exec_run(&x, res, &db->err)) != PF_OK)
		goto out;
	if (res->status == PF_HOOK_CANCELLED)
		ret = pf_err_set(&db->err, PF_ERR_INTERRUPTED, "%s hook of '%s' "
		    "was killed: a signal stopped the tool", pf_hook_name(kind),
		    pf_reader_id(r));
	else if (res->timed_out)
		ret = pf_err_set(&db->err, PF_ERR_HOOK, "%s hook of '%s' did "
		    "not end within %u seconds and was killed",
		    pf_hook_name(kind), pf_reader_id(r), h->timeout);
	else if (res->status != 0)
		ret = pf_err_set(&db->err, PF_ERR_HOOK, "%s hook of '%s' "
		    "failed with status %d", pf_hook_name(kind),
		    pf_reader_id(r), res->status);
out:
	saved = db->err;
	log_hook(db, r, kind, root, res, ret == PF_OK ? NULL : saved.msg);
	db->err = saved;
	for (i = 0; i < e.n; i++)
		free(e.v[i]);
	free(paths);
	free(seen);
	/* Whatever kept it from running or succeeding is a hook failure,
	 * but for a signal, which stops the tool as it would anywhere. */
	if (ret != PF_OK && ret != PF_ERR_NOMEM && ret != PF_ERR_INTERRUPTED)
		db->err.code = ret = PF_ERR_HOOK;
	return ret;
}

pf_ret
pf_db_run_hook(pf_db *db, pf_reader *r, pf_hook_kind kind, const char *root,
    const pf_txn *t, pf_hook_result *out)
{
	pf_hook_result res = { .size = sizeof res };
	pf_ret ret;

	if (out->size == 0)
		return pf_err_set(&db->err, PF_ERR_USAGE, "pf_db_run_hook: the "
		    "result's size is not set");
	ret = run_hook(db, r, kind, root, t, &res);
	pf_sized_copy(out, &res, sizeof res);
	return ret;
}

pf_ret
pf_db_undo_install(pf_db *db, const char *id, const char *root,
    unsigned flags, pf_reader **rd, pf_txn **t)
{
	pf_ret r;

	*rd = NULL;
	*t = NULL;
	pf_err_clear(&db->err);
	if ((r = pf_db_reload(db)) != PF_OK ||
	    (r = pf_db_open_package(db, id, rd)) != PF_OK)
		return r;
	r = pf_txn_new_reverse(t, *rd, root, false);
	if (r == PF_OK)
		r = pf_txn_set_flags(*t, flags);
	if (r == PF_OK)
		r = pf_txn_check(*t);
	if (r != PF_OK)
		return pf_err_set(&db->err, r, "%s", *t ? pf_txn_error(*t) :
		    pf_ret_str(r));
	return pf_db_rollback(db, id, *t, root);
}

void
pf_db_set_cancel(pf_db *db, const volatile sig_atomic_t *flag)
{
	db->cancel = flag;
}
