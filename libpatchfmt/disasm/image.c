/*
 * Reading an ELF file for the hot-patch analysis (libelf): sections,
 * symbols with keys that match across builds, and the slots of imports.
 */
#include <config.h>

#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ckd.h"
#include "disasm/image.h"

static int
cmp_sym_addr(const void *a, const void *b)
{
	const hp_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Functions before objects, larger before smaller: a lookup then
	 * prefers the whole function to an alias inside it. */
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->size > y->size ? -1 : x->size < y->size;
}

static int
cmp_slot_addr(const void *a, const void *b)
{
	const hp_slot *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static pf_ret
load_sects(hp_image *im, Elf *e, pf_err *err)
{
	size_t n, shstr;
	Elf_Scn *scn = NULL;

	if (elf_getshdrnum(e, &n) != 0 || elf_getshdrstrndx(e, &shstr) != 0)
		return pf_err_set(err, PF_ERR_CORRUPT, "%s module: cannot read "
		    "the section headers: %s", im->what, elf_errmsg(-1));
	im->sects = calloc(n ? n : 1, sizeof *im->sects);
	if (im->sects == NULL)
		return pf_err_nomem(err);
	im->n_sects = n;
	for (size_t i = 0; i < n; i++)
		im->sects[i].name = "";
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;
		hp_sect *s;
		size_t i = elf_ndxscn(scn);

		if (i >= n || gelf_getshdr(scn, &sh) == NULL)
			continue;
		s = &im->sects[i];
		s->name = elf_strptr(e, shstr, sh.sh_name);
		if (s->name == NULL)
			s->name = "?";
		s->addr = sh.sh_addr;
		s->size = sh.sh_size;
		s->flags = sh.sh_flags;
		if (sh.sh_type != SHT_NOBITS && (d = elf_rawdata(scn, NULL)) &&
		    d->d_size == sh.sh_size)
			s->data = d->d_buf;
	}
	return PF_OK;
}

static void
load_build_id(hp_image *im, Elf *e)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;
		Elf_Data *d;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_NOTE ||
		    (d = elf_getdata(scn, NULL)) == NULL)
			continue;
		while ((off = gelf_getnote(d, off, &nh, &name_off,
		    &desc_off)) != 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp((char *)d->d_buf + name_off, "GNU", 4) == 0 &&
			    nh.n_descsz <= sizeof im->build_id) {
				memcpy(im->build_id, (char *)d->d_buf + desc_off,
				    nh.n_descsz);
				im->build_id_len = nh.n_descsz;
				return;
			}
		}
	}
}

bool
hp_elf_build_id(const uint8_t *p, size_t n, uint8_t *id, size_t *len)
{
	hp_image im;
	Elf *e;

	memset(&im, 0, sizeof im);
	if (elf_version(EV_CURRENT) == EV_NONE ||
	    (e = elf_memory((char *)(uintptr_t)p, n)) == NULL)
		return false;
	if (elf_kind(e) == ELF_K_ELF)
		load_build_id(&im, e);
	elf_end(e);
	memcpy(id, im.build_id, im.build_id_len);
	*len = im.build_id_len;
	return im.build_id_len > 0;
}

static char *
make_key(const char *file, const char *name, bool local)
{
	size_t n = strlen(name) + (file ? strlen(file) : 0) + 2;
	char *k = malloc(n);

	if (k == NULL)
		return NULL;
	/* A local symbol without a file (strip --strip-debug drops
	 * STT_FILE) is still not the global of the same name. */
	if (local)
		snprintf(k, n, "%s:%s", file != NULL ? file : "?", name);
	else
		snprintf(k, n, "%s", name);
	return k;
}

/* Keeps the symbols the analysis can match: named, sized functions,
 * objects and TLS objects defined in a section. */
static bool
wanted(const GElf_Sym *s, const char *name)
{
	int t = GELF_ST_TYPE(s->st_info);

	if (name == NULL || name[0] == '\0' || s->st_shndx == SHN_UNDEF ||
	    s->st_shndx >= SHN_LORESERVE)
		return false;
	return t == STT_FUNC || t == STT_OBJECT || t == STT_TLS ||
	    (t == STT_GNU_IFUNC);
}

