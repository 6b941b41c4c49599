/*
 * The manifest encoding of pf_elf_needs (spec/elf-needs.md section 3):
 * NEED fields, one per library in soname order, then RUNPATH fields in
 * search order.  Every string is checked against section 4 both ways, and
 * the decoder accepts the canonical order only, so that one set of needs
 * has exactly one encoding.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "format/field.h"
#include "format/format.h"
#include "format/needs.h"

/* The tags each structure knows, as bit masks. */
#define KNOWN_TOP       (UINT64_C(1) << PF_N_NEED | UINT64_C(1) << PF_N_RUNPATH)
#define KNOWN_NEED      (UINT64_C(1) << PF_N_NEED_SONAME | \
	UINT64_C(1) << PF_N_NEED_VERSION)

/* Section 4: non-empty, at most PF_NEEDS_MAX_STRING bytes. */
static bool
string_ok(const char *s)
{
	size_t len = strnlen(s, PF_NEEDS_MAX_STRING + 1);

	return len > 0 && len <= PF_NEEDS_MAX_STRING;
}

/* Sorted, distinct and within limits, as the decoder demands. */
static bool
sorted_ok(char *const *v, size_t n, size_t max)
{
	size_t i;

	if (n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!string_ok(v[i]) || (i > 0 && strcmp(v[i - 1], v[i]) >= 0))
			return false;
	return true;
}

static bool
encodable(const pf_elf_needs *needs)
{
	size_t i;

	if (needs->n_libs > PF_NEEDS_MAX_LIBS ||
	    needs->n_runpaths > PF_NEEDS_MAX_RUNPATHS)
		return false;
	for (i = 0; i < needs->n_libs; i++)
		if (!string_ok(needs->libs[i].soname) ||
		    (i > 0 && strcmp(needs->libs[i - 1].soname,
		    needs->libs[i].soname) >= 0) ||
		    !sorted_ok(needs->libs[i].versions,
		    needs->libs[i].n_versions, PF_NEEDS_MAX_VERSIONS))
			return false;
	for (i = 0; i < needs->n_runpaths; i++)
		if (!string_ok(needs->runpaths[i]) ||
		    pf_needs_has(needs->runpaths, i, needs->runpaths[i]))
			return false;
	return true;
}

pf_ret
pf_elf_needs_encode(const pf_elf_needs *needs, pf_buf *out)
{
	pf_buf need;
	size_t i, j;

	if (!encodable(needs))
		return PF_ERR_USAGE;
	pf_buf_init(&need);
	for (i = 0; i < needs->n_libs; i++) {
		need.len = 0;
		pf_put_string(&need, PF_N_NEED_SONAME, needs->libs[i].soname);
		for (j = 0; j < needs->libs[i].n_versions; j++)
			pf_put_string(&need, PF_N_NEED_VERSION,
			    needs->libs[i].versions[j]);
		pf_put_nested(out, PF_N_NEED, &need);
	}
	for (i = 0; i < needs->n_runpaths; i++)
		pf_put_string(out, PF_N_RUNPATH, needs->runpaths[i]);
	pf_buf_free(&need);
	return out->failed ? PF_ERR_NOMEM : PF_OK;
}

/*
 * Reads the next field of c that the structure knows.  Tags must not go
 * down; unknown critical tags are refused, other unknown ones skipped
 * (spec/patchfmt.md section 4.3).  *more is false at the end.
 */
static pf_ret
next_field(pf_cur *c, uint64_t known, uint64_t *last, pf_field *f,
    bool *more, const char *what, pf_err *err)
{
	while ((*more = pf_field_next(c, f))) {
		if (f->tag < *last)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "fields of the %s are out of order", what);
		*last = f->tag;
		if (f->tag < 64 && (known & UINT64_C(1) << f->tag) != 0)
			return PF_OK;
		if (PF_TAG_CRITICAL(f->tag))
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "unknown critical field %llu in the %s: the package "
			    "needs a newer patchfmt",
			    (unsigned long long)f->tag, what);
	}
	if (c->bad)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "malformed field in the %s", what);
	return PF_OK;
}

/*
 * One string field that must come after prev (NULL: the first).  *s
 * must be NULL on entry, and is NULL again on failure.
 */
static pf_ret
take_string(const pf_field *f, const char *prev, char **s, const char *what,
    pf_err *err)
{
	pf_ret r;

	if ((r = pf_field_string(f, PF_NEEDS_MAX_STRING, s, err, what)) !=
	    PF_OK)
		return r;
	if (**s == '\0')
		r = pf_err_set(err, PF_ERR_CORRUPT, "empty %s", what);
	else if (prev != NULL && strcmp(prev, *s) >= 0)
		r = pf_err_set(err, PF_ERR_CORRUPT,
		    "%s '%s' is out of order or repeated", what, *s);
	if (r != PF_OK) {
		free(*s);
		*s = NULL;
	}
	return r;
}

