/*
 * The windowed encoder.  OLD is indexed once: the hash of every B-byte
 * block at a multiple of B goes into a table of 64-bit slots (23 bits of
 * the hash to check, 1 bit of source, 40 bits of block number).  NEW is
 * then read in windows of W bytes; a rolling hash at every position of
 * the window looks the table up, and each hit is a diagonal (source
 * position minus NEW position).  The regions around the hits, merged and
 * cut to a budget, are read into one buffer, and the suffix-array
 * matcher (match.c) diffs the window against them.  A block that moved
 * anywhere in OLD is found, whatever the distance.  NEW's blocks go into
 * the same table as the rolling hash passes them (where the slot is
 * free), so later windows, and the window's own later bytes, also copy
 * from NEW's earlier bytes (spec/delta.md 5.3): content that NEW repeats
 * is paid for once.  The header says so (flag SELF) only when a copy
 * may need it: the pass that hashes NEW finds out first.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "delta/denc.h"
#include "delta/format.h"
#include "common/hash.h"
#include "delta/window.h"

/* The multiplier of the rolling hash (odd, from the golden ratio). */
#define HASH_MUL UINT64_C(0x9E3779B97F4A7C15)
#define SLOT_EMPTY UINT64_C(0)
#define POS_BITS 40
#define POS_MASK ((UINT64_C(1) << POS_BITS) - 1)
/* The slot's source bit: the block is NEW's, not OLD's. */
#define SRC_NEW (UINT64_C(1) << POS_BITS)
#define CHECK_SHIFT (POS_BITS + 1)
/* Section 5.3: moves of SELF entries are below 2^62. */
#define SELF_SIZE_MAX (UINT64_C(1) << 62)
/* Bytes read at once while hashing. */
#define READ_STEP (1u << 20)

typedef struct region {
	uint64_t old_start;
	uint64_t len;
	uint64_t ref_start;
	uint64_t weight;
	int64_t diag;           /* source position minus NEW position */
	bool from_new;          /* the source is NEW's earlier bytes */
} region;

/*
 * An exact repeat inside the window: NEW's bytes at window offset at are
 * those at window offset src (src < at), len of them.
 */
typedef struct inner {
	size_t at;
	size_t src;
	size_t len;
} inner;

typedef struct win {
	const pf_source *old;
	const pf_source *nw;
	uint64_t *table;
	uint64_t tmask;
	unsigned tbits;
	uint32_t B;             /* block length of the index */
	uint64_t mulB;          /* HASH_MUL^B, to roll a byte out */
	size_t W;               /* NEW bytes per window */
	size_t R;               /* OLD bytes per window at most */
	uint8_t *nbuf;          /* the window: ref + R */
	uint8_t *ref;
	region *hits;
	size_t n_hits, hits_cap;
	size_t hits_max;        /* runs kept at once (a part of the limit) */
	uint64_t pad;           /* how far regions reach around their hits */
	inner *inn;             /* the window's repeats, in order of at */
	size_t n_inn, inn_cap;
	bool self_ok;           /* the sizes allow SELF (section 5.3) */
	bool self;              /* NEW's blocks are indexed: the flag SELF */
	pf_err *err;
} win;

static uint64_t
pow_mul(uint32_t n)
{
	uint64_t r = 1, m = HASH_MUL;

	for (; n; n >>= 1, m *= m)
		if (n & 1)
			r *= m;
	return r;
}

static uint64_t
block_hash(const uint8_t *p, uint32_t n)
{
	uint64_t h = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		h = h * HASH_MUL + p[i] + 1;
	return h;
}

/* A block of one repeated byte (zero runs) says nothing about moves. */
static bool
uniform(const uint8_t *p, uint32_t n)
{
	return p[0] == p[n - 1] && memcmp(p, p + 1, n - 1) == 0;
}

static uint64_t
slot_of(const win *w, uint64_t h)
{
	return (h >> (64 - w->tbits)) & w->tmask;
}

