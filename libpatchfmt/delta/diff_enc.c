/* Section 4.2: encoding the diff stream (the inverse of diff_dec.c). */
#include <config.h>

#include <string.h>

#include "delta/diffcoder.h"

void
pf_diff_enc_start(pf_diff_enc *e, pf_buf *out, bool v2)
{
	*e = (pf_diff_enc){ .range = UINT32_MAX, .cache_size = 1, .out = out,
	    .start = out->len, .v2 = v2 };
}

/* Moves the top byte of low out, resolving a pending carry. */
static void
shift_low(pf_diff_enc *e)
{
	uint8_t carry = (uint8_t)(e->low >> 32);

	if ((uint32_t)e->low < 0xff000000u || carry != 0) {
		pf_buf_put_u8(e->out, (uint8_t)(e->cache + carry));
		for (; e->cache_size > 1; e->cache_size--)
			pf_buf_put_u8(e->out, (uint8_t)(0xff + carry));
		e->cache_size = 0;
		e->cache = (uint8_t)(e->low >> 24);
	}
	e->cache_size++;
	e->low = (e->low & 0x00ffffffu) << 8;
}

static void
enc_bit(pf_diff_enc *e, uint16_t *p, unsigned bit, uint32_t round)
{
	uint32_t bound = pf_diff_bound(e->range, *p, e->v2);

	if (bit == 0) {
		e->range = bound;
		*p = pf_diff_prob_zero(*p, round);
	} else {
		e->low += bound;
		e->range -= bound;
		*p = (uint16_t)(*p - (*p >> PF_DIFF_ADAPT_SHIFT));
	}
	while (e->range < PF_DIFF_RANGE_TOP) {
		e->range <<= 8;
		shift_low(e);
	}
}

void
pf_diff_enc_byte(pf_diff_enc *e, pf_diff_model *m, uint8_t ctx, uint8_t v)
{
	unsigned node = 1;
	int i;

	enc_bit(e, &m->flag[m->hist][ctx], v != 0, m->round);
	m->hist = (uint8_t)((m->hist << 1 | (v != 0)) &
	    ((1u << PF_DIFF_FLAG_HISTORY) - 1));
	if (v != 0)
		for (i = 7; i >= 0; i--) {
			enc_bit(e, &m->value[m->prev][node], v >> i & 1,
			    m->round);
			node = node << 1 | (v >> i & 1);
		}
	m->prev = v;
}

/* Whether the n bytes at p are all 0. */
static bool
all_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

void
pf_diff_enc_copy(pf_diff_enc *e, pf_diff_model *m, uint8_t ctx,
    const uint8_t *old, const uint8_t *diff, uint64_t len)
{
	uint64_t i = 0;
	unsigned bit;

	while (i < len) {
		if (m->skips && pf_diff_skip_due(m->hist, i, len - i)) {
			bit = !all_zero(diff + i, PF_DIFF_SKIP);
			enc_bit(e, &m->skip[m->skip_last], bit, m->round);
			m->skip_last = (uint8_t)bit;
			if (bit == 0) {
				i += PF_DIFF_SKIP;
				continue;
			}
		}
		pf_diff_enc_byte(e, m, i > 0 ? old[i - 1] : ctx, diff[i]);
		i++;
	}
}

/*
 * Section 4.2.4: any code in [low, low + range) decodes the same bytes.
 * The one with the most trailing zero bytes is chosen, so that the bytes
 * a version 2 decoder reads as zeros past the chunk need not be written.
 */
static void
round_low(pf_diff_enc *e)
{
	uint64_t last = e->low + e->range - 1, mask, v;
	int bits;

	for (bits = 32; bits > 0; bits -= 8) {
		mask = (UINT64_C(1) << bits) - 1;
		v = (e->low + mask) & ~mask;
		if (v <= last) {
			e->low = v;
			return;
		}
	}
}

void
pf_diff_enc_finish(pf_diff_enc *e)
{
	pf_buf *b = e->out;
	int i;

	if (e->v2)
		round_low(e);
	for (i = 0; i < 5; i++)
		shift_low(e);
	if (!e->v2 || b->failed || b->len == e->start)
		return;
	/* The first byte is always 0; trailing zeros are implied. */
	memmove(b->data + e->start, b->data + e->start + 1,
	    b->len - e->start - 1);
	b->len--;
	while (b->len > e->start && b->data[b->len - 1] == 0)
		b->len--;
}
