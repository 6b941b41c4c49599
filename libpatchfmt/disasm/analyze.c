/*
 * Building a hot patch (spec/hotpatch.md section 8).
 *
 * Functions are matched by symbol key.  Two builds of a function are the
 * same when their bytes agree with every address field blanked out and
 * every address refers to the same thing (the same symbol and offset, the
 * same import, the same string): code that only moved is not a change.
 * Each changed function is copied with relocations against the old module
 * as it is mapped in the process, so the new code uses the old data.
 */
#include <config.h>

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/hash.h"
#include "disasm/analyze.h"
#include "disasm/image.h"
#include "disasm/insn.h"

/* What an address field refers to, independent of the layout. */
typedef enum rkind {
	R_SELF, R_SLOT, R_SYM, R_STR, R_CONST, R_JTAB, R_ANON, R_NONE
} rkind;

typedef struct rclass {
	rkind kind;
	const hp_slot *slot;
	const hp_sym *sym;
	uint64_t off;              /* from the slot, symbol or function */
	const uint8_t *bytes;      /* R_STR (with its NUL), R_CONST, R_JTAB,
	                              R_ANON */
	size_t len;                /* bytes, or R_JTAB entries */
	const hp_sect *sect;       /* R_ANON: the section, off in it */
	uint64_t addr;
	uint64_t fn_addr;          /* of the function referring */
} rclass;

/* One function that goes into the patch. */
typedef struct fent {
	const hp_sym *nsym, *osym; /* osym NULL: new in this build */
	size_t index;              /* in hp->funcs once emitted */
	char *refusal;             /* why it cannot be patched, or NULL */
	char *why;                 /* why it is in the patch, for people */
	bool has_ref;              /* the refusal is about the reference */
	uint64_t ref_at;           /* at this offset of the new code */
} fent;

/*
 * The offsets of an old section grouped by a hash of the 8 bytes at each
 * (a counting sort, ascending within a group), so that finding where
 * data without a symbol lies in the old build reads one group, not the
 * whole section: every place holding the same bytes is in the group of
 * their first 8.  Built when first needed.
 */
typedef struct anon_index {
	uint32_t *start;        /* [nb + 1]: where each group begins in pos */
	uint32_t *pos;
	unsigned shift;         /* 64 - log2(nb) */
	bool built;             /* tried: pos is NULL if it could not be */
} anon_index;

/*
 * A function's address fields, decoded once: every function is decoded
 * to collect the targets, and those compared, explained, checked and
 * emitted would otherwise be decoded again for each of these steps.
 */
typedef struct fn_code {
	hp_ref *v;
	size_t n;
	size_t dec;             /* bytes the decoder got through */
	bool done;
} fn_code;

typedef struct actx {
	hp_image old, new;
	fn_code *code[2];          /* [n_syms] of old, of new; or NULL */
	anon_index *anon;          /* [old.n_sects], or NULL */
	pf_hotpatch *hp;
	fent *f;
	size_t nf;
	pf_hp_analysis *an;        /* selection and notes, or NULL */
	pf_err *err;
} actx;

#define STR_MAX 4096
#define JTAB_MAX 4096
#define JTAB_SEEN 16         /* tables of one function shared by address */

static bool
is_string(const uint8_t *p, size_t n, size_t *len)
{
	size_t i;

	for (i = 0; i < n && i < STR_MAX; i++) {
		if (p[i] == '\0') {
			*len = i + 1;
			return true;
		}
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return false;
	}
	return false;
}

/* GCC's switch tables in position-independent code: int32 entries, each
 * the distance from the table to a label inside the function.  The table
 * ends where an entry no longer points into the function or a named
 * object begins; extra entries found that way are copied but never used. */
static size_t
jump_table(const hp_image *im, const hp_sym *fn, uint64_t t)
{
	const uint8_t *p;
	size_t n = 0;

	while (n < JTAB_MAX && hp_image_bytes(im, t + 4 * n, 4, &p)) {
		uint64_t dst = t + (uint64_t)(int64_t)(int32_t)pf_load_le32(p);

		if (dst - fn->addr >= fn->size ||
		    (n > 0 && hp_image_sym_at(im, t + 4 * n) != NULL))
			break;
		n++;
	}
	return n;
}

/* Entry i of a switch table, as an offset in its function. */
static uint64_t
jtab_entry(const rclass *c, size_t i)
{
	int32_t e = (int32_t)pf_load_le32(c->bytes + 4 * i);

	return c->addr + (uint64_t)(int64_t)e - c->fn_addr;
}

