/*
 * Approximate matching (spec/delta.md section 8).  Percival's idea
 * ("Naive differences of executable code", 2003), written afresh: moved
 * code differs from its old copy only in scattered pointer bytes, so a
 * match is extended while at least half of the bytes still agree, and the
 * bytewise differences are left to the entropy stage.
 */
#include <config.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <divsufsort64.h>

#include "common/bigmem.h"
#include "delta/match.h"

/*
 * A new exact match replaces the current alignment only when it is this
 * many bytes longer than the part of it the current alignment already
 * explains: below that, one more control entry costs more than it saves.
 */
#define MIN_GAIN 8

/* Matches this long are never worth a crawl (see explained()). */
#define LONG_MATCH 32

/* New files shorter than this are matched in one piece. */
#define SPLIT_MIN (256u << 10)

/* Buckets of the suffix array: one per value of a suffix's first 2 bytes. */
#define NBUCKETS 65536

typedef struct matcher {
	const uint8_t *old;
	size_t old_len;
	const uint8_t *nw;
	const saidx64_t *sa;
	const size_t *bucket;   /* NBUCKETS + 1 starts in sa, or NULL */
	size_t start;           /* this part of new: [start, end) */
	size_t end;
	pf_seg_list segs;
	bool failed;
} matcher;

/* The alignment the scan follows: new[i] against old[i + off]. */
typedef struct align {
	size_t scan;
	size_t pos;
} align;

static size_t
common_len(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	size_t n = an < bn ? an : bn, i = 0;

	while (i + 8 <= n && memcmp(a + i, b + i, 8) == 0)
		i += 8;
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* True when the suffix of old at s sorts before the string p of n bytes. */
static bool
suffix_less(const matcher *m, size_t s, const uint8_t *p, size_t n)
{
	size_t k = m->old_len - s;
	int c = memcmp(m->old + s, p, k < n ? k : n);

	return c != 0 ? c < 0 : k < n;
}

/* No common length known (see first_not_below). */
#define LCP_UNKNOWN SIZE_MAX

/*
 * The first suffix of old not below new[scan, end), searched for in the
 * bucket of its first 2 bytes only: a suffix in a lower bucket is below
 * it, one in a higher bucket above (a 1-byte suffix "x" sorts first in
 * the bucket of "x\0").  The result is the one a binary search over the
 * whole array finds; the bucket saves its first, cache-missing steps.
 *
 * Every suffix between two others shares with p at least the shorter of
 * their common lengths with p, so each comparison starts there rather
 * than at p's first byte: matches of thousands of bytes are compared
 * once, not once per step.  *below and *at are the common lengths of p
 * with the suffixes just before and at the result, or LCP_UNKNOWN.
 */
static size_t
first_not_below(const matcher *m, const uint8_t *p, size_t n, size_t *below,
    size_t *at)
{
	size_t key = (size_t)p[0] << 8 | p[1], lo, hi, mid, s, k, l;
	size_t llo = 0, lhi = 0;
	bool less;

	lo = m->bucket[key];
	hi = m->bucket[key + 1];
	*below = *at = LCP_UNKNOWN;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		s = (size_t)m->sa[mid];
		k = llo < lhi ? llo : lhi;
		l = k + common_len(m->old + s + k, m->old_len - s - k, p + k,
		    n - k);
		/* Below p: it differs lower, or ends first. */
		less = l < n && (l == m->old_len - s || m->old[s + l] < p[l]);
		if (less) {
			lo = mid + 1;
			llo = *below = l;
		} else {
			hi = mid;
			lhi = *at = l;
		}
	}
	return lo;
}

/* The longest prefix of new[scan, end) found in old: its length and *pos. */
static size_t
longest_match(const matcher *m, size_t scan, size_t *pos)
{
	const uint8_t *p = m->nw + scan;
	size_t n = m->end - scan, lo = 0, hi = m->old_len - 1, mid, a, b, at;
	size_t la = LCP_UNKNOWN, lb = LCP_UNKNOWN;

	if (m->bucket != NULL && n >= 2 && m->old_len >= 2) {
		/* Neighbours of the boundary, kept inside the array. */
		at = first_not_below(m, p, n, &la, &lb);
		hi = at < 1 ? 1 : at > m->old_len - 1 ? m->old_len - 1 : at;
		lo = hi - 1;
		if (hi != at)
			la = lb = LCP_UNKNOWN;
	}
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (suffix_less(m, (size_t)m->sa[mid], p, n))
			lo = mid;
		else
			hi = mid;
	}
	a = la != LCP_UNKNOWN ? la : common_len(m->old + m->sa[lo],
	    m->old_len - m->sa[lo], p, n);
	b = lb != LCP_UNKNOWN ? lb : common_len(m->old + m->sa[hi],
	    m->old_len - m->sa[hi], p, n);
	*pos = (size_t)(a >= b ? m->sa[lo] : m->sa[hi]);
	return a >= b ? a : b;
}

