/* Section 4.2: decoding the diff stream. */
#include <config.h>

#include <string.h>

#include "delta/diffcoder.h"

void
pf_diff_model_init(pf_diff_model *m, bool sparse, bool skips)
{
	size_t i, j;

	for (i = 0; i < 1 << PF_DIFF_FLAG_HISTORY; i++)
		for (j = 0; j < 256; j++)
			m->flag[i][j] = sparse && i == 0 ? PF_DIFF_PROB_QUIET :
			    PF_DIFF_PROB_INIT;
	for (i = 0; i < 256; i++)
		for (j = 0; j < 256; j++)
			m->value[i][j] = PF_DIFF_PROB_INIT;
	m->prev = 0;
	m->hist = 0;
	m->round = sparse ? (1u << PF_DIFF_ADAPT_SHIFT) - 1 : 0;
	m->skip[0] = m->skip[1] = PF_DIFF_PROB_QUIET;
	m->skip_last = 0;
	m->skips = skips;
}

/*
 * Section 4.2.2: a probability after a 0 bit.  Without SPARSE (round 0)
 * it never passes 65536 - 16; with it, it climbs to 65535, so that a
 * long run of zero diff bytes costs a sixteenth as much.
 */
uint16_t
pf_diff_prob_zero(uint16_t p, uint32_t round)
{
	uint32_t q = p + ((0x10000u - p + round) >> PF_DIFF_ADAPT_SHIFT);

	return (uint16_t)(q > PF_DIFF_PROB_MAX ? PF_DIFF_PROB_MAX : q);
}

/* Refills the buffer; past the chunk's end, zeros and a fault. */
static uint8_t
refill_byte(pf_diff_dec *d)
{
	size_t got;

	d->pos = d->len = 0;
	if (d->left == 0 && d->pad && d->ret == PF_OK)
		return 0;
	if (d->left == 0 || d->ret != PF_OK) {
		d->overrun = true;
		return 0;
	}
	got = d->left < d->cap ? (size_t)d->left : d->cap;
	d->ret = pf_istream_read_full(d->in, d->buf, got, "delta diff stream",
	    d->err);
	if (d->ret != PF_OK)
		return 0;
	d->left -= got;
	d->len = got;
	return d->buf[d->pos++];
}

static inline uint8_t
next_byte(pf_diff_dec *d)
{
	return d->pos < d->len ? d->buf[d->pos++] : refill_byte(d);
}

void
pf_diff_dec_start(pf_diff_dec *d, pf_istream *in, uint64_t packed,
    uint8_t *buf, size_t cap, bool v2, pf_err *err)
{
	int i;

	*d = (pf_diff_dec){ .range = UINT32_MAX, .in = in, .left = packed,
	    .buf = buf, .cap = cap, .ret = PF_OK, .err = err, .pad = v2 };
	/* Version 2 leaves out the first byte, always 0 (section 4.2.4). */
	for (i = v2; i < 5; i++)
		d->code = d->code << 8 | next_byte(d);
}

/*
 * The coder's state lives in locals while a run of bytes is decoded, so
 * that the compiler keeps it in registers: byte loads from the input
 * buffer could otherwise alias it.
 */
typedef struct rc_regs {
	uint32_t range;
	uint32_t code;
} rc_regs;

static inline unsigned
dec_bit(pf_diff_dec *d, rc_regs *rc, uint16_t *p, uint32_t round)
{
	uint32_t bound = pf_diff_bound(rc->range, *p, d->pad);
	unsigned bit;

	if (rc->code < bound) {
		rc->range = bound;
		*p = pf_diff_prob_zero(*p, round);
		bit = 0;
	} else {
		rc->code -= bound;
		rc->range -= bound;
		*p = (uint16_t)(*p - (*p >> PF_DIFF_ADAPT_SHIFT));
		bit = 1;
	}
	while (rc->range < PF_DIFF_RANGE_TOP) {
		rc->range <<= 8;
		rc->code = rc->code << 8 | next_byte(d);
	}
	return bit;
}

/* Section 4.2.3: one diff byte, a flag then (if set) an 8-bit tree. */
static inline unsigned
dec_byte(pf_diff_dec *d, rc_regs *rc, pf_diff_model *m, unsigned *prev,
    unsigned *hist, uint8_t ctx)
{
	unsigned node = 1, nonzero;

	nonzero = dec_bit(d, rc, &m->flag[*hist][ctx], m->round);
	*hist = (*hist << 1 | nonzero) & ((1u << PF_DIFF_FLAG_HISTORY) - 1);
	if (!nonzero)
		return *prev = 0;
	while (node < 0x100)
		node = node << 1 | dec_bit(d, rc, &m->value[*prev][node],
		    m->round);
	*prev = node & 0xff;
	/* The encoder never codes 0 as a value: a zero means damage. */
	if (*prev == 0)
		d->overrun = true;
	return *prev;
}

