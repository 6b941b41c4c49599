/*
 * Functions without a symbol (spec/hotpatch.md section 8.3).  A build
 * with neither .symtab nor a debug file still has .dynsym, which names
 * its exported functions, and .eh_frame, whose FDEs give the bounds of
 * every function compiled with unwind tables, named or not.
 *
 * Matching two unnamed functions wrongly would send callers of one to
 * the code of another, so the rule is narrow: anchors are the named
 * functions of both builds and the unnamed ones whose code (address
 * fields blanked) appears exactly once in each build; between two
 * consecutive anchors, unnamed functions are matched in order only when
 * both builds have as many of them, and only when each pair is similar.
 * Whatever is left is unmatched, and the analysis refuses it unless its
 * code is found unchanged in the old build.
 */
#include <config.h>

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/ehframe.h"
#include "disasm/image.h"
#include "disasm/insn.h"

/* A pair matched by its place must be at least this alike (similarity
 * below). */
#define SIMILAR_PERCENT 50

static bool
is_plt(const hp_sect *s)
{
	return strncmp(s->name, ".plt", 4) == 0;
}

/* The executable section that holds the whole range, or 0. */
static int
code_sect(const hp_image *im, uint64_t addr, uint64_t size)
{
	size_t i;

	for (i = 1; i < im->n_sects; i++) {
		const hp_sect *s = &im->sects[i];

		if ((s->flags & SHF_EXECINSTR) && (s->flags & SHF_ALLOC) &&
		    addr >= s->addr && addr - s->addr < s->size &&
		    size <= s->size - (addr - s->addr))
			return is_plt(s) ? 0 : (int)i;
	}
	return 0;
}

/* True when a function symbol starts at addr or covers it. */
static bool
named(const hp_image *im, uint64_t addr)
{
	const hp_sym *y = hp_image_sym_at(im, addr);

	return y != NULL && y->kind == HP_FUNC;
}

static pf_ret
add_one(hp_image *im, const hp_range *rg, int sect)
{
	hp_sym *y = &im->syms[im->n_syms];
	char buf[64];

	memset(y, 0, sizeof *y);
	snprintf(buf, sizeof buf, "~%s@0x%llx", im->what,
	    (unsigned long long)rg->addr);
	if ((y->key = strdup(buf)) == NULL)
		return PF_ERR_NOMEM;
	snprintf(buf, sizeof buf, "unnamed@0x%llx",
	    (unsigned long long)rg->addr);
	if ((y->own_name = strdup(buf)) == NULL)
		return PF_ERR_NOMEM;
	y->name = y->own_name;
	y->addr = rg->addr;
	y->size = rg->size;
	y->kind = HP_FUNC;
	y->sect = sect;
	y->unnamed = y->unmatched = true;
	im->n_syms++;
	return PF_OK;
}

pf_ret
hp_image_add_unnamed(hp_image *im, pf_err *err)
{
	hp_range *rg = NULL;
	size_t n = 0, i, keep = im->n_syms;
	const hp_sect *s = NULL;
	pf_ret r = PF_OK;
	void *p;
	int k;

	im->has_unnamed = true;
	for (i = 1; i < im->n_sects && s == NULL; i++)
		if (strcmp(im->sects[i].name, ".eh_frame") == 0 &&
		    im->sects[i].data != NULL)
			s = &im->sects[i];
	if (s == NULL)
		return PF_OK;
	if (hp_ehframe_ranges(s->data, (size_t)s->size, s->addr, &rg, &n) !=
	    PF_OK)
		return pf_err_set(err, PF_ERR_CORRUPT, "%s module: unreadable "
		    ".eh_frame", im->what);
	if (n == 0)
		goto out;
	if ((p = realloc(im->syms, (im->n_syms + n) * sizeof *im->syms)) ==
	    NULL) {
		r = pf_err_nomem(err);
		goto out;
	}
	im->syms = p;
	for (i = 0; i < n && r == PF_OK; i++) {
		/* A range a symbol already names, the PLT's FDE, and
		 * ranges outside code are not functions to add. */
		if ((k = code_sect(im, rg[i].addr, rg[i].size)) == 0 ||
		    named(im, rg[i].addr))
			continue;
		if (add_one(im, &rg[i], k) != PF_OK)
			r = pf_err_nomem(err);
	}
	if (im->n_syms > keep)
		hp_image_sort_addr(im);
out:
	free(rg);
	return r;
}

/* One function of a build, as the matching sees it. */
typedef struct fn {
	hp_sym *y;
	uint8_t *code;               /* address fields blanked */
	uint64_t hash;
	bool anchor;
	struct fn *peer;             /* the matched one of the other build */
} fn;

typedef struct side {
	hp_image *im;
	fn *v;
	size_t n;
	fn **by_sym;                 /* the fn of each symbol, or NULL */
	fn **hashed;                 /* the unnamed ones, by hash */
	size_t n_hashed;
} side;

