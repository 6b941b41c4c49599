/*
 * The VCDIFF encoder (spec/vcdiff.md section 5): patchfmt's approximate
 * matches (match.c) cut into exact COPY runs and ADDs, runs of one byte
 * as RUN, literal bytes seen earlier in the target window as COPYs from
 * it, laid out in target windows with the default code table, the
 * cheapest address mode for each COPY, and the paired codes of the table
 * where an ADD and a COPY allow them.  With xdelta3's extensions, every
 * window also carries its Adler-32 and its sections go through one .xz
 * stream per kind of section, flushed at each window.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "compress/lzma.h"
#include "compress/xz.h"
#include "delta/match.h"
#include "delta/vcdiff.h"

/* Exact runs shorter than this stay inside ADDs: a COPY costs more. */
#define MIN_COPY 4

/* Sections shorter than this are not worth a flush of the .xz stream. */
#define MIN_PACK 32

/* Repeated bytes at least this long become a RUN. */
#define MIN_RUN 8

/*
 * Literal bytes found earlier in the window this long become a COPY.
 * Not with LZMA behind: it codes the repeats of the data section in
 * fewer bytes than COPYs do (measured on the corpus pairs).
 */
#define MIN_SELF 6

/* The hash of 4 bytes that finds them, and how many it tries. */
#define SELF_HASH_BITS 16
#define SELF_TRIES 32

enum { SECT_DATA, SECT_INST, SECT_ADDR, NSECT };

/* lc/lp/pb for each section's stream: data is code and text, the rest not. */
static const uint32_t sect_lclppb[NSECT][3] = {
	{ 3, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 }
};

/* What the last instruction left open for a paired code. */
enum { LAST_NONE, LAST_ADD, LAST_COPY4 };

typedef struct venc {
	const uint8_t *old;
	const uint8_t *nw;
	pf_buf sect[NSECT];
	pf_vcd_cache cache;
	uint8_t code_copy[PF_VCD_MODES][19];    /* single COPY codes by size */
	uint64_t seg_pos;       /* the window's source segment */
	uint64_t seg_len;
	uint64_t tgt_pos;       /* bytes of the window made so far */
	int last;
	unsigned last_size;
	unsigned last_mode;
	pf_xz *xz[NSECT];
	uint32_t dict;          /* of the .xz streams, fitted to new */
	/* Hash chains over the target window, for copies from itself. */
	uint32_t *head;         /* by hash: last position + 1, or 0 */
	uint32_t *prev;         /* by position: the one before + 1, or 0 */
	uint64_t win_from;      /* the window is new[win_from, win_to) */
	uint64_t win_to;
	uint64_t inserted;      /* positions below this are chained */
	uint64_t min_self;
} venc;

/* One piece of new: a COPY from old, or literal bytes. */
typedef struct piece {
	uint64_t new_pos;
	uint64_t len;
	uint64_t old_pos;
	bool copy;
} piece;

typedef struct piece_list {
	piece *v;
	size_t n;
	size_t cap;
	bool failed;
} piece_list;

