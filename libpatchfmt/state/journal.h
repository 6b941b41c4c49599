/*
 * The journal of the transaction under way (spec section 12.4): written
 * and synced before the first change of the tree, removed once the tree
 * is final; a later run finishes or undoes what it names.
 */
#ifndef PF_STATE_JOURNAL_H
#define PF_STATE_JOURNAL_H

#include <stdbool.h>

#include "libpatchfmt.h"
#include "state/db.h"
#include "install/txn_int.h"

/* A journal read back (or written): what recovery and the log need. */
typedef struct pf_jstep {
	size_t index;
	int action;
	int keep;
	char tmp[PF_TMPNAME_MAX];
	char backup[PF_TMPNAME_MAX];
	char *path;
} pf_jstep;

typedef struct pf_journal {
	bool rollback;
	char *id;
	uint8_t digest[32];
	char *root;
	unsigned long long dev, ino;
	unsigned flags;
	char txn[17];                   /* "" in journals without one */
	unsigned long pid;              /* the process that wrote it */
	char *signers;                  /* key IDs, space-separated; or NULL */
	pf_jstep *steps;
	size_t n;
} pf_journal;

void pf_journal_clear(pf_journal *j);
/* Drops the transaction db->txn names (freed if the db owns it). */
void pf_db_txn_forget(pf_db *db);

/* Writes STATE/journal for t (install, or rollback of id) atomically. */
pf_ret pf_journal_begin(pf_db *db, pf_txn *t, bool rollback, const char *id,
    const uint8_t digest[32], const char *root);
/*
 * After the tree is final: removes what the state directory kept for the
 * transaction (".new-ID" of an install undone, ".old-ID" of a rollback
 * done) and then the journal.
 */
pf_ret pf_journal_end(pf_db *db, int pdir, const char *id, bool rollback,
    bool committed);
/* Parses the text of a journal (n bytes, overwritten); 0 when valid.
 * For the fuzz target. */
int pf_journal_parse(char *text, size_t n);
/* state/ops.c */
void pf_db_remove_dir(int pdir, const char *name);
pf_ret pf_db_open_stored(pf_db *db, const char *name,
    const uint8_t digest[32], pf_reader **out);

#endif
