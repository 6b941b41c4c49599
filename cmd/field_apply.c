/*
 * What patch-apply and patch-rollback do for patches in the field: the
 * phase decision, the hooks around the transaction, and the automatic
 * rollback after a failed health check (spec sections 5.1.5, 9.8).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "field.h"
#include "util.h"

void
pf_field_warn_no_hooks(const pf_field_apply *f, const pf_reader *r)
{
	const pf_manifest *m = pf_reader_manifest(r);

	if (f->no_hooks)
		pf_warnx("WARNING: --no-hooks: %zu hooks of the package are "
		    "not run, its health is not checked",
		    pf_manifest_hook_count(m));
}

pf_ret
pf_field_phase(pf_field_apply *f, const pf_reader *r, const char *root)
{
	const pf_phase *p = &f->phase;

	f->phase.size = sizeof f->phase;
	pf_phase_decide(r, root, &f->phase);
	f->phase_known = true;
	if (!p->install && f->ignore_phasing)
		pf_warnx("WARNING: --ignore-phasing: this machine is not in "
		    "the rollout of '%s' yet", pf_reader_id(r));
	if (p->install || f->ignore_phasing)
		return PF_OK;
	if (!p->have_machine_id)
		snprintf(f->msg, sizeof f->msg, "'%s' is rolled out to "
		    "%u.%02u%% of machines, and '%s/etc/machine-id' does not "
		    "name this one: deferred (--ignore-phasing installs it now)",
		    pf_reader_id(r), p->share / 100, p->share % 100, root);
	else
		snprintf(f->msg, sizeof f->msg, "'%s' is rolled out to "
		    "%u.%02u%% of machines, and this one's place is %u.%02u: "
		    "deferred (--ignore-phasing installs it now)",
		    pf_reader_id(r),
		    p->share / 100, p->share % 100, p->place / 100,
		    p->place % 100);
	return PF_ERR_DEFERRED;
}

static const char *
decision(const pf_field_apply *f)
{
	if (f->phase.install)
		return "install";
	return f->ignore_phasing ? "ignored" : "defer";
}

void
pf_field_phase_text(const pf_field_apply *f, FILE *out)
{
	const pf_phase *p = &f->phase;

	if (!f->phase_known || !p->phased)
		return;
	if (p->have_machine_id)
		fprintf(out, "phase     %u.%02u%% of machines, this one's "
		    "place %u.%02u: %s\n", p->share / 100, p->share % 100,
		    p->place / 100, p->place % 100, decision(f));
	else
		fprintf(out, "phase     %u.%02u%% of machines, no machine-id: "
		    "%s\n", p->share / 100, p->share % 100, decision(f));
}

void
pf_field_phase_json(const pf_field_apply *f, FILE *out)
{
	const pf_phase *p = &f->phase;

	if (!f->phase_known || !p->phased) {
		fputs(",\"phase\":null", out);
		return;
	}
	fprintf(out, ",\"phase\":{\"percent\":%u.%02u,\"place\":", p->share /
	    100, p->share % 100);
	if (p->have_machine_id)
		fprintf(out, "%u.%02u", p->place / 100, p->place % 100);
	else
		fputs("null", out);
	fprintf(out, ",\"decision\":\"%s\"}", decision(f));
}

/* A hook's output, for the person watching, when it failed. */
static void
show_output(const pf_hook_result *res)
{
	if (res->ran && res->output_len > 0)
		fprintf(stderr, "%s%s\n", res->output, res->output_cut ?
		    "\n[... more in the log]" : "");
}

pf_ret
pf_field_hook(pf_field_apply *f, pf_db *db, pf_reader *r, pf_hook_kind kind,
    const char *root, const pf_txn *t)
{
	pf_hook_result res = { .size = sizeof res };
	pf_ret ret;

	if (f->no_hooks)
		return PF_OK;
	/* Before the first hook: whether any can run where they must. */
	if ((kind == PF_HOOK_PRE_APPLY || kind == PF_HOOK_PRE_ROLLBACK) &&
	    (ret = pf_db_hooks_check(db, r, root)) != PF_OK) {
		snprintf(f->msg, sizeof f->msg, "%s", pf_db_error(db));
		return ret;
	}
	/* Ctrl-C while a hook runs ends the hook too, not just the tool. */
	pf_db_set_cancel(db, &pf_stop);
	pf_signals_arm(true);
	ret = pf_db_run_hook(db, r, kind, root, t, &res);
	pf_signals_arm(false);
	pf_db_set_cancel(db, NULL);
	if (ret != PF_OK) {
		show_output(&res);
		snprintf(f->msg, sizeof f->msg, "%s", pf_db_error(db));
	}
	return ret;
}

pf_ret
pf_field_after_install(pf_field_apply *f, pf_db *db, pf_reader *r,
    const char *root, const pf_txn *t, unsigned txn_flags)
{
	const char *id = pf_reader_id(r);
	char why[sizeof f->msg];
	pf_reader *rr = NULL;
	pf_txn *rt = NULL;
	pf_ret ret, cause;

	if (f->no_hooks || pf_txn_get_state(t) != PF_TXN_APPLIED)
		return PF_OK;
	ret = pf_field_hook(f, db, r, PF_HOOK_POST_APPLY, root, t);
	if (ret == PF_OK)
		ret = pf_field_hook(f, db, r, PF_HOOK_HEALTH, root, t);
	if (ret == PF_OK)
		return PF_OK;
	cause = ret;
	snprintf(why, sizeof why, "%s", f->msg);
	pf_warnx("%s: rolling '%s' back", why, id);
	/* An ordinary rollback, journaled; a signal does not stop it. */
	ret = pf_db_undo_install(db, id, root, txn_flags, &rr, &rt);
	if (ret == PF_OK) {
		if (pf_field_hook(f, db, rr, PF_HOOK_POST_ROLLBACK, root, rt) !=
		    PF_OK)
			pf_warnx("warning: %s", f->msg);
		snprintf(f->msg, sizeof f->msg,
		    "%.600s; '%.128s' was rolled back", why, id);
		/* Stopped by a signal: undone, as a commit would be. */
		ret = cause == PF_ERR_INTERRUPTED ? cause : PF_ERR_HEALTH;
	} else {
		snprintf(f->msg, sizeof f->msg, "%.600s, and rolling '%.128s' "
		    "back failed: %.600s", why, id, pf_db_error(db));
	}
	pf_txn_free(rt);
	pf_reader_free(rr);
	return ret;
}
