/*
 * The installed-patch database in the state directory
 * (spec/patchfmt.md section 12).
 */
#ifndef PF_STATE_DB_H
#define PF_STATE_DB_H

#include <stdio.h>

#include "libpatchfmt.h"
#include "common/err.h"

typedef struct pf_db_rec {
	char *id;
	char *version;
	char *family;
	uint64_t release;
	char *product;
	char *to_version;
	char *superseded_by;
	char *digest;
	uint64_t installed;
	char **provides;                /* "name" or "name=version" */
	size_t n_provides;
	char **requires;                /* "name" or "name=version" */
	size_t n_requires;
	char **supersedes;              /* IDs */
	size_t n_supersedes;
} pf_db_rec;

/* The state directory under a root, unless one is named (section 12). */
#define PF_STATE_DIR "var/lib/patchfmt"

struct pf_db {
	pf_err err;
	char *dir;
	int dfd;                        /* the state directory */
	int lock;
	pf_db_rec *recs;
	size_t n;
	bool spare;                     /* recs has room for one more */
	bool readonly;                  /* on a read-only file system */
	char recovered[PF_ERR_MSG_MAX]; /* what pf_db_recover() did */
	/* The audit log (audit.c): the transaction under way, as its journal
	 * says, and why it was undone. */
	struct pf_journal *txn;
	bool txn_owned;
	bool txn_recovered;
	char cause[PF_ERR_MSG_MAX];
	bool under_root;                /* the state directory is ROOT's own */
	const volatile sig_atomic_t *cancel;    /* ends a hook (hookrun.c) */
};

/* Writes s with every byte outside '!'..'~', and '%', as %XX. */
void pf_db_escape(FILE *f, const char *s);
/* Undoes pf_db_escape() in place; -1 when s is not such a text. */
int pf_db_unescape(char *s);
pf_db_rec *pf_db_find(pf_db *db, const char *id);
/* Parses the text of a record (n bytes, text[n] must be writable and is
 * overwritten) of patch id; for the fuzz target. */
pf_ret pf_db_rec_parse(pf_err *err, pf_db_rec *r, char *text, size_t n,
    const char *id);
/* Reads the records again (after a recovery). */
pf_ret pf_db_reload(pf_db *db);
/*
 * The handle's view after a committed transaction, without touching the
 * disk (which may be failing by then): rec joins the records (taken over,
 * left zeroed), or the record of id leaves them; superseding is derived
 * again.  Only out of memory can fail.
 */
pf_ret pf_db_mem_add(pf_db *db, pf_db_rec *rec);
/* Makes the room pf_db_mem_add() takes, before a commit point, so that
 * adding the record after it cannot run out of memory. */
pf_ret pf_db_mem_reserve(pf_db *db);
pf_ret pf_db_mem_remove(pf_db *db, const char *id);

/* Appends a copy of s to a string list; -1 when out of memory. */
int pf_db_push(char ***v, size_t *n, const char *s);
void pf_db_rec_free(pf_db_rec *r);
/* qsort order: by install time, then ID. */
int pf_db_by_install(const void *a, const void *b);

#endif