static void
push_piece(piece_list *l, uint64_t new_pos, uint64_t len, uint64_t old_pos,
    bool copy)
{
	piece *v;
	size_t cap;

	if (len == 0 || l->failed)
		return;
	if (l->n > 0 && !copy && !l->v[l->n - 1].copy) {
		l->v[l->n - 1].len += len;
		return;
	}
	if (l->n == l->cap) {
		cap = l->cap ? 2 * l->cap : 256;
		if ((v = realloc(l->v, cap * sizeof *v)) == NULL) {
			l->failed = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (piece){ new_pos, len, old_pos, copy };
}

/* Splits an approximate match into exact runs and the bytes between. */
static void
split_copy(piece_list *l, const uint8_t *old, const uint8_t *nw,
    const pf_seg *s)
{
	uint64_t i = 0, j, lit = 0;

	while (i < s->copy_len) {
		for (j = i; j < s->copy_len &&
		    nw[s->new_pos + j] == old[s->old_pos + j]; j++)
			;
		if (j - i >= MIN_COPY) {
			push_piece(l, s->new_pos + lit, i - lit, 0, false);
			push_piece(l, s->new_pos + i, j - i, s->old_pos + i,
			    true);
			lit = j;
		}
		i = j < s->copy_len ? j + 1 : j;
	}
	push_piece(l, s->new_pos + lit, s->copy_len - lit, 0, false);
}

static pf_ret
make_pieces(const uint8_t *old, size_t old_len, const uint8_t *nw,
    size_t new_len, pf_cpus *cpus, piece_list *l, pf_err *err)
{
	pf_seg_list segs = { 0 };
	size_t i;
	pf_ret r;

	r = pf_delta_match(old, old_len, nw, new_len, cpus, &segs, err);
	if (r != PF_OK)
		return r;
	for (i = 0; i < segs.n; i++) {
		split_copy(l, old, nw, &segs.v[i]);
		push_piece(l, segs.v[i].new_pos + segs.v[i].copy_len,
		    segs.v[i].extra_len, 0, false);
	}
	free(segs.v);
	return l->failed ? pf_err_nomem(err) : PF_OK;
}

static void
init_codes(venc *e)
{
	pf_vcd_inst table[256][2];
	unsigned c;

	pf_vcd_default_table(table);
	for (c = 0; c < 256; c++)
		if (table[c][0].type == PF_VCD_COPY &&
		    table[c][1].type == PF_VCD_NOOP)
			e->code_copy[table[c][0].mode][table[c][0].size] =
			    (uint8_t)c;
}

/* Section 5.6's paired codes, by arithmetic on its layout. */
static int
pair_add_copy(unsigned add, unsigned copy, unsigned mode)
{
	if (mode < 6 && copy >= 4 && copy <= 6)
		return 163 + (int)(mode * 12 + (add - 1) * 3 + (copy - 4));
	if (mode >= 6 && copy == 4)
		return 235 + (int)((mode - 6) * 4 + (add - 1));
	return -1;
}

static unsigned
int_len(uint64_t v)
{
	unsigned n = 1;

	while ((v >>= 7) != 0)
		n++;
	return n;
}

/* Section 5.3: the mode that spends fewest bytes on addr. */
static unsigned
pick_mode(const venc *e, uint64_t addr, uint64_t *val)
{
	uint64_t here = e->seg_len + e->tgt_pos;
	unsigned mode = 0, best = int_len(addr), m, k;

	*val = addr;
	if (e->cache.same[addr % (PF_VCD_SAME * 256)] == addr) {
		*val = addr % 256;
		return 2 + PF_VCD_NEAR + (unsigned)(addr % (PF_VCD_SAME * 256)) /
		    256;
	}
	if ((k = int_len(here - addr)) < best) {
		best = k;
		mode = 1;
		*val = here - addr;
	}
	for (m = 0; m < PF_VCD_NEAR; m++)
		if (addr >= e->cache.near[m] &&
		    (k = int_len(addr - e->cache.near[m])) < best) {
			best = k;
			mode = 2 + m;
			*val = addr - e->cache.near[m];
		}
	return mode;
}

static void
put_code(venc *e, unsigned code, unsigned size, bool explicit_size)
{
	pf_buf_put_u8(&e->sect[SECT_INST], (uint8_t)code);
	if (explicit_size)
		pf_vcd_put_int(&e->sect[SECT_INST], size);
}

static void
emit_add(venc *e, const uint8_t *p, uint64_t n)
{
	pf_buf *inst = &e->sect[SECT_INST];

	pf_buf_append(&e->sect[SECT_DATA], p, (size_t)n);
	if (n == 1 && e->last == LAST_COPY4) {
		inst->data[inst->len - 1] = (uint8_t)(247 + e->last_mode);
		e->last = LAST_NONE;
	} else {
		put_code(e, n <= 17 ? 1 + (unsigned)n : 1, (unsigned)n, n > 17);
		e->last = n <= 4 ? LAST_ADD : LAST_NONE;
		e->last_size = (unsigned)n;
	}
	e->tgt_pos += n;
}

static void
emit_run(venc *e, uint8_t byte, uint64_t n)
{
	pf_buf_put_u8(&e->sect[SECT_DATA], byte);
	pf_buf_put_u8(&e->sect[SECT_INST], 0);
	pf_vcd_put_int(&e->sect[SECT_INST], n);
	e->last = LAST_NONE;
	e->tgt_pos += n;
}

static void
emit_copy(venc *e, uint64_t addr, uint64_t n)
{
	pf_buf *inst = &e->sect[SECT_INST];
	uint64_t val;
	unsigned mode = pick_mode(e, addr, &val);
	int pair = -1;

	if (mode >= 2 + PF_VCD_NEAR)
		pf_buf_put_u8(&e->sect[SECT_ADDR], (uint8_t)val);
	else
		pf_vcd_put_int(&e->sect[SECT_ADDR], val);
	pf_vcd_cache_update(&e->cache, addr);
	if (e->last == LAST_ADD && n <= 6)
		pair = pair_add_copy(e->last_size, (unsigned)n, mode);
	if (pair >= 0)
		inst->data[inst->len - 1] = (uint8_t)pair;
	else if (n <= 18)
		put_code(e, e->code_copy[mode][n], 0, false);
	else
		put_code(e, e->code_copy[mode][0], (unsigned)n, true);
	e->last = pair < 0 && n == 4 ? LAST_COPY4 : LAST_NONE;
	e->last_mode = mode;
	e->tgt_pos += n;
}

static uint32_t
hash4(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	return (v * 2654435761u) >> (32 - SELF_HASH_BITS);
}

/* Chains every position of the window before pos. */
static void
insert_upto(venc *e, uint64_t pos)
{
	uint32_t h, rel;

	for (; e->inserted < pos && e->inserted + 4 <= e->win_to;
	    e->inserted++) {
		rel = (uint32_t)(e->inserted - e->win_from);
		h = hash4(e->nw + e->inserted);
		e->prev[rel] = e->head[h];
		e->head[h] = rel + 1;
	}
	if (e->inserted < pos)
		e->inserted = pos;
}

/* The longest earlier copy in the window of new[pos, +max): its length. */
static uint64_t
self_match(venc *e, uint64_t pos, uint64_t max, uint64_t *from)
{
	const uint8_t *p = e->nw + pos;
	uint64_t best = 0, len, c;
	uint32_t link;
	int tries = SELF_TRIES;

	insert_upto(e, pos);
	if (max < MIN_SELF || pos + 4 > e->win_to)
		return 0;
	for (link = e->head[hash4(p)]; link != 0 && tries-- > 0;
	    link = e->prev[link - 1]) {
		c = e->win_from + link - 1;
		for (len = 0; len < max && e->nw[c + len] == p[len]; len++)
			;
		if (len > best) {
			best = len;
			*from = c;
		}
	}
	return best;
}

static void
flush_add(venc *e, const uint8_t *p, uint64_t start, uint64_t end)
{
	if (end > start)
		emit_add(e, p + start, end - start);
}

/*
 * Literal bytes new[a, +n): RUNs for long repeats, COPYs from earlier in
 * the target window (which may overlap what they write), ADDs for the
 * rest.
 */
static void
emit_literal(venc *e, uint64_t a, uint64_t n)
{
	const uint8_t *p = e->nw + a;
	uint64_t i = 0, j, start = 0, len, from = 0;

	while (i < n) {
		for (j = i + 1; j < n && p[j] == p[i]; j++)
			;
		if (j - i >= MIN_RUN) {
			flush_add(e, p, start, i);
			emit_run(e, p[i], j - i);
			i = start = j;
			continue;
		}
		len = self_match(e, a + i, n - i, &from);
		if (len >= e->min_self) {
			flush_add(e, p, start, i);
			emit_copy(e, e->seg_len + (from - e->win_from), len);
			i = start = i + len;
			continue;
		}
		i++;
	}
	flush_add(e, p, start, n);
}

/* The source segment: from the first to the last old byte copied. */
static void
window_segment(venc *e, const piece *v, size_t n, uint64_t from,
    uint64_t to)
{
	uint64_t lo = UINT64_MAX, hi = 0, a, b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!v[i].copy || v[i].new_pos + v[i].len <= from ||
		    v[i].new_pos >= to)
			continue;
		a = v[i].old_pos + (from > v[i].new_pos ? from - v[i].new_pos : 0);
		b = v[i].old_pos + (to < v[i].new_pos + v[i].len ?
		    to - v[i].new_pos : v[i].len);
		lo = a < lo ? a : lo;
		hi = b > hi ? b : hi;
	}
	e->seg_pos = lo == UINT64_MAX ? 0 : lo;
	e->seg_len = lo == UINT64_MAX ? 0 : hi - lo;
}

