/*
 * Build side of the needs module: what an ELF file needs at run time,
 * read from its dynamic section (DT_NEEDED, DT_RUNPATH, DT_RPATH) and its
 * version requirements (SHT_GNU_verneed, ".gnu.version_r").
 */
#include <config.h>

#include <elf.h>
#include <string.h>

#include "common/ckd.h"
#include "elf/needs_int.h"

static pf_ret
corrupt(const char *what, pf_err *err)
{
	return pf_err_set(err, PF_ERR_CORRUPT,
	    "damaged %s in the ELF file", what);
}

/* Records one DT_NEEDED entry. */
static pf_ret
add_needed(Elf *e, size_t strndx, size_t off, pf_elf_needs *out,
    pf_err *err)
{
	const char *name = pf_needs_string(e, strndx, off);
	pf_elf_lib *lib;

	if (name == NULL)
		return corrupt("DT_NEEDED entry", err);
	return pf_needs_lib_get(&out->libs, &out->n_libs, name, &lib, err);
}

/* Splits a search path at ':', dropping empty and repeated entries. */
static pf_ret
add_paths(const char *list, pf_elf_needs *out, pf_err *err)
{
	char entry[PF_NEEDS_MAX_STRING + 1];
	const char *p = list, *colon;
	size_t len;
	pf_ret r;

	for (;; p = colon + 1) {
		colon = strchr(p, ':');
		len = colon != NULL ? (size_t)(colon - p) : strlen(p);
		if (len > PF_NEEDS_MAX_STRING)
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "a run path entry is longer than %d bytes",
			    PF_NEEDS_MAX_STRING);
		memcpy(entry, p, len);
		entry[len] = '\0';
		r = len == 0 ? PF_OK : pf_needs_list_add(&out->runpaths,
		    &out->n_runpaths, entry, PF_NEEDS_MAX_RUNPATHS,
		    "run path entries", err);
		if (r != PF_OK || colon == NULL)
			return r;
	}
}

/* Walks the dynamic section: needed libraries and the search path. */
static pf_ret
read_dynamic(Elf *e, Elf_Scn *s, const GElf_Shdr *sh, pf_elf_needs *out,
    pf_err *err)
{
	/* The search path, as string table offsets; index 0 is DT_RUNPATH. */
	bool have[2] = { false, false };
	size_t path[2] = { 0, 0 }, k;
	const char *list;
	Elf_Data *d;
	GElf_Dyn dyn;
	size_t i, n;
	pf_ret r;

	if ((d = elf_getdata(s, NULL)) == NULL)
		return corrupt("dynamic section", err);
	n = pf_needs_dyn_count(e, d);
	for (i = 0; i < n && gelf_getdyn(d, (int)i, &dyn) != NULL; i++) {
		if (dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag == DT_NEEDED &&
		    (r = add_needed(e, sh->sh_link, dyn.d_un.d_val, out, err)) !=
		    PF_OK)
			return r;
		k = dyn.d_tag == DT_RUNPATH ? 0 : 1;
		if ((dyn.d_tag == DT_RUNPATH || dyn.d_tag == DT_RPATH) &&
		    !have[k]) {
			have[k] = true;
			path[k] = dyn.d_un.d_val;
		}
	}
	/* ld.so ignores DT_RPATH when DT_RUNPATH is present. */
	if (!have[0] && !have[1])
		return PF_OK;
	list = pf_needs_string(e, sh->sh_link, have[0] ? path[0] : path[1]);
	if (list == NULL)
		return corrupt("run path", err);
	return add_paths(list, out, err);
}

/* One Verneed entry: the file it names and its non-weak versions. */
static pf_ret
read_verneed(Elf *e, Elf_Data *d, size_t strndx, size_t off,
    const GElf_Verneed *vn, pf_elf_needs *out, pf_err *err)
{
	const char *file, *name;
	GElf_Vernaux aux;
	pf_elf_lib *lib;
	size_t at, i;
	pf_ret r;

	if ((file = pf_needs_string(e, strndx, vn->vn_file)) == NULL)
		return corrupt("version requirement", err);
	if ((r = pf_needs_lib_get(&out->libs, &out->n_libs, file, &lib,
	    err)) != PF_OK)
		return r;
	if (pf_add_overflow_size(off, vn->vn_aux, &at))
		return corrupt("version requirement", err);
	for (i = 0; i < vn->vn_cnt; i++) {
		if (at > INT32_MAX || gelf_getvernaux(d, (int)at, &aux) == NULL ||
		    (name = pf_needs_string(e, strndx, aux.vna_name)) == NULL)
			return corrupt("version requirement", err);
		/* A weak reference is not fatal to ld.so when it is missing. */
		if ((aux.vna_flags & VER_FLG_WEAK) == 0 &&
		    (r = pf_needs_set_add(&lib->versions, &lib->n_versions,
		    name, PF_NEEDS_MAX_VERSIONS, "required versions", err)) !=
		    PF_OK)
			return r;
		if (aux.vna_next == 0)
			break;
		if (pf_add_overflow_size(at, aux.vna_next, &at))
			return corrupt("version requirement", err);
	}
	return PF_OK;
}

/* Walks the Verneed chain; each step moves forward, so it ends. */
static pf_ret
read_verneeds(Elf *e, pf_elf_needs *out, pf_err *err)
{
	GElf_Verneed vn;
	GElf_Shdr sh;
	Elf_Scn *s;
	Elf_Data *d;
	size_t off = 0;
	pf_ret r;

	if ((s = pf_needs_section(e, SHT_GNU_verneed, &sh)) == NULL)
		return PF_OK;
	if ((d = elf_getdata(s, NULL)) == NULL)
		return corrupt("version requirements", err);
	while (off <= INT32_MAX && gelf_getverneed(d, (int)off, &vn) != NULL) {
		r = read_verneed(e, d, sh.sh_link, off, &vn, out, err);
		if (r != PF_OK || vn.vn_next == 0)
			return r;
		if (pf_add_overflow_size(off, vn.vn_next, &off))
			break;
	}
	return corrupt("version requirements", err);
}

pf_ret
pf_elf_needs_read(const uint8_t *p, size_t n, pf_elf_needs *out,
    pf_err *err)
{
	GElf_Shdr sh;
	Elf_Scn *s;
	Elf *e;
	pf_ret r = PF_OK;

	if ((e = pf_needs_elf_memory(p, n)) == NULL)
		return PF_OK;
	if ((s = pf_needs_section(e, SHT_DYNAMIC, &sh)) == NULL)
		goto out;
	if ((r = read_dynamic(e, s, &sh, out, err)) == PF_OK)
		r = read_verneeds(e, out, err);
out:
	elf_end(e);
	if (r != PF_OK)
		pf_elf_needs_free(out);
	return r;
}
