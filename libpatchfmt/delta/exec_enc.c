/*
 * The encoder's half of the prediction (spec/delta.md section 10): reads
 * the section headers of two x86-64 ELF files, chooses OLD's regions,
 * derives the address map from the matcher's copies and the sections,
 * and computes the predicted image with the decoder's own code
 * (predict.c).  It reads ELF through its own few lines over the bytes in
 * memory rather than libelf: delta/ may include only common/ and
 * compress/ (libpatchfmt/README.md), and section headers are all it needs.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/bigmem.h"
#include "common/bytes.h"
#include "common/ckd.h"
#include "delta/exec.h"
#include "delta/format.h"
#include "delta/predict.h"

/* ELF64 (the System V gABI) fields this file reads. */
#define EH_MACHINE 18           /* le16 e_machine */
#define EH_SHOFF 40             /* le64 e_shoff */
#define EH_SHENTSIZE 58         /* le16 */
#define EH_SHNUM 60             /* le16 */
#define EH_SHSTRNDX 62          /* le16 */
#define EM_X86_64_ 62
#define EM_AARCH64_ 183
#define SH_LEN 64
#define SHT_SYMTAB_ 2
#define SHT_RELA_ 4
#define SHT_DYNAMIC_ 6
#define SHT_NOBITS_ 8
#define SHT_DYNSYM_ 11
#define SHT_INIT_ARRAY_ 14
#define SHT_FINI_ARRAY_ 15
#define SHT_PREINIT_ARRAY_ 16
#define SHF_ALLOC_ 0x2
#define SHF_EXECINSTR_ 0x4
#define SHF_TLS_ 0x400

/*
 * Copies shorter than this say little about where code moved: they are
 * left out of the map, whose gaps the sections fill.
 */
#define MAP_MIN_SPAN 64

typedef struct sec {
	const char *name;
	uint32_t type;
	uint64_t flags, addr, off, size;
	uint32_t link;          /* a symbol table's string table */
	bool file_ok;           /* its bytes are in the file */
	bool in_file;           /* allocated, and file_ok */
} sec;

typedef struct image {
	const uint8_t *f;
	size_t len;
	unsigned machine;       /* e_machine */
	sec *v;
	size_t n;
} image;

/* A defined function or object of a symbol table, by name. */
typedef struct sym {
	const char *name;
	uint64_t value, size;
} sym;

typedef struct sym_list {
	sym *v;
	size_t n;
} sym_list;

typedef struct span {
	uint64_t addr, len, delta;
} span;

typedef struct span_list {
	span *v;
	size_t n, cap;
} span_list;

/* The section name at idx of a string table of n bytes, or NULL. */
static const char *
sec_name(const uint8_t *tab, uint64_t n, uint32_t idx)
{
	if (idx >= n || memchr(tab + idx, 0, (size_t)(n - idx)) == NULL)
		return NULL;
	return (const char *)tab + idx;
}

static void
load_sec(size_t len, const uint8_t *h, const uint8_t *tab, uint64_t tabn,
    sec *s)
{
	uint64_t end;

	s->name = sec_name(tab, tabn, pf_load_le32(h));
	s->type = pf_load_le32(h + 4);
	s->flags = pf_load_le64(h + 8);
	s->addr = pf_load_le64(h + 16);
	s->off = pf_load_le64(h + 24);
	s->size = pf_load_le64(h + 32);
	s->link = pf_load_le32(h + 40);
	if (s->name == NULL)
		s->name = "";
	s->file_ok = s->type != SHT_NOBITS_ && s->size > 0 &&
	    !pf_add_overflow_u64(s->off, s->size, &end) && end <= len;
	s->in_file = (s->flags & SHF_ALLOC_) && s->file_ok;
}

/*
 * An x86-64 or AArch64 ELF64 little-endian file's section headers, or
 * false.
 */
