/*
 * Section 5.1.7: the applier reads dpkg's status file before it writes.
 * The file is untrusted text (a staging root may hold anything), read
 * in bounded size and parsed by common/deb822.c.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/deb822.h"
#include "common/fileio.h"
#include "common/md5.h"
#include "format/format.h"
#include "format/manifest.h"
#include "format/dpkg.h"
#include "install/dpkg.h"

/* The largest status file read: real ones are a few MiB. */
#define MAX_STATUS (UINT64_C(256) << 20)

int
pf_dpkg_open(const char *root, const char *rel)
{
	char part[256];
	const char *p = rel, *slash;
	int dfd, fd, e;
	size_t n;

	if ((dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	while ((slash = strchr(p, '/')) != NULL) {
		n = (size_t)(slash - p);
		if (n == 0 || n >= sizeof part) {
			close(dfd);
			errno = EINVAL;
			return -1;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		fd = openat(dfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		e = errno;
		close(dfd);
		if (fd < 0) {
			errno = e;
			return -1;
		}
		dfd = fd;
		p = slash + 1;
	}
	fd = openat(dfd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	e = errno;
	close(dfd);
	errno = e;
	return fd;
}

/* dpkg's Status is "want flag status": installed is the last word. */
bool
pf_dpkg_installed(const char *status)
{
	size_t n = status ? strlen(status) : 0;

	return n >= 9 && strcmp(status + n - 9, "installed") == 0 &&
	    (n == 9 || status[n - 10] == ' ');
}

/* Architecture "all" installs on any; otherwise they must agree. */
static bool
arch_fits(const char *want, const char *have)
{
	return want == NULL || have == NULL || strcmp(want, "all") == 0 ||
	    strcmp(have, "all") == 0 || strcmp(want, have) == 0;
}

pf_ret
pf_dpkg_status_version(const char *text, size_t len, const char *package,
    const char *arch, char **version, pf_err *err)
{
	char *name = NULL, *status = NULL, *a = NULL;
	const char *s;
	pf_deb822 d;
	size_t n;
	pf_ret r = PF_OK;

	*version = NULL;
	pf_deb822_init(&d, text, len);
	while (r == PF_OK && *version == NULL && pf_deb822_next(&d, &s, &n)) {
		if ((r = pf_deb822_field(s, n, "Package", &name, err)) ==
		    PF_OK && name != NULL && strcmp(name, package) == 0 &&
		    (r = pf_deb822_field(s, n, "Status", &status, err)) ==
		    PF_OK && pf_dpkg_installed(status) &&
		    (r = pf_deb822_field(s, n, "Architecture", &a, err)) ==
		    PF_OK && arch_fits(arch, a)) {
			r = pf_deb822_field(s, n, "Version", version, err);
			/* Installed without a version: another version. */
			if (r == PF_OK && *version == NULL &&
			    (*version = strdup("")) == NULL)
				r = pf_err_nomem(err);
		}
		free(name);
		free(status);
		free(a);
		name = status = a = NULL;
	}
	return r;
}

static pf_ret
read_status(const char *root, char **text, size_t *len, bool *none,
    pf_err *err)
{
	int fd = pf_dpkg_open(root, "var/lib/dpkg/status");
	pf_ret r;

	*none = false;
	if (fd < 0 && errno == ENOENT) {
		*none = true;
		return PF_OK;
	}
	if (fd < 0)
		return pf_err_errno(err, PF_ERR_IO, errno, "cannot open dpkg's "
		    "status file '%s/var/lib/dpkg/status'", root);
	r = pf_slurp_fd(fd, MAX_STATUS, (uint8_t **)text, len, err,
	    "var/lib/dpkg/status");
	close(fd);
	return r;
}

pf_ret
pf_dpkg_check(const char *root, const pf_manifest *m, pf_dpkg_state *state,
    pf_err *err)
{
	const pf_dpkg_origin *d = m->dpkg;
	char *text = NULL, *have = NULL;
	size_t len = 0;
	bool none;
	pf_ret r;

	*state = PF_DPKG_NO_DATABASE;
	if (d == NULL)
		return PF_OK;
	if ((r = read_status(root, &text, &len, &none, err)) != PF_OK || none)
		goto out;
	r = pf_dpkg_status_version(text, len, d->package, d->arch, &have, err);
	if (r != PF_OK)
		goto out;
	if (have == NULL) {
		*state = PF_DPKG_ABSENT;
		r = pf_err_set(err, PF_ERR_MISMATCH, "dpkg package '%s' is not "
		    "installed under '%s' (var/lib/dpkg/status): the package "
		    "patches version '%s' of it", d->package, root,
		    d->from_version);
	} else if (strcmp(have, d->from_version) != 0) {
		*state = PF_DPKG_OTHER_VERSION;
		r = pf_err_set(err, PF_ERR_MISMATCH, "dpkg package '%s' is at "
		    "version '%s' under '%s', but the package applies to "
		    "version '%s'", d->package, have, root, d->from_version);
	} else {
		*state = PF_DPKG_INSTALLED;
		if (d->depends != NULL)
			r = pf_dpkg_check_depends(text, len, d->depends,
			    d->package, err);
	}
out:
	free(text);
	free(have);
	return r;
}

/* The largest md5sums list read. */
#define MAX_MD5SUMS (UINT64_C(64) << 20)

void
pf_dpkg_mismatches_free(pf_dpkg_mismatch *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

static int
open_md5sums(const char *root, const pf_dpkg_origin *d)
{
	char rel[PF_MAX_PATH];
	int fd = -1;

	if (d->arch != NULL) {
		snprintf(rel, sizeof rel, "var/lib/dpkg/info/%s:%s.md5sums",
		    d->package, d->arch);
		fd = pf_dpkg_open(root, rel);
	}
	if (fd < 0) {
		snprintf(rel, sizeof rel, "var/lib/dpkg/info/%s.md5sums",
		    d->package);
		fd = pf_dpkg_open(root, rel);
	}
	return fd;
}

/* One line "MD5  PATH": the file, if the package changed it. */
static pf_ret
check_line(const char *root, const pf_manifest *m, const char *l, size_t k,
    pf_dpkg_mismatch **out, size_t *n, pf_err *err)
{
	const pf_entry *e;
	char hex[33], rel[PF_MAX_PATH + 1];
	pf_dpkg_mismatch *v;
	size_t plen;
	int fd;
	pf_ret r;

	if (k < 35 || l[32] != ' ' || l[33] != ' ')
		return PF_OK;
	plen = k - 34;
	if (plen > PF_MAX_PATH || (e = pf_manifest_find(m, l + 34, plen)) ==
	    NULL || e->after.type != PF_TYPE_FILE)
		return PF_OK;
	memcpy(rel, l + 34, plen);
	rel[plen] = '\0';
	if ((fd = pf_dpkg_open(root, rel)) < 0)
		return PF_OK;
	r = pf_md5_fd_hex(fd, hex, err, rel);
	close(fd);
	if (r != PF_OK || strncasecmp(hex, l, 32) == 0)
		return r;
	if ((v = realloc(*out, (*n + 1) * sizeof *v)) == NULL)
		return pf_err_nomem(err);
	*out = v;
	v += (*n)++;
	memcpy(v->expected, l, 32);
	v->expected[32] = '\0';
	memcpy(v->found, hex, 33);
	return (v->path = strdup(rel)) ? PF_OK : pf_err_nomem(err);
}

pf_ret
pf_dpkg_md5_mismatches(const char *root, const pf_manifest *m,
    pf_dpkg_mismatch **out, size_t *n, pf_err *err)
{
	char *text = NULL, *l, *nl;
	size_t len = 0;
	int fd;
	pf_ret r = PF_OK;

	*out = NULL;
	*n = 0;
	if (m->dpkg == NULL || (fd = open_md5sums(root, m->dpkg)) < 0)
		return PF_OK;
	r = pf_slurp_fd(fd, MAX_MD5SUMS, (uint8_t **)&text, &len, err,
	    "md5sums");
	close(fd);
	for (l = text; r == PF_OK && l != NULL && l < text + len; l = nl) {
		size_t k;

		nl = memchr(l, '\n', (size_t)(text + len - l));
		k = nl ? (size_t)(nl - l) : (size_t)(text + len - l);
		r = check_line(root, m, l, k, out, n, err);
		if (nl != NULL)
			nl++;
	}
	free(text);
	if (r != PF_OK) {
		pf_dpkg_mismatches_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return r;
}
