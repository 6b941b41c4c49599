#include <config.h>

#include <string.h>

#include "delta/sha.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_SHA_NI_CODE 1
#include <cpuid.h>
#include <immintrin.h>
#endif

#ifdef HAVE_SHA_NI_CODE
/* FIPS 180-4 section 4.2.2: the 64 round constants. */
static const uint32_t round_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

/* CPUID leaf 7 EBX bit 29 (SHA), leaf 1 ECX bits 9 (SSSE3), 19 (SSE4.1). */
static bool
probe_sha_ni(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & 1u << 9) ||
	    !(c & 1u << 19))
		return false;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	return (b & 1u << 29) != 0;
}

/* CPUID traps to the hypervisor in a VM: ask once. */
static bool
cpu_has_sha_ni(void)
{
	static _Atomic int known = -1;
	int v = known;

	if (v < 0)
		known = v = probe_sha_ni();
	return v != 0;
}

/*
 * The next four message words: W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) +
 * W[t-16], four at a time, from the previous sixteen in w[] (a ring).
 */
__attribute__((target("sha,sse4.1,ssse3")))
static inline __m128i
next_words(const __m128i w[4], unsigned g)
{
	__m128i x = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);

	x = _mm_add_epi32(x, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
	return _mm_sha256msg2_epu32(x, w[(g + 3) & 3]);
}

/*
 * Compresses whole 64-byte blocks.  The instructions keep the state as
 * ABEF and CDGH; each sha256rnds2 does two rounds.
 */
__attribute__((target("sha,sse4.1,ssse3")))
static void
blocks_ni(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
	    0x0405060700010203LL);
	__m128i abef, cdgh, t, msg, abef0, cdgh0, w[4];
	unsigned g;

	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1);
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b);
	abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xf0);
	for (; nblocks > 0; nblocks--, p += 64) {
		abef0 = abef;
		cdgh0 = cdgh;
		for (g = 0; g < 16; g++) {
			if (g < 4)
				w[g] = _mm_shuffle_epi8(_mm_loadu_si128(
				    (const __m128i *)(p + 16 * g)), bswap);
			else
				w[g & 3] = next_words(w, g);
			msg = _mm_add_epi32(w[g & 3], _mm_loadu_si128(
			    (const __m128i *)&round_k[4 * g]));
			/*
			 * Two rounds leave the new ABEF in the first operand's
			 * place and the old ABEF as the new CDGH, so two calls
			 * bring the roles back.
			 */
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
			msg = _mm_shuffle_epi32(msg, 0x0e);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, msg);
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	t = _mm_shuffle_epi32(abef, 0x1b);
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, cdgh, 0xf0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, t, 8));
}
#endif

static const uint32_t initial_h[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
};

void
pf_dsha_init_portable(pf_dsha *c)
{
	memset(c, 0, sizeof *c);
	pf_sha256_init(&c->sodium);
}

void
pf_dsha_init(pf_dsha *c)
{
	pf_dsha_init_portable(c);
#ifdef HAVE_SHA_NI_CODE
	c->ni = cpu_has_sha_ni();
	memcpy(c->h, initial_h, sizeof c->h);
#endif
}

#ifdef HAVE_SHA_NI_CODE
static void
update_ni(pf_dsha *c, const uint8_t *p, size_t n)
{
	size_t k;

	c->total += n;
	if (c->buf_len > 0) {
		k = 64 - c->buf_len < n ? 64 - c->buf_len : n;
		memcpy(c->buf + c->buf_len, p, k);
		c->buf_len += k;
		p += k;
		n -= k;
		if (c->buf_len < 64)
			return;
		blocks_ni(c->h, c->buf, 1);
		c->buf_len = 0;
	}
	if (n >= 64)
		blocks_ni(c->h, p, n / 64);
	p += n / 64 * 64;
	n %= 64;
	memcpy(c->buf, p, n);
	c->buf_len = n;
}

/* FIPS 180-4 section 5.1.1: 0x80, zeros, then the bit length. */
static void
final_ni(pf_dsha *c, uint8_t out[PF_SHA256_LEN])
{
	uint8_t pad[72] = { 0x80 };
	uint64_t bits = c->total * 8;
	size_t padlen = c->buf_len < 56 ? 56 - c->buf_len : 120 - c->buf_len;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
	update_ni(c, pad, padlen + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
}
#endif

void
pf_dsha_update(pf_dsha *c, const void *p, size_t n)
{
#ifdef HAVE_SHA_NI_CODE
	if (c->ni) {
		if (n > 0)
			update_ni(c, p, n);
		return;
	}
#endif
	pf_sha256_update(&c->sodium, p, n);
}

void
pf_dsha_final(pf_dsha *c, uint8_t out[PF_SHA256_LEN])
{
#ifdef HAVE_SHA_NI_CODE
	if (c->ni) {
		final_ni(c, out);
		return;
	}
#endif
	pf_sha256_final(&c->sodium, out);
}

void
pf_dsha_digest(uint8_t out[PF_SHA256_LEN], const void *p, size_t n)
{
	pf_dsha c;

	pf_dsha_init(&c);
	pf_dsha_update(&c, p, n);
	pf_dsha_final(&c, out);
}