/* The first address after addr that the code refers to, or 0. */
static uint64_t
next_target(const hp_image *im, uint64_t addr)
{
	size_t lo = 0, hi = im->n_targets, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (im->targets[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < im->n_targets ? im->targets[lo] : 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * hp_insn_refs() of the code p of function y of im (old or new of a):
 * a copy, in *out, of what the first call decoded.
 */
static pf_ret
fn_refs(actx *a, const hp_image *im, const hp_sym *y, const uint8_t *p,
    hp_refs *out, size_t *dec)
{
	fn_code *c = a->code[im == &a->new];
	uintptr_t k = ((uintptr_t)y - (uintptr_t)im->syms) / sizeof *y;
	hp_refs rs;

	memset(out, 0, sizeof *out);
	if (c == NULL || (uintptr_t)y < (uintptr_t)im->syms ||
	    k >= im->n_syms || &im->syms[k] != y)
		return hp_insn_refs(p, (size_t)y->size, y->addr, out, dec);
	c += k;
	if (!c->done) {
		if (hp_insn_refs(p, (size_t)y->size, y->addr, &rs, &c->dec) !=
		    PF_OK)
			return PF_ERR_NOMEM;
		c->v = rs.v;
		c->n = rs.n;
		c->done = true;
	}
	*dec = c->dec;
	if (c->n == 0)
		return PF_OK;
	if ((out->v = malloc(c->n * sizeof *out->v)) == NULL)
		return PF_ERR_NOMEM;
	memcpy(out->v, c->v, c->n * sizeof *out->v);
	out->n = out->cap = c->n;
	return PF_OK;
}

/* Every data address the functions of the image refer to (RIP-relative
 * operands): where one object without a symbol ends and another
 * begins. */
static pf_ret
collect_targets(actx *a, hp_image *im)
{
	const uint8_t *p;
	size_t i, j, dec, cap = 0;
	hp_refs rs;
	void *v;

	a->code[im == &a->new] = calloc(im->n_syms + 1, sizeof (fn_code));
	for (i = 0; i < im->n_syms; i++) {
		const hp_sym *y = &im->syms[i];

		if (y->kind != HP_FUNC || y->size == 0 ||
		    !hp_image_bytes(im, y->addr, (size_t)y->size, &p))
			continue;
		if (fn_refs(a, im, y, p, &rs, &dec) != PF_OK)
			return PF_ERR_NOMEM;
		for (j = 0; j < rs.n; j++) {
			if (rs.v[j].branch)
				continue;
			if (im->n_targets == cap) {
				cap = cap ? 2 * cap : 256;
				if ((v = realloc(im->targets, cap *
				    sizeof *im->targets)) == NULL) {
					hp_refs_free(&rs);
					return PF_ERR_NOMEM;
				}
				im->targets = v;
			}
			im->targets[im->n_targets++] = rs.v[j].target;
		}
		hp_refs_free(&rs);
	}
	if (im->n_targets > 1)
		qsort(im->targets, im->n_targets, sizeof *im->targets, cmp_u64);
	return PF_OK;
}

/* Data without a symbol, at an offset of its section: its extent is
 * what the instruction reads, or else up to the next symbol or the end
 * of the section (at most ANON_MAX bytes). */
#define ANON_MAX 256
#define ANON_SEARCH_MAX (UINT64_C(8) << 20)

static void
anon(const hp_image *im, const hp_ref *r, const hp_sect *s, rclass *c)
{
	uint64_t end = s->addr + s->size, i;

	c->kind = R_ANON;
	c->sect = s;
	c->off = r->target - s->addr;
	c->bytes = s->data + c->off;
	if (!r->lea && r->memsize != 0 && r->memsize <= end - r->target) {
		c->len = r->memsize;
		return;
	}
	for (i = 1; i < ANON_MAX && r->target + i < end; i++)
		if (hp_image_sym_at(im, r->target + i) != NULL)
			break;
	c->len = r->target + i <= end ? (size_t)i : (size_t)(end - r->target);
	/* Nor does it reach an address other code refers to. */
	i = next_target(im, r->target);
	if (i > r->target && i - r->target < c->len)
		c->len = (size_t)(i - r->target);
}

static void
classify(const hp_image *im, const hp_sym *fn, const hp_ref *r, rclass *c)
{
	const hp_sect *s;
	const uint8_t *p;

	memset(c, 0, sizeof *c);
	c->addr = r->target;
	c->fn_addr = fn->addr;
	if (r->target - fn->addr < fn->size) {
		c->kind = R_SELF;
		c->off = r->target - fn->addr;
		return;
	}
	if ((c->slot = hp_image_slot_at(im, r->target)) != NULL) {
		c->kind = R_SLOT;
		c->off = r->target - c->slot->addr;
		return;
	}
	if ((c->sym = hp_image_sym_at(im, r->target)) != NULL &&
	    !c->sym->dup) {
		c->kind = R_SYM;
		c->off = r->target - c->sym->addr;
		return;
	}
	c->sym = NULL;
	c->kind = R_NONE;
	if (r->branch || (s = hp_image_sect(im, r->target)) == NULL ||
	    s->data == NULL)
		return;
	p = s->data + (r->target - s->addr);
	c->bytes = p;
	if (s->flags & SHF_WRITE)
		anon(im, r, s, c);
	else if (r->lea && r->ijmp && (c->len = jump_table(im, fn,
	    r->target)) > 0)
		c->kind = R_JTAB;
	else if (r->lea && is_string(p, s->size - (r->target - s->addr),
	    &c->len))
		c->kind = R_STR;
	else if (!r->lea && r->memsize != 0 &&
	    hp_image_bytes(im, r->target, r->memsize, &p))
		c->kind = R_CONST, c->len = r->memsize;
	else
		anon(im, r, s, c);
}

static unsigned
anon_group(const anon_index *x, const uint8_t *p)
{
	return (unsigned)((pf_load_le64(p) * UINT64_C(0x9E3779B97F4A7C15)) >>
	    x->shift);
}

/* Groups the offsets of s (at most ANON_SEARCH_MAX bytes, so that they
 * fit in 32 bits); leaves pos NULL when memory is short. */
static void
anon_build(anon_index *x, const hp_sect *s)
{
	size_t n = (size_t)s->size - 7, nb = 1024, i;
	unsigned bits = 10;

	x->built = true;
	while (nb < n / 4) {
		nb <<= 1;
		bits++;
	}
	x->shift = 64 - bits;
	x->start = calloc(nb + 1, sizeof *x->start);
	x->pos = malloc(n * sizeof *x->pos);
	if (x->start == NULL || x->pos == NULL) {
		free(x->start);
		free(x->pos);
		x->start = x->pos = NULL;
		return;
	}
	/* start[g]: the end of group g, then, filled from the end (so that
	 * each group's offsets are ascending), its beginning. */
	for (i = 0; i < n; i++)
		x->start[anon_group(x, s->data + i)]++;
	for (i = 1; i < nb; i++)
		x->start[i] += x->start[i - 1];
	x->start[nb] = (uint32_t)n;
	for (i = n; i-- > 0;)
		x->pos[--x->start[anon_group(x, s->data + i)]] = (uint32_t)i;
}

/* The one offset of s holding the len bytes at p (len >= 8); 0 for none
 * or several, in the section's order, as a scan would find them. */
static uint64_t
anon_find(const anon_index *x, const hp_sect *s, const uint8_t *p,
    size_t len)
{
	bool indexed = x != NULL && x->pos != NULL;
	uint64_t at = 0, i, g, e;

	/* The candidates: the offsets of p's group, or every offset. */
	if (indexed) {
		g = anon_group(x, p);
		e = x->start[g + 1];
		g = x->start[g];
	} else {
		g = 0;
		e = s->size - len + 1;
	}
	for (; g < e; g++) {
		i = indexed ? x->pos[g] : g;
		if (i + len > s->size || memcmp(s->data + i, p, len) != 0)
			continue;
		if (at != 0)
			return 0;          /* twice: which one is unknown */
		at = s->addr + i;
	}
	return at;
}

/* The old copy of data without a symbol (R_ANON of the new build): in
 * the section of the same name, at the same offset, or else the one
 * place of that section (of at most 8 MiB) that holds the same bytes
 * (at least 8 of them, 16 in a writable section); 0 when there is
 * none. */
static uint64_t
anon_old(actx *a, const rclass *c)
{
	const hp_image *old = &a->old;
	const hp_sect *s = NULL;
	anon_index *x = NULL;
	size_t k;

	for (k = 1; k < old->n_sects && s == NULL; k++)
		if (old->sects[k].name != NULL && c->sect->name != NULL &&
		    strcmp(old->sects[k].name, c->sect->name) == 0 &&
		    old->sects[k].data != NULL)
			s = &old->sects[k];
	if (s == NULL || c->len == 0 || s->size < c->len)
		return 0;
	if (c->off + c->len <= s->size &&
	    memcmp(s->data + c->off, c->bytes, c->len) == 0)
		return s->addr + c->off;
	/* Elsewhere only when the bytes say enough: sharing writable data
	 * with the wrong object would be worse than refusing. */
	if (c->len < ((s->flags & SHF_WRITE) ? 16 : 8) ||
	    s->size > ANON_SEARCH_MAX)
		return 0;
	if (a->anon == NULL)
		a->anon = calloc(old->n_sects, sizeof *a->anon);
	if (a->anon != NULL) {
		x = &a->anon[k - 1];
		if (!x->built)
			anon_build(x, s);
	}
	return anon_find(x, s, c->bytes, c->len);
}

static bool
same_jtab(const rclass *a, const rclass *b)
{
	size_t i;

	if (a->len != b->len)
		return false;
	for (i = 0; i < a->len; i++)
		if (jtab_entry(a, i) != jtab_entry(b, i))
			return false;
	return true;
}

static bool
same_class(const rclass *a, const rclass *b)
{
	if (a->kind != b->kind || a->off != b->off)
		return false;
	switch (a->kind) {
	case R_SELF: return true;
	case R_SLOT: return strcmp(a->slot->key, b->slot->key) == 0;
	case R_SYM: return strcmp(a->sym->key, b->sym->key) == 0;
	case R_STR:
	case R_CONST:
		return a->len == b->len && memcmp(a->bytes, b->bytes,
		    a->len) == 0;
	case R_JTAB: return same_jtab(a, b);
	case R_ANON:
	case R_NONE: return a->addr == b->addr;
	}
	return false;
}

static bool
fn_bytes(const hp_image *im, const hp_sym *y, const uint8_t **p)
{
	return hp_image_bytes(im, y->addr, (size_t)y->size, p);
}

/* The address fields of a function of the new build; *whole says
 * whether the decoder got to its end (may be NULL). */
static pf_ret
new_refs(actx *a, const hp_sym *n, hp_refs *rs, bool *whole)
{
	const uint8_t *p;
	size_t dec;

	memset(rs, 0, sizeof *rs);
	if (!fn_bytes(&a->new, n, &p))
		return pf_err_set(a->err, PF_ERR_CORRUPT, "new module: the "
		    "code of '%s' is not in the file", n->name);
	if (fn_refs(a, &a->new, n, p, rs, &dec) != PF_OK)
		return pf_err_nomem(a->err);
	if (whole != NULL)
		*whole = dec == n->size;
	return PF_OK;
}

/* Blanks every address field, so that only what the code does remains. */
static void
blank_fields(uint8_t *code, const hp_refs *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		memset(code + rs->v[i].field, 0, rs->v[i].size);
}

static bool
same_refs(actx *a, const hp_refs *ro, const hp_refs *rn, const hp_sym *o,
    const hp_sym *n)
{
	rclass co, cn;
	size_t i;

	if (ro->n != rn->n)
		return false;
	for (i = 0; i < rn->n; i++) {
		if (ro->v[i].field != rn->v[i].field)
			return false;
		classify(&a->old, o, &ro->v[i], &co);
		classify(&a->new, n, &rn->v[i], &cn);
		/* Data without a symbol is the same when the new build's
		 * is found, with the same bytes, where the old code points. */
		if (co.kind == R_ANON && cn.kind == R_ANON) {
			if (anon_old(a, &cn) != co.addr)
				return false;
		} else if (!same_class(&co, &cn)) {
			return false;
		}
	}
	return true;
}

static pf_ret
fn_changed(actx *a, const hp_sym *o, const hp_sym *n, bool *changed)
{
	const uint8_t *po, *pn;
	uint8_t *bo = NULL, *bn = NULL;
	hp_refs ro = {0}, rn = {0};
	size_t dec_o, dec_n;
	pf_ret r = PF_OK;

	*changed = true;
	if (o->size != n->size || !fn_bytes(&a->old, o, &po) ||
	    !fn_bytes(&a->new, n, &pn))
		return PF_OK;
	if ((r = fn_refs(a, &a->old, o, po, &ro, &dec_o)) != PF_OK ||
	    (r = fn_refs(a, &a->new, n, pn, &rn, &dec_n)) != PF_OK)
		goto out;
	bo = malloc(o->size + 1);
	bn = malloc(n->size + 1);
	if (bo == NULL || bn == NULL) {
		r = PF_ERR_NOMEM;
		goto out;
	}
	memcpy(bo, po, o->size);
	memcpy(bn, pn, n->size);
	blank_fields(bo, &ro);
	blank_fields(bn, &rn);
	*changed = dec_o != dec_n || memcmp(bo, bn, n->size) != 0 ||
	    !same_refs(a, &ro, &rn, o, n);
out:
	free(bo);
	free(bn);
	hp_refs_free(&ro);
	hp_refs_free(&rn);
	return r;
}

static bool
is_code(const hp_image *im, const hp_sym *y)
{
	return y->kind == HP_FUNC && y->size > 0 && !y->dup && y->sect > 0 &&
	    (size_t)y->sect < im->n_sects &&
	    (im->sects[y->sect].flags & SHF_EXECINSTR);
}

static fent *
find_fent(actx *a, const hp_sym *nsym)
{
	size_t i;

	for (i = 0; i < a->nf; i++)
		if (a->f[i].nsym == nsym)
			return &a->f[i];
	return NULL;
}

static pf_ret
add_fent(actx *a, const hp_sym *nsym, const hp_sym *osym)
{
	void *p;

	if (a->nf % 32 == 0) {
		p = realloc(a->f, (a->nf + 32) * sizeof *a->f);
		if (p == NULL)
			return pf_err_nomem(a->err);
		a->f = p;
	}
	memset(&a->f[a->nf], 0, sizeof *a->f);
	a->f[a->nf].nsym = nsym;
	a->f[a->nf].osym = osym;
	a->nf++;
	return PF_OK;
}

/* What an address field refers to, for people. */
static void
describe(const rclass *c, char *buf, size_t n)
{
	switch (c->kind) {
	case R_SELF:
		snprintf(buf, n, "+0x%llx of the function", (unsigned long long)
		    c->off);
		break;
	case R_SLOT:
		snprintf(buf, n, "%s+0x%llx", c->slot->key, (unsigned long long)
		    c->off);
		break;
	case R_SYM:
		snprintf(buf, n, "'%s'+0x%llx", c->sym->key, (unsigned long long)
		    c->off);
		break;
	case R_STR:
		snprintf(buf, n, "the string \"%.40s\"", (const char *)c->bytes);
		break;
	case R_CONST:
		snprintf(buf, n, "a %zu-byte constant", c->len);
		break;
	case R_JTAB:
		snprintf(buf, n, "a switch table of %zu entries", c->len);
		break;
	case R_ANON:
		snprintf(buf, n, "%s+0x%llx, no symbol", c->sect->name ?
		    c->sect->name : "?", (unsigned long long)c->off);
		break;
	default:
		snprintf(buf, n, "0x%llx, no symbol", (unsigned long long)
		    c->addr);
		break;
	}
}

/* Where the blanked code of two builds first differs, or where an
 * address field first refers to something else: *at, and *what (a
 * sentence, or empty) says how. */
static uint64_t
first_difference(actx *a, const hp_sym *o, const hp_sym *n,
    const uint8_t *po, const uint8_t *pn, char *what, size_t wn)
{
	uint64_t at = o->size < n->size ? o->size : n->size, k;
	hp_refs ro = {0}, rn = {0};
	uint8_t *bo = malloc(o->size + 1), *bn = malloc(n->size + 1);
	char d1[128], d2[128];
	rclass co, cn;
	size_t dec, i;
	int self;

	what[0] = '\0';
	if (bo == NULL || bn == NULL ||
	    fn_refs(a, &a->old, o, po, &ro, &dec) != PF_OK ||
	    fn_refs(a, &a->new, n, pn, &rn, &dec) != PF_OK)
		goto out;
	memcpy(bo, po, o->size);
	memcpy(bn, pn, n->size);
	blank_fields(bo, &ro);
	blank_fields(bn, &rn);
	for (k = 0; k < at && bo[k] == bn[k]; k++)
		;
	at = k;
	/* Branches inside the function come last: code inserted before
	 * their targets moves them, which says little. */
	for (self = 0; self < 2 && what[0] == '\0'; self++)
		for (i = 0; i < ro.n && i < rn.n && rn.v[i].field < at; i++) {
			classify(&a->old, o, &ro.v[i], &co);
			classify(&a->new, n, &rn.v[i], &cn);
			if (co.kind == R_ANON && cn.kind == R_ANON &&
			    anon_old(a, &cn) == co.addr)
				continue;
			if ((ro.v[i].field == rn.v[i].field &&
			    same_class(&co, &cn)) ||
			    (!self && co.kind == R_SELF && cn.kind == R_SELF))
				continue;
			describe(&co, d1, sizeof d1);
			describe(&cn, d2, sizeof d2);
			if (co.kind == cn.kind && strcmp(d1, d2) == 0)
				snprintf(what, wn, "; the contents of %s "
				    "differ", d2);
			else
				snprintf(what, wn, "; it referred to %s, now "
				    "to %s", d1, d2);
			at = rn.v[i].field;
			break;
		}
out:
	free(bo);
	free(bn);
	hp_refs_free(&ro);
	hp_refs_free(&rn);
	return at;
}

/* Why a function counts as changed: its first instruction that differs
 * (NULL when out of memory). */
static char *
explain(actx *a, const hp_sym *o, const hp_sym *n)
{
	char io[160], in[160], what[300], size[64], *s = NULL;
	const uint8_t *po, *pn;
	uint64_t at;

	if (!fn_bytes(&a->old, o, &po) || !fn_bytes(&a->new, n, &pn))
		return strdup("its code is not in the file");
	at = first_difference(a, o, n, po, pn, what, sizeof what);
	size[0] = '\0';
	if (o->size != n->size)
		snprintf(size, sizeof size, "%llu -> %llu bytes; ",
		    (unsigned long long)o->size, (unsigned long long)n->size);
	hp_insn_text(po, o->size, o->addr, at, io, sizeof io);
	hp_insn_text(pn, n->size, n->addr, at, in, sizeof in);
	if (asprintf(&s, "%sfirst difference: old %s, new %s%s; matched by %s",
	    size, io, in, what, n->how != NULL ? n->how :
	    a->new.sym_source) < 0)
		return NULL;
	return s;
}

/* Step 1: every function of both builds whose code changed. */
static pf_ret
find_changed(actx *a)
{
	size_t i;
	bool changed;
	pf_ret r;

	for (i = 0; i < a->new.n_syms; i++) {
		const hp_sym *n = &a->new.syms[i], *o;

		if (!is_code(&a->new, n) || find_fent(a, n) != NULL)
			continue;
		o = hp_image_sym_key(&a->old, n->key);
		if (o == NULL || !is_code(&a->old, o))
			continue;
		if ((r = fn_changed(a, o, n, &changed)) != PF_OK)
			return pf_err_nomem(a->err);
		if (changed && (r = add_fent(a, n, o)) != PF_OK)
			return r;
		if (changed && a->an != NULL &&
		    (a->f[a->nf - 1].why = explain(a, o, n)) == NULL)
			return pf_err_nomem(a->err);
	}
	return PF_OK;
}

/* A new import the applier can resolve by name: a PLT entry or GOT slot
 * that holds the address of a named symbol (R_X86_64_JUMP_SLOT,
 * GLOB_DAT or 64, addend 0). */
static bool
importable(const hp_slot *s)
{
	const char *k = strncmp(s->key, "plt:", 4) == 0 ? s->key + 4 : s->key;
	size_t n = strlen(k);

	return s->name[0] != '\0' && n > 2 && strcmp(k + n - 2, "+0") == 0 &&
	    (strncmp(k, "got:7:", 6) == 0 || strncmp(k, "got:6:", 6) == 0 ||
	    strncmp(k, "got:1:", 6) == 0);
}

static pf_ret refuse(fent *fe, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Step 1a (spec/hotpatch.md section 8.3): a function known only from
 * .eh_frame that could not be matched may be a changed one; it is
 * refused, and so is every function of the patch that calls it. */
static pf_ret
find_unmatched(actx *a)
{
	size_t i;
	pf_ret r = PF_OK;

	for (i = 0; i < a->new.n_syms && r == PF_OK; i++) {
		const hp_sym *n = &a->new.syms[i];

		if (!n->unmatched || !is_code(&a->new, n) ||
		    find_fent(a, n) != NULL)
			continue;
		if ((r = add_fent(a, n, NULL)) == PF_OK)
			r = refuse(&a->f[a->nf - 1], "unnamed function at "
			    "0x%llx changed and could not be matched: %s",
			    (unsigned long long)n->addr, n->how != NULL ?
			    n->how : "no match");
	}
	return r == PF_OK ? PF_OK : pf_err_nomem(a->err);
}

/* True when n jumps into the body (not the entry) of a function in the
 * patch: GCC's .cold parts jump back into their parent.  Old code would
 * land in the old body, so n must be replaced too. */
static pf_ret
enters_changed(actx *a, const hp_sym *n, const hp_sym **into)
{
	hp_refs rs;
	size_t i;
	rclass c;
	pf_ret r;

	*into = NULL;
	if ((r = new_refs(a, n, &rs, NULL)) != PF_OK)
		return r;
	for (i = 0; i < rs.n && *into == NULL; i++) {
		classify(&a->new, n, &rs.v[i], &c);
		if (c.kind == R_SYM && c.off != 0 && c.sym->kind == HP_FUNC &&
		    find_fent(a, c.sym) != NULL)
			*into = c.sym;
	}
	hp_refs_free(&rs);
	return PF_OK;
}

/* Step 1b: until nothing changes, add unchanged functions that enter a
 * changed one other than through its entry. */
static pf_ret
find_entering(actx *a)
{
	const hp_sym *into;
	bool again = true;
	size_t i;
	pf_ret r;

	while (again) {
		again = false;
		for (i = 0; i < a->new.n_syms; i++) {
			const hp_sym *n = &a->new.syms[i], *o;

			if (!is_code(&a->new, n) || find_fent(a, n) != NULL ||
			    (o = hp_image_sym_key(&a->old, n->key)) == NULL ||
			    !is_code(&a->old, o))
				continue;
			if ((r = enters_changed(a, n, &into)) != PF_OK)
				return r;
			if (into == NULL)
				continue;
			if ((r = add_fent(a, n, o)) != PF_OK)
				return r;
			if (a->an != NULL && asprintf(&a->f[a->nf - 1].why,
			    "jumps into the body of '%s', which changed",
			    into->name) < 0)
				return pf_err_nomem(a->err);
			again = true;
		}
	}
	return PF_OK;
}

/*
 * A partial hot patch on purpose (patch-create --live-only, --live-skip).
 */

/* NAME, or one of GCC's parts of it: NAME.cold, NAME.part.0 ... */
static bool
name_matches(const char *const *v, size_t n, const char *name)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		k = strlen(v[i]);
		if (strncmp(name, v[i], k) == 0 &&
		    (name[k] == '\0' || name[k] == '.'))
			return true;
	}
	return false;
}

static const char *
left_out(const pf_hp_analysis *an, const char *name, bool func)
{
	if (an == NULL)
		return NULL;
	if (name_matches(an->skip, an->n_skip, name))
		return "patch-create --live-skip";
	if (func && an->n_only > 0 && !name_matches(an->only, an->n_only,
	    name))
		return "patch-create --live-only";
	return NULL;
}

static pf_ret
add_note(actx *a, int kind, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static pf_ret
add_note(actx *a, int kind, const char *name, const char *fmt, ...)
{
	pf_hp_analysis *an = a->an;
	pf_hp_note *v;
	va_list ap;
	int k;

	if (an == NULL)
		return PF_OK;
	if ((v = realloc(an->notes, (an->n_notes + 1) * sizeof *v)) == NULL)
		return pf_err_nomem(a->err);
	an->notes = v;
	v += an->n_notes;
	v->kind = kind;
	v->text = NULL;
	if ((v->name = strdup(name)) == NULL)
		return pf_err_nomem(a->err);
	va_start(ap, fmt);
	k = vasprintf(&v->text, fmt, ap);
	va_end(ap);
	if (k < 0) {
		free(v->name);
		return pf_err_nomem(a->err);
	}
	an->n_notes++;
	return PF_OK;
}

/* Takes the functions the user left out out of the patch: old code
 * that calls them goes on calling their old copy. */
static pf_ret
select_funcs(actx *a)
{
	const char *why;
	size_t i, k = 0;
	pf_ret r = PF_OK;

	for (i = 0; i < a->nf; i++) {
		why = left_out(a->an, a->f[i].nsym->name, true);
		if (why == NULL) {
			a->f[k++] = a->f[i];
			continue;
		}
		if (r == PF_OK)
			r = add_note(a, PF_LIVE_NOTE_LEFT_OUT,
			    a->f[i].nsym->name, "changed (%s), left out on "
			    "purpose (%s)", a->f[i].why ? a->f[i].why : "",
			    why);
		free(a->f[i].why);
		free(a->f[i].refusal);
	}
	a->nf = k;
	return r;
}

/* One note for each function of the patch: why it is in, or which
 * reference was refused and why. */
static pf_ret
note_funcs(actx *a)
{
	char insn[160];
	const uint8_t *p;
	size_t i;
	pf_ret r = PF_OK;

	for (i = 0; i < a->nf && r == PF_OK && a->an != NULL; i++) {
		const fent *fe = &a->f[i];

		if (fe->refusal != NULL && fe->has_ref &&
		    fn_bytes(&a->new, fe->nsym, &p)) {
			hp_insn_text(p, fe->nsym->size, fe->nsym->addr,
			    fe->ref_at, insn, sizeof insn);
			r = add_note(a, PF_LIVE_NOTE_REFUSED, fe->nsym->name,
			    "%s: %s", insn, fe->refusal);
		} else if (fe->refusal != NULL) {
			r = add_note(a, PF_LIVE_NOTE_REFUSED, fe->nsym->name,
			    "%s", fe->refusal);
		} else {
			r = add_note(a, PF_LIVE_NOTE_CHANGED, fe->nsym->name,
			    "%s", fe->why ? fe->why : fe->osym == NULL ?
			    "new in this build, called by the patch" : "");
		}
	}
	return r;
}

static pf_ret
refuse(fent *fe, const char *fmt, ...)
{
	char buf[PF_HP_REASON_MAX];
	va_list ap;

	if (fe->refusal != NULL)
		return PF_OK;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fe->refusal = strdup(buf);
	return fe->refusal == NULL ? PF_ERR_NOMEM : PF_OK;
}

/* Why one reference of new code cannot be tied to the old module, or
 * NULL; a function new in this build is added to the patch. */
static pf_ret
check_ref1(actx *a, fent *fe, const hp_ref *r)
{
	const hp_sym *o;
	fent *callee;
	rclass c;
	char what[64];

	classify(&a->new, fe->nsym, r, &c);
	snprintf(what, sizeof what, "0x%llx", (unsigned long long)r->target);
	if (c.kind == R_SELF)
		return PF_OK;
	if (r->size != 4)
		return refuse(fe, "a short branch leaves the function (to %s)",
		    what);
	switch (c.kind) {
	case R_SLOT:
		if (hp_image_slot_key(&a->old, c.slot->key) == NULL &&
		    (!importable(c.slot) || c.off != 0))
			return refuse(fe, "uses '%s', which the old module does "
			    "not import (%s)", c.slot->name[0] ? c.slot->name :
			    "?", c.slot->key);
		return PF_OK;
	case R_SYM:
		if (c.sym->kind == HP_TLS)
			return refuse(fe, "refers to thread-local '%s' "
			    "directly", c.sym->name);
		o = hp_image_sym_key(&a->old, c.sym->key);
		if (c.sym->kind != HP_FUNC || o != NULL)
			return PF_OK;
		if ((callee = find_fent(a, c.sym)) != NULL)
			return PF_OK;
		if (!is_code(&a->new, c.sym))
			return refuse(fe, "refers to '%s', which cannot be "
			    "matched", c.sym->key);
		return add_fent(a, c.sym, NULL);
	case R_STR:
	case R_CONST:
	case R_JTAB:
		return PF_OK;
	case R_ANON:
		if (anon_old(a, &c) != 0)
			return PF_OK;
		return refuse(fe, "refers to %s (%s+0x%llx), which has no "
		    "symbol and whose %zu bytes the old build does not hold "
		    "in that section", what, c.sect->name ? c.sect->name : "?",
		    (unsigned long long)c.off, c.len);
	default:
		return refuse(fe, "refers to %s, which is neither a symbol, "
		    "an import, a string nor a constant", what);
	}
}

/* check_ref1, remembering which reference a refusal is about. */
static pf_ret
check_ref(actx *a, fent *fe, const hp_ref *r)
{
	bool first = fe->refusal == NULL;
	pf_ret ret = check_ref1(a, fe, r);

	if (first && fe->refusal != NULL) {
		fe->has_ref = true;
		fe->ref_at = r->field;
	}
	return ret;
}

static pf_ret
check_entry(actx *a, fent *fe)
{
	const uint8_t *p;
	uint64_t need = PF_HP_JMP_LEN;

	if (fe->osym == NULL || strstr(fe->osym->name, ".cold") != NULL)
		return PF_OK;
	if (!fn_bytes(&a->old, fe->osym, &p))
		return refuse(fe, "%s", "the old code is not in the file");
	if (fe->osym->size >= 4 && memcmp(p, "\xf3\x0f\x1e\xfa", 4) == 0)
		need += PF_HP_ENDBR64_LEN;
	if (fe->osym->size < need)
		return refuse(fe, "the old function is shorter than the %s "
		    "bytes of a jump", need == 5 ? "5" : "4 + 5");
	return PF_OK;
}

/* Step 2: decide, for every function in the patch, whether it can be
 * patched; this may add functions that are new in this build. */
static pf_ret
check_all(actx *a)
{
	hp_refs rs;
	size_t i, j;
	bool whole;
	pf_ret r;

	for (i = 0; i < a->nf; i++) {
		if ((r = new_refs(a, a->f[i].nsym, &rs, &whole)) != PF_OK)
			return r;
		if (!whole)
			r = refuse(&a->f[i], "%s", "its code cannot be decoded "
			    "to the end");
		for (j = 0; j < rs.n && r == PF_OK; j++)
			r = check_ref(a, &a->f[i], &rs.v[j]);
		hp_refs_free(&rs);
		if (r == PF_OK)
			r = check_entry(a, &a->f[i]);
		if (r != PF_OK)
			return pf_err_nomem(a->err);
	}
	return PF_OK;
}

/* A function new in this build is only reachable from the patch: when it
 * is refused, so is every function of the patch that calls it. */
static pf_ret
spread_refusals(actx *a)
{
	bool again = true;
	size_t i, j;
	hp_refs rs;
	rclass c;
	fent *t;
	pf_ret r;

	while (again) {
		again = false;
		for (i = 0; i < a->nf; i++) {
			if (a->f[i].refusal != NULL)
				continue;
			if ((r = new_refs(a, a->f[i].nsym, &rs, NULL)) != PF_OK)
				return r;
			for (j = 0; j < rs.n && a->f[i].refusal == NULL; j++) {
				classify(&a->new, a->f[i].nsym, &rs.v[j], &c);
				if (c.kind == R_SYM &&
				    (t = find_fent(a, c.sym)) != NULL &&
				    t->osym == NULL && t->refusal != NULL) {
					if (refuse(&a->f[i], "calls '%s', which "
					    "is refused", t->nsym->name) != PF_OK)
						j = rs.n;
					again = true;
				}
			}
			hp_refs_free(&rs);
		}
	}
	return PF_OK;
}

/*
 * Step 3: the record.
 */

static pf_ret
add_blob(actx *a, const uint8_t *p, size_t n, uint64_t align, uint32_t flags,
    const char *name, size_t *index)
{
	pf_hp_data d = { .name = (char *)name, .flags = flags, .align = align,
	    .bytes = (uint8_t *)p, .len = n };
	size_t i;

	/* Read-only constants are shared: many references, one copy. */
	for (i = 0; !(flags & PF_HP_DATA_WRITABLE) && i < a->hp->n_data; i++) {
		const pf_hp_data *e = &a->hp->data[i];

		if (e->flags == flags && e->len == n && e->align >= align &&
		    memcmp(e->bytes, p, n) == 0) {
			*index = i;
			return PF_OK;
		}
	}
	return pf_hotpatch_add_data(a->hp, &d, index);
}

/* The bytes of a data symbol of the new build; zeros for .bss. */
static pf_ret
object_blob(actx *a, const hp_sym *y, size_t *index)
{
	const hp_sect *s = y->sect > 0 ? &a->new.sects[y->sect] : NULL;
	uint32_t flags = s && (s->flags & SHF_WRITE) ? PF_HP_DATA_WRITABLE : 0;
	const uint8_t *p;
	uint8_t *zero = NULL;
	pf_ret r;

	if (!hp_image_bytes(&a->new, y->addr, (size_t)y->size, &p)) {
		zero = calloc(1, y->size ? (size_t)y->size : 1);
		if (zero == NULL)
			return PF_ERR_NOMEM;
		p = zero;
	}
	r = add_blob(a, p, (size_t)y->size, 16, flags, y->name, index);
	free(zero);
	return r;
}

static bool
same_object(actx *a, const hp_sym *o, const hp_sym *n)
{
	const uint8_t *po, *pn;

	if (o->size != n->size)
		return false;
	if (!hp_image_bytes(&a->old, o->addr, (size_t)o->size, &po) ||
	    !hp_image_bytes(&a->new, n->addr, (size_t)n->size, &pn))
		return true;    /* .bss: zeros in both */
	return memcmp(po, pn, (size_t)n->size) == 0;
}

/* Fills in the kind and target of one relocation to a symbol. */
static pf_ret
sym_reloc(actx *a, const rclass *c, pf_hp_reloc *rl)
{
	const hp_sym *o = hp_image_sym_key(&a->old, c->sym->key);
	const hp_sect *s;
	fent *t;
	size_t idx;
	pf_ret r;

	if (c->sym->kind == HP_FUNC && (t = find_fent(a, c->sym)) != NULL &&
	    t->refusal == NULL) {
		rl->kind = PF_HP_REL32_FUNC;
		rl->target = t->index;
		return PF_OK;
	}
	s = o != NULL && o->sect > 0 ? &a->old.sects[o->sect] : NULL;
	if (o != NULL && (c->sym->kind == HP_FUNC || (s != NULL &&
	    (s->flags & SHF_WRITE)) || same_object(a, o, c->sym))) {
		rl->kind = PF_HP_REL32_OLD;
		rl->target = o->addr;
		return PF_OK;
	}
	/* A new object, or a read-only one whose contents changed: the
	 * patch carries the new bytes; old code keeps the old ones. */
	if ((r = object_blob(a, c->sym, &idx)) != PF_OK)
		return r;
	rl->kind = PF_HP_REL32_DATA;
	rl->target = idx;
	return PF_OK;
}

/* The patch's own GOT slot for a new import, filled by the applier
 * (section 4.2, IMPORT); one per name. */
static pf_ret
import_slot(actx *a, const char *name, size_t *index)
{
	static const uint8_t zero[8];
	pf_hp_data d = { .name = (char *)name, .flags = PF_HP_DATA_IMPORT,
	    .align = 8, .bytes = (uint8_t *)zero, .len = sizeof zero };
	size_t i;

	for (i = 0; i < a->hp->n_data; i++)
		if ((a->hp->data[i].flags & PF_HP_DATA_IMPORT) &&
		    strcmp(a->hp->data[i].name, name) == 0) {
			*index = i;
			return PF_OK;
		}
	return pf_hotpatch_add_data(a->hp, &d, index);
}

/* The patch's own PLT entry for a new import: "jmp *slot(%rip)". */
static pf_ret
import_stub(actx *a, const char *name, size_t slot, size_t *index)
{
	static const uint8_t jmp[6] = { 0xff, 0x25, 0, 0, 0, 0 };
	pf_hp_reloc rl = { .offset = 2, .kind = PF_HP_REL32_DATA,
	    .target = slot, .addend = -4 };
	char stub[PF_HP_NAME_MAX];
	pf_hp_func f;
	size_t i;
	pf_ret r;

	snprintf(stub, sizeof stub, "%s@plt", name);
	for (i = 0; i < a->hp->n_funcs; i++)
		if (strcmp(a->hp->funcs[i].name, stub) == 0) {
			*index = i;
			return PF_OK;
		}
	memset(&f, 0, sizeof f);
	f.name = stub;
	f.flags = PF_HP_FUNC_NEW;
	f.code = (uint8_t *)jmp;
	f.code_len = sizeof jmp;
	if ((r = pf_hotpatch_add_func(a->hp, &f, index)) != PF_OK)
		return r;
	return pf_hotpatch_add_reloc(a->hp, *index, &rl);
}

/* A reference to a new import: through the patch's GOT slot, and its
 * PLT entry for a call through the PLT. */
static pf_ret
import_reloc(actx *a, const hp_slot *s, pf_hp_reloc *rl)
{
	size_t slot, stub;
	pf_ret r;

	if ((r = import_slot(a, s->name, &slot)) != PF_OK)
		return r;
	if (strncmp(s->key, "plt:", 4) != 0) {
		rl->kind = PF_HP_REL32_DATA;
		rl->target = slot;
		return PF_OK;
	}
	if ((r = import_stub(a, s->name, slot, &stub)) != PF_OK)
		return r;
	rl->kind = PF_HP_REL32_FUNC;
	rl->target = stub;
	return PF_OK;
}

static pf_ret
emit_ref(actx *a, const fent *fe, const hp_ref *ref)
{
	pf_hp_reloc rl = { .offset = ref->field };
	const hp_slot *os;
	size_t idx;
	rclass c;
	pf_ret r = PF_OK;

	classify(&a->new, fe->nsym, ref, &c);
	rl.addend = (int64_t)c.off - (int64_t)(ref->next - ref->field);
	switch (c.kind) {
	case R_SELF:
	case R_JTAB:                 /* emit_func moved it into the code */
		return PF_OK;
	case R_SLOT:
		if ((os = hp_image_slot_key(&a->old, c.slot->key)) == NULL) {
			r = import_reloc(a, c.slot, &rl);
			break;
		}
		rl.kind = PF_HP_REL32_OLD;
		rl.target = os->addr;
		break;
	case R_SYM:
		r = sym_reloc(a, &c, &rl);
		break;
	case R_ANON:
		/* The old copy, which the old code uses too. */
		rl.kind = PF_HP_REL32_OLD;
		rl.target = anon_old(a, &c);
		rl.addend = -(int64_t)(ref->next - ref->field);
		break;
	case R_STR:
	case R_CONST:
		rl.kind = PF_HP_REL32_DATA;
		r = add_blob(a, c.bytes, c.len, c.kind == R_STR ? 1 : 16, 0,
		    "", &idx);
		rl.target = idx;
		break;
	default:
		return PF_ERR_USAGE;     /* check_ref refused it */
	}
	if (r != PF_OK)
		return r;
	return pf_hotpatch_add_reloc(a->hp, fe->index, &rl);
}

/* Appends a switch table after the code, its entries made relative to
 * the copy, and points the lea that loads it there: the function and its
 * table then move as one piece and need no relocation. */
static void
move_jtab(pf_buf *b, const hp_ref *r, const rclass *c, uint64_t *tables,
    size_t *n_tables)
{
	uint64_t at = 0;
	size_t i;

	for (i = 0; i < *n_tables; i += 2)
		if (tables[i] == c->addr)
			at = tables[i + 1];
	if (at == 0) {
		while (b->len % 4 != 0)
			pf_buf_put_u8(b, 0xcc);
		at = b->len;
		for (i = 0; i < c->len; i++)
			pf_buf_put_le32(b, (uint32_t)(jtab_entry(c, i) - at));
		if (*n_tables < 2 * JTAB_SEEN) {
			tables[(*n_tables)++] = c->addr;
			tables[(*n_tables)++] = at;
		}
	}
	if (!b->failed)
		pf_store_le32(b->data + r->field, (uint32_t)(at - r->next));
}

static pf_ret
func_code(actx *a, const fent *fe, pf_buf *b)
{
	uint64_t tables[2 * JTAB_SEEN];
	size_t i, n_tables = 0;
	const uint8_t *p;
	hp_refs rs;
	rclass c;
	pf_ret r;

	fn_bytes(&a->new, fe->nsym, &p);
	pf_buf_append(b, p, (size_t)fe->nsym->size);
	if ((r = new_refs(a, fe->nsym, &rs, NULL)) != PF_OK)
		return r;
	for (i = 0; i < rs.n; i++) {
		classify(&a->new, fe->nsym, &rs.v[i], &c);
		if (c.kind == R_JTAB)
			move_jtab(b, &rs.v[i], &c, tables, &n_tables);
	}
	hp_refs_free(&rs);
	return b->failed ? PF_ERR_NOMEM : PF_OK;
}

static pf_ret
old_entry(actx *a, const fent *fe, pf_hp_func *f)
{
	const uint8_t *po;

	fn_bytes(&a->old, fe->osym, &po);
	f->old_offset = fe->osym->addr;
	f->old_len = fe->osym->size;
	if (pf_sha256(f->old_sha256, po, (size_t)f->old_len) != 0)
		return PF_ERR_NOMEM;
	if (strstr(fe->osym->name, ".cold") != NULL) {
		f->flags = PF_HP_FUNC_NOJUMP;
		return PF_OK;
	}
	if (memcmp(po, "\xf3\x0f\x1e\xfa", 4) == 0)
		f->entry_skip = PF_HP_ENDBR64_LEN;
	f->head_len = f->entry_skip + PF_HP_JMP_LEN;
	memcpy(f->head, po, f->head_len);
	return PF_OK;
}

static pf_ret
emit_func(actx *a, fent *fe)
{
	pf_hp_func f;
	pf_buf code;
	pf_ret r;

	memset(&f, 0, sizeof f);
	pf_buf_init(&code);
	if ((r = func_code(a, fe, &code)) != PF_OK)
		goto out;
	f.name = (char *)fe->nsym->name;
	f.code = code.data;
	f.code_len = code.len;
	if (fe->osym == NULL)
		f.flags = PF_HP_FUNC_NEW;
	else if ((r = old_entry(a, fe, &f)) != PF_OK)
		goto out;
	r = pf_hotpatch_add_func(a->hp, &f, &fe->index);
out:
	pf_buf_free(&code);
	return r;
}

static pf_ret
emit_all(actx *a)
{
	hp_refs rs;
	size_t i, j;
	pf_ret r = PF_OK;

	for (i = 0; i < a->nf && r == PF_OK; i++) {
		if (a->f[i].refusal != NULL)
			r = pf_hotpatch_refuse(a->hp, a->f[i].nsym->name, "%s",
			    a->f[i].refusal);
		else
			r = emit_func(a, &a->f[i]);
	}
	for (i = 0; i < a->nf && r == PF_OK; i++) {
		if (a->f[i].refusal != NULL)
			continue;
		if ((r = new_refs(a, a->f[i].nsym, &rs, NULL)) != PF_OK)
			return r;
		for (j = 0; j < rs.n && r == PF_OK; j++)
			r = emit_ref(a, &a->f[i], &rs.v[j]);
		hp_refs_free(&rs);
	}
	return r == PF_OK ? PF_OK : pf_err_nomem(a->err);
}

/*
 * Section 8.1: data the old code goes on using must keep its layout and,
 * where code writes it, its initial value.
 */

static uint64_t
tls_base(const hp_image *im)
{
	size_t i;

	for (i = 1; i < im->n_sects; i++)
		if (im->sects[i].flags & SHF_TLS)
			return im->sects[i].addr;
	return 0;
}

/* Compares writable data, skipping the words the dynamic linker
 * relocates: they hold addresses, which move between builds. */
static bool
same_initial(actx *a, const hp_sym *o, const hp_sym *n)
{
	const uint8_t *po, *pn;
	uint64_t i;

	if (!hp_image_bytes(&a->old, o->addr, (size_t)o->size, &po) ||
	    !hp_image_bytes(&a->new, n->addr, (size_t)n->size, &pn))
		return !hp_image_bytes(&a->old, o->addr, 1, &po) &&
		    !hp_image_bytes(&a->new, n->addr, 1, &pn);
	for (i = 0; i < n->size; i++) {
		if (hp_image_is_dynrel(&a->new, n->addr + i) &&
		    hp_image_is_dynrel(&a->old, o->addr + i) &&
		    i + 8 <= n->size) {
			i += 7;
			continue;
		}
		if (po[i] != pn[i])
			return false;
	}
	return true;
}

static pf_ret
check_object(actx *a, const hp_sym *n, const hp_sym *o)
{
	const hp_sect *s = &a->new.sects[n->sect];

	if (o->size != n->size)
		return pf_hotpatch_refuse(a->hp, n->name, "data size changed "
		    "from %llu to %llu bytes: code that is not replaced still "
		    "uses the old layout", (unsigned long long)o->size,
		    (unsigned long long)n->size);
	if (n->kind == HP_TLS && o->addr - tls_base(&a->old) !=
	    n->addr - tls_base(&a->new))
		return pf_hotpatch_refuse(a->hp, n->name, "%s", "thread-local "
		    "data moved: the layout of thread-local storage changed");
	if ((s->flags & SHF_WRITE) && !same_initial(a, o, n))
		return pf_hotpatch_refuse(a->hp, n->name, "%s", "initial value "
		    "of writable data changed: the running process keeps the "
		    "old value");
	return PF_OK;
}

/* The refusal just made, of a data object the user left out: a note
 * instead. */
static pf_ret
leave_data_out(actx *a, size_t before)
{
	pf_hp_refusal *rf;
	const char *why;
	pf_ret r;

	if (a->hp->n_refused == before)
		return PF_OK;
	rf = &a->hp->refused[a->hp->n_refused - 1];
	if ((why = left_out(a->an, rf->name, false)) == NULL)
		return PF_OK;
	r = add_note(a, PF_LIVE_NOTE_LEFT_OUT, rf->name, "%s, left out on "
	    "purpose (%s)", rf->reason, why);
	free(rf->name);
	free(rf->reason);
	a->hp->n_refused--;
	return r;
}

static pf_ret
check_data(actx *a)
{
	size_t i, before;
	pf_ret r;

	for (i = 0; i < a->new.n_syms; i++) {
		const hp_sym *n = &a->new.syms[i], *o;

		if (n->kind == HP_FUNC || n->dup || n->sect <= 0 ||
		    (o = hp_image_sym_key(&a->old, n->key)) == NULL ||
		    o->kind != n->kind)
			continue;
		before = a->hp->n_refused;
		if (check_object(a, n, o) != PF_OK)
			return pf_err_nomem(a->err);
		if ((r = leave_data_out(a, before)) != PF_OK)
			return r;
	}
	return PF_OK;
}

static void
actx_free(actx *a)
{
	size_t i;

	for (i = 0; i < a->nf; i++) {
		free(a->f[i].refusal);
		free(a->f[i].why);
	}
	free(a->f);
	for (i = 0; a->anon != NULL && i < a->old.n_sects; i++) {
		free(a->anon[i].start);
		free(a->anon[i].pos);
	}
	free(a->anon);
	for (i = 0; i < 2; i++) {
		const hp_image *im = i ? &a->new : &a->old;
		size_t k;

		for (k = 0; a->code[i] != NULL && k < im->n_syms; k++)
			free(a->code[i][k].v);
		free(a->code[i]);
	}
	hp_image_close(&a->old);
	hp_image_close(&a->new);
	pf_hotpatch_free(a->hp);
}

static pf_ret
set_module(actx *a)
{
	memcpy(a->hp->build_id, a->old.build_id, a->old.build_id_len);
	a->hp->build_id_len = a->old.build_id_len;
	a->hp->module = strdup("");
	return a->hp->module == NULL ? pf_err_nomem(a->err) : PF_OK;
}

pf_ret
pf_hotpatch_analyze(const uint8_t *old_elf, size_t old_len,
    const uint8_t *new_elf, size_t new_len, pf_hotpatch **out, pf_err *err)
{
	return pf_hotpatch_analyze_ex(old_elf, old_len, new_elf, new_len, NULL,
	    out, err);
}

void
pf_hp_analysis_clear(pf_hp_analysis *an)
{
	size_t i;

	for (i = 0; i < an->n_notes; i++) {
		free(an->notes[i].name);
		free(an->notes[i].text);
	}
	free(an->notes);
	an->notes = NULL;
	an->n_notes = 0;
}

pf_ret
pf_hotpatch_analyze_ex(const uint8_t *old_elf, size_t old_len,
    const uint8_t *new_elf, size_t new_len, pf_hp_analysis *an,
    pf_hotpatch **out, pf_err *err)
{
	hp_debug dbg = { NULL, NULL };
	actx a;
	pf_ret r;

	memset(&a, 0, sizeof a);
	a.err = err;
	a.an = an;
	*out = NULL;
	if (an != NULL) {
		dbg.find = an->debug_file;
		dbg.arg = an->debug_arg;
	}
	if ((r = hp_image_open(&a.old, "old", old_elf, old_len, &dbg,
	    err)) != PF_OK ||
	    (r = hp_image_open(&a.new, "new", new_elf, new_len, &dbg,
	    err)) != PF_OK ||
	    (r = hp_image_pair_dups(&a.old, &a.new, err)) != PF_OK ||
	    (r = hp_image_pair_unnamed(&a.old, &a.new, err)) != PF_OK)
		goto out;
	if (collect_targets(&a, &a.old) != PF_OK ||
	    collect_targets(&a, &a.new) != PF_OK) {
		r = pf_err_nomem(err);
		goto out;
	}
	if ((r = pf_hotpatch_new(&a.hp)) != PF_OK) {
		pf_err_nomem(err);
		goto out;
	}
	if ((r = set_module(&a)) != PF_OK || (r = find_changed(&a)) != PF_OK ||
	    (r = find_unmatched(&a)) != PF_OK ||
	    (r = find_entering(&a)) != PF_OK ||
	    (r = select_funcs(&a)) != PF_OK ||
	    (r = check_all(&a)) != PF_OK ||
	    (r = spread_refusals(&a)) != PF_OK ||
	    (r = check_data(&a)) != PF_OK || (r = emit_all(&a)) != PF_OK ||
	    (r = note_funcs(&a)) != PF_OK)
		goto out;
	if ((r = pf_hotpatch_validate(a.hp, err)) != PF_OK)
		goto out;
	*out = a.hp;
	a.hp = NULL;
out:
	actx_free(&a);
	return r;
}