static bool
read_image(const uint8_t *f, size_t len, image *img)
{
	uint64_t shoff, tabo, tabn, end;
	unsigned shnum, stri, i;
	const uint8_t *sh;

	memset(img, 0, sizeof *img);
	if (len < 64 || memcmp(f, "\x7f" "ELF\x02\x01", 6) != 0 ||
	    (pf_load_le16(f + EH_MACHINE) != EM_X86_64_ &&
	    pf_load_le16(f + EH_MACHINE) != EM_AARCH64_) ||
	    pf_load_le16(f + EH_SHENTSIZE) != SH_LEN)
		return false;
	img->machine = pf_load_le16(f + EH_MACHINE);
	shoff = pf_load_le64(f + EH_SHOFF);
	shnum = pf_load_le16(f + EH_SHNUM);
	stri = pf_load_le16(f + EH_SHSTRNDX);
	if (shnum == 0 || stri >= shnum || shoff > len ||
	    (uint64_t)shnum * SH_LEN > len - shoff)
		return false;
	sh = f + shoff;
	tabo = pf_load_le64(sh + stri * SH_LEN + 24);
	tabn = pf_load_le64(sh + stri * SH_LEN + 32);
	if (pf_add_overflow_u64(tabo, tabn, &end) || end > len)
		return false;
	if ((img->v = calloc(shnum, sizeof *img->v)) == NULL)
		return false;
	img->f = f;
	img->len = len;
	img->n = shnum;
	for (i = 0; i < shnum; i++)
		load_sec(len, sh + i * SH_LEN, f + tabo, tabn, &img->v[i]);
	return true;
}

static const sec *
find_named(const image *img, const char *name)
{
	size_t i;

	for (i = 0; i < img->n; i++)
		if ((img->v[i].flags & SHF_ALLOC_) &&
		    strcmp(img->v[i].name, name) == 0)
			return &img->v[i];
	return NULL;
}

/* The allocated section whose file bytes hold off, or NULL. */
static const sec *
sec_at(const image *img, uint64_t off)
{
	size_t i;

	for (i = 0; i < img->n; i++)
		if (img->v[i].in_file && off >= img->v[i].off &&
		    off - img->v[i].off < img->v[i].size)
			return &img->v[i];
	return NULL;
}

static bool
span_add(span_list *l, uint64_t addr, uint64_t len, uint64_t delta)
{
	span *v;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		if ((v = realloc(l->v, l->cap * sizeof *v)) == NULL)
			return false;
		l->v = v;
	}
	l->v[l->n++] = (span){ addr, len, delta };
	return true;
}

static int
span_cmp(const void *a, const void *b)
{
	const span *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->len > y->len ? -1 : x->len < y->len;
}

/* Section 10.2: the kind of region an old section is, or 0. */
static uint8_t
region_kind(const sec *s)
{
	static const char *const ptr_names[] = { ".got", ".got.plt",
		".data.rel.ro", ".data", NULL };
	size_t i;

	if ((s->type == SHT_SYMTAB_ || s->type == SHT_DYNSYM_) &&
	    s->file_ok)
		return PF_PRED_SYM;
	if (!s->in_file)
		return 0;
	if (s->flags & SHF_EXECINSTR_)
		return PF_PRED_CODE;
	if (s->type == SHT_RELA_)
		return PF_PRED_RELA;
	if (s->type == SHT_DYNAMIC_)
		return PF_PRED_DYN;
	if (s->addr % 8 != 0)
		return 0;
	if (s->type == SHT_INIT_ARRAY_ || s->type == SHT_FINI_ARRAY_ ||
	    s->type == SHT_PREINIT_ARRAY_)
		return PF_PRED_PTR64;
	for (i = 0; ptr_names[i] != NULL; i++)
		if (strcmp(s->name, ptr_names[i]) == 0)
			return PF_PRED_PTR64;
	return 0;
}

/*
 * The .eh_frame_hdr table as an EHTAB region, if its encodings are the
 * usual ones (version 1, eh_frame_ptr pcrel sdata4, count udata4, table
 * datarel sdata4).
 */
static bool
ehtab_region(const uint8_t *f, const sec *s, pf_pred_region *r)
{
	const uint8_t *h = f + s->off;
	uint64_t count;

	if (!s->in_file || s->size < 12 || h[0] != 1 || h[1] != 0x1b ||
	    h[2] != 0x03 || h[3] != 0x3b)
		return false;
	count = pf_load_le32(h + 8);
	if (count == 0 || count > (s->size - 12) / 8)
		return false;
	*r = (pf_pred_region){ PF_PRED_EHTAB, s->off + 12, count * 8,
		s->addr + 12, -12 };
	return true;
}