static uint64_t
check_of(uint64_t h)
{
	return (h & 0x7FFFFF) | 1;
}

/* Puts block number blk (of NEW when src is SRC_NEW) where it is free. */
static void
index_block(win *w, const uint8_t *p, uint64_t blk, uint64_t src)
{
	uint64_t h, sl;

	if (uniform(p, w->B))
		return;
	h = block_hash(p, w->B);
	sl = slot_of(w, h);
	if (w->table[sl] == SLOT_EMPTY)
		w->table[sl] = check_of(h) << CHECK_SHIFT | src | blk;
}

/*
 * Sizes from the memory limit: the index a quarter, the runs of hits a
 * 64th, windows the rest.
 */
static pf_ret
win_setup(win *w, uint64_t memory)
{
	uint64_t slots = 1, blocks, old_len = w->old->size;

	w->tbits = 0;
	while (slots * 2 * sizeof *w->table <= memory / 4) {
		slots *= 2;
		w->tbits++;
	}
	w->tmask = slots - 1;
	/* At most half the slots filled. */
	w->B = 32;
	while ((blocks = old_len / w->B) > slots / 2 || blocks > POS_MASK)
		w->B *= 2;
	w->mulB = pow_mul(w->B);
	w->self_ok = w->nw->size < SELF_SIZE_MAX &&
	    old_len < SELF_SIZE_MAX && w->nw->size / w->B <= POS_MASK;
	w->W = 64u << 10;
	while (w->W * 2 <= memory / 128 && w->W < (32u << 20))
		w->W *= 2;
	w->R = 4 * w->W;
	w->pad = w->W / 4;
	/* The runs of a window: a 64th of the limit. */
	w->hits_max = memory / 64 / sizeof *w->hits;
	if (w->hits_max < 1024)
		w->hits_max = 1024;
	w->table = calloc(slots, sizeof *w->table);
	/*
	 * The window follows the regions in one buffer: the encoder's
	 * copies all read one buffer, those of the window's own repeats at
	 * R and beyond.
	 */
	w->ref = malloc(w->R + w->W);
	if (w->table == NULL || w->ref == NULL)
		return pf_err_nomem(w->err);
	w->nbuf = w->ref + w->R;
	return PF_OK;
}

/* One pass over OLD: its SHA-256 and the index of its blocks. */
static pf_ret
index_old(win *w, uint8_t sha[32])
{
	uint64_t pos = 0, n = w->old->size;
	size_t step = w->B > READ_STEP ? w->B : READ_STEP, k, i;
	uint8_t *buf = malloc(step);
	pf_sha256_ctx c;
	pf_ret r = PF_OK;

	if (buf == NULL || pf_sha256_init(&c) != 0) {
		free(buf);
		return pf_err_nomem(w->err);
	}
	while (pos < n && r == PF_OK) {
		k = n - pos < step ? (size_t)(n - pos) : step;
		r = w->old->read_at(w->old->opaque, pos, buf, k, w->err);
		if (r != PF_OK)
			break;
		pf_sha256_update(&c, buf, k);
		/* step is a multiple of B: blocks never straddle reads. */
		for (i = 0; i + w->B <= k; i += w->B)
			index_block(w, buf + i, (pos + i) / w->B, 0);
		pos += k;
	}
	pf_sha256_final(&c, sha);
	free(buf);
	return r;
}

static void compact_runs(win *w);

static bool
add_region(win *w, uint64_t old_start, uint64_t len, int64_t diag,
    bool from_new)
{
	region *v;
	size_t cap;

	if (w->n_hits == w->hits_max)
		compact_runs(w);
	if (w->n_hits == w->hits_cap) {
		cap = w->hits_cap ? 2 * w->hits_cap : 64;
		if (cap > w->hits_max)
			cap = w->hits_max;
		if ((v = realloc(w->hits, cap * sizeof *v)) == NULL)
			return false;
		w->hits = v;
		w->hits_cap = cap;
	}
	w->hits[w->n_hits++] = (region){ old_start, len, 0, 1, diag,
	    from_new };
	return true;
}