/* Emits the part [from, to) of new that piece v covers. */
static void
emit_piece(venc *e, const piece *v, uint64_t from, uint64_t to)
{
	uint64_t a = v->new_pos > from ? v->new_pos : from;
	uint64_t b = v->new_pos + v->len < to ? v->new_pos + v->len : to;

	if (a >= b)
		return;
	if (v->copy)
		emit_copy(e, v->old_pos + (a - v->new_pos) - e->seg_pos, b - a);
	else
		emit_literal(e, a, b - a);
}

static pf_ret
pack_sections(venc *e, uint8_t *del, pf_buf packed[NSECT], pf_err *err)
{
	pf_buf raw;
	pf_ret r;
	int k;

	*del = 0;
	for (k = 0; k < NSECT; k++) {
		if (e->sect[k].len < MIN_PACK)
			continue;
		if (e->xz[k] == NULL && (r = pf_xz_enc_new(&e->xz[k], e->dict,
		    sect_lclppb[k][0], sect_lclppb[k][1], sect_lclppb[k][2],
		    err)) != PF_OK)
			return r;
		pf_buf_init(&raw);
		pf_vcd_put_int(&raw, e->sect[k].len);
		r = pf_xz_enc_next(e->xz[k], e->sect[k].data, e->sect[k].len,
		    &raw, err);
		pf_buf_free(&packed[k]);
		packed[k] = raw;
		if (r != PF_OK)
			return r;
		*del |= (uint8_t)(1u << k);
	}
	return PF_OK;
}

