/*
 * libelf access shared by both sides: the dynamic section, its strings,
 * and the version definitions (SHT_GNU_verdef, ".gnu.version_d") that the
 * check reads from the libraries it finds and the builder from the
 * libraries a package ships.
 */
#include <config.h>

#include <elf.h>
#include <string.h>

#include "common/ckd.h"
#include "elf/needs_int.h"

/* A library may define many more versions than one file may require. */
#define MAX_DEFINED     65536

Elf *
pf_needs_elf_memory(const uint8_t *p, size_t n)
{
	Elf *e;

	if (n < EI_NIDENT || memcmp(p, ELFMAG, SELFMAG) != 0)
		return NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	/* libelf only reads the buffer; the cast drops a const it keeps. */
	e = elf_memory((char *)(uintptr_t)p, n);
	if (e != NULL && elf_kind(e) != ELF_K_ELF) {
		elf_end(e);
		e = NULL;
	}
	return e;
}

Elf_Scn *
pf_needs_section(Elf *e, GElf_Word type, GElf_Shdr *sh)
{
	Elf_Scn *s = NULL;

	while ((s = elf_nextscn(e, s)) != NULL)
		if (gelf_getshdr(s, sh) != NULL && sh->sh_type == type)
			return s;
	return NULL;
}

const char *
pf_needs_string(Elf *e, size_t strndx, size_t off)
{
	/* elf_strptr() checks the offset and the terminating NUL. */
	return elf_strptr(e, strndx, off);
}

/*
 * The first dynamic entry with this tag, and the string table its
 * strings live in; false when there is none.
 */
static bool
find_dyn(Elf *e, GElf_Sxword tag, GElf_Dyn *dyn, size_t *strndx)
{
	GElf_Shdr sh;
	Elf_Scn *s;
	Elf_Data *d;
	size_t i, n;

	if ((s = pf_needs_section(e, SHT_DYNAMIC, &sh)) == NULL ||
	    (d = elf_getdata(s, NULL)) == NULL)
		return false;
	*strndx = sh.sh_link;
	n = pf_needs_dyn_count(e, d);
	for (i = 0; i < n && gelf_getdyn(d, (int)i, dyn) != NULL; i++) {
		if (dyn->d_tag == DT_NULL)
			break;
		if (dyn->d_tag == tag)
			return true;
	}
	return false;
}

bool
pf_needs_is_dso(Elf *e)
{
	GElf_Ehdr eh;
	GElf_Dyn dyn;
	size_t strndx;

	/* A PIE is ET_DYN too, but ld.so will not load it as a library. */
	return gelf_getehdr(e, &eh) != NULL && eh.e_type == ET_DYN &&
	    !(find_dyn(e, DT_FLAGS_1, &dyn, &strndx) &&
	    (dyn.d_un.d_val & DF_1_PIE) != 0);
}

size_t
pf_needs_dyn_count(Elf *e, const Elf_Data *d)
{
	size_t each = gelf_fsize(e, ELF_T_DYN, 1, EV_CURRENT);

	/* gelf_getdyn() takes an int index. */
	if (each == 0 || d->d_size / each > INT32_MAX)
		return 0;
	return d->d_size / each;
}

const char *
pf_needs_soname(Elf *e)
{
	GElf_Dyn dyn;
	size_t strndx;

	if (!find_dyn(e, DT_SONAME, &dyn, &strndx))
		return NULL;
	return pf_needs_string(e, strndx, dyn.d_un.d_val);
}

/* The name of one version definition: its first auxiliary entry. */
static const char *
verdef_name(Elf *e, Elf_Data *d, size_t strndx, size_t off,
    const GElf_Verdef *vd)
{
	GElf_Verdaux aux;
	size_t at;

	if (vd->vd_cnt == 0 || pf_add_overflow_size(off, vd->vd_aux, &at) ||
	    gelf_getverdaux(d, (int)at, &aux) == NULL)
		return NULL;
	return pf_needs_string(e, strndx, aux.vda_name);
}

/* Adds the version one Verdef entry defines, unless it is the base. */
static pf_ret
add_verdef(Elf *e, Elf_Data *d, size_t strndx, size_t off,
    const GElf_Verdef *vd, pf_elf_lib *lib, pf_err *err)
{
	const char *name;

	if ((vd->vd_flags & VER_FLG_BASE) != 0)
		return PF_OK;
	if ((name = verdef_name(e, d, strndx, off, vd)) == NULL)
		return PF_ERR_CORRUPT;
	return pf_needs_set_add(&lib->versions, &lib->n_versions, name,
	    MAX_DEFINED, "version definitions", err);
}

pf_ret
pf_needs_verdefs(Elf *e, pf_elf_lib *lib, pf_err *err)
{
	GElf_Verdef vd;
	GElf_Shdr sh;
	Elf_Scn *s;
	Elf_Data *d;
	size_t off = 0;
	pf_ret r = PF_ERR_CORRUPT;

	if ((s = pf_needs_section(e, SHT_GNU_verdef, &sh)) == NULL)
		return PF_OK;
	d = elf_getdata(s, NULL);
	/* Entries chain by vd_next; each step moves forward, so this ends. */
	while (d != NULL && off <= INT32_MAX &&
	    gelf_getverdef(d, (int)off, &vd) != NULL) {
		if ((r = add_verdef(e, d, sh.sh_link, off, &vd, lib, err)) !=
		    PF_OK)
			break;
		if (vd.vd_next == 0)
			return PF_OK;
		r = PF_ERR_CORRUPT;
		if (pf_add_overflow_size(off, vd.vd_next, &off))
			break;
	}
	if (r == PF_ERR_CORRUPT)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "damaged version definitions in '%s'", lib->soname);
	return r;
}

pf_ret
pf_elf_provides_read(const uint8_t *p, size_t n, const char *name,
    pf_elf_provided *prov, pf_err *err)
{
	const char *soname;
	pf_elf_lib *lib;
	Elf *e;
	pf_ret r = PF_OK;

	if ((e = pf_needs_elf_memory(p, n)) == NULL)
		return PF_OK;
	if (!pf_needs_is_dso(e))
		goto out;
	if ((soname = pf_needs_soname(e)) == NULL && (soname = name) == NULL)
		goto out;
	r = pf_needs_lib_get(&prov->libs, &prov->n_libs, soname, &lib, err);
	if (r == PF_OK)
		r = pf_needs_verdefs(e, lib, err);
out:
	elf_end(e);
	return r;
}