static pf_ret
add_sym(hp_image *im, const GElf_Sym *s, const char *name, const char *file)
{
	hp_sym *y = &im->syms[im->n_syms];
	int t = GELF_ST_TYPE(s->st_info);

	y->key = make_key(file, name, GELF_ST_BIND(s->st_info) == STB_LOCAL);
	if (y->key == NULL)
		return PF_ERR_NOMEM;
	y->name = name;
	y->addr = s->st_value;
	y->size = s->st_size;
	y->kind = t == STT_OBJECT ? HP_OBJECT : t == STT_TLS ? HP_TLS : HP_FUNC;
	y->sect = s->st_shndx < im->n_sects ? (int)s->st_shndx : -1;
	im->n_syms++;
	return PF_OK;
}

static int
cmp_sym_key(const void *a, const void *b)
{
	const hp_sym *const *x = a, *const *y = b;

	return strcmp((*x)->key, (*y)->key);
}

/* Sorts the symbols by key for lookups; a key that two symbols share
 * cannot be matched across builds. */
static pf_ret
index_keys(hp_image *im, pf_err *err)
{
	hp_sym **v = malloc((im->n_syms ? im->n_syms : 1) * sizeof *v);
	size_t i;

	if (v == NULL)
		return pf_err_nomem(err);
	for (i = 0; i < im->n_syms; i++)
		v[i] = &im->syms[i];
	qsort(v, im->n_syms, sizeof *v, cmp_sym_key);
	for (i = 1; i < im->n_syms; i++)
		if (strcmp(v[i]->key, v[i - 1]->key) == 0 &&
		    v[i]->addr != v[i - 1]->addr)
			v[i]->dup = v[i - 1]->dup = true;
	im->by_key = v;
	return PF_OK;
}

/* The symbols of key v[i] in by_key order: [*lo, *hi). */
static void
key_group(hp_sym **v, size_t n, size_t i, size_t *lo, size_t *hi)
{
	*lo = *hi = i;
	while (*lo > 0 && strcmp(v[*lo - 1]->key, v[i]->key) == 0)
		(*lo)--;
	while (*hi < n && strcmp(v[*hi]->key, v[i]->key) == 0)
		(*hi)++;
}

/* A symbol of that key, duplicate or not, and its index in by_key. */
static const hp_sym *
key_first(const hp_image *im, const char *key, size_t *at)
{
	size_t lo = 0, hi = im->n_syms, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(im->by_key[mid]->key, key)) == 0) {
			*at = mid;
			return im->by_key[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
cmp_sym_ptr_addr(const void *a, const void *b)
{
	const hp_sym *const *x = a, *const *y = b;

	return (*x)->addr < (*y)->addr ? -1 : (*x)->addr > (*y)->addr;
}

/* Numbers the symbols of a group by address: "key#0", "key#1" ... */
static pf_ret
number_group(hp_sym **v, size_t lo, size_t hi)
{
	size_t i, n;
	char *k;

	qsort(v + lo, hi - lo, sizeof *v, cmp_sym_ptr_addr);
	for (i = lo; i < hi; i++) {
		n = strlen(v[i]->key) + 24;
		if ((k = malloc(n)) == NULL)
			return PF_ERR_NOMEM;
		snprintf(k, n, "%s#%zu", v[i]->key, i - lo);
		free(v[i]->key);
		v[i]->key = k;
		v[i]->dup = false;
	}
	return PF_OK;
}

pf_ret
hp_image_pair_dups(hp_image *old, hp_image *new, pf_err *err)
{
	size_t i, nlo, nhi, olo, ohi;
	const hp_sym *o;
	bool any = false;

	for (i = 0; i < new->n_syms; i = nhi) {
		key_group(new->by_key, new->n_syms, i, &nlo, &nhi);
		if (!new->by_key[i]->dup || (o = key_first(old,
		    new->by_key[i]->key, &olo)) == NULL || !o->dup)
			continue;
		key_group(old->by_key, old->n_syms, olo, &olo, &ohi);
		if (ohi - olo != nhi - nlo)
			continue;
		if (number_group(old->by_key, olo, ohi) != PF_OK ||
		    number_group(new->by_key, nlo, nhi) != PF_OK)
			return pf_err_nomem(err);
		any = true;
	}
	if (any) {
		qsort(old->by_key, old->n_syms, sizeof *old->by_key,
		    cmp_sym_key);
		qsort(new->by_key, new->n_syms, sizeof *new->by_key,
		    cmp_sym_key);
	}
	return PF_OK;
}

static Elf_Scn *
symtab(Elf *e, GElf_Shdr *sh, Elf64_Word type)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn)) != NULL)
		if (gelf_getshdr(scn, sh) != NULL && sh->sh_type == type)
			return scn;
	return NULL;
}