static uint64_t
fnv1a(const uint8_t *p, size_t n, uint64_t size)
{
	uint64_t h = UINT64_C(14695981039346656037) ^ size;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * UINT64_C(1099511628211);
	return h;
}

/* The bytes of a function with every address field blanked; NULL when
 * they are not in the file or cannot be decoded to the end. */
static uint8_t *
blanked(const hp_image *im, const hp_sym *y)
{
	const uint8_t *p;
	uint8_t *b = NULL;
	hp_refs rs = {0};
	size_t dec, i;

	if (!hp_image_bytes(im, y->addr, (size_t)y->size, &p) ||
	    hp_insn_refs(p, (size_t)y->size, y->addr, &rs, &dec) != PF_OK ||
	    dec != y->size || (b = malloc((size_t)y->size)) == NULL)
		goto out;
	memcpy(b, p, (size_t)y->size);
	for (i = 0; i < rs.n; i++)
		memset(b + rs.v[i].field, 0, rs.v[i].size);
out:
	hp_refs_free(&rs);
	return b;
}

static int
cmp_hash(const void *a, const void *b)
{
	const fn *const *x = a, *const *y = b;

	return (*x)->hash < (*y)->hash ? -1 : (*x)->hash > (*y)->hash;
}

static pf_ret
load_side(hp_image *im, side *sd)
{
	size_t i;
	fn *f;

	sd->im = im;
	sd->v = calloc(im->n_syms ? im->n_syms : 1, sizeof *sd->v);
	sd->by_sym = calloc(im->n_syms ? im->n_syms : 1, sizeof *sd->by_sym);
	sd->hashed = calloc(im->n_syms ? im->n_syms : 1, sizeof *sd->hashed);
	if (sd->v == NULL || sd->by_sym == NULL || sd->hashed == NULL)
		return PF_ERR_NOMEM;
	for (i = 0; i < im->n_syms; i++) {
		hp_sym *y = &im->syms[i];

		if (y->kind != HP_FUNC || y->size == 0 || y->sect <= 0 ||
		    y->dup)
			continue;
		f = &sd->v[sd->n++];
		f->y = y;
		sd->by_sym[i] = f;
		if (!y->unnamed || (f->code = blanked(im, y)) == NULL)
			continue;
		f->hash = fnv1a(f->code, (size_t)y->size, y->size);
		sd->hashed[sd->n_hashed++] = f;
	}
	if (sd->n_hashed > 1)
		qsort(sd->hashed, sd->n_hashed, sizeof *sd->hashed, cmp_hash);
	return PF_OK;
}

/* The unnamed functions of the side with code hashing to h: how many,
 * and one of them. */
static size_t
count_hash(const side *sd, uint64_t h, fn **one)
{
	size_t lo = 0, hi = sd->n_hashed, mid, end;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sd->hashed[mid]->hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < sd->n_hashed && sd->hashed[end]->hash == h;)
		end++;
	*one = end > lo ? sd->hashed[lo] : NULL;
	return end - lo;
}

/* The function of a named symbol of the side, or NULL. */
static fn *
find_key(const side *sd, const char *key)
{
	const hp_sym *y = hp_image_sym_key(sd->im, key);

	return y != NULL && y->kind == HP_FUNC ?
	    sd->by_sym[y - sd->im->syms] : NULL;
}

/* Candidate anchors: named functions of both builds, and unnamed ones
 * whose code is in each build exactly once. */
static void
find_anchors(side *o, side *n)
{
	fn *a, *b;
	size_t i;

	for (i = 0; i < n->n; i++) {
		a = &n->v[i];
		if (!a->y->unnamed) {
			b = find_key(o, a->y->key);
		} else if (a->code == NULL || count_hash(n, a->hash, &b) != 1 ||
		    count_hash(o, a->hash, &b) != 1 || b->y->size !=
		    a->y->size || memcmp(a->code, b->code,
		    (size_t)a->y->size) != 0) {
			b = NULL;
		}
		if (b != NULL && b->peer == NULL) {
			a->peer = b;
			b->peer = a;
		}
	}
}

/* Keeps the anchors whose order is the same in both builds: the
 * longest run increasing in both (patience sorting), the rest dropped.
 * Both sides are in order of address. */
