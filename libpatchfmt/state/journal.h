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