/* Section 4.2 and 4.3: one window's header and encoding. */
static pf_ret
write_window(venc *e, bool xd3, const uint8_t *tgt, uint64_t tlen,
    pf_buf *out, pf_err *err)
{
	pf_buf packed[NSECT], head;
	const pf_buf *s[NSECT];
	uint8_t del = 0, ind = 0;
	uint32_t adler;
	pf_ret r = PF_OK;
	int k;

	memset(packed, 0, sizeof packed);
	pf_buf_init(&head);
	for (k = 0; k < NSECT; k++)
		s[k] = &e->sect[k];
	if (xd3 && (r = pack_sections(e, &del, packed, err)) != PF_OK)
		goto out;
	for (k = 0; k < NSECT; k++)
		if (del & (1u << k))
			s[k] = &packed[k];
	ind = (e->seg_len ? PF_VCD_SOURCE : 0) | (xd3 ? PF_VCD_ADLER32 : 0);
	pf_vcd_put_int(&head, tlen);
	pf_buf_put_u8(&head, del);
	for (k = 0; k < NSECT; k++)
		pf_vcd_put_int(&head, s[k]->len);
	if (xd3) {
		adler = pf_vcd_adler32(tgt, (size_t)tlen);
		pf_buf_put_u8(&head, (uint8_t)(adler >> 24));
		pf_buf_put_u8(&head, (uint8_t)(adler >> 16));
		pf_buf_put_u8(&head, (uint8_t)(adler >> 8));
		pf_buf_put_u8(&head, (uint8_t)adler);
	}
	pf_buf_put_u8(out, ind);
	if (ind & PF_VCD_SOURCE) {
		pf_vcd_put_int(out, e->seg_len);
		pf_vcd_put_int(out, e->seg_pos);
	}
	pf_vcd_put_int(out, head.len + s[0]->len + s[1]->len + s[2]->len);
	pf_buf_append(out, head.data, head.len);
	for (k = 0; k < NSECT; k++)
		pf_buf_append(out, s[k]->data, s[k]->len);
out:
	pf_buf_free(&head);
	for (k = 0; k < NSECT; k++)
		pf_buf_free(&packed[k]);
	return r;
}

