/*
 * Apply side of the needs module: can the target tree satisfy what a
 * file needs?  Each needed library is looked for as ld.so(8) would look
 * for it, in the file's run path ($ORIGIN expanded), the directories of
 * ROOT/etc/ld.so.conf, then the default directories, and the versions
 * required of it are looked up among those the library found defines.
 * Every lookup stays under the root (needs_root.c).
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf/needs_int.h"

#define MAX_DIRS        4096

/* The trusted directories of ld.so on Debian x86-64, in its order. */
static const char *const default_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
	"/usr/lib64", "/lib", "/usr/lib"
};

typedef struct check {
	int root;
	const char *file;               /* the needing file, from the root */
	char **dirs;                    /* search order */
	size_t n_dirs;
	char msg[PF_ERR_MSG_MAX];       /* one line per missing item */
	size_t missing;
	size_t omitted;                 /* lines that did not fit in msg */
	pf_err *err;
} check;

/*
 * Adds one line to the report.  A line that does not fit whole is left
 * out, never cut, and counted: the report ends with how many were.
 */
static void
missing(check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
missing(check *c, const char *fmt, ...)
{
	/* Room kept for the last line, "(and N more missing)". */
	size_t start = strlen(c->msg), len = start;
	size_t room = sizeof c->msg - 48;
	va_list ap;
	int n = -1;

	if (c->missing++ > 0)
		c->msg[len++] = '\n';
	va_start(ap, fmt);
	if (len < room)
		n = vsnprintf(c->msg + len, room - len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room - len) {
		c->msg[start] = '\0';
		c->omitted++;
	}
}

/* Matches "$ORIGIN" or "${ORIGIN}" at p; returns its length, or 0. */
static size_t
origin_token(const char *p)
{
	if (strncmp(p, "${ORIGIN}", 9) == 0)
		return 9;
	if (strncmp(p, "$ORIGIN", 7) == 0 &&
	    !isalnum((unsigned char)p[7]) && p[7] != '_')
		return 7;
	return 0;
}

/*
 * One run path entry with $ORIGIN replaced by the directory of the file,
 * or NULL for entries ld.so would resolve against something not known
 * here: other $ tokens and relative paths (the working directory).
 */
static pf_ret
expand(check *c, const char *entry, char **out)
{
	const char *slash = strrchr(c->file, '/');
	size_t k;
	pf_buf b;
	pf_ret r = PF_OK;

	*out = NULL;
	pf_buf_init(&b);
	for (; *entry != '\0'; entry++) {
		if ((k = origin_token(entry)) > 0) {
			pf_buf_append(&b, "/", 1);
			pf_buf_append(&b, c->file,
			    slash != NULL ? (size_t)(slash - c->file) : 0);
			entry += k - 1;
		} else if (*entry == '$') {
			goto out;
		} else {
			pf_buf_append(&b, entry, 1);
		}
	}
	pf_buf_append(&b, "", 1);
	if (b.failed)
		r = pf_err_nomem(c->err);
	else if (b.data[0] == '/' && b.len <= PF_NEEDS_MAX_STRING)
		*out = (char *)pf_buf_take(&b, &k);
out:
	pf_buf_free(&b);
	return r;
}

static pf_ret
add_dir(check *c, const char *dir)
{
	return pf_needs_list_add(&c->dirs, &c->n_dirs, dir, MAX_DIRS,
	    "library directories", c->err);
}

/* The search order: run path, ld.so.conf, default directories. */
static pf_ret
search_dirs(check *c, const pf_elf_needs *needs)
{
	char *dir;
	size_t i;
	pf_ret r = PF_OK;

	for (i = 0; r == PF_OK && i < needs->n_runpaths; i++) {
		r = expand(c, needs->runpaths[i], &dir);
		if (r == PF_OK && dir != NULL)
			r = add_dir(c, dir);
		free(dir);
	}
	if (r == PF_OK)
		r = pf_needs_ldconf(c->root, &c->dirs, &c->n_dirs, c->err);
	for (i = 0; r == PF_OK && i < sizeof default_dirs / sizeof *default_dirs;
	    i++)
		r = add_dir(c, default_dirs[i]);
	return r;
}

/*
 * Opens path as a shared library under the root.  *e is NULL when there
 * is nothing there ld.so would load; ld.so then tries the next directory.
 */
static pf_ret
try_open(check *c, const char *path, int *fd, Elf **e)
{
	*e = NULL;
	if ((*fd = pf_needs_root_open(c->root, path, 0)) < 0)
		return errno == ENOMEM ? pf_err_nomem(c->err) : PF_OK;
	if (elf_version(EV_CURRENT) != EV_NONE)
		*e = elf_begin(*fd, ELF_C_READ, NULL);
	if (*e != NULL && elf_kind(*e) == ELF_K_ELF && pf_needs_is_dso(*e))
		return PF_OK;
	elf_end(*e);
	*e = NULL;
	close(*fd);
	*fd = -1;
	return PF_OK;
}

/* Finds soname: *where is the path it was found at, or NULL. */
static pf_ret
find_lib(check *c, const char *soname, char **where, int *fd, Elf **e)
{
	size_t i, len;
	pf_ret r;

	*where = NULL;
	/* A name with a slash is a path, and is not searched for. */
	if (strchr(soname, '/') != NULL) {
		if ((r = try_open(c, soname, fd, e)) == PF_OK && *e != NULL &&
		    (*where = strdup(soname)) == NULL)
			r = pf_err_nomem(c->err);
		return r;
	}
	for (i = 0; i < c->n_dirs; i++) {
		len = strlen(c->dirs[i]) + strlen(soname) + 2;
		if ((*where = malloc(len)) == NULL)
			return pf_err_nomem(c->err);
		snprintf(*where, len, "%s/%s", c->dirs[i], soname);
		if ((r = try_open(c, *where, fd, e)) != PF_OK || *e != NULL)
			return r;
		free(*where);
		*where = NULL;
	}
	return PF_OK;
}

/* Length of a version name without its number: "GLIBC" of "GLIBC_2.34". */
static size_t
family_len(const char *v)
{
	size_t n = strlen(v);

	while (n > 0 && (isdigit((unsigned char)v[n - 1]) || v[n - 1] == '.' ||
	    v[n - 1] == '_'))
		n--;
	return n;
}

/* The highest version of the same family as want that def defines. */
static const char *
highest_like(const pf_elf_lib *def, const char *want)
{
	size_t n = family_len(want), i;
	const char *best = NULL, *v;

	for (i = 0; i < def->n_versions; i++) {
		v = def->versions[i];
		if (family_len(v) == n && strncmp(v, want, n) == 0 &&
		    (best == NULL || strverscmp(v, best) > 0))
			best = v;
	}
	return best;
}

/* Reports each version of need that def lacks; by says who defines. */
static void
compare(check *c, const pf_elf_lib *need, const pf_elf_lib *def,
    const char *by)
{
	const char *want, *best;
	size_t i;

	for (i = 0; i < need->n_versions; i++) {
		want = need->versions[i];
		if (pf_needs_has(def->versions, def->n_versions, want))
			continue;
		if ((best = highest_like(def, want)) != NULL)
			missing(c, "'%s' needs %s from %s; %s defines up to %s",
			    c->file, want, need->soname, by, best);
		else if (def->n_versions > 0)
			missing(c, "'%s' needs %s from %s; %s does not define "
			    "it", c->file, want, need->soname, by);
		else
			missing(c, "'%s' needs %s from %s; %s defines no "
			    "symbol versions", c->file, want, need->soname, by);
	}
}

/* Checks one library found on disk at where. */
static pf_ret
check_found(check *c, const pf_elf_lib *need, const char *where, Elf *e)
{
	pf_elf_lib def = { (char *)where, NULL, 0 };
	char by[PF_NEEDS_MAX_STRING + 32];
	pf_ret r;

	snprintf(by, sizeof by, "'%s' under the root", where);
	r = pf_needs_verdefs(e, &def, c->err);
	if (r == PF_ERR_CORRUPT) {
		missing(c, "'%s' needs %s, but %s is damaged", c->file,
		    need->soname, by);
		r = PF_OK;
	} else if (r == PF_OK) {
		compare(c, need, &def, by);
	}
	pf_needs_strv_free(def.versions, def.n_versions);
	return r;
}

/* One needed library: from the package itself, or from the tree. */
static pf_ret
check_lib(check *c, const pf_elf_lib *need, const pf_elf_provided *extra)
{
	const pf_elf_lib *own = NULL;
	char by[PF_NEEDS_MAX_STRING + 32], *where = NULL;
	Elf *e = NULL;
	int fd = -1;
	pf_ret r = PF_OK;

	if (extra != NULL)
		own = pf_needs_lib_find(extra->libs, extra->n_libs,
		    need->soname);
	if (own != NULL) {
		snprintf(by, sizeof by, "the package's %s", own->soname);
		compare(c, need, own, by);
		goto out;
	}
	if ((r = find_lib(c, need->soname, &where, &fd, &e)) != PF_OK)
		goto out;
	if (e == NULL)
		missing(c, "'%s' needs %s, which is not under the root",
		    c->file, need->soname);
	else
		r = check_found(c, need, where, e);
out:
	elf_end(e);
	if (fd >= 0)
		close(fd);
	free(where);
	return r;
}

pf_ret
pf_elf_needs_check(int rootfd, const char *file_path,
    const pf_elf_needs *needs, const pf_elf_provided *extra, pf_err *err)
{
	check *c;
	size_t i;
	pf_ret r;

	if (needs == NULL || file_path == NULL)
		return pf_err_set(err, PF_ERR_USAGE,
		    "pf_elf_needs_check needs a file and its needs");
	if ((c = calloc(1, sizeof *c)) == NULL)
		return pf_err_nomem(err);
	*c = (check){ .root = rootfd, .file = file_path, .err = err };
	r = search_dirs(c, needs);
	for (i = 0; r == PF_OK && i < needs->n_libs; i++)
		r = check_lib(c, &needs->libs[i], extra);
	if (r == PF_OK && c->missing > 0 && c->omitted > 0)
		r = pf_err_set(err, PF_ERR_DEPENDENCY, "%s\n(and %zu more "
		    "missing)", c->msg, c->omitted);
	else if (r == PF_OK && c->missing > 0)
		r = pf_err_set(err, PF_ERR_DEPENDENCY, "%s", c->msg);
	pf_needs_strv_free(c->dirs, c->n_dirs);
	free(c);
	return r;
}
