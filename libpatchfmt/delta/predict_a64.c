/*
 * Finder 2 of spec/delta.md section 10.9: the references of AArch64
 * code.  Instructions are 4-byte little-endian words, so the scan is
 * complete: every word of a CODE region is looked at once, and only the
 * encodings that the section lists are rewritten.  Encoder and decoder
 * run this same code.
 */
#include <config.h>

#include "common/bytes.h"
#include "delta/format.h"
#include "delta/predict.h"

/* Section 10.9: how many words after an ADRP may use its register. */
#define ADRP_WINDOW 8

/* Section 10.9.1: the instruction classes, as (word & mask) == value. */
#define A64_B_MASK 0x7c000000u          /* B and BL: imm26 */
#define A64_B_VAL 0x14000000u
#define A64_BCOND_MASK 0xff000010u      /* B.cond: imm19 */
#define A64_BCOND_VAL 0x54000000u
#define A64_CBZ_MASK 0x7e000000u        /* CBZ and CBNZ: imm19 */
#define A64_CBZ_VAL 0x34000000u
#define A64_TBZ_MASK 0x7e000000u        /* TBZ and TBNZ: imm14 */
#define A64_TBZ_VAL 0x36000000u
#define A64_LDRLIT_MASK 0x3b000000u     /* LDR (literal) and kin: imm19 */
#define A64_LDRLIT_VAL 0x18000000u
#define A64_ADR_MASK 0x9f000000u        /* ADR and ADRP: immhi:immlo */
#define A64_ADR_VAL 0x10000000u
#define A64_ADRP_VAL 0x90000000u
#define A64_ADD_MASK 0xffc00000u        /* ADD Xd, Xn, #imm12 (LSL 0) */
#define A64_ADD_VAL 0x91000000u
#define A64_LDST_MASK 0x3b000000u       /* LDR/STR (unsigned offset) */
#define A64_LDST_VAL 0x39000000u

/* A partner of an ADRP: its position, byte offset and scale. */
typedef struct partner {
	size_t pos;
	uint64_t off;
	unsigned scale;
} partner;

static int64_t
sext(uint64_t v, unsigned bits)
{
	uint64_t m = (uint64_t)1 << (bits - 1);

	v &= ((uint64_t)1 << bits) - 1;
	return (int64_t)((v ^ m) - m);
}

/* Whether v fits a signed field of bits bits. */
static bool
fits(int64_t v, unsigned bits)
{
	int64_t lim = (int64_t)1 << (bits - 1);

	return v >= -lim && v < lim;
}

/*
 * Section 10.9.2: a branch or literal load at address a whose signed
 * field of bits bits at bit lsb counts words.  The new word, or w when
 * the target is outside the image or the new offset does not fit.
 */
static uint32_t
pc_rel_words(const pf_pred *p, uint64_t a, uint32_t w, unsigned lsb,
    unsigned bits)
{
	uint64_t mask = ((uint64_t)1 << bits) - 1;
	int64_t v = sext(w >> lsb, bits), nv;
	uint64_t t = a + (uint64_t)v * 4;

	if (!pf_pred_in_image(p, t))
		return w;
	nv = (int64_t)(pf_pred_map(p, t) - pf_pred_map(p, a));
	if (nv % 4 != 0 || !fits(nv / 4, bits))
		return w;
	return (uint32_t)((w & ~(uint32_t)(mask << lsb)) |
	    (((uint64_t)(nv / 4) & mask) << lsb));
}

/* ADR and ADRP's 21-bit immediate, immhi (bits 5-23) : immlo (29-30). */
static int64_t
adr_imm(uint32_t w)
{
	return sext(((uint64_t)((w >> 5) & 0x7ffff) << 2) | ((w >> 29) & 3),
	    21);
}

static uint32_t
set_adr_imm(uint32_t w, int64_t v)
{
	uint32_t u = (uint32_t)((uint64_t)v & 0x1fffff);

	return (w & 0x9f00001fu) | ((u & 3) << 29) | ((u >> 2) << 5);
}

/* Section 10.9.2: ADR, a byte offset from its own address. */
static uint32_t
pc_rel_adr(const pf_pred *p, uint64_t a, uint32_t w)
{
	uint64_t t = a + (uint64_t)adr_imm(w);
	int64_t nv;

	if (!pf_pred_in_image(p, t))
		return w;
	nv = (int64_t)(pf_pred_map(p, t) - pf_pred_map(p, a));
	return fits(nv, 21) ? set_adr_imm(w, nv) : w;
}

/*
 * Section 10.9.3: whether w adds to or loads or stores at register n
 * with a 12-bit unsigned offset; its byte offset and scale.
 */
