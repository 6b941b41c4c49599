/*
 * Internal state of pf_txn, shared by the check (check.c), the staging
 * and commit steps (txn.c) and the undo and completion rules (undo.c).
 */
#ifndef PF_INSTALL_TXN_INT_H
#define PF_INSTALL_TXN_INT_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "libpatchfmt.h"
#include "format/types.h"
#include "common/err.h"
#include "install/dirs.h"

/* ".pf-new-" or ".pf-old-" and 16 hex digits. */
#define PF_TMPNAME_MAX 32

/*
 * How the old object at an entry's path is kept until the transaction
 * ends (spec section 9.4).
 */
typedef enum pf_keep {
	PF_KEEP_NONE = 0,       /* nothing there before, or changed in place */
	PF_KEEP_LINK,           /* a hard link to it; the new one renamed over */
	PF_KEEP_MOVE            /* renamed aside; the path is empty until placed */
} pf_keep;

typedef struct pf_plan {
	pf_action action;
	char *dir;                      /* parent path, relative to the root */
	const char *leaf;               /* last component, inside entry path */
	pf_type actual;                 /* what is on disk now */
	uint32_t actual_mode;
	uid_t uid;
	gid_t gid;
	pf_keep keep;
	/*
	 * Names drawn before the journal is written, so that recovery
	 * knows every name a transaction may leave behind: the staged new
	 * object and the old one kept aside.  "" when the entry needs none.
	 */
	char tmp[PF_TMPNAME_MAX];
	char backup[PF_TMPNAME_MAX];
	int dfd;                        /* parent, owned by the dir cache */
} pf_plan;

/*
 * What a caller (the state directory, section 12) does at the three
 * moments of a commit: before the first change of the tree (write the
 * journal), at the commit point (one rename in the state directory), and
 * once the tree is final or restored (remove the journal).
 */
typedef struct pf_txn_hooks {
	pf_ret (*begin)(void *opaque, pf_txn *t);
	pf_ret (*commit)(void *opaque, pf_txn *t);
	/* committed: whether the commit point was passed. */
	pf_ret (*end)(void *opaque, pf_txn *t, bool committed);
	void *opaque;
} pf_txn_hooks;

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
	const volatile sig_atomic_t *cancel;
	char note[PF_ERR_MSG_MAX];      /* a warning after a commit */
	unsigned meta_flags;            /* PF_META_NO_*: what the user gave up */
	pf_err cause;                   /* why a commit was undone (the log) */
};

/* check.c */
pf_ret pf_txn_check_entry(pf_txn *t, size_t i);
/* The new content of entry i, checked, into fd (install/output.c). */
pf_ret pf_txn_fill_new(pf_txn *t, size_t i, int fd);
/* A random name ".pf-TAG-" and 16 hex digits. */
void pf_txn_tmpname(char out[PF_TMPNAME_MAX], const char *tag);
/* Opens leaf in dfd for reading, refusing anything but a regular file
 * (a FIFO swapped in does not block); -1 with errno set. */
int pf_open_regular(int dfd, const char *leaf);

/* txn.c */
/* Sets a directory's recorded state (mode, and metadata) on name in dfd. */
pf_ret pf_txn_set_dir_state(pf_txn *t, int dfd, const char *name,
    const pf_entry *e, const pf_state *s);
pf_ret pf_txn_commit_with(pf_txn *t, const pf_txn_hooks *hooks);
/* Sets entry i's plan as a journal recorded it (for recovery). */
pf_ret pf_txn_resume_entry(pf_txn *t, size_t i, pf_action action,
    pf_keep keep, const char *tmp, const char *backup);
/* Draws the names of every entry that needs one. */
pf_ret pf_txn_draw_names(pf_txn *t);

/* undo.c: both rules look only at what is on disk, so that a later
 * process finishes what a killed one began. */
/* Puts back every entry of a transaction that did not reach its commit
 * point; idempotent.  The first failure is kept in t->err. */
pf_ret pf_txn_undo(pf_txn *t);
/* Removes what a committed transaction kept aside; idempotent. */
pf_ret pf_txn_finish(pf_txn *t);
/* fsync of every directory the transaction touched. */
pf_ret pf_txn_sync_dirs(pf_txn *t);
/* Looks up the parent of entry i again (after a crash, or a rename). */
int pf_txn_dfd(pf_txn *t, size_t i);

#endif
