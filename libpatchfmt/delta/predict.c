/*
 * The prediction of spec/delta.md section 10, shared by encoder and
 * decoder: the section's parser and writer, the address map, and the
 * reference finder that rewrites each page of OLD.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/bytes.h"
#include "common/bigmem.h"
#include "common/ckd.h"
#include "delta/format.h"
#include "delta/predict.h"

/*
 * Pages of the prediction a pf_pred_src keeps (direct-mapped): 2 MiB, on
 * one huge page where the kernel gives it.  Copies that read OLD all over
 * (php's) computed each page 4 times with 16 pages, 1.2 times with 512;
 * on 4 KiB pages the faults of a 2 MiB cache cost the pairs that read
 * OLD in order as much as it saved (bench/RESULTS.md, "eighth session").
 */
#define SRC_PAGES 512
/*
 * Pages of OLD read at once when copies read it in order: one read of
 * 64 KiB where there were sixteen of 4 KiB, a system call each (libgs, 22
 * MB: 5400 reads, about a tenth of the apply time on this VM).  They are
 * predicted when first used.
 */
#define SRC_AHEAD 16

/* Section 10.2: the record size of each kind; 0 for code. */
static const unsigned record_size[PF_PRED_KIND_MAX + 1] = {
	[PF_PRED_PTR64] = 8, [PF_PRED_RELA] = 24, [PF_PRED_DYN] = 16,
	[PF_PRED_EHTAB] = 8, [PF_PRED_SYM] = 24
};

static uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t
unzigzag(uint64_t z)
{
	return (z & 1) ? -(int64_t)(z >> 1) - 1 : (int64_t)(z >> 1);
}

static pf_ret
bad(pf_err *err, const char *what)
{
	return pf_err_set(err, PF_ERR_CORRUPT,
	    "delta prediction section is corrupt: %s", what);
}

/* Section 10.6: the lowest and highest address of CODE regions. */
static void
code_bounds(pf_pred *p, const pf_pred_region *r)
{
	uint64_t end = r->vaddr + r->size;

	if (p->ncode == 0 || r->vaddr < p->code_lo)
		p->code_lo = r->vaddr;
	if (p->ncode == 0 || end > p->code_hi)
		p->code_hi = end;
	p->ncode++;
}

/*
 * Section 10.2: JUMPTAB regions are finder 1's alone, in increasing
 * address order, none overlapping the one before.  Returns region i, or
 * NULL with err set.
 */
static pf_pred_region *
add_jumptab(pf_pred *p, size_t i, pf_err *err)
{
	pf_pred_region *r = &p->regions[i], *last;
	uint64_t end;

	if (p->finder != PF_PRED_FINDER_X86_64) {
		(void)bad(err, "jump tables without finder 1");
		return NULL;
	}
	if (pf_add_overflow_u64(r->vaddr, r->size, &end)) {
		(void)bad(err, "jump-table region past 2^64");
		return NULL;
	}
	if (p->njt > 0) {
		last = &p->regions[p->jt[p->njt - 1]];
		if (r->vaddr < last->vaddr + last->size) {
			(void)bad(err, "jump-table regions out of order");
			return NULL;
		}
	}
	p->jt[p->njt++] = i;
	return r;
}

/* Section 10.2: whether addr is in [code_lo, code_hi). */
static inline bool
in_code(const pf_pred *p, uint64_t addr)
{
	return addr >= p->code_lo && addr < p->code_hi;
}

static pf_ret
parse_regions(pf_pred *p, pf_cur *c, uint64_t old_size, pf_err *err)
{
	uint64_t n, gap, end = 0, z;
	pf_pred_region *r;
	size_t i;

	if (!pf_cur_get_uvarint(c, &n))
		return bad(err, "truncated region count");
	if (n > PF_PRED_REGIONS_MAX)
		return bad(err, "too many regions");
	if (n > 0 && ((p->regions = calloc(n, sizeof *r)) == NULL ||
	    (p->jt = calloc(n, sizeof *p->jt)) == NULL))
		return pf_err_nomem(err);
	for (i = 0; i < n; i++) {
		r = &p->regions[i];
		if (!pf_cur_get_u8(c, &r->kind) ||
		    !pf_cur_get_uvarint(c, &gap) ||
		    !pf_cur_get_uvarint(c, &r->size) ||
		    !pf_cur_get_uvarint(c, &r->vaddr) ||
		    !pf_cur_get_uvarint(c, &z))
			return bad(err, "truncated region");
		if (r->kind == 0 || r->kind > PF_PRED_KIND_MAX)
			return bad(err, "unknown region kind");
		r->param = unzigzag(z);
		if (r->kind == PF_PRED_CODE)
			code_bounds(p, r);
		if (r->kind == PF_PRED_JUMPTAB &&
		    (r = add_jumptab(p, i, err)) == NULL)
			return PF_ERR_CORRUPT;
		if (r->size == 0 || pf_add_overflow_u64(end, gap, &r->off) ||
		    pf_add_overflow_u64(r->off, r->size, &end) ||
		    end > old_size)
			return bad(err, "region outside the old file");
		p->nregions = i + 1;
	}
	return PF_OK;
}