static int
region_cmp(const void *a, const void *b)
{
	const pf_pred_region *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* OLD's regions, in file order, none overlapping the one before. */
static bool
choose_regions(const uint8_t *f, const image *img, pf_pred *p)
{
	pf_pred_region *v = calloc(img->n, sizeof *v);
	size_t i, n = 0, k = 0;
	uint8_t kind;

	if (v == NULL)
		return false;
	for (i = 0; i < img->n; i++) {
		if (strcmp(img->v[i].name, ".eh_frame") == 0 &&
		    img->v[i].in_file) {
			v[n++] = (pf_pred_region){ PF_PRED_EHFRAME_LSDA,
				img->v[i].off, img->v[i].size, img->v[i].addr, 0 };
			continue;
		}
		if (strcmp(img->v[i].name, ".eh_frame_hdr") == 0) {
			n += ehtab_region(f, &img->v[i], &v[n]);
			continue;
		}
		/* Section 10.5.1: GCC's and LLVM's switch tables. */
		if (strcmp(img->v[i].name, ".rodata") == 0 &&
		    img->v[i].in_file && img->machine != EM_AARCH64_) {
			v[n++] = (pf_pred_region){ PF_PRED_JUMPTAB,
				img->v[i].off, img->v[i].size, img->v[i].addr, 0 };
			continue;
		}
		if ((kind = region_kind(&img->v[i])) == 0)
			continue;
		v[n++] = (pf_pred_region){ kind, img->v[i].off,
			img->v[i].size, img->v[i].addr, 0 };
	}
	if (n > 0)
		qsort(v, n, sizeof *v, region_cmp);
	for (i = 0; i < n && k < PF_PRED_REGIONS_MAX; i++)
		if (k == 0 || v[i].off >= v[k - 1].off + v[k - 1].size)
			v[k++] = v[i];
	p->regions = v;
	p->nregions = k;
	return true;
}

/* The image bounds: every allocated section of OLD. */
static void
image_bounds(const image *img, pf_pred *p)
{
	uint64_t lo = UINT64_MAX, hi = 0, end;
	size_t i;

	for (i = 0; i < img->n; i++) {
		if (!(img->v[i].flags & SHF_ALLOC_) || img->v[i].size == 0 ||
		    pf_add_overflow_u64(img->v[i].addr, img->v[i].size, &end))
			continue;
		if (img->v[i].addr < lo)
			lo = img->v[i].addr;
		if (end > hi)
			hi = end;
	}
	p->lo = lo < hi ? lo : 0;
	p->hi = lo < hi ? hi : 0;
}

/* Where each section of OLD went, for sections NEW has by name. */
static bool
section_spans(const image *o, const image *n, span_list *l)
{
	const sec *s, *t;
	size_t i;

	for (i = 0; i < o->n; i++) {
		s = &o->v[i];
		if (!(s->flags & SHF_ALLOC_) || s->size == 0 ||
		    ((s->flags & SHF_TLS_) && s->type == SHT_NOBITS_) ||
		    (t = find_named(n, s->name)) == NULL)
			continue;
		if (!span_add(l, s->addr, s->size, t->addr - s->addr))
			return false;
	}
	if (l->n > 0)
		qsort(l->v, l->n, sizeof *l->v, span_cmp);
	return true;
}

/*
 * Whether a copy says where its bytes went: runs that are mostly zero
 * (bss-like data, padding, tables not yet relocated) match anywhere.
 */
static bool
telling(const uint8_t *p, uint64_t n)
{
	uint64_t i, zeros = 0;

	for (i = 0; i < n; i++)
		zeros += p[i] == 0;
	return zeros * 16 < n * 15;
}

/* Where the matcher's copies say OLD's bytes went, in address order. */
static bool
copy_spans(const image *o, const image *n, const pf_seg_list *segs,
    span_list *l)
{
	uint64_t op, np, left, k, oa, na;
	const sec *s, *t;
	size_t i;

	for (i = 0; i < segs->n; i++) {
		op = segs->v[i].old_pos;
		np = segs->v[i].new_pos;
		left = segs->v[i].copy_len;
		while (left >= MAP_MIN_SPAN && (s = sec_at(o, op)) != NULL &&
		    (t = sec_at(n, np)) != NULL) {
			k = s->off + s->size - op;
			if (t->off + t->size - np < k)
				k = t->off + t->size - np;
			if (left < k)
				k = left;
			oa = s->addr + (op - s->off);
			na = t->addr + (np - t->off);
			if (k >= MAP_MIN_SPAN && telling(o->f + op, k) &&
			    !span_add(l, oa, k, na - oa))
				return false;
			op += k;
			np += k;
			left -= k;
		}
	}
	if (l->n > 0)
		qsort(l->v, l->n, sizeof *l->v, span_cmp);
	return true;
}

static int
sym_cmp(const void *a, const void *b)
{
	const sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->value < y->value ? -1 : x->value > y->value;
}

/* ELF64 Elf64_Sym: the defined functions and objects of table s. */
static bool
add_syms(const image *img, const sec *s, sym_list *l)
{
	const uint8_t *q, *strs;
	const sec *st;
	uint64_t i, n = s->size / 24;
	uint32_t name;
	unsigned type;
	sym *v;

	if (n == 0 || s->link >= img->n ||
	    !(st = &img->v[s->link])->file_ok)
		return true;
	strs = img->f + st->off;
	if ((v = realloc(l->v, (l->n + n) * sizeof *v)) == NULL)
		return false;
	l->v = v;
	for (i = 0; i < n; i++) {
		q = img->f + s->off + i * 24;
		name = pf_load_le32(q);
		type = q[4] & 0xf;
		if ((type != 1 && type != 2) || pf_load_le16(q + 6) == 0 ||
		    pf_load_le64(q + 16) == 0 || name == 0 ||
		    (v[l->n].name = sec_name(strs, st->size, name)) == NULL)
			continue;
		v[l->n].value = pf_load_le64(q + 8);
		v[l->n++].size = pf_load_le64(q + 16);
	}
	return true;
}

/* Both symbol tables' functions and objects, sorted by name. */
static bool
read_syms(const image *img, sym_list *l)
{
	size_t i;

	for (i = 0; i < img->n; i++)
		if ((img->v[i].type == SHT_SYMTAB_ ||
		    img->v[i].type == SHT_DYNSYM_) && img->v[i].file_ok &&
		    !add_syms(img, &img->v[i], l))
			return false;
	if (l->n > 0)
		qsort(l->v, l->n, sizeof *l->v, sym_cmp);
	return true;
}

/* The run of symbols named as v[i], from i; its length. */
static size_t
name_run(const sym_list *l, size_t i)
{
	size_t j = i + 1;

	while (j < l->n && strcmp(l->v[j].name, l->v[i].name) == 0 &&
	    l->v[j].value != l->v[i].value)
		j++;
	while (j < l->n && strcmp(l->v[j].name, l->v[i].name) == 0)
		j++;
	return j - i;
}

/*
 * Where each function and object that both files name once (in either
 * symbol table) went; a name defined at two addresses says nothing.
 */
static bool
symbol_spans(const image *o, const image *n, span_list *l)
{
	sym_list so = { 0 }, sn = { 0 };
	size_t i = 0, j = 0, ri, rj;
	bool ok = read_syms(o, &so) && read_syms(n, &sn);
	int c;

	while (ok && i < so.n && j < sn.n) {
		ri = name_run(&so, i);
		rj = name_run(&sn, j);
		c = strcmp(so.v[i].name, sn.v[j].name);
		if (c == 0 && so.v[i].value == so.v[i + ri - 1].value &&
		    sn.v[j].value == sn.v[j + rj - 1].value)
			ok = span_add(l, so.v[i].value, so.v[i].size,
			    sn.v[j].value - so.v[i].value);
		i += c <= 0 ? ri : 0;
		j += c >= 0 ? rj : 0;
	}
	if (ok && l->n > 0)
		qsort(l->v, l->n, sizeof *l->v, span_cmp);
	free(so.v);
	free(sn.v);
	return ok;
}

typedef struct breaks {
	pf_pred_break *v;
	size_t n, cap;
	bool failed;
} breaks;

/* Appends a break, merging it with the last when nothing changes. */
static void
emit(breaks *b, uint64_t addr, uint64_t delta)
{
	pf_pred_break *v;

	if (b->n > 0 && b->v[b->n - 1].addr == addr)
		b->n--;
	if (b->n > 0 && b->v[b->n - 1].delta == delta)
		return;
	if (b->n == 0 && delta == 0)
		return;
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		if ((v = realloc(b->v, b->cap * sizeof *v)) == NULL) {
			b->failed = true;
			b->n = 0;
			return;
		}
		b->v = v;
	}
	b->v[b->n++] = (pf_pred_break){ addr, delta };
}

