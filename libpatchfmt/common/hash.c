#include <config.h>

#include <string.h>

#include <openssl/evp.h>

#include "common/hash.h"

int
pf_crypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int
pf_sha256_init(pf_sha256_ctx *c)
{
	if ((c->md = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
		pf_sha256_discard(c);
		return -1;
	}
	return 0;
}

void
pf_sha256_update(pf_sha256_ctx *c, const void *p, size_t n)
{
	/* EVP_DigestUpdate fails only on a context that failed to init. */
	if (c->md != NULL && n > 0)
		(void)EVP_DigestUpdate(c->md, p, n);
}

void
pf_sha256_final(pf_sha256_ctx *c, uint8_t out[PF_SHA256_LEN])
{
	unsigned int len = 0;

	if (c->md == NULL || EVP_DigestFinal_ex(c->md, out, &len) != 1 ||
	    len != PF_SHA256_LEN)
		memset(out, 0, PF_SHA256_LEN);
	pf_sha256_discard(c);
}

void
pf_sha256_discard(pf_sha256_ctx *c)
{
	EVP_MD_CTX_free(c->md);
	c->md = NULL;
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