/*
 * A hit at NEW position npos on the block at source position opos extends
 * the last run when it keeps its source and diagonal, else starts a run
 * of its own.
 */
static bool
add_hit(win *w, uint64_t opos, uint64_t npos, bool from_new, int64_t *diag)
{
	region *last = w->n_hits ? &w->hits[w->n_hits - 1] : NULL;
	int64_t d = (int64_t)opos - (int64_t)npos;

	if (last != NULL && d == *diag && last->from_new == from_new &&
	    opos >= last->old_start) {
		last->len = opos + w->B - last->old_start;
		last->weight++;
		return true;
	}
	*diag = d;
	return add_region(w, opos, w->B, d, from_new);
}

/* Records a repeat inside the window (a copy from NEW, section 5.3). */
static bool
add_inner(win *w, size_t at, size_t src, size_t len)
{
	inner *v;
	size_t cap;

	if (w->n_inn == w->inn_cap) {
		cap = w->inn_cap ? 2 * w->inn_cap : 16;
		if ((v = realloc(w->inn, cap * sizeof *v)) == NULL)
			return false;
		w->inn = v;
		w->inn_cap = cap;
	}
	w->inn[w->n_inn++] = (inner){ at, src, len };
	return true;
}

/*
 * A hit at window offset i on the window's own block at offset s (s + B
 * <= i): the exact repeat around it, extended backwards down to floor
 * (the end of the last repeat) and forwards to the end of the window.
 * It is kept when it is at least 4 B long (shorter repeats, common in
 * code, cost more entries than they save); *end is where it ends.
 */
static bool
try_inner(win *w, size_t i, size_t s, size_t len, size_t floor, size_t *end)
{
	const uint8_t *p = w->nbuf;
	size_t a = i, b = s, n;

	if (memcmp(p + s, p + i, w->B) != 0)
		return true;
	while (a > floor && b > 0 && p[a - 1] == p[b - 1]) {
		a--;
		b--;
	}
	n = i - a + w->B;
	while (a + n < len && p[b + n] == p[a + n])
		n++;
	if (n < 4 * (size_t)w->B)
		return true;
	*end = a + n;
	return add_inner(w, a, b, n);
}

/*
 * A repeat whose bytes OLD (or an earlier window) also has, as many of
 * them as the index shows, is left to the matcher, which may diff it
 * against that source for less: it is dropped when at least one hit in
 * every two blocks of it, counted from the hit that found it, goes to
 * a region.
 */
static void
settle_inner(win *w, size_t from, size_t end, size_t region_hits)
{
	if (w->n_inn > 0 && end > from &&
	    region_hits * 2 * w->B > end - from)
		w->n_inn--;
}

/*
 * Runs of hits of the window at wpos, len bytes, in w->hits, and the
 * window's repeats of its own bytes in w->inn.  With SELF, the window's
 * blocks at multiples of B go into the table as the rolling hash passes
 * them (where their slot is free: a block OLD also has keeps OLD's
 * entry), so that this window's later bytes and later windows find them;
 * the table after the window does not depend on how far it was matched.
 */
