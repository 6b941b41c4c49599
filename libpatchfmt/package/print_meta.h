/*
 * The metadata of a state (spec/patchfmt.md sections 5.4.1 to 5.4.3) and
 * what an entry changes, for patch-inspect.
 */
#ifndef PF_PACKAGE_PRINT_META_H
#define PF_PACKAGE_PRINT_META_H

#include <stdio.h>

#include "libpatchfmt.h"

/* Indented lines under a state's line: owner, xattrs, link, data, mtime. */
void pf_print_meta_text(FILE *f, const pf_state *s);
/* ",\"uid\":...": the members of a state's JSON object. */
void pf_print_meta_json(FILE *f, const pf_state *s);
/* "    changes mode, owner, xattr user.a" for an entry with both states. */
void pf_print_changes_text(FILE *f, const pf_entry *e);
/* ",\"changes\":[...]" for an entry with both states. */
void pf_print_changes_json(FILE *f, const pf_entry *e);

#endif