/* Whether new[i] equals the old byte the alignment off puts beside it. */
static bool
agrees(const matcher *m, size_t i, int64_t off)
{
	int64_t j = (int64_t)i + off;

	return j >= 0 && (uint64_t)j < m->old_len && m->old[j] == m->nw[i];
}

static void
push_seg(matcher *m, const pf_seg *s)
{
	pf_seg *v;
	size_t cap;

	if (s->copy_len == 0 && s->extra_len == 0)
		return;
	if (m->segs.n == m->segs.cap) {
		cap = m->segs.cap ? 2 * m->segs.cap : 256;
		v = realloc(m->segs.v, cap * sizeof *v);
		if (v == NULL) {
			m->failed = true;
			return;
		}
		m->segs.v = v;
		m->segs.cap = cap;
	}
	m->segs.v[m->segs.n++] = *s;
}

/* How far the last alignment carries forward while half the bytes agree. */
static size_t
extend_forward(const matcher *m, const align *last, size_t limit)
{
	int64_t score = 0, best = 0;
	size_t i, len = 0;

	if (last->pos >= m->old_len)
		return 0;
	if (limit > m->old_len - last->pos)
		limit = m->old_len - last->pos;
	for (i = 0; i < limit; i++) {
		score += m->old[last->pos + i] == m->nw[last->scan + i] ? 1 : -1;
		if (score > best) {
			best = score;
			len = i + 1;
		}
	}
	return len;
}

/* How far the new match carries backward, by the same measure. */
static size_t
extend_backward(const matcher *m, const align *cur, size_t limit)
{
	int64_t score = 0, best = 0;
	size_t i, len = 0;

	if (limit > cur->pos)
		limit = cur->pos;
	for (i = 1; i <= limit; i++) {
		score += m->old[cur->pos - i] == m->nw[cur->scan - i] ? 1 : -1;
		if (score > best) {
			best = score;
			len = i;
		}
	}
	return len;
}

/*
 * When both extensions claim the same new bytes, gives each byte to the
 * alignment that explains it better; returns how many stay forward.
 */
static size_t
split_overlap(const matcher *m, const align *last, size_t lenf,
    const align *cur, size_t lenb)
{
	size_t overlap = last->scan + lenf - (cur->scan - lenb), i, keep = 0;
	size_t base = cur->scan - lenb;
	int64_t score = 0, best = 0;

	for (i = 0; i < overlap; i++) {
		uint8_t c = m->nw[base + i];

		score += m->old[last->pos + lenf - overlap + i] == c;
		score -= m->old[cur->pos - lenb + i] == c;
		if (score > best) {
			best = score;
			keep = i + 1;
		}
	}
	return lenf - overlap + keep;
}

/* Emits the segment of the last alignment up to where cur takes over. */
static void
close_segment(matcher *m, align *last, const align *cur, bool at_end)
{
	size_t gap = cur->scan - last->scan, lenf, lenb = 0;
	pf_seg s;

	lenf = extend_forward(m, last, gap);
	if (!at_end)
		lenb = extend_backward(m, cur, gap);
	if (last->scan + lenf > cur->scan - lenb) {
		lenf = split_overlap(m, last, lenf, cur, lenb);
		lenb = cur->scan - last->scan - lenf;
	}
	s.new_pos = last->scan;
	s.old_pos = lenf ? last->pos : 0;
	s.copy_len = lenf;
	s.extra_len = cur->scan - lenb - last->scan - lenf;
	s.from_new = false;
	push_seg(m, &s);
	last->scan = cur->scan - lenb;
	last->pos = cur->pos - lenb;
}

/*
 * Whether the current alignment already explains a match of len bytes of
 * which old_score agree with it.  A long match that it explains all but a
 * few bytes of counts too: otherwise the scan crawls one byte at a time
 * through repeated data (two copies of a block in old), searching the
 * suffix array with long comparisons at every byte.
 */
static bool
explained(size_t len, size_t old_score)
{
	return len != 0 && (len == old_score ||
	    (len >= LONG_MATCH && len <= old_score + MIN_GAIN));
}

static void
scan_part(matcher *m)
{
	align last = { m->start, m->start }, cur = { m->start, 0 };
	size_t len = 0, sc, old_score;
	int64_t off = 0;
	bool expl;

	while (cur.scan < m->end && !m->failed) {
		old_score = 0;
		expl = false;
		cur.scan += len;
		for (sc = cur.scan; cur.scan < m->end; cur.scan++) {
			len = longest_match(m, cur.scan, &cur.pos);
			for (; sc < cur.scan + len; sc++)
				old_score += agrees(m, sc, off);
			expl = explained(len, old_score);
			if (expl || len > old_score + MIN_GAIN)
				break;
			if (sc > cur.scan)
				old_score -= agrees(m, cur.scan, off);
			else
				sc = cur.scan + 1;
		}
		if (expl && cur.scan != m->end)
			continue;
		close_segment(m, &last, &cur, cur.scan == m->end);
		off = (int64_t)cur.pos - (int64_t)cur.scan;
	}
}