static bool
find_hits(win *w, uint64_t wpos, size_t len)
{
	uint64_t h, e, opos;
	int64_t diag = INT64_MIN;
	size_t i, next = 0, from = 0, end = 0, rh = 0;
	bool index = w->self && wpos % w->B == 0, found;

	w->n_hits = 0;
	w->n_inn = 0;
	if (len < w->B)
		return true;
	h = block_hash(w->nbuf, w->B);
	for (i = 0;; i++) {
		for (; index && next + w->B <= i; next += w->B)
			index_block(w, w->nbuf + next, (wpos + next) / w->B,
			    SRC_NEW);
		e = w->table[slot_of(w, h)];
		found = e != SLOT_EMPTY && e >> CHECK_SHIFT == check_of(h);
		opos = (e & POS_MASK) * w->B;
		if (found && (e & SRC_NEW) != 0 && opos >= wpos) {
			if (i >= end) {
				settle_inner(w, from, end, rh);
				from = i;
				rh = 0;
				if (!try_inner(w, i, (size_t)(opos - wpos), len,
				    end, &end))
					return false;
			}
		} else if (found) {
			rh += i < end;
			if (!add_hit(w, opos, wpos + i, (e & SRC_NEW) != 0,
			    &diag))
				return false;
		}
		if (i + w->B >= len)
			break;
		h = h * HASH_MUL + w->nbuf[i + w->B] + 1 -
		    (uint64_t)(w->nbuf[i] + 1) * w->mulB;
	}
	settle_inner(w, from, end, rh);
	for (; index && next + w->B <= len; next += w->B)
		index_block(w, w->nbuf + next, (wpos + next) / w->B, SRC_NEW);
	return true;
}

/* OLD's regions first, then NEW's, each in order of position. */
static int
by_start(const void *a, const void *b)
{
	const region *x = a, *y = b;

	if (x->from_new != y->from_new)
		return x->from_new ? 1 : -1;
	return x->old_start < y->old_start ? -1 : x->old_start > y->old_start;
}

static int
by_diag(const void *a, const void *b)
{
	const region *x = a, *y = b;

	if (x->from_new != y->from_new)
		return x->from_new ? 1 : -1;
	if (x->diag != y->diag)
		return x->diag < y->diag ? -1 : 1;
	return by_start(a, b);
}

/* The heaviest first; ties in a fixed order, whatever the input's. */
static int
by_weight(const void *a, const void *b)
{
	const region *x = a, *y = b;
	int c;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if ((c = by_start(a, b)) != 0)
		return c;
	return (x->diag > y->diag) - (x->diag < y->diag);
}

/*
 * Merges the runs of each diagonal (with gaps up to gap), in place, into
 * w->hits[0, n); cmp orders them so that mergeable runs are neighbours.
 */
static void
merge_runs(win *w, int (*cmp)(const void *, const void *), bool same_diag,
    uint64_t gap)
{
	region *v = w->hits;
	uint64_t end;
	size_t i, k = 0;

	/* No hits yet (random data, the first window): hits may be NULL. */
	if (w->n_hits == 0)
		return;
	qsort(v, w->n_hits, sizeof *v, cmp);
	for (i = 0; i < w->n_hits; i++) {
		if (k > 0 && v[i].from_new == v[k - 1].from_new &&
		    (!same_diag || v[i].diag == v[k - 1].diag) &&
		    v[i].old_start <= v[k - 1].old_start + v[k - 1].len + gap) {
			end = v[i].old_start + v[i].len;
			if (end > v[k - 1].old_start + v[k - 1].len)
				v[k - 1].len = end - v[k - 1].old_start;
			v[k - 1].weight += v[i].weight;
		} else
			v[k++] = v[i];
	}
	w->n_hits = k;
}

/*
 * Room for more runs when w->hits_max are held: the runs of each diagonal
 * joined as choose_regions() will join them (so far nothing changes), and
 * when that leaves more than half, the lightest dropped, so that memory
 * stays bounded on data whose every position hits another diagonal.
 * The run add_hit() extends is then a new one.
 */
static void
compact_runs(win *w)
{
	merge_runs(w, by_diag, true, w->pad);
	if (w->n_hits > w->hits_max / 2) {
		qsort(w->hits, w->n_hits, sizeof *w->hits, by_weight);
		w->n_hits = w->hits_max / 2;
	}
}

/*
 * The regions a window at wpos is matched against: the runs of each
 * diagonal joined, widened by pad (within OLD, or within the NEW bytes
 * before the window), the heaviest kept up to R bytes, and overlaps
 * merged (so the result never exceeds R).
 */