void
hp_image_sort_addr(hp_image *im)
{
	/* qsort's array may not be null, even empty. */
	if (im->n_syms > 1)
		qsort(im->syms, im->n_syms, sizeof *im->syms, cmp_sym_addr);
}

void
hp_image_sort_keys(hp_image *im)
{
	if (im->n_syms > 1)
		qsort(im->by_key, im->n_syms, sizeof *im->by_key, cmp_sym_key);
}

/* The debug file of a stripped build (objcopy --only-keep-debug): the
 * same build ID, and the symbol table.  Its section indices are those of
 * the build before strip took sections out: symbols are placed by the
 * name of their section (dbg_sect). */
static Elf *
debug_elf(hp_image *im, Elf *e, const hp_debug *dbg, pf_err *err)
{
	const uint8_t *p;
	size_t n;
	hp_image d;
	Elf *de;

	if (dbg == NULL || dbg->find == NULL || im->build_id_len == 0 ||
	    dbg->find(dbg->arg, im->build_id, im->build_id_len, &p, &n) !=
	    PF_OK)
		return NULL;
	if ((de = elf_memory((char *)(uintptr_t)p, n)) == NULL)
		return NULL;
	memset(&d, 0, sizeof d);
	load_build_id(&d, de);
	(void)e;
	if (d.build_id_len != im->build_id_len || memcmp(d.build_id,
	    im->build_id, d.build_id_len) != 0) {
		pf_err_set(err, PF_ERR_MISMATCH, "%s module: the debug file "
		    "found by its build ID does not match it", im->what);
		elf_end(de);
		return NULL;
	}
	return de;
}

/* The index in the build of the section of that index in its debug
 * file, by name; SHN_UNDEF when the build has none. */
static Elf64_Section
dbg_sect(const hp_image *im, Elf *de, size_t i)
{
	size_t shstr, k;
	Elf_Scn *scn;
	GElf_Shdr sh;
	const char *name;

	if (elf_getshdrstrndx(de, &shstr) != 0 ||
	    (scn = elf_getscn(de, i)) == NULL || gelf_getshdr(scn, &sh) ==
	    NULL || (name = elf_strptr(de, shstr, sh.sh_name)) == NULL)
		return SHN_UNDEF;
	for (k = 1; k < im->n_sects; k++)
		if (strcmp(im->sects[k].name, name) == 0 &&
		    im->sects[k].addr == sh.sh_addr)
			return (Elf64_Section)k;
	return SHN_UNDEF;
}

static pf_ret
load_syms(hp_image *im, Elf *e, const hp_debug *dbg, pf_err *err)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf_Data *d;
	const char *file = NULL;
	size_t i, n;
	pf_ret r;

	im->sym_source = "its symbol in .symtab";
	if ((scn = symtab(e, &sh, SHT_SYMTAB)) == NULL &&
	    (im->dbg_elf = debug_elf(im, e, dbg, err)) != NULL) {
		e = im->dbg_elf;
		scn = symtab(e, &sh, SHT_SYMTAB);
		im->sym_source = "its symbol in the debug file";
	}
	/* Neither: the exported symbols, and functions from .eh_frame
	 * (section 8.3). */
	if (scn == NULL && im->dbg_elf == NULL &&
	    (scn = symtab(e, &sh, SHT_DYNSYM)) != NULL)
		im->sym_source = "its symbol in .dynsym";
	if (scn == NULL)
		return pf_err_set(err, PF_ERR_UNSUPPORTED, "%s module has no "
		    "symbol table (.symtab), and no debug file with one was "
		    "found by its build ID: hot patches need unstripped "
		    "binaries or their debug files", im->what);
	if ((d = elf_getdata(scn, NULL)) == NULL || sh.sh_entsize == 0)
		return pf_err_set(err, PF_ERR_CORRUPT, "%s module: unreadable "
		    "symbol table", im->what);
	n = sh.sh_size / sh.sh_entsize;
	im->syms = calloc(n ? n : 1, sizeof *im->syms);
	if (im->syms == NULL)
		return pf_err_nomem(err);
	for (i = 0; i < n; i++) {
		GElf_Sym s;
		const char *name;

		if (gelf_getsym(d, (int)i, &s) == NULL)
			continue;
		name = elf_strptr(e, sh.sh_link, s.st_name);
		if (GELF_ST_TYPE(s.st_info) == STT_FILE)
			file = name;
		if (im->dbg_elf != NULL && wanted(&s, name))
			s.st_shndx = dbg_sect(im, e, s.st_shndx);
		if (wanted(&s, name) && add_sym(im, &s, name, file) != PF_OK)
			return pf_err_nomem(err);
	}
	hp_image_sort_addr(im);
	if (sh.sh_type == SHT_DYNSYM && (r = hp_image_add_unnamed(im, err)) !=
	    PF_OK)
		return r;
	return index_keys(im, err);
}