static pf_ret
keep_ordered(side *n)
{
	size_t *tail = NULL, *prev = NULL, *idx = NULL, len = 0, m = 0, i, lo,
	    hi, mid, k;
	pf_ret r = PF_ERR_NOMEM;

	idx = malloc((n->n + 1) * sizeof *idx);
	tail = malloc((n->n + 1) * sizeof *tail);
	prev = malloc((n->n + 1) * sizeof *prev);
	if (idx == NULL || tail == NULL || prev == NULL)
		goto out;
	for (i = 0; i < n->n; i++)
		if (n->v[i].peer != NULL)
			idx[m++] = i;
	for (i = 0; i < m; i++) {
		uint64_t at = n->v[idx[i]].peer->y->addr;

		for (lo = 0, hi = len; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (n->v[idx[tail[mid]]].peer->y->addr < at)
				lo = mid + 1;
			else
				hi = mid;
		}
		prev[i] = lo > 0 ? tail[lo - 1] : SIZE_MAX;
		tail[lo] = i;
		if (lo == len)
			len++;
	}
	for (k = len ? tail[len - 1] : SIZE_MAX; k != SIZE_MAX; k = prev[k])
		n->v[idx[k]].anchor = n->v[idx[k]].peer->anchor = true;
	for (i = 0; i < m; i++)
		if (!n->v[idx[i]].anchor) {
			n->v[idx[i]].peer->peer = NULL;
			n->v[idx[i]].peer = NULL;
		}
	r = PF_OK;
out:
	free(idx);
	free(tail);
	free(prev);
	return r;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The 4-byte runs of code, sorted; NULL when out of memory. */
static uint32_t *
grams(const uint8_t *p, size_t n, size_t *k)
{
	uint32_t *g;
	size_t i;

	*k = n >= 4 ? n - 3 : 0;
	if ((g = malloc((*k + 1) * sizeof *g)) == NULL)
		return NULL;
	for (i = 0; i < *k; i++)
		g[i] = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
		    (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
	if (*k > 1)
		qsort(g, *k, sizeof *g, cmp_u32);
	return g;
}

/* How alike two functions are, in percent: the 4-byte runs of their
 * code (address fields blanked) that both have, counted with
 * repetition, against the runs of the longer one.  A fix that changes
 * a few instructions keeps most runs; padding that moves does not
 * matter, as it would from the start or the end. */
static unsigned
similarity(const fn *a, const fn *b)
{
	uint32_t *ga = NULL, *gb = NULL;
	size_t na, nb, i = 0, j = 0, same = 0;
	unsigned pct = 0;

	if (a->code == NULL || b->code == NULL ||
	    (ga = grams(a->code, (size_t)a->y->size, &na)) == NULL ||
	    (gb = grams(b->code, (size_t)b->y->size, &nb)) == NULL)
		goto out;
	while (i < na && j < nb) {
		if (ga[i] == gb[j])
			same++, i++, j++;
		else if (ga[i] < gb[j])
			i++;
		else
			j++;
	}
	if (na == 0 && nb == 0)
		pct = a->y->size == b->y->size && memcmp(a->code, b->code,
		    (size_t)a->y->size) == 0 ? 100 : 0;
	else
		pct = (unsigned)(same * 100 / (na > nb ? na : nb));
out:
	free(ga);
	free(gb);
	return pct;
}

/* An anchor for people; NULL is the start or the end of the code. */
static const char *
label(const fn *f, const char *none)
{
	return f != NULL ? f->y->name : none;
}

static pf_ret
set_how(hp_sym *y, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static pf_ret
set_how(hp_sym *y, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	free(y->how);
	return (y->how = strdup(buf)) == NULL ? PF_ERR_NOMEM : PF_OK;
}

/* Gives a matched pair one key in both builds: the old address. */
static pf_ret
pair(fn *o, fn *n)
{
	char key[64];

	snprintf(key, sizeof key, "~fde@0x%llx",
	    (unsigned long long)o->y->addr);
	free(o->y->key);
	free(n->y->key);
	o->y->key = strdup(key);
	n->y->key = strdup(key);
	o->y->unmatched = n->y->unmatched = false;
	o->peer = n;
	n->peer = o;
	return o->y->key == NULL || n->y->key == NULL ? PF_ERR_NOMEM : PF_OK;
}

/* The unnamed functions of a side that are not anchors, from index lo
 * up to (not including) hi. */
static size_t
loose(const side *sd, size_t lo, size_t hi, fn **out)
{
	size_t i, k = 0;

	for (i = lo; i < hi; i++)
		if (sd->v[i].y->unnamed && sd->v[i].peer == NULL)
			out[k++] = &sd->v[i];
	return k;
}

/* In a gap whose counts differ: pairs of identical code, each the only
 * one of its code in the gap on both sides. */
static pf_ret
pair_identical(fn **ov, size_t on, fn **nv, size_t nn, const fn *lo,
    const fn *hi)
{
	size_t i, j, c, at = 0;
	pf_ret r = PF_OK;

	for (i = 0; i < nn && r == PF_OK; i++) {
		if (nv[i]->code == NULL)
			continue;
		for (j = c = 0; j < nn; j++)
			c += nv[j]->code != NULL && nv[j]->hash == nv[i]->hash;
		for (j = 0; j < on; j++)
			if (ov[j]->code != NULL && ov[j]->hash == nv[i]->hash) {
				c += 16;
				at = j;
			}
		if (c != 17 || ov[at]->peer != NULL || ov[at]->y->size !=
		    nv[i]->y->size || memcmp(ov[at]->code, nv[i]->code,
		    (size_t)nv[i]->y->size) != 0)
			continue;
		if ((r = pair(ov[at], nv[i])) == PF_OK)
			r = set_how(nv[i]->y, "its unchanged code, the only "
			    "such between %s and %s (.eh_frame)", label(lo, "the start"),
			    label(hi, "the end"));
	}
	return r;
}

/* Between anchors lo and hi (NULL: the start or the end of the code):
 * matched in order when both builds have as many unnamed functions
 * there and each pair is similar. */
static pf_ret
one_gap(fn **ov, size_t on, fn **nv, size_t nn, const fn *lo, const fn *hi)
{
	unsigned pct;
	size_t i;
	pf_ret r = PF_OK;

	if (on != nn && (r = pair_identical(ov, on, nv, nn, lo, hi)) != PF_OK)
		return r;
	for (i = 0; i < nn && r == PF_OK; i++) {
		if (nv[i]->peer != NULL)
			continue;
		if (on != nn) {
			r = set_how(nv[i]->y, "between %s and %s the old build "
			    "has %zu unnamed functions and the new %zu",
			    label(lo, "the start"), label(hi, "the end"), on, nn);
			continue;
		}
		pct = similarity(ov[i], nv[i]);
		if (pct < SIMILAR_PERCENT) {
			r = set_how(nv[i]->y, "the old function at its place "
			    "between %s and %s (0x%llx) is only %u%% alike",
			    label(lo, "the start"), label(hi, "the end"),
			    (unsigned long long)ov[i]->y->addr, pct);
			continue;
		}
		if ((r = pair(ov[i], nv[i])) == PF_OK)
			r = set_how(nv[i]->y, "its place between %s and %s "
			    "(.eh_frame), %u%% alike", label(lo, "the start"), label(hi, "the end"),
			    pct);
	}
	return r;
}

/* Walks the gaps between consecutive anchors of the new build. */
static pf_ret
all_gaps(side *o, side *n)
{
	fn **ov = malloc((o->n + 1) * sizeof *ov);
	fn **nv = malloc((n->n + 1) * sizeof *nv);
	fn *lo = NULL;
	size_t i, nlo = 0, olo = 0, ohi;
	pf_ret r = PF_OK;

	if (ov == NULL || nv == NULL) {
		r = PF_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i <= n->n && r == PF_OK; i++) {
		if (i < n->n && !n->v[i].anchor)
			continue;
		ohi = i < n->n ? (size_t)(n->v[i].peer - o->v) : o->n;
		r = one_gap(ov, loose(o, olo, ohi, ov), nv, loose(n, nlo, i,
		    nv), lo, i < n->n ? &n->v[i] : NULL);
		if (i < n->n) {
			lo = &n->v[i];
			nlo = i + 1;
			olo = ohi + 1;
		}
	}
out:
	free(ov);
	free(nv);
	return r;
}

/* Content anchors (unnamed on both sides) get their shared key. */
static pf_ret
key_anchors(side *n)
{
	size_t i;
	fn *f;
	pf_ret r = PF_OK;

	for (i = 0; i < n->n && r == PF_OK; i++) {
		f = &n->v[i];
		if (!f->anchor || !f->y->unnamed)
			continue;
		if ((r = pair(f->peer, f)) == PF_OK)
			r = set_how(f->y, "%s", "its unchanged code, found once "
			    "in each build (.eh_frame)");
	}
	return r;
}

static void
free_side(side *sd)
{
	size_t i;

	for (i = 0; i < sd->n; i++)
		free(sd->v[i].code);
	free(sd->v);
	free(sd->by_sym);
	free(sd->hashed);
}

pf_ret
hp_image_pair_unnamed(hp_image *old, hp_image *new, pf_err *err)
{
	side o = {0}, n = {0};
	pf_ret r;

	if (!old->has_unnamed && !new->has_unnamed)
		return PF_OK;
	if ((r = load_side(old, &o)) != PF_OK ||
	    (r = load_side(new, &n)) != PF_OK)
		goto out;
	find_anchors(&o, &n);
	if ((r = keep_ordered(&n)) != PF_OK || (r = key_anchors(&n)) !=
	    PF_OK || (r = all_gaps(&o, &n)) != PF_OK)
		goto out;
	hp_image_sort_keys(old);
	hp_image_sort_keys(new);
	if ((r = hp_image_rekey_slots(old)) == PF_OK)
		r = hp_image_rekey_slots(new);
out:
	free_side(&o);
	free_side(&n);
	return r == PF_OK ? PF_OK : pf_err_nomem(err);
}