static void
choose_regions(win *w, uint64_t wpos)
{
	uint64_t n, total = 0, end, pad = w->pad;
	region *v = w->hits;
	size_t i, k;

	if (w->n_hits == 0)
		return;
	merge_runs(w, by_diag, true, w->pad);
	for (i = 0; i < w->n_hits; i++) {
		n = v[i].from_new ? wpos : w->old->size;
		end = v[i].old_start + v[i].len;
		end = n - end < pad ? n : end + pad;
		v[i].old_start = v[i].old_start < pad ? 0 :
		    v[i].old_start - pad;
		v[i].len = end - v[i].old_start;
	}
	qsort(v, w->n_hits, sizeof *v, by_weight);
	for (i = 0, k = 0; i < w->n_hits && total < w->R; i++) {
		if (v[i].len > w->R - total)
			v[i].len = w->R - total;
		total += v[i].len;
		v[k++] = v[i];
	}
	w->n_hits = k;
	merge_runs(w, by_start, false, 0);
}

/* Any chosen region of NEW's earlier bytes, or a repeat in the window. */
static bool
reads_new(const win *w)
{
	size_t i;

	for (i = 0; i < w->n_hits; i++)
		if (w->hits[i].from_new)
			return true;
	return w->n_inn > 0;
}

/* NEW's entries out of the table: OLD's index as index_old() left it. */
static void
unindex_new(win *w)
{
	uint64_t i;

	for (i = 0; i <= w->tmask; i++)
		if (w->table[i] & SRC_NEW)
			w->table[i] = SLOT_EMPTY;
}

/*
 * One pass over NEW: its SHA-256, and whether the delta will copy from
 * NEW's earlier bytes, so that the header's flag SELF (section 5.3) says
 * so only then.  Each window's hits and regions are found as do_window()
 * finds them, NEW's blocks indexed as they come, until a window would
 * read NEW; then NEW's entries leave the table again.
 */
static pf_ret
hash_new(win *w, uint8_t sha[32])
{
	uint64_t pos = 0, n = w->nw->size;
	bool look = w->self_ok, found = false;
	size_t k;
	pf_sha256_ctx c;
	pf_ret r = PF_OK;

	if (pf_sha256_init(&c) != 0)
		return pf_err_nomem(w->err);
	w->self = w->self_ok;
	while (pos < n && r == PF_OK) {
		k = n - pos < w->W ? (size_t)(n - pos) : w->W;
		r = w->nw->read_at(w->nw->opaque, pos, w->nbuf, k, w->err);
		if (r != PF_OK)
			break;
		pf_sha256_update(&c, w->nbuf, k);
		if (look && !find_hits(w, pos, k))
			r = pf_err_nomem(w->err);
		if (look && r == PF_OK) {
			choose_regions(w, pos);
			found = reads_new(w);
			look = !found;
		}
		pos += k;
	}
	pf_sha256_final(&c, sha);
	if (w->self_ok)
		unindex_new(w);
	w->self = found;
	return r;
}

/* Reads the chosen regions of OLD into w->ref; *ref_len is their sum. */
static pf_ret
read_regions(win *w, size_t *ref_len)
{
	size_t i, at = 0;
	pf_ret r;

	const pf_source *src;

	for (i = 0; i < w->n_hits; i++) {
		w->hits[i].ref_start = at;
		src = w->hits[i].from_new ? w->nw : w->old;
		r = src->read_at(src->opaque, w->hits[i].old_start,
		    w->ref + at, (size_t)w->hits[i].len, w->err);
		if (r != PF_OK)
			return r;
		at += (size_t)w->hits[i].len;
	}
	*ref_len = at;
	return PF_OK;
}

/* The region of ref holding position pos. */
static const region *
region_at(const win *w, uint64_t pos)
{
	size_t lo = 0, hi = w->n_hits, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (w->hits[mid].ref_start <= pos)
			lo = mid;
		else
			hi = mid;
	}
	return &w->hits[lo];
}