static pf_ret
add_slot(hp_image *im, uint64_t addr, uint64_t size, const char *key,
    const char *name)
{
	hp_slot *s;

	if (im->n_slots % 64 == 0) {
		void *p = realloc(im->slots, (im->n_slots + 64) * sizeof *s);

		if (p == NULL)
			return PF_ERR_NOMEM;
		im->slots = p;
	}
	s = &im->slots[im->n_slots];
	if ((s->key = strdup(key)) == NULL)
		return PF_ERR_NOMEM;
	s->local = false;
	s->type = 0;
	s->addend = 0;
	s->addr = addr;
	s->size = size;
	s->name = name != NULL ? name : "";
	im->n_slots++;
	if (size > im->slot_size_max)
		im->slot_size_max = size;
	return PF_OK;
}

static bool
in_got(const hp_image *im, uint64_t addr)
{
	const hp_sect *s = hp_image_sect(im, addr);

	return s != NULL && strncmp(s->name, ".got", 4) == 0;
}

/* The key of a GOT slot: what it holds, in terms that do not depend on
 * where things are (section 4 of spec/hotpatch.md: "same import"). */
static void
slot_key(const hp_image *im, char *k, size_t n, unsigned type,
    const char *name, int64_t addend)
{
	const hp_sym *y;

	if (name != NULL && name[0] != '\0') {
		snprintf(k, n, "got:%u:%s%+lld", type, name, (long long)addend);
		return;
	}
	y = hp_image_sym_at(im, (uint64_t)addend);
	if (y != NULL && !y->dup)
		snprintf(k, n, "got:%u:=%s+%llu", type, y->key,
		    (unsigned long long)((uint64_t)addend - y->addr));
	else
		snprintf(k, n, "got:%u:@%llx", type, (unsigned long long)addend);
}

static pf_ret
load_rela_sect(hp_image *im, Elf *e, Elf_Scn *scn, const GElf_Shdr *sh)
{
	GElf_Shdr ssh;
	Elf_Data *d = elf_getdata(scn, NULL), *sd = NULL;
	Elf_Scn *sym = elf_getscn(e, sh->sh_link);
	size_t i, n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	char key[PF_ERR_MSG_MAX];
	void *p;

	if (d == NULL)
		return PF_OK;
	if (sym != NULL && gelf_getshdr(sym, &ssh) != NULL)
		sd = elf_getdata(sym, NULL);
	p = realloc(im->dynrel, (im->n_dynrel + n + 1) * sizeof *im->dynrel);
	if (p == NULL)
		return PF_ERR_NOMEM;
	im->dynrel = p;
	for (i = 0; i < n; i++) {
		GElf_Rela r;
		GElf_Sym s;
		const char *name = NULL;

		if (gelf_getrela(d, (int)i, &r) == NULL)
			continue;
		im->dynrel[im->n_dynrel++] = r.r_offset;
		if (sd != NULL && GELF_R_SYM(r.r_info) != 0 &&
		    gelf_getsym(sd, (int)GELF_R_SYM(r.r_info), &s) != NULL)
			name = elf_strptr(e, ssh.sh_link, s.st_name);
		if (!in_got(im, r.r_offset))
			continue;
		slot_key(im, key, sizeof key, (unsigned)GELF_R_TYPE(r.r_info),
		    name, r.r_addend);
		if (add_slot(im, r.r_offset, 8, key, name) != PF_OK)
			return PF_ERR_NOMEM;
		im->slots[im->n_slots - 1].local = name == NULL ||
		    name[0] == '\0';
		im->slots[im->n_slots - 1].type = (unsigned)GELF_R_TYPE(r.r_info);
		im->slots[im->n_slots - 1].addend = r.r_addend;
	}
	return PF_OK;
}

