/*
 * What pf_reader_open_trusted() demands of a package: the structure
 * behind the opaque pf_trust of libpatchfmt.h (package/trust.c).
 */
#ifndef PF_PACKAGE_TRUST_H
#define PF_PACKAGE_TRUST_H

#include <stdbool.h>
#include <stdint.h>

#include "libpatchfmt.h"

struct pf_trust {
	const pf_keyring *keyring;
	unsigned threshold;            /* distinct trusted signers; 0 means 1 */
	bool allow_unsigned;           /* install without any signature */
	uint64_t now;                  /* for the expiry time; 0: the clock */
	/* The applier's own copy, from its state directory: integrity is
	 * enough, since it was verified when it was installed. */
	bool installed_copy;
};

#endif
