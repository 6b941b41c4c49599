/*
 * Issue 9 glue between the transaction and install/meta.c: one function
 * per call site in txn.c and check.c (see meta_txn.c).
 */
#ifndef PF_INSTALL_META_TXN_H
#define PF_INSTALL_META_TXN_H

#include <stdbool.h>

#include "install/txn_int.h"

/*
 * check.c matches(): *ok false when leaf in dfd lacks the owner, xattrs
 * or link of state s (content and mode are compared by the caller).
 */
pf_ret pf_txn_meta_compare(pf_txn *t, int dfd, const char *leaf,
    const pf_entry *e, const pf_state *s, bool *ok);
/* check.c explain(): the message for a difference of metadata. */
pf_ret pf_txn_meta_explain(pf_txn *t, int dfd, const char *leaf,
    const pf_entry *e);
/* check.c, before any write: what this process cannot do for entry i. */
pf_ret pf_txn_meta_can(pf_txn *t, size_t i, int dfd);
/* check.c: whether a link group's leader has an entry of its own. */
bool pf_txn_meta_leader_listed(const pf_txn *t, const char *leader);
/* txn.c stage_file(): a link-group member, as a link to its leader. */
pf_ret pf_txn_meta_link(pf_txn *t, pf_plan *p, const pf_entry *e);

#endif
