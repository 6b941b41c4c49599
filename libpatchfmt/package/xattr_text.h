/*
 * Extended attribute values for people (spec/patchfmt.md section 5.4.1):
 * file capabilities through libcap, POSIX ACLs through libacl, text as
 * text, anything else in hex.  The only code that includes libcap or
 * libacl.
 */
#ifndef PF_PACKAGE_XATTR_TEXT_H
#define PF_PACKAGE_XATTR_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* A new string, or NULL when out of memory. */
char *pf_xattr_text(const char *name, const uint8_t *v, size_t n);

#endif
