/*
 * ELF run-time dependencies of what a package installs, checked under a
 * root before anything is written (spec/elf-needs.md).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "elf/needs.h"
#include "elf/needs_int.h"
#include "install/txn_int.h"
#include "format/types.h"

static pf_ret
provided_add(pf_elf_provided *prov, const pf_elf_lib *src, pf_err *err)
{
	pf_elf_lib *lib;
	size_t i;
	pf_ret r;

	r = pf_needs_lib_get(&prov->libs, &prov->n_libs, src->soname, &lib,
	    err);
	for (i = 0; r == PF_OK && i < src->n_versions; i++)
		r = pf_needs_set_add(&lib->versions, &lib->n_versions,
		    src->versions[i], PF_NEEDS_MAX_VERSIONS, "version", err);
	return r;
}

/* The libraries the package itself installs count as present. */
static pf_ret
package_provides(pf_txn *t, pf_elf_provided *extra)
{
	pf_elf_needs n;
	size_t i, j;
	pf_ret r;

	for (i = 0; i < t->m->n_entries; i++) {
		const pf_entry *e = &t->m->entries[i];

		if (e->provides_len == 0 || e->after.type != PF_TYPE_FILE)
			continue;
		memset(&n, 0, sizeof n);
		r = pf_elf_needs_decode(e->provides, e->provides_len, &n,
		    &t->err);
		for (j = 0; r == PF_OK && j < n.n_libs; j++)
			r = provided_add(extra, &n.libs[j], &t->err);
		pf_elf_needs_free(&n);
		if (r != PF_OK)
			return r;
	}
	return PF_OK;
}

static pf_ret
check_entry(pf_txn *t, int rootfd, const pf_entry *e,
    const pf_elf_provided *extra)
{
	pf_elf_needs n;
	pf_ret r;

	memset(&n, 0, sizeof n);
	r = pf_elf_needs_decode(e->needs, e->needs_len, &n, &t->err);
	if (r == PF_OK)
		r = pf_elf_needs_check(rootfd, e->path, &n, extra, &t->err);
	pf_elf_needs_free(&n);
	return r;
}

pf_ret
pf_txn_check_needs(pf_txn *t, const char *needs_root)
{
	pf_elf_provided extra;
	int rootfd = t->dirs.root;
	size_t i;
	pf_ret r;

	if (t->state == PF_TXN_NEW && (r = pf_txn_check(t)) != PF_OK)
		return r;
	if (needs_root != NULL &&
	    (rootfd = open(needs_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot open '%s'", needs_root);
	memset(&extra, 0, sizeof extra);
	r = package_provides(t, &extra);
	for (i = 0; r == PF_OK && i < t->m->n_entries; i++) {
		const pf_entry *e = &t->m->entries[i];

		if (e->needs_len > 0 && t->plan[i].action != PF_ACTION_NONE)
			r = check_entry(t, rootfd, e, &extra);
	}
	pf_elf_provided_free(&extra);
	if (needs_root != NULL)
		close(rootfd);
	return r;
}