/*
 * The section spans' breaks over [a, z): the delta of the section at
 * (or last before) a, then each section's that starts inside.
 */
static void
emit_sections(breaks *b, const span_list *secs, uint64_t a, uint64_t z)
{
	size_t i, last = SIZE_MAX;

	for (i = 0; i < secs->n && secs->v[i].addr <= a; i++)
		last = i;
	if (last != SIZE_MAX)
		emit(b, a, secs->v[last].delta);
	for (; i < secs->n && secs->v[i].addr < z; i++)
		emit(b, secs->v[i].addr, secs->v[i].delta);
}

/* Section 10.3: the map, copies first and the base in their gaps. */
static bool
build_map(const span_list *secs, const span_list *copies, pf_pred *p)
{
	breaks b = { 0 };
	uint64_t at = 0, start;
	size_t i;

	for (i = 0; i < copies->n && !b.failed; i++) {
		start = copies->v[i].addr;
		if (start + copies->v[i].len <= at)
			continue;
		if (start < at)
			start = at;
		emit_sections(&b, secs, at, start);
		emit(&b, start, copies->v[i].delta);
		at = copies->v[i].addr + copies->v[i].len;
	}
	emit_sections(&b, secs, at, UINT64_MAX);
	if (b.failed || b.n > PF_PRED_BREAKS_MAX) {
		free(b.v);
		return false;
	}
	free(p->breaks);
	p->breaks = b.v;
	p->nbreaks = b.n;
	return true;
}