static pf_ret
parse_breaks(pf_pred *p, pf_cur *c, pf_err *err)
{
	uint64_t n, gap, z, addr = 0, delta = 0;
	size_t i;

	if (!pf_cur_get_uvarint(c, &n))
		return bad(err, "truncated map");
	if (n > PF_PRED_BREAKS_MAX)
		return bad(err, "address map too long");
	if (n > 0 && (p->breaks = calloc(n, sizeof *p->breaks)) == NULL)
		return pf_err_nomem(err);
	for (i = 0; i < n; i++) {
		if (!pf_cur_get_uvarint(c, &gap) || !pf_cur_get_uvarint(c, &z))
			return bad(err, "truncated map");
		/* Section 10.3: addresses strictly increase. */
		if ((i > 0 && gap == 0) || pf_add_overflow_u64(addr, gap, &addr))
			return bad(err, "map addresses out of order");
		delta += (uint64_t)unzigzag(z);
		p->breaks[i] = (pf_pred_break){ addr, delta };
		p->nbreaks = i + 1;
	}
	return PF_OK;
}

/*
 * The index of pf_pred_map: the image [lo, hi) cut into buckets of 2^shift
 * bytes, at most two a break and at most BUCKETS_MAX (256 KiB), and for
 * the start of each the number of breaks at or below it.  A search then
 * halves only the breaks of one bucket, mostly none or one, where it
 * halved all of them (librsvg's 648: ten dependent loads for each
 * reference of each predicted page).
 */
#define BUCKETS_MAX (1u << 16)

static pf_ret
index_breaks(pf_pred *p, pf_err *err)
{
	uint64_t span = p->hi - p->lo, start;
	size_t cap, k, i = 0;
	unsigned shift = 0;

	if (p->nbreaks < 8)
		return PF_OK;
	cap = p->nbreaks < BUCKETS_MAX / 2 ? 2 * p->nbreaks : BUCKETS_MAX;
	while ((span >> shift) >= cap)
		shift++;
	p->bucket_shift = shift;
	p->nbuckets = (size_t)(span >> shift) + 1;
	if ((p->bucket = malloc((p->nbuckets + 1) * sizeof *p->bucket)) ==
	    NULL)
		return pf_err_nomem(err);
	for (k = 0; k <= p->nbuckets; k++) {
		/* The last start may pass 2^64: then every break is below. */
		if (k > UINT64_MAX >> shift ||
		    pf_add_overflow_u64(p->lo, (uint64_t)k << shift, &start))
			start = UINT64_MAX;
		while (i < p->nbreaks && p->breaks[i].addr <= start)
			i++;
		p->bucket[k] = (uint32_t)i;
	}
	return PF_OK;
}

bool
pf_pred_finder_known(uint8_t finder)
{
	return finder == PF_PRED_FINDER_X86_64 ||
	    finder == PF_PRED_FINDER_AARCH64;
}

pf_ret
pf_pred_parse(pf_pred *p, const uint8_t *body, size_t len,
    uint64_t old_size, pf_err *err)
{
	return pf_pred_parse_finder(p, PF_PRED_FINDER_X86_64, body, len,
	    old_size, err);
}

pf_ret
pf_pred_parse_finder(pf_pred *p, uint8_t finder, const uint8_t *body,
    size_t len, uint64_t old_size, pf_err *err)
{
	uint64_t span;
	pf_cur c;
	pf_ret r;

	memset(p, 0, sizeof *p);
	if (!pf_pred_finder_known(finder))
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "delta prediction finder %u is not supported", finder);
	p->finder = finder;
	pf_cur_init(&c, body, len);
	if (!pf_cur_get_uvarint(&c, &p->lo) || !pf_cur_get_uvarint(&c, &span))
		return bad(err, "truncated image bounds");
	if (pf_add_overflow_u64(p->lo, span, &p->hi))
		return bad(err, "image bounds overflow");
	if ((r = parse_regions(p, &c, old_size, err)) != PF_OK ||
	    (r = parse_breaks(p, &c, err)) != PF_OK)
		return r;
	if (c.bad || pf_cur_left(&c) != 0)
		return bad(err, "bytes left after the map");
	return index_breaks(p, err);
}

void
pf_pred_write(const pf_pred *p, pf_buf *out)
{
	uint64_t end = 0, addr = 0, delta = 0;
	size_t i;

	pf_buf_put_uvarint(out, p->lo);
	pf_buf_put_uvarint(out, p->hi - p->lo);
	pf_buf_put_uvarint(out, p->nregions);
	for (i = 0; i < p->nregions; i++) {
		const pf_pred_region *r = &p->regions[i];

		pf_buf_put_u8(out, r->kind);
		pf_buf_put_uvarint(out, r->off - end);
		pf_buf_put_uvarint(out, r->size);
		pf_buf_put_uvarint(out, r->vaddr);
		pf_buf_put_uvarint(out, zigzag(r->param));
		end = r->off + r->size;
	}
	pf_buf_put_uvarint(out, p->nbreaks);
	for (i = 0; i < p->nbreaks; i++) {
		pf_buf_put_uvarint(out, p->breaks[i].addr - addr);
		pf_buf_put_uvarint(out,
		    zigzag((int64_t)(p->breaks[i].delta - delta)));
		addr = p->breaks[i].addr;
		delta = p->breaks[i].delta;
	}
}

void
pf_pred_free(pf_pred *p)
{
	free(p->regions);
	free(p->breaks);
	free(p->bucket);
	free(p->jt);
	free(p->tables);
	memset(p, 0, sizeof *p);
}

