#include <config.h>

#include <stdio.h>

#include "common/hash.h"
#include "trust/sign.h"

pf_ret
pf_keygen(const char *name, char keyid[17], char *msg, size_t msglen)
{
	uint8_t id[PF_SIG_KEY_ID_LEN];
	pf_err err;
	pf_ret r;

	pf_err_clear(&err);
	r = pf_key_generate(name, id, &err);
	if (r == PF_OK)
		pf_hex(keyid, id, sizeof id);
	else if (msg != NULL && msglen > 0)
		snprintf(msg, msglen, "%s", err.msg);
	return r;
}
