/*
 * Looking up a dynamic symbol in the modules of a process, from their
 * PT_DYNAMIC, DT_SYMTAB, DT_STRTAB and hash tables in its memory: what a
 * patch needs whose new code calls a function the old module did not
 * import (spec/hotpatch.md section 4.2, IMPORT).
 */
#include <config.h>

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "live/proc.h"

#define DYN_MAX 256                 /* entries of PT_DYNAMIC read */
#define TAB_MAX (64u << 20)         /* bytes of a symbol or string table */
#define CHAIN_MAX (1u << 20)

typedef struct dyninfo {
	uint64_t symtab, strtab, strsz, gnu_hash, hash;
} dyninfo;

/* The dynamic linker relocates most of PT_DYNAMIC in place, not all (the
 * vDSO's, read-only ones): an address below the base is still an offset. */
static uint64_t
fix(const lv_module *m, uint64_t v)
{
	return v != 0 && v < m->base ? v + m->base : v;
}

static bool
read_dyn(lv_proc *p, const lv_module *m, dyninfo *d)
{
	Elf64_Dyn dyn[DYN_MAX];
	size_t i, n = m->dyn_len / sizeof *dyn;

	memset(d, 0, sizeof *d);
	if (n > DYN_MAX)
		n = DYN_MAX;
	if (m->dyn == 0 || n == 0 ||
	    lv_proc_read(p, m->dyn, dyn, n * sizeof *dyn) != PF_OK)
		return false;
	for (i = 0; i < n && dyn[i].d_tag != DT_NULL; i++) {
		uint64_t v = dyn[i].d_un.d_val;

		switch (dyn[i].d_tag) {
		case DT_SYMTAB: d->symtab = fix(m, v); break;
		case DT_STRTAB: d->strtab = fix(m, v); break;
		case DT_STRSZ: d->strsz = v; break;
		case DT_GNU_HASH: d->gnu_hash = fix(m, v); break;
		case DT_HASH: d->hash = fix(m, v); break;
		default: break;
		}
	}
	return d->symtab != 0 && d->strtab != 0 && d->strsz != 0 &&
	    d->strsz <= TAB_MAX && (d->hash != 0 || d->gnu_hash != 0);
}

/* The number of symbols: DT_HASH says it; with DT_GNU_HASH only, it is
 * one past the end of the chain of the highest bucket. */
static bool
sym_count(lv_proc *p, const dyninfo *d, uint64_t *n)
{
	uint32_t h[4], b, c, max = 0, i;
	uint64_t buckets, chain;

	if (d->hash != 0)
		return lv_proc_read(p, d->hash, h, 8) == PF_OK &&
		    (*n = h[1]) > 0;
	if (lv_proc_read(p, d->gnu_hash, h, 16) != PF_OK ||
	    h[0] > CHAIN_MAX || h[2] > CHAIN_MAX)
		return false;
	buckets = d->gnu_hash + 16 + (uint64_t)h[2] * 8;
	for (i = 0; i < h[0]; i++) {
		if (lv_proc_read(p, buckets + 4 * (uint64_t)i, &b, 4) != PF_OK)
			return false;
		max = b > max ? b : max;
	}
	if (max < h[1]) {
		*n = h[1];
		return true;
	}
	chain = buckets + 4 * (uint64_t)h[0];
	for (i = max; i - max < CHAIN_MAX; i++) {
		if (lv_proc_read(p, chain + 4 * (uint64_t)(i - h[1]), &c,
		    4) != PF_OK)
			return false;
		if (c & 1)
			break;
	}
	*n = (uint64_t)i + 1;
	return true;
}

static int
find_in(const Elf64_Sym *syms, uint64_t n, const char *str, uint64_t strsz,
    const char *name)
{
	uint64_t i;

	for (i = 1; i < n; i++) {
		const Elf64_Sym *s = &syms[i];
		int bind = ELF64_ST_BIND(s->st_info);

		if (s->st_shndx == SHN_UNDEF || s->st_name >= strsz ||
		    (bind != STB_GLOBAL && bind != STB_WEAK) ||
		    strcmp(str + s->st_name, name) != 0)
			continue;
		return (int)i;
	}
	return -1;
}

/* Looks name up in one module; *found is 0 (not there), 1, or -1 (an
 * IFUNC or TLS symbol, which has no address to call). */
static pf_ret
lookup(lv_proc *p, const lv_module *m, const char *name, int *found,
    uint64_t *addr)
{
	Elf64_Sym *syms = NULL;
	char *str = NULL;
	dyninfo d;
	uint64_t n;
	int i;
	pf_ret r = PF_OK;

	*found = 0;
	if (!read_dyn(p, m, &d) || !sym_count(p, &d, &n) ||
	    n > TAB_MAX / sizeof *syms)
		return PF_OK;
	syms = malloc(n * sizeof *syms);
	str = malloc(d.strsz + 1);
	if (syms == NULL || str == NULL) {
		r = pf_err_nomem(p->err);
		goto out;
	}
	if (lv_proc_read(p, d.symtab, syms, n * sizeof *syms) != PF_OK ||
	    lv_proc_read(p, d.strtab, str, d.strsz) != PF_OK)
		goto out;
	str[d.strsz] = '\0';
	if ((i = find_in(syms, n, str, d.strsz, name)) < 0)
		goto out;
	*found = ELF64_ST_TYPE(syms[i].st_info) == STT_GNU_IFUNC ||
	    ELF64_ST_TYPE(syms[i].st_info) == STT_TLS ? -1 : 1;
	*addr = m->base + syms[i].st_value;
out:
	free(syms);
	free(str);
	/* A table that cannot be read only means: not in this module. */
	if (r == PF_OK)
		pf_err_clear(p->err);
	return r;
}

pf_ret
lv_proc_symbol(lv_proc *p, const char *name, uint64_t *addr)
{
	size_t i;
	int found;
	pf_ret r;

	for (i = 0; i < p->n_mods; i++) {
		if ((r = lookup(p, &p->mods[i], name, &found, addr)) != PF_OK)
			return r;
		if (found < 0)
			return pf_err_set(p->err, PF_ERR_UNSUPPORTED, "'%s' in "
			    "'%s' is an IFUNC or thread-local symbol: the patch "
			    "cannot import it", name, p->mods[i].path);
		if (found > 0)
			return PF_OK;
	}
	return pf_err_set(p->err, PF_ERR_MISMATCH, "'%s', which the patch "
	    "imports, is not defined in process %d", name, (int)p->pid);
}