/* The GOT slot a PLT entry jumps through: "jmp *disp(%rip)", maybe after
 * endbr64 and a bnd prefix. */
static bool
plt_target(const uint8_t *p, size_t n, uint64_t addr, uint64_t *slot)
{
	size_t i = 0;

	if (n >= 4 && memcmp(p, "\xf3\x0f\x1e\xfa", 4) == 0)
		i = 4;
	if (i < n && p[i] == 0xf2)
		i++;
	if (i + 6 > n || p[i] != 0xff || p[i + 1] != 0x25)
		return false;
	*slot = addr + i + 6 + (uint64_t)(int64_t)(int32_t)(p[i + 2] |
	    p[i + 3] << 8 | p[i + 4] << 16 | (uint32_t)p[i + 5] << 24);
	return true;
}

/* The first of the n first slots (sorted by addr) covering addr. */
static const hp_slot *
slot_in(const hp_image *im, size_t n, uint64_t addr)
{
	uint64_t from = addr >= im->slot_size_max ?
	    addr - im->slot_size_max + 1 : 0;
	size_t lo = 0, hi = n, i;

	/* The first slot that may cover addr: none before it ends past it. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (im->slots[mid].addr < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < n && im->slots[i].addr <= addr; i++)
		if (addr - im->slots[i].addr < im->slots[i].size)
			return &im->slots[i];
	return NULL;
}

/* PLT entries, as slots named after the GOT slots (sorted, before them
 * in the array) that they jump through. */
static pf_ret
load_plt(hp_image *im)
{
	size_t i, n_got = im->n_slots;
	uint64_t off, slot;
	char key[PF_ERR_MSG_MAX];

	for (i = 0; i < im->n_sects; i++) {
		const hp_sect *s = &im->sects[i];
		uint64_t step = strcmp(s->name, ".plt.got") == 0 &&
		    s->size % 16 != 0 ? 8 : 16;
		const hp_slot *g;

		if (strncmp(s->name, ".plt", 4) != 0 || s->data == NULL)
			continue;
		for (off = 0; off + step <= s->size; off += step) {
			if (!plt_target(s->data + off, step, s->addr + off,
			    &slot) || (g = slot_in(im, n_got, slot)) == NULL)
				continue;
			snprintf(key, sizeof key, "plt:%s", g->key);
			if (add_slot(im, s->addr + off, step, key, g->name) !=
			    PF_OK)
				return PF_ERR_NOMEM;
		}
	}
	return PF_OK;
}

pf_ret
hp_image_rekey_slots(hp_image *im)
{
	char key[PF_ERR_MSG_MAX];
	size_t i;

	for (i = 0; i < im->n_slots; i++) {
		hp_slot *s = &im->slots[i];

		if (!s->local)
			continue;
		slot_key(im, key, sizeof key, s->type, NULL, s->addend);
		free(s->key);
		if ((s->key = strdup(key)) == NULL)
			return PF_ERR_NOMEM;
	}
	return PF_OK;
}

static pf_ret
load_dyn(hp_image *im, Elf *e, pf_err *err)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn)) != NULL)
		if (gelf_getshdr(scn, &sh) != NULL && sh.sh_type == SHT_RELA &&
		    (sh.sh_flags & SHF_ALLOC) &&
		    load_rela_sect(im, e, scn, &sh) != PF_OK)
			return pf_err_nomem(err);
	if (im->n_slots > 1)
		qsort(im->slots, im->n_slots, sizeof *im->slots, cmp_slot_addr);
	if (load_plt(im) != PF_OK)
		return pf_err_nomem(err);
	if (im->n_slots > 1)
		qsort(im->slots, im->n_slots, sizeof *im->slots, cmp_slot_addr);
	if (im->n_dynrel)
		qsort(im->dynrel, im->n_dynrel, sizeof *im->dynrel, cmp_u64);
	return PF_OK;
}

