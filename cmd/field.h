/*
 * Patches in the field, the tools' side: the options of patch-create that
 * record provenance, hooks and phasing, and what patch-apply and
 * patch-rollback do with them (spec sections 5.1.3 to 5.1.5, 9.8).
 */
#ifndef PF_CMD_FIELD_H
#define PF_CMD_FIELD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "libpatchfmt.h"

/* patch-create. */
enum {
	PF_OPT_HOOK = 0x200, PF_OPT_HOOK_TIMEOUT, PF_OPT_ISSUE,
	PF_OPT_SOURCE_REV, PF_OPT_SOURCE_URL, PF_OPT_PHASE, PF_OPT_PHASE_SEED,
	PF_OPT_NO_HOOKS, PF_OPT_IGNORE_PHASING
};
#define PF_FIELD_CREATE_LONGOPTS \
	{ "hook", required_argument, NULL, PF_OPT_HOOK }, \
	{ "hook-timeout", required_argument, NULL, PF_OPT_HOOK_TIMEOUT }, \
	{ "issue", required_argument, NULL, PF_OPT_ISSUE }, \
	{ "source-rev", required_argument, NULL, PF_OPT_SOURCE_REV }, \
	{ "source-url", required_argument, NULL, PF_OPT_SOURCE_URL }, \
	{ "phase", required_argument, NULL, PF_OPT_PHASE }, \
	{ "phase-seed", required_argument, NULL, PF_OPT_PHASE_SEED }
#define PF_FIELD_CREATE_USAGE \
	"[--hook kind=file] [--hook-timeout seconds] [--issue id] " \
	"[--source-rev rev] [--source-url url] [--phase percent " \
	"[--phase-seed seed]] "

typedef struct pf_field_create {
	const char *hook[PF_HOOK_POST_ROLLBACK + 1];
	const char *hook_timeout, *issue, *source_rev, *source_url;
	const char *phase, *phase_seed;
} pf_field_create;

/* -1 when c is not one of these options, else 0 or an exit status. */
int pf_field_create_opt(pf_field_create *o, int c, const char *arg,
    const char *usage);
/* Puts them into the package; 0 or an exit status. */
int pf_field_create_apply(const pf_field_create *o, pf_builder *b,
    const char *usage);

/* patch-apply and patch-rollback. */
#define PF_FIELD_APPLY_LONGOPTS \
	{ "no-hooks", no_argument, NULL, PF_OPT_NO_HOOKS }, \
	{ "ignore-phasing", no_argument, NULL, PF_OPT_IGNORE_PHASING }

typedef struct pf_field_apply {
	int no_hooks, ignore_phasing;
	pf_phase phase;
	bool phase_known;
	char msg[1400];
} pf_field_apply;

/* Says what --no-hooks leaves out (loudly). */
void pf_field_warn_no_hooks(const pf_field_apply *f, const pf_reader *r);
/* The phase decision; PF_ERR_DEFERRED (f->msg) when this machine waits. */
pf_ret pf_field_phase(pf_field_apply *f, const pf_reader *r,
    const char *root);
void pf_field_phase_text(const pf_field_apply *f, FILE *out);
/* ",\"phase\":..." for the JSON report. */
void pf_field_phase_json(const pf_field_apply *f, FILE *out);
/* A hook before any change (pre-apply, pre-rollback); f->msg on failure. */
pf_ret pf_field_hook(pf_field_apply *f, pf_db *db, pf_reader *r,
    pf_hook_kind kind, const char *root, const pf_txn *t);
/*
 * After an install: post-apply, then health; when either fails, the
 * patch is rolled back (an ordinary rollback) and PF_ERR_HEALTH returned,
 * or the rollback's own failure.
 */
pf_ret pf_field_after_install(pf_field_apply *f, pf_db *db, pf_reader *r,
    const char *root, const pf_txn *t, unsigned txn_flags);

#endif
