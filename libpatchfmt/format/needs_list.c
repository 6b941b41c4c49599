/*
 * The lists of the needs module.  Sonames and versions are kept sorted
 * and distinct as they are added, so that a package records them in one
 * order whatever the order of the ELF file (spec/elf-needs.md section 3).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/ckd.h"
#include "format/needs.h"

/* Checks one string against the limits of spec/elf-needs.md section 4. */
static pf_ret
check_string(const char *s, const char *what, pf_err *err)
{
	size_t len = strnlen(s, PF_NEEDS_MAX_STRING + 1);

	if (len == 0)
		return pf_err_set(err, PF_ERR_CORRUPT, "empty %s", what);
	if (len > PF_NEEDS_MAX_STRING)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "%s '%.64s...' is longer than %d bytes", what, s,
		    PF_NEEDS_MAX_STRING);
	return PF_OK;
}

/* Where s is, or would go, in the sorted list v. */
static size_t
position(char *const *v, size_t n, const char *s, bool *found)
{
	size_t lo = 0, hi = n, mid;
	int c;

	*found = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(v[mid], s);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Grows the array v of n elements of size bytes by one, and opens a slot
 * at index at; returns the new array, or NULL when out of memory (then v
 * is unchanged).
 */
static void *
open_slot(void *v, size_t n, size_t at, size_t size)
{
	size_t bytes;
	char *nv;

	if (pf_mul_overflow_size(n + 1, size, &bytes) ||
	    (nv = realloc(v, bytes)) == NULL)
		return NULL;
	memmove(nv + (at + 1) * size, nv + at * size, (n - at) * size);
	return nv;
}

/* Copies s into a new slot at index at of v, moving the rest along. */
static pf_ret
insert_at(char ***v, size_t *n, size_t at, const char *s, size_t max,
    const char *what, pf_err *err)
{
	char **nv, *copy;
	pf_ret r;

	if ((r = check_string(s, what, err)) != PF_OK)
		return r;
	if (*n >= max)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "more than %zu %s", max, what);
	if ((copy = strdup(s)) == NULL)
		return pf_err_nomem(err);
	if ((nv = open_slot(*v, *n, at, sizeof *nv)) == NULL) {
		free(copy);
		return pf_err_nomem(err);
	}
	nv[at] = copy;
	*v = nv;
	(*n)++;
	return PF_OK;
}

pf_ret
pf_needs_set_add(char ***v, size_t *n, const char *s, size_t max,
    const char *what, pf_err *err)
{
	bool found;
	size_t at = position(*v, *n, s, &found);

	if (found)
		return PF_OK;
	return insert_at(v, n, at, s, max, what, err);
}

pf_ret
pf_needs_list_add(char ***v, size_t *n, const char *s, size_t max,
    const char *what, pf_err *err)
{
	if (pf_needs_has(*v, *n, s))
		return PF_OK;
	return insert_at(v, n, *n, s, max, what, err);
}

bool
pf_needs_has(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

const pf_elf_lib *
pf_needs_lib_find(const pf_elf_lib *v, size_t n, const char *soname)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(v[mid].soname, soname);
		if (c == 0)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

pf_ret
pf_needs_lib_get(pf_elf_lib **v, size_t *n, const char *soname,
    pf_elf_lib **lib, pf_err *err)
{
	pf_elf_lib *nv;
	size_t at;
	char *copy;
	pf_ret r;

	if ((*lib = (pf_elf_lib *)pf_needs_lib_find(*v, *n, soname)) != NULL)
		return PF_OK;
	if ((r = check_string(soname, "soname", err)) != PF_OK)
		return r;
	if (*n >= PF_NEEDS_MAX_LIBS)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "more than %d needed libraries", PF_NEEDS_MAX_LIBS);
	for (at = 0; at < *n && strcmp((*v)[at].soname, soname) < 0; at++)
		;
	if ((copy = strdup(soname)) == NULL)
		return pf_err_nomem(err);
	if ((nv = open_slot(*v, *n, at, sizeof *nv)) == NULL) {
		free(copy);
		return pf_err_nomem(err);
	}
	nv[at] = (pf_elf_lib){ copy, NULL, 0 };
	*v = nv;
	(*n)++;
	*lib = &nv[at];
	return PF_OK;
}

void
pf_needs_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
pf_needs_libs_free(pf_elf_lib *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].soname);
		pf_needs_strv_free(v[i].versions, v[i].n_versions);
	}
	free(v);
}

void
pf_elf_needs_free(pf_elf_needs *needs)
{
	if (needs == NULL)
		return;
	pf_needs_libs_free(needs->libs, needs->n_libs);
	pf_needs_strv_free(needs->runpaths, needs->n_runpaths);
	memset(needs, 0, sizeof *needs);
}

void
pf_elf_provided_free(pf_elf_provided *prov)
{
	if (prov == NULL)
		return;
	pf_needs_libs_free(prov->libs, prov->n_libs);
	memset(prov, 0, sizeof *prov);
}