static pf_ret
encode_windows(venc *e, const piece_list *l, size_t new_len, uint32_t win,
    bool xd3, pf_buf *out, pf_err *err)
{
	uint64_t from, to;
	size_t first = 0, i;
	pf_ret r;
	int k;

	/* xdelta3 -d wants a window even for an empty file. */
	if (new_len == 0)
		return write_window(e, xd3, e->nw, 0, out, err);
	for (from = 0; from < new_len; from = to) {
		to = new_len - from < win ? new_len : from + win;
		while (first < l->n && l->v[first].new_pos + l->v[first].len <=
		    from)
			first++;
		for (i = first; i < l->n && l->v[i].new_pos < to; i++)
			;
		window_segment(e, l->v + first, i - first, from, to);
		for (k = 0; k < NSECT; k++)
			e->sect[k].len = 0;
		pf_vcd_cache_reset(&e->cache);
		memset(e->head, 0, sizeof *e->head << SELF_HASH_BITS);
		e->win_from = e->inserted = from;
		e->win_to = to;
		e->tgt_pos = 0;
		e->last = LAST_NONE;
		for (i = first; i < l->n && l->v[i].new_pos < to; i++)
			emit_piece(e, &l->v[i], from, to);
		for (k = 0; k < NSECT; k++)
			if (e->sect[k].failed)
				return pf_err_nomem(err);
		r = write_window(e, xd3, e->nw + from, to - from, out, err);
		if (r != PF_OK)
			return r;
	}
	return out->failed ? pf_err_nomem(err) : PF_OK;
}

pf_ret
pf_vcdiff_encode(const uint8_t *old, size_t old_len, const uint8_t *new_data,
    size_t new_len, const pf_vcdiff_opts *opts, pf_buf *out, pf_err *err)
{
	pf_vcdiff_opts o = { 0 };
	piece_list l = { 0 };
	pf_cpus own;
	venc *e;
	pf_ret r;
	int k;

	if (opts != NULL)
		o = *opts;
	if (o.cpus == NULL) {
		pf_cpus_init_threads(&own, o.threads);
		o.cpus = &own;
	}
	if (o.window == 0)
		o.window = PF_VCD_ENC_WINDOW;
	if (o.window > PF_VCD_WINDOW_MAX)
		return pf_err_set(err, PF_ERR_USAGE,
		    "vcdiff window of %u bytes is above the limit of %u",
		    o.window, PF_VCD_WINDOW_MAX);
	if ((e = calloc(1, sizeof *e)) == NULL)
		return pf_err_nomem(err);
	e->old = old;
	e->nw = new_data;
	e->dict = pf_lzma_dict_for(new_len);
	e->min_self = o.xdelta3 ? UINT64_MAX : MIN_SELF;
	init_codes(e);
	e->head = malloc(sizeof *e->head << SELF_HASH_BITS);
	e->prev = malloc((new_len < o.window ? new_len + 1 : o.window) *
	    sizeof *e->prev);
	if (e->head == NULL || e->prev == NULL) {
		r = pf_err_nomem(err);
		goto out;
	}
	r = make_pieces(old, old_len, new_data, new_len, o.cpus, &l, err);
	if (r != PF_OK)
		goto out;
	pf_buf_append(out, PF_VCD_MAGIC, PF_VCD_MAGIC_LEN);
	pf_buf_put_u8(out, PF_VCD_VERSION);
	pf_buf_put_u8(out, o.xdelta3 ? PF_VCD_DECOMPRESS : 0);
	if (o.xdelta3)
		pf_buf_put_u8(out, PF_VCD_SEC_LZMA);
	r = encode_windows(e, &l, new_len, o.window, o.xdelta3, out, err);
out:
	for (k = 0; k < NSECT; k++) {
		pf_buf_free(&e->sect[k]);
		pf_xz_free(e->xz[k]);
	}
	free(e->head);
	free(e->prev);
	free(e);
	free(l.v);
	return r;
}
