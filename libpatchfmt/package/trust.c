/*
 * pf_trust, the demands of pf_reader_open_trusted(): a handle the
 * caller fills in through setters, so that a demand can be added
 * without breaking the ABI.
 */
#include <config.h>

#include <stdlib.h>

#include "package/trust.h"

pf_ret
pf_trust_new(pf_trust **out)
{
	/* All zero: a keyring to come, one signer, the clock's time. */
	*out = calloc(1, sizeof **out);
	return *out == NULL ? PF_ERR_NOMEM : PF_OK;
}

void
pf_trust_free(pf_trust *t)
{
	free(t);
}

void
pf_trust_set_keyring(pf_trust *t, const pf_keyring *k)
{
	t->keyring = k;
}

void
pf_trust_set_threshold(pf_trust *t, unsigned n)
{
	t->threshold = n;
}

void
pf_trust_set_allow_unsigned(pf_trust *t, bool allow)
{
	t->allow_unsigned = allow;
}

void
pf_trust_set_now(pf_trust *t, uint64_t now)
{
	t->now = now;
}