static void *
scan_thread(void *arg)
{
	scan_part(arg);
	return NULL;
}

/* Old empty: new is all literals; nothing to search. */
static pf_ret
all_extra(size_t new_len, pf_seg_list *out, pf_err *err)
{
	if (new_len == 0)
		return PF_OK;
	if ((out->v = malloc(sizeof *out->v)) == NULL)
		return pf_err_nomem(err);
	out->v[0] = (pf_seg){ 0, 0, 0, new_len, false };
	out->n = out->cap = 1;
	return PF_OK;
}

/* Runs the parts, in threads when allowed; the parts never depend on it. */
static pf_ret
run_parts(matcher *parts, size_t nparts, pf_cpus *cpus, pf_err *err)
{
	pthread_t tid;
	bool spawned = false;
	size_t i;

	if (nparts > 1)
		spawned = pf_cpus_spawn(cpus, &tid, scan_thread, &parts[1]);
	for (i = 0; i < nparts; i++)
		if (i != 1 || !spawned)
			scan_part(&parts[i]);
	if (spawned)
		pf_cpus_join(cpus, tid);
	for (i = 0; i < nparts; i++)
		if (parts[i].failed)
			return pf_err_nomem(err);
	return PF_OK;
}

static pf_ret
join_parts(matcher *parts, size_t nparts, pf_seg_list *out, pf_err *err)
{
	size_t i, n = 0;

	for (i = 0; i < nparts; i++)
		n += parts[i].segs.n;
	if ((out->v = malloc((n ? n : 1) * sizeof *out->v)) == NULL)
		return pf_err_nomem(err);
	out->cap = n;
	for (i = 0; i < nparts; i++) {
		if (parts[i].segs.n)
			memcpy(out->v + out->n, parts[i].segs.v,
			    parts[i].segs.n * sizeof *out->v);
		out->n += parts[i].segs.n;
	}
	return PF_OK;
}

/* Where each bucket of 2-byte prefixes starts in the suffix array. */
static size_t *
make_buckets(const uint8_t *old, size_t old_len)
{
	size_t *c = pf_bigmem_alloc_full((NBUCKETS + 1) * sizeof *c), i;
	size_t sum = 0, k;

	if (c == NULL)
		return NULL;
	memset(c, 0, (NBUCKETS + 1) * sizeof *c);
	for (i = 0; i < old_len; i++)
		c[(size_t)old[i] << 8 | (i + 1 < old_len ? old[i + 1] : 0)]++;
	for (i = 0; i <= NBUCKETS; i++) {
		k = c[i];
		c[i] = sum;
		sum += k;
	}
	return c;
}

pf_ret
pf_delta_match(const uint8_t *old, size_t old_len, const uint8_t *new_data,
    size_t new_len, pf_cpus *cpus, pf_seg_list *out, pf_err *err)
{
	matcher parts[2];
	saidx64_t *sa = NULL;
	size_t *bucket = NULL;
	size_t nparts = new_len >= SPLIT_MIN ? 2 : 1, i;
	pf_ret r;

	memset(out, 0, sizeof *out);
	memset(parts, 0, sizeof parts);
	if (old_len == 0 || new_len == 0)
		return all_extra(new_len, out, err);
	if (old_len > SIZE_MAX / sizeof *sa ||
	    (sa = pf_bigmem_alloc_full(old_len * sizeof *sa)) == NULL)
		return pf_err_nomem(err);
	if (divsufsort64(old, sa, (saidx64_t)old_len) != 0) {
		r = pf_err_set(err, PF_ERR_NOMEM, "suffix sorting failed");
		goto out;
	}
	if ((bucket = make_buckets(old, old_len)) == NULL) {
		r = pf_err_nomem(err);
		goto out;
	}
	for (i = 0; i < nparts; i++) {
		parts[i] = (matcher){ .old = old, .old_len = old_len,
		    .nw = new_data, .sa = sa, .bucket = bucket,
		    .start = new_len / nparts * i,
		    .end = i + 1 == nparts ? new_len : new_len / nparts * (i + 1) };
	}
	if ((r = run_parts(parts, nparts, cpus, err)) != PF_OK)
		goto out;
	r = join_parts(parts, nparts, out, err);
out:
	for (i = 0; i < nparts; i++)
		free(parts[i].segs.v);
	free(bucket);
	free(sa);
	return r;
}