/*
 * Section 10.4: a value v relative to an anchor, at field address a,
 * whose anchor is a + dist.  Returns -1 when its target is outside the
 * image (not a reference), 0 when the new value does not fit in 32 bits
 * (left as it is), 1 with the value the new layout would give it.
 */
static int
predict_rel32(const pf_pred *p, uint64_t a, uint64_t dist, int32_t v,
    int32_t *out)
{
	uint64_t t = a + dist + (uint64_t)(int64_t)v;
	int64_t nv;

	if (!pf_pred_in_image(p, t))
		return -1;
	nv = (int64_t)(pf_pred_map(p, t) - (pf_pred_map(p, a) + dist));
	if (nv < INT32_MIN || nv > INT32_MAX)
		return 0;
	*out = (int32_t)nv;
	return 1;
}

/*
 * Section 10.5: the one-byte opcodes with ModRM, and the opcodes after 0F,
 * of its two tables.  Constant expressions, so that they also build the
 * tables of candidate_need and candidate_give below.
 */
#define OP1_MODRM(b) (((b) < 0x40 && ((b) & 7) < 4) || (b) == 0x63 || \
	((b) >= 0x84 && (b) <= 0x8b) || (b) == 0x8d || (b) == 0x8f || \
	((b) >= 0xd0 && (b) <= 0xd3) || ((b) >= 0xd8 && (b) <= 0xdf) || \
	(b) == 0xfe || (b) == 0xff || (b) == 0x6b || (b) == 0x80 || \
	(b) == 0x83 || (b) == 0xc0 || (b) == 0xc1 || (b) == 0xc6 || \
	(b) == 0x69 || (b) == 0x81 || (b) == 0xc7 || (b) == 0xf6 || \
	(b) == 0xf7)
#define OP2_MODRM(b) (((b) >= 0x10 && (b) <= 0x1f) || \
	((b) >= 0x28 && (b) <= 0x2f) || ((b) >= 0x40 && (b) <= 0x76) || \
	(b) == 0x7e || (b) == 0x7f || ((b) >= 0x90 && (b) <= 0x9f) || \
	(b) == 0xa3 || (b) == 0xa4 || (b) == 0xab || (b) == 0xac || \
	(b) == 0xaf || (b) == 0xb0 || (b) == 0xb1 || (b) == 0xb3 || \
	((b) >= 0xb6 && (b) <= 0xc7) || (b) >= 0xd0)

/* Section 10.5: one-byte opcodes with ModRM; immediate size or -1. */
static int
imm_op1(uint8_t op, bool o16, uint8_t modrm)
{
	unsigned reg = (modrm >> 3) & 7;

	if (!OP1_MODRM(op))
		return -1;
	if (op == 0x6b || op == 0x80 || op == 0x83 || op == 0xc0 ||
	    op == 0xc1 || op == 0xc6)
		return 1;
	if (op == 0x69 || op == 0x81 || op == 0xc7)
		return o16 ? 2 : 4;
	if (op == 0xf6)
		return reg < 2 ? 1 : 0;
	if (op == 0xf7)
		return reg < 2 ? (o16 ? 2 : 4) : 0;
	return 0;
}

/* Section 10.5: opcodes after 0F with ModRM; immediate size or -1. */
static int
imm_op2(uint8_t op)
{
	if (!OP2_MODRM(op))
		return -1;
	return (op >= 0x70 && op <= 0x73) || op == 0xa4 || op == 0xac ||
	    op == 0xba || op == 0xc2 || (op >= 0xc4 && op <= 0xc6);
}

/* Section 10.5: VEX map 1 opcodes that take an 8-bit immediate. */
static int
imm_vex(unsigned map, uint8_t op)
{
	if (map == 3)
		return 1;
	if (map == 1 && ((op >= 0x70 && op <= 0x73) || op == 0xc2 ||
	    (op >= 0xc4 && op <= 0xc6)))
		return 1;
	return 0;
}

/*
 * Section 10.5: where the ModRM byte of the instruction whose opcode
 * starts at j is, and its immediate size; false for anything else.
 */
static bool
modrm_form(const uint8_t *b, size_t i, size_t j, size_t e, bool o16,
    size_t *m, int *imm)
{
	unsigned map;

	if (b[j] == 0x0f) {
		if (j + 2 >= e)
			return false;
		if (b[j + 1] == 0x38 || b[j + 1] == 0x3a) {
			*m = j + 3;
			*imm = b[j + 1] == 0x3a;
			return true;
		}
		*m = j + 2;
		return (*imm = imm_op2(b[j + 1])) >= 0;
	}
	if (j == i && b[j] == 0xc5 && j + 3 < e) {
		*m = j + 3;
		*imm = imm_vex(1, b[j + 2]);
		return true;
	}
	if (j == i && b[j] == 0xc4 && j + 4 < e) {
		map = b[j + 1] & 0x1f;
		if (map < 1 || map > 3)
			return false;
		*m = j + 4;
		*imm = imm_vex(map, b[j + 3]);
		return true;
	}
	if (j + 1 >= e)
		return false;
	*m = j + 1;
	return (*imm = imm_op1(b[j], o16, b[j + 1])) >= 0;
}

/*
 * Section 10.5: the candidate reference at b[i]: its 4-byte field, the
 * distance from the field to the anchor, and the instruction's end, all
 * before e.  False if no form matches.
 */