/* The map's breaks as spans, each up to the next break. */
static bool
breaks_as_spans(const pf_pred *p, span_list *l)
{
	size_t i;

	l->n = 0;
	for (i = 0; i < p->nbreaks; i++)
		if (!span_add(l, p->breaks[i].addr, i + 1 < p->nbreaks ?
		    p->breaks[i + 1].addr - p->breaks[i].addr :
		    UINT64_MAX - p->breaks[i].addr, p->breaks[i].delta))
			return false;
	return true;
}

/* One dynamic relocation, by what it stores: its kind, symbol and value. */
typedef struct reloc {
	uint32_t type;
	const char *name;       /* its symbol's, or NULL */
	uint64_t value;         /* the addend; OLD's RELATIVE: mapped */
	uint64_t off;           /* r_offset */
} reloc;

typedef struct reloc_list {
	reloc *v;
	size_t n;
} reloc_list;

static int
reloc_cmp_key(const reloc *x, const reloc *y)
{
	int c;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->name != y->name) {
		if (x->name == NULL || y->name == NULL)
			return x->name == NULL ? -1 : 1;
		if ((c = strcmp(x->name, y->name)) != 0)
			return c;
	}
	return x->value < y->value ? -1 : x->value > y->value;
}

static int
reloc_cmp(const void *a, const void *b)
{
	const reloc *x = a, *y = b;
	int c = reloc_cmp_key(x, y);

	if (c != 0)
		return c;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* The relocation types whose addend is an address of the file. */
static bool
reloc_relative(unsigned machine, uint32_t type)
{
	if (machine == EM_AARCH64_)
		return type == 1027 || type == 1032;
	return type == 8 || type == 37;
}

/* Name of symbol idx of the symbol table at link, or NULL. */
static const char *
reloc_sym(const image *img, uint32_t link, uint64_t idx)
{
	const sec *st, *strs;

	if (idx == 0 || link >= img->n || !(st = &img->v[link])->file_ok ||
	    (st->type != SHT_DYNSYM_ && st->type != SHT_SYMTAB_) ||
	    idx >= st->size / 24 || st->link >= img->n ||
	    !(strs = &img->v[st->link])->file_ok)
		return NULL;
	return sec_name(img->f + strs->off, strs->size,
	    pf_load_le32(img->f + st->off + idx * 24));
}

/*
 * The allocated Elf64_Rela tables of img, sorted by what each stores;
 * with p (OLD), RELATIVE addends mapped as the map so far has them, so
 * that they compare with NEW's.
 */
static bool
read_relocs(const image *img, const pf_pred *p, reloc_list *l)
{
	const uint8_t *q;
	uint64_t i, k, info;
	const sec *s;
	reloc *v;
	size_t j;

	for (j = 0; j < img->n; j++) {
		s = &img->v[j];
		if (s->type != SHT_RELA_ || !(s->flags & SHF_ALLOC_) ||
		    !s->file_ok || (k = s->size / 24) == 0)
			continue;
		if ((v = realloc(l->v, (l->n + k) * sizeof *v)) == NULL)
			return false;
		l->v = v;
		for (i = 0; i < k; i++) {
			q = img->f + s->off + i * 24;
			info = pf_load_le64(q + 8);
			v[l->n] = (reloc){ (uint32_t)info, NULL,
				pf_load_le64(q + 16), pf_load_le64(q) };
			if (info >> 32 != 0 && (v[l->n].name = reloc_sym(img,
			    s->link, info >> 32)) == NULL)
				continue;
			if (p != NULL && info >> 32 == 0 &&
			    reloc_relative(img->machine, v[l->n].type) &&
			    pf_pred_in_image(p, v[l->n].value))
				v[l->n].value = pf_pred_map(p, v[l->n].value);
			l->n++;
		}
	}
	if (l->n > 0)
		qsort(l->v, l->n, sizeof *l->v, reloc_cmp);
	return true;
}

/* The run of relocations storing what v[i] stores, from i; its length. */
static size_t
reloc_run(const reloc_list *l, size_t i)
{
	size_t j = i + 1;

	while (j < l->n && reloc_cmp_key(&l->v[j], &l->v[i]) == 0)
		j++;
	return j - i;
}

/*
 * Keeps the runs of slots that moved alike: at least SLOT_RUN_MIN, each
 * within SLOT_RUN_GAP bytes of the one before, as one span.  A slot alone
 * costs the map two breaks, more than the references to it save, and may
 * be paired wrongly (one of two equal pointers).
 */
#define SLOT_RUN_MIN 4
#define SLOT_RUN_GAP 64

static void
slot_runs(span_list *l)
{
	size_t i = 0, j, out = 0;
	uint64_t end;

	while (i < l->n) {
		end = l->v[i].addr + l->v[i].len;
		for (j = i + 1; j < l->n && l->v[j].delta == l->v[i].delta &&
		    l->v[j].addr >= end && l->v[j].addr - end < SLOT_RUN_GAP;
		    j++)
			end = l->v[j].addr + l->v[j].len;
		if (j - i >= SLOT_RUN_MIN)
			l->v[out++] = (span){ l->v[i].addr, end - l->v[i].addr,
				l->v[i].delta };
		i = j;
	}
	l->n = out;
}

/*
 * Where the slots that dynamic relocations fill went (GOT entries,
 * pointers in .data.rel.ro), from the map so far: each kind of content
 * (a symbol, or an address that maps to the same new one) stored as
 * often in both files pairs its slots in address order.  Slots of one
 * section move apart when an entry comes or goes between them (a GOT slot
 * fewer: every later one 8 bytes closer), which neither the sections nor
 * the matcher's copies of mostly zero or relocated data see, and code
 * reaches each slot through a RIP-relative operand.
 */
static bool
reloc_spans(const image *o, const image *n, const pf_pred *p, span_list *l)
{
	reloc_list ro = { 0 }, rn = { 0 };
	size_t i = 0, j = 0, ri, rj, k;
	bool ok = read_relocs(o, p, &ro) && read_relocs(n, NULL, &rn);
	int c;

	while (ok && i < ro.n && j < rn.n) {
		ri = reloc_run(&ro, i);
		rj = reloc_run(&rn, j);
		c = reloc_cmp_key(&ro.v[i], &rn.v[j]);
		for (k = 0; ok && c == 0 && ri == rj && k < ri; k++)
			if (pf_pred_in_image(p, ro.v[i + k].off) &&
			    p->hi - ro.v[i + k].off >= 8)
				ok = span_add(l, ro.v[i + k].off, 8,
				    rn.v[j + k].off - ro.v[i + k].off);
		i += c <= 0 ? ri : 0;
		j += c >= 0 ? rj : 0;
	}
	if (ok && l->n > 0)
		qsort(l->v, l->n, sizeof *l->v, span_cmp);
	free(ro.v);
	free(rn.v);
	if (ok)
		slot_runs(l);
	return ok;
}

/*
 * Section 10.3: four layers, each filling the gaps of the one above: the
 * slots of the dynamic relocations, the matcher's copies, the symbols
 * both files name, the sections.
 */
static bool
layered_map(const image *o, const image *n, const pf_seg_list *segs,
    pf_pred *p)
{
	span_list secs = { 0 }, syms = { 0 }, copies = { 0 }, slots = { 0 };
	bool ok;

	ok = section_spans(o, n, &secs) && symbol_spans(o, n, &syms) &&
	    copy_spans(o, n, segs, &copies) && build_map(&secs, &syms, p) &&
	    breaks_as_spans(p, &secs) && build_map(&secs, &copies, p) &&
	    reloc_spans(o, n, p, &slots) && breaks_as_spans(p, &secs) &&
	    build_map(&secs, &slots, p);
	free(secs.v);
	free(syms.v);
	free(copies.v);
	free(slots.v);
	return ok;
}

/* The predicted image: OLD, each page rewritten as a decoder will. */
static uint8_t *
predict_image(const pf_pred *p, const uint8_t *old, size_t len)
{
	uint8_t *img = pf_bigmem_alloc_full(len);
	size_t off, n;

	if (img == NULL)
		return NULL;
	memcpy(img, old, len);
	for (off = 0; off < len; off += n) {
		n = len - off < PF_PRED_PAGE ? len - off : PF_PRED_PAGE;
		pf_pred_page(p, off, img + off, n);
	}
	return img;
}

/*
 * Section 10.1: finder, body_len, body; then the image predicted from
 * the body as a decoder parses it, so that both see the same map.  No
 * image, and nothing written, when the body is above the limit.
 */
static pf_ret
write_section(const pf_pred *p, const uint8_t *old, size_t old_len,
    pf_buf *out, uint8_t **img, pf_err *err)
{
	pf_source src;
	pf_pred q;
	pf_buf body;
	pf_ret r = PF_OK;

	pf_buf_init(&body);
	pf_pred_write(p, &body);
	if (body.failed) {
		r = pf_err_nomem(err);
		goto out;
	}
	if (body.len > PF_PRED_BODY_MAX)
		goto out;
	if ((r = pf_pred_parse_finder(&q, p->finder, body.data, body.len,
	    old_len, err)) != PF_OK)
		goto out;
	pf_source_from_mem(&src, old, old_len);
	if ((r = pf_pred_find_tables(&q, &src, err)) != PF_OK) {
		pf_pred_free(&q);
		goto out;
	}
	*img = predict_image(&q, old, old_len);
	pf_pred_free(&q);
	if (*img == NULL) {
		r = pf_err_nomem(err);
		goto out;
	}
	pf_buf_put_u8(out, p->finder);
	pf_buf_put_uvarint(out, body.len);
	pf_buf_append(out, body.data, body.len);
	if (out->failed)
		r = pf_err_nomem(err);
out:
	pf_buf_free(&body);
	return r;
}

pf_ret
pf_exec_predict(const uint8_t *old, size_t old_len, const uint8_t *nw,
    size_t new_len, const pf_seg_list *segs, pf_buf *section,
    uint8_t **pimg, pf_err *err)
{
	image oi = { 0 }, ni = { 0 };
	pf_pred p = { 0 };
	pf_ret r = PF_OK;

	*pimg = NULL;
	if (!read_image(old, old_len, &oi) || !read_image(nw, new_len, &ni) ||
	    oi.machine != ni.machine)
		goto out;
	/* Section 10.1: the finder of the files' architecture. */
	p.finder = oi.machine == EM_AARCH64_ ? PF_PRED_FINDER_AARCH64 :
	    PF_PRED_FINDER_X86_64;
	image_bounds(&oi, &p);
	if (!choose_regions(old, &oi, &p) || !layered_map(&oi, &ni, segs, &p)) {
		r = pf_err_nomem(err);
		goto out;
	}
	if (p.nregions == 0 || p.nbreaks == 0)
		goto out;
	r = write_section(&p, old, old_len, section, pimg, err);
out:
	pf_pred_free(&p);
	free(oi.v);
	free(ni.v);
	return r;
}
