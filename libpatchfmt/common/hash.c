#include <config.h>

#include <string.h>

#include "common/hash.h"

int
pf_crypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int
pf_sha256_init(pf_sha256_ctx *c)
{
	sha256_init(&c->s);
	return 0;
}

void
pf_sha256_update(pf_sha256_ctx *c, const void *p, size_t n)
{
	if (n > 0)
		sha256_update(&c->s, n, p);
}

void
pf_sha256_final(pf_sha256_ctx *c, uint8_t out[PF_SHA256_LEN])
{
	sha256_digest(&c->s, PF_SHA256_LEN, out);
}

void
pf_sha256_discard(pf_sha256_ctx *c)
{
	(void)c;
}

int
pf_sha256(uint8_t out[PF_SHA256_LEN], const void *p, size_t n)
{
	pf_sha256_ctx c;

	if (pf_sha256_init(&c) != 0)
		return -1;
	pf_sha256_update(&c, p, n);
	pf_sha256_final(&c, out);
	return 0;
}

void
pf_hex(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

const char *
pf_sha256_hex(char out[PF_SHA256_HEX_LEN], const uint8_t d[PF_SHA256_LEN])
{
	pf_hex(out, d, PF_SHA256_LEN);
	return out;
}

int
pf_unhex(uint8_t *out, const char *hex, size_t n)
{
	size_t i;
	int hi, lo;

	if (strlen(hex) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		hi = hex[2 * i];
		lo = hex[2 * i + 1];
		hi = hi >= '0' && hi <= '9' ? hi - '0' :
		    hi >= 'a' && hi <= 'f' ? hi - 'a' + 10 : -1;
		lo = lo >= '0' && lo <= '9' ? lo - '0' :
		    lo >= 'a' && lo <= 'f' ? lo - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