static bool
is_partner(uint32_t w, unsigned n, uint64_t *off, unsigned *scale)
{
	unsigned opc = (w >> 22) & 3;

	if (((w >> 5) & 31) != n)
		return false;
	if ((w & A64_ADD_MASK) == A64_ADD_VAL)
		*scale = 0;
	else if ((w & A64_LDST_MASK) == A64_LDST_VAL)
		*scale = ((w >> 26) & 1) && (opc & 2) ? 4 : w >> 30;
	else
		return false;
	*off = (uint64_t)((w >> 10) & 0xfff) << *scale;
	return true;
}

/*
 * Section 10.9.3: the partners of the ADRP at b[i] with register n,
 * among the next ADRP_WINDOW words before e; their number.
 */
static size_t
find_partners(const uint8_t *b, size_t i, size_t e, unsigned n,
    partner *v)
{
	size_t k, at, np = 0;
	uint32_t w;

	for (k = 1; k <= ADRP_WINDOW; k++) {
		at = i + 4 * k;
		if (at + 4 > e)
			break;
		w = pf_load_le32(b + at);
		if ((w & A64_ADR_MASK) == A64_ADRP_VAL && (w & 31) == n)
			break;
		if (!is_partner(w, n, &v[np].off, &v[np].scale))
			continue;
		v[np++].pos = at;
		if ((w & 31) == n)
			break;
	}
	return np;
}

/* Section 10.9.3: an ADRP at b[i], address a, and its partners. */
static void
predict_adrp(const pf_pred *p, uint8_t *b, size_t i, size_t e, uint64_t a)
{
	uint32_t w = pf_load_le32(b + i), pw;
	uint64_t page, t, np, na, nt;
	partner v[ADRP_WINDOW];
	size_t n, k;
	int64_t pd;

	page = (a & ~(uint64_t)0xfff) + ((uint64_t)adr_imm(w) << 12);
	n = find_partners(b, i, e, w & 31, v);
	t = page + (n > 0 ? v[0].off : 0);
	if (!pf_pred_in_image(p, t))
		return;
	np = pf_pred_map(p, t) & ~(uint64_t)0xfff;
	na = pf_pred_map(p, a) & ~(uint64_t)0xfff;
	pd = (int64_t)(np - na) / 4096;
	if (!fits(pd, 21))
		return;
	pf_store_le32(b + i, set_adr_imm(w, pd));
	for (k = 0; k < n; k++) {
		t = page + v[k].off;
		if (!pf_pred_in_image(p, t))
			continue;
		nt = pf_pred_map(p, t) - np;
		if (nt >= 4096 || nt % ((uint64_t)1 << v[k].scale) != 0)
			continue;
		pw = pf_load_le32(b + v[k].pos);
		pw = (pw & ~(0xfffu << 10)) |
		    (uint32_t)((nt >> v[k].scale) << 10);
		pf_store_le32(b + v[k].pos, pw);
	}
}

/* Section 10.9.2: one word that is no ADRP; the new word. */
static uint32_t
predict_word(const pf_pred *p, uint64_t a, uint32_t w)
{
	if ((w & A64_B_MASK) == A64_B_VAL)
		return pc_rel_words(p, a, w, 0, 26);
	if ((w & A64_BCOND_MASK) == A64_BCOND_VAL ||
	    (w & A64_CBZ_MASK) == A64_CBZ_VAL ||
	    (w & A64_LDRLIT_MASK) == A64_LDRLIT_VAL)
		return pc_rel_words(p, a, w, 5, 19);
	if ((w & A64_TBZ_MASK) == A64_TBZ_VAL)
		return pc_rel_words(p, a, w, 5, 14);
	if ((w & A64_ADR_MASK) == A64_ADR_VAL)
		return pc_rel_adr(p, a, w);
	return w;
}

void
pf_pred_scan_a64(const pf_pred *p, const pf_pred_region *r, uint8_t *buf,
    uint64_t page_off, uint64_t s, uint64_t e)
{
	uint64_t at = r->off + (s - r->off + 3) / 4 * 4, a;
	size_t i, end = (size_t)(e - page_off);
	uint32_t w;

	for (; at + 4 <= e; at += 4) {
		i = (size_t)(at - page_off);
		a = r->vaddr + (at - r->off);
		w = pf_load_le32(buf + i);
		if ((w & A64_ADR_MASK) == A64_ADRP_VAL)
			predict_adrp(p, buf, i, end, a);
		else
			pf_store_le32(buf + i, predict_word(p, a, w));
	}
}