/* The diff context of a copy starting at ref position pos (4.2.3). */
static pf_ret
context_of(const win *w, const region *g, uint64_t pos, uint8_t *ctx)
{
	const pf_source *src = g->from_new ? w->nw : w->old;

	*ctx = 0;
	if (pos > g->ref_start)
		*ctx = w->ref[pos - 1];
	else if (g->old_start > 0)
		return src->read_at(src->opaque, g->old_start - 1, ctx, 1,
		    w->err);
	return PF_OK;
}

/* Gives one segment to e, its copy cut where regions meet in ref. */
static pf_ret
put_segment(win *w, pf_denc *e, pf_seg sg)
{
	const region *g;
	uint64_t room;
	uint8_t ctx;
	pf_ret r;

	while (sg.copy_len > 0) {
		g = region_at(w, sg.old_pos);
		room = g->ref_start + g->len - sg.old_pos;
		if ((r = context_of(w, g, sg.old_pos, &ctx)) != PF_OK)
			return r;
		sg.from_new = g->from_new;
		if (room >= sg.copy_len) {
			pf_denc_segment(e, w->ref, &sg, w->nbuf,
			    (int64_t)g->old_start - (int64_t)g->ref_start, ctx);
			return PF_OK;
		}
		pf_denc_segment(e, w->ref, &(pf_seg){ sg.new_pos, sg.old_pos,
		    room, 0, g->from_new }, w->nbuf,
		    (int64_t)g->old_start - (int64_t)g->ref_start, ctx);
		sg.new_pos += room;
		sg.old_pos += room;
		sg.copy_len -= room;
	}
	sg.from_new = false;
	if (sg.extra_len > 0)
		pf_denc_segment(e, w->ref, &sg, w->nbuf, 0, 0);
	return PF_OK;
}

/* The part of sg that falls in the window's bytes [from, to). */
static pf_ret
put_part(win *w, pf_denc *e, pf_seg sg, uint64_t from, uint64_t to)
{
	uint64_t copy_end = sg.new_pos + sg.copy_len;
	uint64_t end = copy_end + sg.extra_len;

	if (from < sg.new_pos)
		from = sg.new_pos;
	if (to > end)
		to = end;
	if (from >= to)
		return PF_OK;
	if (from < copy_end) {
		sg.old_pos += from - sg.new_pos;
		sg.copy_len = (to < copy_end ? to : copy_end) - from;
	} else
		sg.copy_len = 0;
	sg.new_pos = from;
	sg.extra_len = to > copy_end ? to - (from > copy_end ? from :
	    copy_end) : 0;
	return put_segment(w, e, sg);
}

/*
 * A repeat inside the window as copies from NEW (section 5.3), each at
 * most as long as the distance, so that none reads its own output.  They
 * read the window where it lies in w->ref, as every copy of the window
 * reads w->ref.
 */
static pf_ret
put_inner(win *w, pf_denc *e, uint64_t wpos, const inner *v)
{
	size_t d = v->at - v->src, done, c;
	uint8_t ctx;
	pf_ret r;

	for (done = 0; done < v->len; done += c) {
		c = v->len - done < d ? v->len - done : d;
		if (v->src + done > 0)
			ctx = w->nbuf[v->src + done - 1];
		else if (wpos == 0)
			ctx = 0;
		else if ((r = w->nw->read_at(w->nw->opaque, wpos - 1, &ctx, 1,
		    w->err)) != PF_OK)
			return r;
		pf_denc_segment(e, w->ref, &(pf_seg){ v->at + done,
		    w->R + v->src + done, c, 0, true }, w->nbuf,
		    (int64_t)wpos - (int64_t)w->R, ctx);
	}
	return PF_OK;
}

/*
 * Gives the window's segments to e, with the window's repeats in place
 * of what the matcher made of their bytes.
 */