/*
 * Section 4.2.3 where the previous four diff bytes were zero (hist 0, and
 * so prev 0), as long as the next one is zero too: the flag's decision
 * alone, without the rest of dec_byte.  Most copied bytes are decoded
 * here.  Returns how many of the n bytes it decoded; it stops before a
 * nonzero byte, which dec_byte then decodes from the same state.
 *
 * Its speed is one chain per byte, the multiply of the range and the
 * update of the probability, so nothing else may lengthen it: the
 * probability stays in a register while the context repeats (zeros in
 * old, a run of the same opcode), where a load after the last byte's
 * store would add the store's forwarding to every byte (libgs, 22 MB of
 * mostly data: 21 % less apply time); the copied bytes are written
 * after the loop, since a byte store inside it may alias the model; and
 * the loop is a function of its own, whose state fits in registers.
 * Where the contexts are saturated the chain is pf_diff_bound_max8's,
 * two operations a byte (libjsc, 32 MB unchanged: 20 % less apply
 * time; bench/RESULTS.md, "Tenth session").
 */
static __attribute__((noinline)) size_t
dec_zero_run(pf_diff_dec *d, rc_regs *rc, pf_diff_model *m, uint8_t ctx,
    const uint8_t *old, uint8_t *dst, size_t n, bool v2)
{
	uint32_t range = rc->range, code = rc->code, bound;
	uint16_t *flag = m->flag[0];
	const uint32_t round = m->round;
	unsigned c = ctx, next;
	uint32_t p = flag[c];
	size_t i = 0, hold = 0;
	const uint8_t *o;

	while (i < n) {
		/*
		 * Eight bytes at once where the eight contexts are saturated
		 * and the range stays above PF_DIFF_RANGE_TOP: code below the
		 * range after them is below every bound on the way, so all
		 * eight are zeros.  Where they are not, eight single steps
		 * before the next try (the run ends in them, or the range
		 * is renormalised).
		 */
		if (p == PF_DIFF_PROB_MAX && hold == 0 && n - i >= 8) {
			o = old + i;
			flag[c] = PF_DIFF_PROB_MAX;
			bound = pf_diff_bound_max8(range, v2);
			if ((flag[o[0]] & flag[o[1]] & flag[o[2]] & flag[o[3]] &
			    flag[o[4]] & flag[o[5]] & flag[o[6]]) ==
			    PF_DIFF_PROB_MAX && code < bound &&
			    bound >= PF_DIFF_RANGE_TOP) {
				range = bound;
				i += 8;
				c = o[7];
				p = flag[c];
				continue;
			}
			hold = 8;
		}
		if (hold > 0)
			hold--;
		if (p == PF_DIFF_PROB_MAX) {
			/* A saturated context stays so after a zero. */
			bound = pf_diff_bound_max(range, v2);
			if (code >= bound)
				break;
			range = bound;
		} else {
			bound = pf_diff_bound(range, p, v2);
			if (code >= bound)
				break;
			range = bound;
			p = pf_diff_prob_zero((uint16_t)p, round);
		}
		next = old[i++];
		if (next != c) {
			flag[c] = (uint16_t)p;
			c = next;
			p = flag[c];
		}
		while (range < PF_DIFF_RANGE_TOP) {
			range <<= 8;
			code = code << 8 | next_byte(d);
		}
	}
	flag[c] = (uint16_t)p;
	memcpy(dst, old, i);
	rc->range = range;
	rc->code = code;
	return i;
}

void
pf_diff_dec_add(pf_diff_dec *d, pf_diff_model *m, uint8_t ctx,
    const uint8_t *old, uint8_t *dst, size_t n, uint64_t at, uint64_t left)
{
	rc_regs rc = { d->range, d->code };
	unsigned prev = m->prev, hist = m->hist;
	size_t i = 0, k, lim;

	while (i < n) {
		if (d->skip_left > 0) {
			/* Section 4.2.5: the zeros of a skip, OLD as it is. */
			k = d->skip_left < n - i ? (size_t)d->skip_left : n - i;
			memcpy(dst + i, old + i, k);
			d->skip_left -= k;
			i += k;
			ctx = old[i - 1];
			continue;
		}
		lim = n - i;
		if (m->skips) {
			if (pf_diff_skip_due(hist, at + i, left - i)) {
				m->skip_last = (uint8_t)dec_bit(d, &rc,
				    &m->skip[m->skip_last], m->round);
				if (m->skip_last == 0) {
					d->skip_left = PF_DIFF_SKIP;
					continue;
				}
			}
			/* A zero run stops where the next decision may be. */
			k = PF_DIFF_SKIP - (size_t)((at + i) % PF_DIFF_SKIP);
			lim = k < lim ? k : lim;
		}
		if (hist == 0) {
			/* The same code twice, so that each has a constant v2. */
			k = d->pad ? dec_zero_run(d, &rc, m, ctx, old + i,
			    dst + i, lim, true) : dec_zero_run(d, &rc, m, ctx,
			    old + i, dst + i, lim, false);
			i += k;
			ctx = k > 0 ? old[i - 1] : ctx;
			if (k == lim)
				continue;
		}
		dst[i] = (uint8_t)(old[i] + dec_byte(d, &rc, m, &prev, &hist,
		    ctx));
		ctx = old[i++];
	}
	d->range = rc.range;
	d->code = rc.code;
	m->prev = (uint8_t)prev;
	m->hist = (uint8_t)hist;
}

pf_ret
pf_diff_dec_finish(pf_diff_dec *d, const char *what)
{
	if (d->ret != PF_OK)
		return d->ret;
	/* Section 4.2.3: the coder ends exactly where its chunk ends. */
	if (d->overrun || d->left > 0 || d->pos != d->len)
		return pf_err_set(d->err, PF_ERR_CORRUPT, "%s is corrupt",
		    what);
	return PF_OK;
}