static bool
find_ref(const uint8_t *b, size_t i, size_t e, size_t *field, unsigned *dist,
    size_t *end)
{
	size_t j = i, m;
	bool o16 = false;
	int imm;

	while (j < e && j - i < 3 &&
	    (b[j] == 0x66 || b[j] == 0xf2 || b[j] == 0xf3))
		o16 |= b[j++] == 0x66;
	if (j < e && (b[j] & 0xf0) == 0x40)
		j++;
	if (j >= e)
		return false;
	if (j == i && (b[j] == 0xe8 || b[j] == 0xe9)) {
		*field = j + 1;
		imm = 0;
	} else if (j == i && b[j] == 0x0f && j + 1 < e &&
	    (b[j + 1] & 0xf0) == 0x80) {
		*field = j + 2;
		imm = 0;
	} else {
		if (!modrm_form(b, i, j, e, o16, &m, &imm) || m >= e ||
		    (b[m] & 0xc7) != 0x05)
			return false;
		*field = m + 1;
	}
	*dist = 4 + (unsigned)imm;
	*end = *field + *dist;
	return *end <= e;
}

/*
 * Section 10.5 decides whether a candidate starts at b[i] mostly by its
 * first two bytes: candidate_need[b[i]] is what b[i] asks of b[i + 1],
 * candidate_give[b[i + 1]] what b[i + 1] offers, and where they share no
 * bit the scan passes b[i] over without find_ref.
 *
 * A candidate that starts with F2, F3 or a REX byte is passed over too,
 * although find_ref may accept it: the same instruction read from the
 * next byte on has the same field, the same immediate (only 66 sets
 * o16) and the same end, and section 10.5 would go on at that end
 * either way.  The output does not change; only the position the scan
 * starts the instruction at does.
 */
enum {
	NEED_ANY = 1,           /* E8, E9, C5 or 66: find_ref decides */
	NEED_MODRM = 2,         /* one-byte opcode: b[i + 1] is its ModRM */
	NEED_0F = 4,            /* 0F: b[i + 1] is 80-8F, 38, 3A or in table 2 */
	NEED_MAP = 8            /* C4: b[i + 1] names map 1, 2 or 3 */
};
#define CAND_NEED(b) ((uint8_t)( \
	((b) == 0xe8 || (b) == 0xe9 || (b) == 0xc5 || (b) == 0x66 ? \
	NEED_ANY : 0) | (OP1_MODRM(b) ? NEED_MODRM : 0) | \
	((b) == 0x0f ? NEED_0F : 0) | ((b) == 0xc4 ? NEED_MAP : 0)))
#define CAND_GIVE(b) ((uint8_t)(NEED_ANY | \
	(((b) & 0xc7) == 0x05 ? NEED_MODRM : 0) | \
	(((b) & 0xf0) == 0x80 || (b) == 0x38 || (b) == 0x3a || \
	OP2_MODRM(b) ? NEED_0F : 0) | \
	(((b) & 0x1f) >= 1 && ((b) & 0x1f) <= 3 ? NEED_MAP : 0)))
#define ALL4(f, n) f(n), f((n) + 1), f((n) + 2), f((n) + 3)
#define ALL16(f, n) ALL4(f, n), ALL4(f, (n) + 4), ALL4(f, (n) + 8), \
	ALL4(f, (n) + 12)
#define ALL64(f, n) ALL16(f, n), ALL16(f, (n) + 16), ALL16(f, (n) + 32), \
	ALL16(f, (n) + 48)
static const uint8_t candidate_need[256] = {
	ALL64(CAND_NEED, 0), ALL64(CAND_NEED, 64), ALL64(CAND_NEED, 128),
	ALL64(CAND_NEED, 192)
};
static const uint8_t candidate_give[256] = {
	ALL64(CAND_GIVE, 0), ALL64(CAND_GIVE, 64), ALL64(CAND_GIVE, 128),
	ALL64(CAND_GIVE, 192)
};

/* Whether b[i] and b[i + 1] can start a candidate, by the tables above. */
static inline bool
may_start(const uint8_t *b, size_t i)
{
	return (candidate_need[b[i]] & candidate_give[b[i + 1]]) != 0;
}

/*
 * The first position from i on where a candidate can start, or e.  A
 * candidate is at least 5 bytes long (E8 and its field), so none starts
 * after e - 5.
 *
 * With SSE2, sixteen positions at a time are first sieved by what every
 * candidate has: a first byte E8, E9, C5, 66, 0F or C4, or a second byte
 * that is a RIP-relative ModRM (the only one a one-byte opcode accepts).
 * Most bytes of code have neither; the tables decide the rest, so the
 * answer is the same.
 */