static pf_ret
put_segments(win *w, pf_denc *e, uint64_t wpos, const pf_seg_list *segs)
{
	uint64_t at = 0, end;
	size_t i, k = 0;
	pf_ret r = PF_OK;

	for (i = 0; i < segs->n && r == PF_OK; i++) {
		end = segs->v[i].new_pos + segs->v[i].copy_len +
		    segs->v[i].extra_len;
		while (r == PF_OK && k < w->n_inn && w->inn[k].at < end) {
			r = put_part(w, e, segs->v[i], at, w->inn[k].at);
			if (r == PF_OK)
				r = put_inner(w, e, wpos, &w->inn[k]);
			at = w->inn[k].at + w->inn[k].len;
			k++;
		}
		if (r == PF_OK)
			r = put_part(w, e, segs->v[i], at, end);
		if (at < end)
			at = end;
	}
	return r;
}

static pf_ret
do_window(win *w, pf_denc *e, uint64_t wpos, size_t len, pf_cpus *cpus,
    pf_ostream *out)
{
	pf_seg_list segs = { 0 };
	size_t ref_len = 0;
	pf_ret r;

	r = w->nw->read_at(w->nw->opaque, wpos, w->nbuf, len, w->err);
	if (r != PF_OK)
		return r;
	if (!find_hits(w, wpos, len))
		return pf_err_nomem(w->err);
	choose_regions(w, wpos);
	if ((r = read_regions(w, &ref_len)) != PF_OK)
		return r;
	r = pf_delta_match(w->ref, ref_len, w->nbuf, len, cpus, &segs,
	    w->err);
	if (r == PF_OK)
		r = put_segments(w, e, wpos, &segs);
	if (r == PF_OK)
		r = pf_denc_flush(e, out, w->err);
	free(segs.v);
	return r;
}

static void
fill_header(const win *w, uint64_t memory, pf_delta_info *info)
{
	uint32_t extra = 64u << 10;
	int s;

	while (extra < PF_DELTA_DICT_MAX && extra < memory / 64)
		extra *= 2;
	info->version = PF_DELTA_VERSION;
	info->flags = PF_DELTA_FLAG_SPARSE | PF_DELTA_FLAG_SKIP |
	    (w->self ? PF_DELTA_FLAG_SELF : 0);
	info->block_size = w->W < PF_DELTA_BLOCK_MAX ? (uint32_t)w->W :
	    PF_DELTA_BLOCK_MAX;
	for (s = 0; s < PF_DELTA_NSTREAMS; s++)
		info->props[s] = pf_denc_props(s);
	info->dict[PF_DELTA_CTRL] = 1u << 20;
	info->dict[PF_DELTA_EXTRA] = extra;
	info->dict[PF_DELTA_DIFF] = 0;
	info->old_size = w->old->size;
	info->new_size = w->nw->size;
}

pf_ret
pf_delta_encode_window(const pf_source *old, const pf_source *nw,
    uint64_t memory, pf_cpus *cpus, pf_ostream *out, pf_err *err)
{
	uint8_t hdr[PF_DELTA_HEADER_LEN];
	pf_delta_info info;
	pf_denc *e = NULL;
	uint64_t pos;
	size_t len;
	win w;
	pf_ret r;

	memset(&w, 0, sizeof w);
	memset(&info, 0, sizeof info);
	w.old = old;
	w.nw = nw;
	w.err = err;
	if ((r = win_setup(&w, memory)) != PF_OK ||
	    (r = index_old(&w, info.old_sha256)) != PF_OK ||
	    (r = hash_new(&w, info.new_sha256)) != PF_OK)
		goto out;
	fill_header(&w, memory, &info);
	pf_delta_write_header(&info, hdr);
	if ((r = out->write(out->opaque, hdr, sizeof hdr, err)) != PF_OK ||
	    (r = pf_denc_new(&e, &info, cpus, err)) != PF_OK)
		goto out;
	for (pos = 0; pos < nw->size && r == PF_OK; pos += len) {
		len = nw->size - pos < w.W ? (size_t)(nw->size - pos) : w.W;
		r = do_window(&w, e, pos, len, cpus, out);
	}
out:
	pf_denc_free(e);
	free(w.table);
	free(w.ref);
	free(w.hits);
	free(w.inn);
	return r;
}
