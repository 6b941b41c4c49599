/*
 * Control files of Debian packages and dpkg's status file: stanzas of
 * "Name: value" lines (deb822(5)), separated by blank lines.  The input
 * is untrusted text: nothing here trusts a length it did not count.
 */
#ifndef PF_COMMON_DEB822_H
#define PF_COMMON_DEB822_H

#include <stdbool.h>
#include <stddef.h>

#include "libpatchfmt.h"
#include "common/err.h"

/* The longest value handed out; longer ones are cut off (see .c). */
#define PF_DEB822_MAX_VALUE (64u * 1024)

typedef struct pf_deb822 {
	const char *p;
	size_t n;
	size_t at;
} pf_deb822;

void pf_deb822_init(pf_deb822 *d, const char *p, size_t n);
/* The next stanza, [*s, *s + *len); false at the end of the text. */
bool pf_deb822_next(pf_deb822 *d, const char **s, size_t *len);
/*
 * The value of field name (compared without case) in the stanza, with
 * surrounding blanks removed and continuation lines joined by one space,
 * or NULL in *out when the stanza has no such field.  The caller frees.
 */
pf_ret pf_deb822_field(const char *s, size_t len, const char *name,
    char **out, pf_err *err);

#endif