static size_t
skip_to_candidate(const uint8_t *b, size_t i, size_t e)
{
	if (e < 5)
		return e;
#ifdef __SSE2__
	const __m128i e8 = _mm_set1_epi8((char)0xe8), e9 = _mm_set1_epi8(
	    (char)0xe9), c5 = _mm_set1_epi8((char)0xc5), o66 = _mm_set1_epi8(
	    0x66), o0f = _mm_set1_epi8(0x0f), c4 = _mm_set1_epi8((char)0xc4),
	    c7 = _mm_set1_epi8((char)0xc7), o05 = _mm_set1_epi8(0x05);
	__m128i x, y, m;
	unsigned bits, k;

	/* Lane 15 reads b[i + 16], at most e - 5. */
	for (; i + 16 <= e - 5; i += 16) {
		x = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		y = _mm_loadu_si128((const __m128i *)(const void *)(b + i + 1));
		m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, e8),
		    _mm_cmpeq_epi8(x, e9)), _mm_or_si128(_mm_cmpeq_epi8(x, c5),
		    _mm_cmpeq_epi8(x, o66)));
		m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(x, o0f),
		    _mm_cmpeq_epi8(x, c4)));
		m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_and_si128(y, c7), o05));
		for (bits = (unsigned)_mm_movemask_epi8(m); bits != 0;
		    bits &= bits - 1) {
			k = (unsigned)__builtin_ctz(bits);
			if (may_start(b, i + k))
				return i + k;
		}
	}
#endif
	for (; i <= e - 5; i++)
		if (may_start(b, i))
			return i;
	return e;
}

/* Section 10.5: references in b[s, e), whose first byte is at addr0. */
static void
scan_code(const pf_pred *p, uint8_t *b, size_t s, size_t e, uint64_t addr0)
{
	size_t i = s, field, end;
	unsigned dist;
	int32_t v;
	int k;

	while ((i = skip_to_candidate(b, i, e)) < e) {
		k = -1;
		if (find_ref(b, i, e, &field, &dist, &end))
			k = predict_rel32(p, addr0 + (field - s), dist,
			    (int32_t)pf_load_le32(b + field), &v);
		if (k < 0) {
			i++;
			continue;
		}
		if (k > 0)
			pf_store_le32(b + field, (uint32_t)v);
		i = end;
	}
}

/* An absolute address in the image, moved by the map. */
static inline void
map_abs64(const pf_pred *p, uint8_t *q)
{
	uint64_t v = pf_load_le64(q);

	if (pf_pred_in_image(p, v))
		pf_store_le64(q, pf_pred_map(p, v));
}

/* Section 10.6: the dynamic tags whose value is an address. */
static bool
dyn_ptr_tag(uint64_t tag)
{
	switch (tag) {
	case 3: case 4: case 5: case 6: case 7: case 12: case 13: case 17:
	case 21: case 23: case 25: case 26: case 32:
	case 0x6ffffef5: case 0x6ffffff0: case 0x6ffffffc: case 0x6ffffffe:
		return true;
	}
	return false;
}

/* Section 10.6: one record of a table region. */
static void
predict_record(const pf_pred *p, const pf_pred_region *r, uint8_t *q)
{
	uint32_t type;
	int32_t v;
	int k;

	switch (r->kind) {
	case PF_PRED_PTR64:
		map_abs64(p, q);
		break;
	case PF_PRED_RELA:
		map_abs64(p, q);
		type = pf_load_le32(q + 8);
		/*
		 * R_X86_64_RELATIVE and R_X86_64_IRELATIVE, or finder 2's
		 * R_AARCH64_RELATIVE and R_AARCH64_IRELATIVE: the addend too.
		 */
		if (p->finder == PF_PRED_FINDER_AARCH64 ?
		    type == 1027 || type == 1032 : type == 8 || type == 37)
			map_abs64(p, q + 16);
		break;
	case PF_PRED_DYN:
		if (dyn_ptr_tag(pf_load_le64(q)))
			map_abs64(p, q + 8);
		break;
	case PF_PRED_SYM:
		/* st_value, unless st_shndx is SHN_UNDEF or SHN_ABS. */
		if (pf_load_le16(q + 6) != 0 && pf_load_le16(q + 6) != 0xfff1)
			map_abs64(p, q + 8);
		break;
	case PF_PRED_EHTAB:
		for (k = 0; k < 2; k++)
			if (predict_rel32(p, r->vaddr + (uint64_t)r->param, 0,
			    (int32_t)pf_load_le32(q + 4 * k), &v) > 0)
				pf_store_le32(q + 4 * k, (uint32_t)v);
		break;
	}
}

/*
 * Section 10.6, EHFRAME_LSDA: the FDE q (OLD's bytes but pc_begin), whose
 * CIE pointer id is at address a4, is len + 4 bytes long.  The CIE
 * pointer is the distance back to the CIE: records inserted or removed
 * between them change it.  4 bytes of augmentation data are the LSDA
 * pointer (pc-relative, into .gcc_except_table: not code).
 */
static void
predict_fde_more(const pf_pred *p, uint8_t *q, uint64_t a4, uint64_t id,
    uint64_t len)
{
	uint64_t a = a4 + 13, t = a + (uint64_t)(int64_t)(int32_t)
	    pf_load_le32(q + 17), nid;
	int32_t v;

	if (len >= 17 && q[16] == 4 && !in_code(p, t) &&
	    predict_rel32(p, a, 0, (int32_t)pf_load_le32(q + 17), &v) > 0)
		pf_store_le32(q + 17, (uint32_t)v);
	if (pf_pred_in_image(p, a4 - id)) {
		nid = pf_pred_map(p, a4) - pf_pred_map(p, a4 - id);
		if (nid > 0 && nid <= UINT32_MAX)
			pf_store_le32(q + 4, (uint32_t)nid);
	}
}

/*
 * Section 10.6: the CIE and FDE records of an EHFRAME or EHFRAME_LSDA
 * region that start at 4-byte steps from its start in [s, e) and lie
 * whole in it.
 */