/* Appends a decoded string to a list that has room (n < max). */
static pf_ret
push(char ***v, size_t *n, size_t max, char *s, const char *what,
    pf_err *err)
{
	char **nv;

	if (*n >= max)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "more than %zu %s", max, what);
	if ((nv = realloc(*v, (*n + 1) * sizeof *nv)) == NULL)
		return pf_err_nomem(err);
	nv[(*n)++] = s;
	*v = nv;
	return PF_OK;
}

/* One VERSION, after the versions before it. */
static pf_ret
take_version(const pf_field *f, pf_elf_lib *lib, pf_err *err)
{
	const char *prev = lib->n_versions == 0 ? NULL :
	    lib->versions[lib->n_versions - 1];
	char *s = NULL;
	pf_ret r;

	if ((r = take_string(f, prev, &s, "version", err)) != PF_OK)
		return r;
	r = push(&lib->versions, &lib->n_versions, PF_NEEDS_MAX_VERSIONS, s,
	    "versions of one library", err);
	if (r != PF_OK)
		free(s);
	return r;
}

/* The fields of one NEED; the soname comes first by its tag. */
static pf_ret
decode_lib(const pf_field *outer, pf_elf_lib *lib, pf_err *err)
{
	uint64_t last = 0;
	bool more;
	pf_field f;
	pf_cur c;
	pf_ret r;

	pf_cur_init(&c, outer->val, outer->len);
	while ((r = next_field(&c, KNOWN_NEED, &last, &f, &more,
	    "needed library", err)) == PF_OK && more) {
		if (f.tag == PF_N_NEED_SONAME && lib->soname != NULL)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "a needed library has two sonames");
		if (f.tag == PF_N_NEED_SONAME)
			r = take_string(&f, NULL, &lib->soname, "soname", err);
		else
			r = take_version(&f, lib, err);
		if (r != PF_OK)
			return r;
	}
	if (r == PF_OK && lib->soname == NULL)
		r = pf_err_set(err, PF_ERR_CORRUPT,
		    "a needed library lacks its soname");
	return r;
}

/* Appends one NEED to out, in soname order. */
static pf_ret
decode_need(const pf_field *f, pf_elf_needs *out, pf_err *err)
{
	pf_elf_lib lib = { NULL, NULL, 0 }, *nv;
	pf_ret r;

	if ((r = decode_lib(f, &lib, err)) != PF_OK)
		goto out;
	if (out->n_libs >= PF_NEEDS_MAX_LIBS) {
		r = pf_err_set(err, PF_ERR_CORRUPT,
		    "more than %d needed libraries", PF_NEEDS_MAX_LIBS);
		goto out;
	}
	if (out->n_libs > 0 &&
	    strcmp(out->libs[out->n_libs - 1].soname, lib.soname) >= 0) {
		r = pf_err_set(err, PF_ERR_CORRUPT,
		    "needed library '%s' is out of order or repeated",
		    lib.soname);
		goto out;
	}
	if ((nv = realloc(out->libs, (out->n_libs + 1) * sizeof *nv)) == NULL) {
		r = pf_err_nomem(err);
		goto out;
	}
	out->libs = nv;
	out->libs[out->n_libs++] = lib;
	return PF_OK;
out:
	free(lib.soname);
	pf_needs_strv_free(lib.versions, lib.n_versions);
	return r;
}

/* One RUNPATH: any order, but no repeats. */
static pf_ret
decode_runpath(const pf_field *f, pf_elf_needs *out, pf_err *err)
{
	char *s = NULL;
	pf_ret r;

	r = take_string(f, NULL, &s, "run path entry", err);
	if (r == PF_OK && pf_needs_has(out->runpaths, out->n_runpaths, s))
		r = pf_err_set(err, PF_ERR_CORRUPT,
		    "run path entry '%s' is repeated", s);
	if (r == PF_OK)
		r = push(&out->runpaths, &out->n_runpaths,
		    PF_NEEDS_MAX_RUNPATHS, s, "run path entries", err);
	if (r != PF_OK)
		free(s);
	return r;
}

pf_ret
pf_elf_needs_decode(const uint8_t *p, size_t n, pf_elf_needs *out,
    pf_err *err)
{
	uint64_t last = 0;
	bool more;
	pf_field f;
	pf_cur c;
	pf_ret r;

	/* An empty record may come as a NULL pointer, which no cursor takes. */
	if (n == 0)
		return PF_OK;
	pf_cur_init(&c, p, n);
	while ((r = next_field(&c, KNOWN_TOP, &last, &f, &more,
	    "ELF needs record", err)) == PF_OK && more) {
		if (f.tag == PF_N_NEED)
			r = decode_need(&f, out, err);
		else
			r = decode_runpath(&f, out, err);
		if (r != PF_OK)
			break;
	}
	if (r != PF_OK)
		pf_elf_needs_free(out);
	return r;
}
