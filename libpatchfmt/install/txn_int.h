/*
 * Internal state of pf_txn, shared by the check (check.c) and the
 * commit (txn.c).
 */
#ifndef PF_INSTALL_TXN_INT_H
#define PF_INSTALL_TXN_INT_H

#include <stdbool.h>
#include <sys/types.h>

#include "libpatchfmt.h"
#include "common/err.h"
#include "install/dirs.h"

typedef struct pf_plan {
	pf_action action;
	char *dir;                      /* parent path, relative to the root */
	const char *leaf;               /* last component, inside entry path */
	pf_type actual;                 /* what is on disk now */
	uint32_t actual_mode;
	uid_t uid;
	gid_t gid;
	/* How far the commit got, so that it can be undone. */
	char tmp[32];                   /* staged new one, "" if none */
	char backup[32];                /* the old one kept aside, "" if none */
	int dfd;                        /* parent, owned by the dir cache */
	bool linked;                    /* backup is a hard link, old in place */
	bool placed;                    /* new one is in place (undo: remove) */
	bool chmodded;
	bool made_dir;
} pf_plan;

struct pf_txn {
	pf_err err;
	pf_reader *r;
	const pf_manifest *m;
	pf_dirs dirs;
	pf_plan *plan;
	pf_txn_state state;
	pf_manifest inverse;            /* a rollback's view of the package */
	bool reversed;
	bool force;                     /* replace what changed since */
	unsigned long steps;            /* for PATCHFMT_FAIL_AFTER */
	unsigned meta_flags;            /* issue 9: PF_META_NO_* given up */
};

/* check.c */
pf_ret pf_txn_check_entry(pf_txn *t, size_t i);
/* A random name ".pf-TAG-xxxxxxxx" that does not exist in dfd yet. */
void pf_txn_tmpname(char out[32], const char *tag);

#endif