static void
scan_ehframe(const pf_pred *p, const pf_pred_region *r, uint8_t *buf,
    uint64_t page_off, uint64_t s, uint64_t e)
{
	uint64_t at = r->off + (s - r->off + 3) / 4 * 4, len, id, a, t;
	const uint8_t *q;
	int32_t v;

	for (; at + 12 <= e; at += 4) {
		q = buf + (at - page_off);
		len = pf_load_le32(q);
		id = pf_load_le32(q + 4);
		if (len < 8 || len % 4 != 0 || len > e - at - 4)
			continue;
		a = r->vaddr + (at - r->off) + 8;
		t = a + (uint64_t)(int64_t)(int32_t)pf_load_le32(q + 8);
		if (id == 0 && (q[8] == 1 || q[8] == 3)) {
			at += len;      /* a CIE, skipped whole */
			continue;
		}
		if (len < 16 || id == 0 || id > at + 4 - r->off ||
		    !in_code(p, t))
			continue;
		if (predict_rel32(p, a, 0,
		    (int32_t)pf_load_le32(q + 8), &v) > 0)
			pf_store_le32(buf + (at - page_off) + 8, (uint32_t)v);
		if (r->kind == PF_PRED_EHFRAME_LSDA)
			predict_fde_more(p, buf + (at - page_off), a - 4, id,
			    len);
		at += len;
	}
}

/*
 * Section 10.5.1, finding the tables.  OLD is read a chunk at a time
 * (the code once, front to back; the tables' entries in address order),
 * so that the memory stays bounded whatever OLD's size.
 */
#define TAB_CHUNK (64u << 10)

typedef struct tab_reader {
	const pf_source *old;
	uint8_t *buf;           /* TAB_CHUNK bytes */
	uint64_t at;            /* the file offset of buf[0] */
	size_t len;             /* bytes in buf */
	pf_err *err;
} tab_reader;

/* OLD's 4 bytes at off as a signed value; false on a failed read. */
static bool
tab_word(tab_reader *t, uint64_t off, int32_t *v, pf_ret *r)
{
	size_t n;

	if (off < t->at || off + 4 > t->at + t->len) {
		n = t->old->size - off < TAB_CHUNK ?
		    (size_t)(t->old->size - off) : TAB_CHUNK;
		if ((*r = t->old->read_at(t->old->opaque, off, t->buf, n,
		    t->err)) != PF_OK)
			return false;
		t->at = off;
		t->len = n;
	}
	*v = (int32_t)pf_load_le32(t->buf + (off - t->at));
	return true;
}

/*
 * The JUMPTAB region holding address a, or NULL: p->jt lists them, in
 * increasing address order (the parser checks it).
 */
