/* Section 4.2: encoding the diff stream (the inverse of diff_dec.c). */
#include <config.h>

#include "delta/diffcoder.h"

void
pf_diff_enc_start(pf_diff_enc *e, pf_buf *out)
{
	*e = (pf_diff_enc){ .range = UINT32_MAX, .cache_size = 1, .out = out };
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
	uint32_t bound = (e->range >> 16) * *p;

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

void
pf_diff_enc_finish(pf_diff_enc *e)
{
	int i;

	for (i = 0; i < 5; i++)
		shift_low(e);
}