pf_ret
hp_image_open(hp_image *im, const char *what, const uint8_t *p, size_t n,
    const hp_debug *dbg, pf_err *err)
{
	GElf_Ehdr eh;
	Elf *e;
	pf_ret r;

	memset(im, 0, sizeof *im);
	im->what = what;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return pf_err_set(err, PF_ERR_IO, "libelf is unusable");
	e = elf_memory((char *)(uintptr_t)p, n);
	im->elf = e;
	if (e == NULL || elf_kind(e) != ELF_K_ELF || gelf_getehdr(e, &eh) ==
	    NULL)
		return pf_err_set(err, PF_ERR_MISMATCH, "%s module is not an "
		    "ELF file", what);
	if (gelf_getclass(e) != ELFCLASS64 || eh.e_machine != EM_X86_64 ||
	    (eh.e_type != ET_DYN && eh.e_type != ET_EXEC))
		return pf_err_set(err, PF_ERR_UNSUPPORTED, "%s module: only "
		    "x86-64 executables and shared objects can be hot-patched",
		    what);
	load_build_id(im, e);
	if ((r = load_sects(im, e, err)) != PF_OK ||
	    (r = load_syms(im, e, dbg, err)) != PF_OK ||
	    (r = load_dyn(im, e, err)) != PF_OK)
		return r;
	if (im->build_id_len == 0)
		return pf_err_set(err, PF_ERR_UNSUPPORTED, "%s module has no "
		    "build id: link with --build-id", what);
	return PF_OK;
}

void
hp_image_close(hp_image *im)
{
	size_t i;

	for (i = 0; i < im->n_syms; i++) {
		free(im->syms[i].key);
		free(im->syms[i].how);
		free(im->syms[i].own_name);
	}
	for (i = 0; i < im->n_slots; i++)
		free(im->slots[i].key);
	free(im->syms);
	free(im->by_key);
	free(im->targets);
	free(im->slots);
	free(im->sects);
	free(im->dynrel);
	if (im->elf != NULL)
		elf_end(im->elf);
	if (im->dbg_elf != NULL)
		elf_end(im->dbg_elf);
	memset(im, 0, sizeof *im);
}

const hp_sect *
hp_image_sect(const hp_image *im, uint64_t addr)
{
	size_t i;

	for (i = 1; i < im->n_sects; i++) {
		const hp_sect *s = &im->sects[i];

		if ((s->flags & SHF_ALLOC) && addr >= s->addr &&
		    addr - s->addr < s->size)
			return s;
	}
	return NULL;
}

bool
hp_image_bytes(const hp_image *im, uint64_t addr, size_t n,
    const uint8_t **p)
{
	const hp_sect *s = hp_image_sect(im, addr);

	if (s == NULL || s->data == NULL || n > s->size - (addr - s->addr))
		return false;
	*p = s->data + (addr - s->addr);
	return true;
}

/* Which of the symbols at an address names it: one with a size before a
 * marker of size 0 (the linker's __TMC_END__ may sit on the copy of
 * stdout), a function before an object. */
static int
sym_rank(const hp_sym *y)
{
	return (y->size > 0 ? 2 : 0) + (y->kind == HP_FUNC ? 1 : 0);
}

const hp_sym *
hp_image_sym_at(const hp_image *im, uint64_t addr)
{
	size_t lo = 0, hi = im->n_syms, i;
	const hp_sym *best = NULL;

	/* The last symbol starting at or before addr, then back over the
	 * few that may still cover it (nested or overlapping symbols). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (im->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i-- > 0 && lo - i <= 16;) {
		const hp_sym *y = &im->syms[i];

		if ((addr - y->addr < y->size || (y->size == 0 &&
		    addr == y->addr)) && (best == NULL ||
		    sym_rank(y) > sym_rank(best)))
			best = y;
	}
	return best;
}

const hp_sym *
hp_image_sym_key(const hp_image *im, const char *key)
{
	const hp_sym *y;
	size_t at;

	y = key_first(im, key, &at);
	return y == NULL || y->dup ? NULL : y;
}

const hp_slot *
hp_image_slot_at(const hp_image *im, uint64_t addr)
{
	return slot_in(im, im->n_slots, addr);
}

const hp_slot *
hp_image_slot_key(const hp_image *im, const char *key)
{
	size_t i;

	for (i = 0; i < im->n_slots; i++)
		if (strcmp(im->slots[i].key, key) == 0)
			return &im->slots[i];
	return NULL;
}

bool
hp_image_is_dynrel(const hp_image *im, uint64_t addr)
{
	return im->n_dynrel != 0 && bsearch(&addr, im->dynrel, im->n_dynrel,
	    sizeof *im->dynrel, cmp_u64) != NULL;
}