static const pf_pred_region *
jumptab_at(const pf_pred *p, uint64_t a)
{
	size_t lo = 0, hi = p->njt, mid;
	const pf_pred_region *r;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = &p->regions[p->jt[mid]];
		if (a < r->vaddr)
			hi = mid;
		else if (a - r->vaddr >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

static int
table_cmp(const void *a, const void *b)
{
	const pf_pred_table *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * v[0, n) sorted, a byte at a time from the lowest (tmp: room for n),
 * skipping the bytes all values share: the candidates lie in a few
 * MB of .rodata, so three or four passes.  qsort took 3 % of librsvg's
 * apply (11,197 candidates), this a tenth of it.
 */
static void
sort_u64(uint64_t *v, uint64_t *tmp, size_t n)
{
	size_t count[256], i, c, sum, k;
	uint64_t *a = v, *b = tmp, *x;
	unsigned shift;

	for (shift = 0; shift < 64; shift += 8) {
		memset(count, 0, sizeof count);
		for (i = 0; i < n; i++)
			count[a[i] >> shift & 0xff]++;
		if (count[a[0] >> shift & 0xff] == n)
			continue;
		for (c = sum = 0; c < 256; c++) {
			k = count[c];
			count[c] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			b[count[a[i] >> shift & 0xff]++] = a[i];
		x = a;
		a = b;
		b = x;
	}
	if (a != v)
		memcpy(v, a, n * sizeof *v);
}

/*
 * v[0, *n) sorted, each value once (tmp: room for *n).  False when more
 * than PF_PRED_TABLES_MAX remain.
 */
static bool
sort_unique(uint64_t *v, uint64_t *tmp, size_t *n)
{
	size_t i, u;

	if (*n == 0)
		return true;
	sort_u64(v, tmp, *n);
	for (i = u = 1; i < *n; i++)
		if (v[i] != v[u - 1])
			v[u++] = v[i];
	*n = u;
	return u <= PF_PRED_TABLES_MAX;
}

/* Room for candidates; as much again follows, for sort_unique. */
#define CAND_ROOM (PF_PRED_TABLES_MAX + 1)

/*
 * Step 1: the address each "lea r64, [rip + disp32]" of the CODE region
 * r names (REX.W 8D, ModRM mod 0 and r/m 5), where it is 4-aligned and
 * in a JUMPTAB region, into v (2 * CAND_ROOM; made unique when
 * CAND_ROOM have gathered).  Returns false when there are more than
 * PF_PRED_TABLES_MAX of them (then there are no tables) or on a failed
 * read.
 */
static bool
lea_targets(const pf_pred *p, const pf_pred_region *r, tab_reader *t,
    uint64_t *v, size_t *n, pf_ret *ret)
{
	uint64_t pos = 0, base;
	const uint8_t *b, *hit, *end;
	size_t len;

	while (pos + 7 <= r->size) {
		len = r->size - pos < TAB_CHUNK ? (size_t)(r->size - pos) :
		    TAB_CHUNK;
		if ((*ret = t->old->read_at(t->old->opaque, r->off + pos,
		    t->buf, len, t->err)) != PF_OK)
			return false;
		t->len = 0;
		/* An instruction at i is whole in the chunk: i + 7 <= len. */
		end = t->buf + len - 5;
		for (b = t->buf + 1; b < end; b = hit + 1) {
			if ((hit = memchr(b, 0x8d, (size_t)(end - b))) == NULL)
				break;
			if ((hit[-1] & 0xf8) != 0x48 || (hit[1] & 0xc7) != 0x05)
				continue;
			base = r->vaddr + pos + (uint64_t)(hit - 1 - t->buf) +
			    7 + (uint64_t)(int64_t)(int32_t)pf_load_le32(hit + 2);
			if (base % 4 != 0 || jumptab_at(p, base) == NULL)
				continue;
			if (*n == CAND_ROOM &&
			    !sort_unique(v, v + CAND_ROOM, n))
				return false;
			v[(*n)++] = base;
		}
		if (pos + len >= r->size)
			break;
		pos += len - 6;
	}
	return true;
}

pf_ret
pf_pred_find_tables(pf_pred *p, const pf_source *old, pf_err *err)
{
	tab_reader t = { old, NULL, 0, 0, err };
	const pf_pred_region *r;
	uint64_t *base = NULL, a, limit, k;
	size_t i, n = 0;
	pf_ret ret = PF_OK;
	int32_t v;

	if (p->njt == 0 || p->ncode == 0 || p->tables != NULL)
		return PF_OK;
	if ((t.buf = malloc(TAB_CHUNK)) == NULL ||
	    (base = malloc(2 * CAND_ROOM * sizeof *base)) == NULL) {
		ret = pf_err_nomem(err);
		goto out;
	}
	for (i = 0; i < p->nregions; i++)
		if (p->regions[i].kind == PF_PRED_CODE &&
		    !lea_targets(p, &p->regions[i], &t, base, &n, &ret))
			goto out;
	if (n == 0 || !sort_unique(base, base + CAND_ROOM, &n))
		goto out;
	if ((p->tables = malloc(n * sizeof *p->tables)) == NULL) {
		ret = pf_err_nomem(err);
		goto out;
	}
	/* Step 2 (lea_targets left t's buffer empty). */
	for (i = 0; i < n; i++) {
		r = jumptab_at(p, base[i]);
		limit = r->vaddr + r->size;
		if (i + 1 < n && base[i + 1] < limit)
			limit = base[i + 1];
		for (k = 0; (limit - base[i]) / 4 > k; k++) {
			if (!tab_word(&t, r->off + (base[i] - r->vaddr) + 4 * k,
			    &v, &ret))
				goto out;
			a = base[i] + (uint64_t)(int64_t)v;
			if (!in_code(p, a))
				break;
		}
		if (k > 0)
			p->tables[p->ntables++] = (pf_pred_table){
				r->off + (base[i] - r->vaddr), base[i], k };
	}
	qsort(p->tables, p->ntables, sizeof *p->tables, table_cmp);
out:
	if (ret != PF_OK) {
		free(p->tables);
		p->tables = NULL;
		p->ntables = 0;
	}
	free(base);
	free(t.buf);
	return ret;
}

/*
 * Section 10.5.1: the entries of the tables that lie whole in [s, e) of
 * the file, each moved by the map as its target and its table's start.
 */
static void
predict_tables(const pf_pred *p, uint8_t *buf, uint64_t page_off,
    uint64_t s, uint64_t e)
{
	size_t lo = 0, hi = p->ntables, mid;
	const pf_pred_table *t;
	uint64_t k, at;
	int32_t v;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (p->tables[mid].off + 4 * p->tables[mid].count <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < p->ntables && p->tables[lo].off < e; lo++) {
		t = &p->tables[lo];
		k = t->off >= s ? 0 : (s - t->off + 3) / 4;
		for (; k < t->count && (at = t->off + 4 * k) + 4 <= e; k++)
			if (predict_rel32(p, t->vaddr, 0,
			    (int32_t)pf_load_le32(buf + (at - page_off)), &v) > 0)
				pf_store_le32(buf + (at - page_off),
				    (uint32_t)v);
	}
}

/* The records of r that lie whole in [s, e) of the file. */
static void
predict_records(const pf_pred *p, const pf_pred_region *r, uint8_t *buf,
    uint64_t page_off, uint64_t s, uint64_t e)
{
	uint64_t rs = record_size[r->kind], k, at;

	k = (s - r->off + rs - 1) / rs;
	at = r->off + k * rs;
	if (r->kind == PF_PRED_PTR64) {
		/*
		 * Most records of .data.rel.ro and .data: one load and one
		 * comparison each where the value is not in the image,
		 * without predict_record's switch and call (libgs, 16 MB of
		 * them: 6 % less apply time).
		 */
		for (; at + 8 <= e; at += 8)
			map_abs64(p, buf + (at - page_off));
		return;
	}
	for (; at + rs <= e; at += rs)
		predict_record(p, r, buf + (at - page_off));
}

void
pf_pred_page(const pf_pred *p, uint64_t page_off, uint8_t *buf, size_t len)
{
	uint64_t page_end = page_off + len, s, e;
	size_t lo = 0, hi = p->nregions, mid;
	const pf_pred_region *r;

	/* The first region that ends after the page starts. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (p->regions[mid].off + p->regions[mid].size <= page_off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < p->nregions && p->regions[lo].off < page_end; lo++) {
		r = &p->regions[lo];
		s = r->off > page_off ? r->off : page_off;
		e = r->off + r->size < page_end ? r->off + r->size : page_end;
		if (r->kind == PF_PRED_CODE &&
		    p->finder == PF_PRED_FINDER_AARCH64)
			pf_pred_scan_a64(p, r, buf, page_off, s, e);
		else if (r->kind == PF_PRED_CODE)
			scan_code(p, buf, (size_t)(s - page_off),
			    (size_t)(e - page_off), r->vaddr + (s - r->off));
		else if (r->kind == PF_PRED_EHFRAME ||
		    r->kind == PF_PRED_EHFRAME_LSDA)
			scan_ehframe(p, r, buf, page_off, s, e);
		else if (r->kind == PF_PRED_JUMPTAB)
			predict_tables(p, buf, page_off, s, e);
		else
			predict_records(p, r, buf, page_off, s, e);
	}
}

struct pf_pred_src {
	const pf_pred *pred;
	const pf_source *old;
	uint64_t tag[SRC_PAGES];        /* page number + 1; 0: empty */
	bool ready[SRC_PAGES];          /* predicted, not only read */
	uint64_t next;                  /* the page after the last read */
	uint8_t (*page)[PF_PRED_PAGE];  /* SRC_PAGES of them */
};

/*
 * Reads page n into its slot, and when the reads go through OLD in order
 * the pages after it that are not kept, up to SRC_AHEAD and the end of
 * the slots; marks them read, not predicted.
 */
static pf_ret
src_fill(pf_pred_src *s, uint64_t n, size_t slot, pf_err *err)
{
	uint64_t off = n * PF_PRED_PAGE, pages;
	size_t k, want = n == s->next ? SRC_AHEAD : 1;
	pf_ret r;

	pages = (s->old->size - off + PF_PRED_PAGE - 1) / PF_PRED_PAGE;
	if (want > pages)
		want = (size_t)pages;
	if (want > SRC_PAGES - slot)
		want = SRC_PAGES - slot;
	for (k = 1; k < want && s->tag[slot + k] != n + k + 1; k++)
		continue;
	for (want = 0; want < k; want++)
		s->tag[slot + want] = 0;
	r = s->old->read_at(s->old->opaque, off, s->page[slot],
	    s->old->size - off < k * PF_PRED_PAGE ?
	    (size_t)(s->old->size - off) : k * PF_PRED_PAGE, err);
	if (r != PF_OK)
		return r;
	for (want = 0; want < k; want++) {
		s->tag[slot + want] = n + want + 1;
		s->ready[slot + want] = false;
	}
	s->next = n + k;
	return PF_OK;
}

/* The page with number n, computed if it is not kept. */
static pf_ret
src_page(pf_pred_src *s, uint64_t n, const uint8_t **out, size_t *len,
    pf_err *err)
{
	size_t slot = (size_t)(n % SRC_PAGES);
	uint64_t off = n * PF_PRED_PAGE;
	pf_ret r;

	*len = s->old->size - off < PF_PRED_PAGE ?
	    (size_t)(s->old->size - off) : PF_PRED_PAGE;
	*out = s->page[slot];
	if (s->tag[slot] != n + 1 &&
	    (r = src_fill(s, n, slot, err)) != PF_OK)
		return r;
	if (!s->ready[slot]) {
		pf_pred_page(s->pred, off, s->page[slot], *len);
		s->ready[slot] = true;
	}
	return PF_OK;
}

static pf_ret
src_read_at(void *opaque, uint64_t off, void *buf, size_t n, pf_err *err)
{
	pf_pred_src *s = opaque;
	uint8_t *dst = buf;
	const uint8_t *pg;
	size_t len, at, k;
	pf_ret r;

	while (n > 0) {
		if ((r = src_page(s, off / PF_PRED_PAGE, &pg, &len, err)) !=
		    PF_OK)
			return r;
		at = (size_t)(off % PF_PRED_PAGE);
		k = len - at < n ? len - at : n;
		memcpy(dst, pg + at, k);
		dst += k;
		off += k;
		n -= k;
	}
	return PF_OK;
}

pf_ret
pf_pred_src_new(pf_pred_src **out, const pf_pred *p, const pf_source *old,
    pf_source *src, pf_err *err)
{
	pf_pred_src *s = calloc(1, sizeof *s);

	*out = s;
	if (s == NULL || (s->page = pf_bigmem_alloc(SRC_PAGES *
	    sizeof *s->page)) == NULL)
		return pf_err_nomem(err);
	s->pred = p;
	s->old = old;
	*src = (pf_source){ src_read_at, s, old->size };
	return PF_OK;
}

void
pf_pred_src_free(pf_pred_src *s)
{
	if (s != NULL)
		free(s->page);
	free(s);
}
