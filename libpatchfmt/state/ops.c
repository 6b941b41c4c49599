/*
 * What the state database decides and records: the checks before an
 * install (dependencies, conflicts, downgrades, targeting), the record
 * after it, and what a rollback needs (spec section 12).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "format/reader.h"
#include "format/manifest.h"
#include "state/db.h"

static pf_db_rec *
find(pf_db *db, const char *id)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcmp(db->recs[i].id, id) == 0)
			return &db->recs[i];
	return NULL;
}

static bool
active(const pf_db_rec *r)
{
	return r->superseded_by == NULL;
}

/* "name" or "name=version" in a list: the version, "" if none, or NULL. */
static const char *
listed(char **v, size_t n, const char *name)
{
	size_t i, k = strlen(name);

	for (i = 0; i < n; i++)
		if (strncmp(v[i], name, k) == 0 &&
		    (v[i][k] == '\0' || v[i][k] == '='))
			return v[i][k] ? v[i] + k + 1 : "";
	return NULL;
}

/* The version under which r offers name, or NULL if it does not. */
static const char *
offers(const pf_db_rec *r, const char *name)
{
	const char *v;

	if (strcmp(r->id, name) == 0)
		return r->version ? r->version : "";
	if ((v = listed(r->provides, r->n_provides, name)) != NULL)
		return v;
	return NULL;
}

static bool
version_ok(const char *have, const char *want)
{
	return want == NULL || (have != NULL && strverscmp(have, want) >= 0);
}

static pf_ret
check_requires(pf_db *db, const pf_dep *d)
{
	const char *v;
	size_t i;

	for (i = 0; i < db->n; i++) {
		if (!active(&db->recs[i]))
			continue;
		if ((v = offers(&db->recs[i], d->name)) != NULL &&
		    version_ok(v, d->version))
			return PF_OK;
	}
	return pf_err_set(&db->err, PF_ERR_DEPENDENCY,
	    "package requires '%s'%s%s, which is not installed", d->name,
	    d->version ? " " : "", d->version ? d->version : "");
}

static pf_ret
check_conflicts(pf_db *db, const pf_dep *d)
{
	const char *v;
	size_t i;

	for (i = 0; i < db->n; i++) {
		if (!active(&db->recs[i]))
			continue;
		v = offers(&db->recs[i], d->name);
		if (v != NULL && (d->version == NULL ||
		    strcmp(v, d->version) == 0))
			return pf_err_set(&db->err, PF_ERR_DEPENDENCY,
			    "package conflicts with installed '%s' %s",
			    db->recs[i].id, db->recs[i].version ?
			    db->recs[i].version : "");
	}
	return PF_OK;
}

static pf_ret
check_release(pf_db *db, const pf_manifest *m, const char *id, bool force)
{
	const char *family = m->family ? m->family : id;
	size_t i;

	if (m->release == 0)
		return PF_OK;
	for (i = 0; i < db->n; i++) {
		const pf_db_rec *r = &db->recs[i];

		if (r->family == NULL || strcmp(r->family, family) != 0 ||
		    r->release <= m->release || force)
			continue;
		return pf_err_set(&db->err, PF_ERR_DOWNGRADE,
		    "package is release %llu of family '%s', older than "
		    "installed release %llu ('%s'): refusing to downgrade",
		    (unsigned long long)m->release, family,
		    (unsigned long long)r->release, r->id);
	}
	return PF_OK;
}

static pf_ret
check_target(pf_db *db, const pf_manifest *m)
{
	const char *current = NULL;
	size_t i;

	if (m->product == NULL || m->n_from == 0)
		return PF_OK;
	for (i = 0; i < db->n; i++)
		if (active(&db->recs[i]) && db->recs[i].product != NULL &&
		    strcmp(db->recs[i].product, m->product) == 0)
			current = db->recs[i].to_version;
	if (current == NULL)
		return PF_OK;   /* the files' hashes decide */
	for (i = 0; i < m->n_from; i++)
		if (strcmp(m->from_versions[i], current) == 0)
			return PF_OK;
	return pf_err_set(&db->err, PF_ERR_MISMATCH,
	    "package applies to %s %s%s; installed is %s", m->product,
	    m->from_versions[0], m->n_from > 1 ? " and others" : "", current);
}

pf_ret
pf_db_check_install(pf_db *db, const pf_reader *rd, bool force_downgrade)
{
	const pf_manifest *m = pf_reader_manifest(rd);
	const char *id = pf_reader_id(rd);
	char hex[PF_SHA256_HEX_LEN];
	pf_db_rec *old;
	size_t i;
	pf_ret r;

	if (!pf_id_valid(id))
		return pf_err_set(&db->err, PF_ERR_CORRUPT,
		    "'%s' cannot be a patch ID", id);
	if ((old = find(db, id)) != NULL) {
		pf_sha256_hex(hex, pf_reader_digest(rd));
		if (old->digest && strcmp(old->digest, hex) == 0)
			return PF_OK;   /* this very package: already applied */
		return pf_err_set(&db->err, PF_ERR_DEPENDENCY,
		    "another package with ID '%s' is installed (version %s): "
		    "roll it back first", id, old->version ? old->version : "?");
	}
	if ((r = check_release(db, m, id, force_downgrade)) != PF_OK ||
	    (r = check_target(db, m)) != PF_OK)
		return r;
	for (i = 0; i < m->n_deps; i++) {
		if (m->deps[i].kind == PF_DEP_REQUIRES)
			r = check_requires(db, &m->deps[i]);
		else if (m->deps[i].kind == PF_DEP_CONFLICTS)
			r = check_conflicts(db, &m->deps[i]);
		if (r != PF_OK)
			return r;
	}
	return PF_OK;
}

/* Writing records. */

static void
put(FILE *f, const char *key, const char *val)
{
	if (val != NULL)
		fprintf(f, "%s %s\n", key, val);
}

static char *
render(const pf_db_rec *r, size_t *len)
{
	char *text = NULL;
	size_t i;
	FILE *f = open_memstream(&text, len);

	if (f == NULL)
		return NULL;
	put(f, "id", r->id);
	put(f, "version", r->version);
	put(f, "family", r->family);
	fprintf(f, "release %llu\n", (unsigned long long)r->release);
	put(f, "product", r->product);
	put(f, "to-version", r->to_version);
	put(f, "digest", r->digest);
	fprintf(f, "installed %llu\n", (unsigned long long)r->installed);
	put(f, "superseded-by", r->superseded_by);
	for (i = 0; i < r->n_provides; i++)
		put(f, "provides", r->provides[i]);
	for (i = 0; i < r->n_requires; i++)
		put(f, "requires", r->requires[i]);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Writes dir/name through a temporary file, fsync and rename. */
static pf_ret
write_atomic(pf_db *db, int dfd, const char *name, const char *text,
    size_t n)
{
	char tmp[300];
	int fd;
	pf_ret r;

	snprintf(tmp, sizeof tmp, ".%s.tmp", name);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot write in '%s'", db->dir);
	r = pf_write_full(fd, text, n, &db->err, name);
	if (r == PF_OK && fsync(fd) < 0)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno, "cannot sync");
	close(fd);
	if (r == PF_OK && renameat(dfd, tmp, dfd, name) < 0)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot rename in '%s'", db->dir);
	if (r == PF_OK && fsync(dfd) < 0)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno, "cannot sync");
	if (r != PF_OK)
		unlinkat(dfd, tmp, 0);
	return r;
}

static pf_ret
save_record_in(pf_db *db, int pdir, const char *name, const pf_db_rec *rec)
{
	char *text;
	size_t n;
	int dfd;
	pf_ret r;

	dfd = openat(pdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (dfd < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot open the state of '%s'", rec->id);
	if ((text = render(rec, &n)) == NULL) {
		close(dfd);
		return pf_err_nomem(&db->err);
	}
	r = write_atomic(db, dfd, "record", text, n);
	free(text);
	close(dfd);
	return r;
}

static pf_ret
save_record(pf_db *db, int pdir, const pf_db_rec *rec)
{
	return save_record_in(db, pdir, rec->id, rec);
}

static int
open_patches(pf_db *db)
{
	if (mkdirat(db->dfd, "patches", 0755) < 0 && errno != EEXIST)
		return -1;
	return openat(db->dfd, "patches", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
}

static pf_ret
fill_record(pf_db *db, pf_db_rec *rec, const pf_reader *rd)
{
	const pf_manifest *m = pf_reader_manifest(rd);
	char hex[PF_SHA256_HEX_LEN], *buf;
	size_t i;
	int bad = 0;

	memset(rec, 0, sizeof *rec);
	rec->id = strdup(pf_reader_id(rd));
	rec->version = m->version ? strdup(m->version) : NULL;
	rec->family = strdup(m->family ? m->family : pf_reader_id(rd));
	rec->release = m->release;
	rec->product = m->product ? strdup(m->product) : NULL;
	rec->to_version = m->to_version ? strdup(m->to_version) : NULL;
	rec->digest = strdup(pf_sha256_hex(hex, pf_reader_digest(rd)));
	rec->installed = (uint64_t)time(NULL);
	for (i = 0; i < m->n_deps; i++) {
		const pf_dep *d = &m->deps[i];

		if (asprintf(&buf, "%s%s%s", d->name, d->version ? "=" : "",
		    d->version ? d->version : "") < 0)
			return pf_err_nomem(&db->err);
		/* What a patch supersedes, it also provides. */
		if (d->kind == PF_DEP_PROVIDES || d->kind == PF_DEP_SUPERSEDES)
			bad |= pf_db_push(&rec->provides, &rec->n_provides,
			    buf);
		if (d->kind == PF_DEP_REQUIRES)
			bad |= pf_db_push(&rec->requires, &rec->n_requires,
			    buf);
		free(buf);
	}
	if (bad || rec->id == NULL || rec->family == NULL || rec->digest == NULL)
		return pf_err_nomem(&db->err);
	return PF_OK;
}

/* Removes a directory of the state and what it holds (one level). */
static void
remove_dir(int pdir, const char *name)
{
	int dfd = openat(pdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);

	if (dfd >= 0) {
		unlinkat(dfd, "package", 0);
		unlinkat(dfd, "record", 0);
		unlinkat(dfd, ".record.tmp", 0);
		close(dfd);
	}
	unlinkat(pdir, name, AT_REMOVEDIR);
}

/* The package and its record, made in a scratch directory, renamed. */
static pf_ret
store(pf_db *db, int pdir, pf_reader *rd, const pf_db_rec *rec)
{
	char tmp[300];
	int dfd = -1, fd = -1;
	pf_ret r;

	snprintf(tmp, sizeof tmp, ".new-%s", rec->id);
	remove_dir(pdir, tmp);
	if (mkdirat(pdir, tmp, 0755) < 0 ||
	    (dfd = openat(pdir, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 ||
	    (fd = openat(dfd, "package", O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0644)) < 0) {
		r = pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot write in '%s/patches'", db->dir);
		goto out;
	}
	if ((r = pf_reader_copy(rd, fd)) != PF_OK) {
		pf_err_set(&db->err, r, "%s", pf_reader_error(rd));
		goto out;
	}
	if (fsync(fd) < 0) {
		r = pf_err_errno(&db->err, PF_ERR_IO, errno, "cannot sync");
		goto out;
	}
	close(dfd);
	dfd = -1;
	if ((r = save_record_in(db, pdir, tmp, rec)) != PF_OK)
		goto out;
	if (renameat(pdir, tmp, pdir, rec->id) < 0 || fsync(pdir) < 0)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot record '%s'", rec->id);
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (r != PF_OK)
		remove_dir(pdir, tmp);
	return r;
}

/* Marks what the new patch supersedes; they stay for its rollback. */
static pf_ret
supersede(pf_db *db, int pdir, const pf_reader *rd)
{
	const pf_manifest *m = pf_reader_manifest(rd);
	pf_db_rec *old;
	size_t i;
	pf_ret r;

	for (i = 0; i < m->n_deps; i++) {
		if (m->deps[i].kind != PF_DEP_SUPERSEDES ||
		    (old = find(db, m->deps[i].name)) == NULL ||
		    !active(old) || strcmp(old->id, pf_reader_id(rd)) == 0)
			continue;
		if ((old->superseded_by = strdup(pf_reader_id(rd))) == NULL)
			return pf_err_nomem(&db->err);
		if ((r = save_record(db, pdir, old)) != PF_OK)
			return r;
	}
	return PF_OK;
}

pf_ret
pf_db_record(pf_db *db, pf_reader *rd)
{
	pf_db_rec rec, *v;
	int pdir;
	pf_ret r;

	if (find(db, pf_reader_id(rd)) != NULL) {
		/* Recorded before a crash: finish what may be missing. */
		if ((pdir = open_patches(db)) < 0)
			return pf_err_errno(&db->err, PF_ERR_IO, errno,
			    "cannot open '%s/patches'", db->dir);
		r = supersede(db, pdir, rd);
		close(pdir);
		return r;
	}
	if (!pf_id_valid(pf_reader_id(rd)))
		return pf_err_set(&db->err, PF_ERR_USAGE,
		    "'%s' cannot be a patch ID", pf_reader_id(rd));
	if ((pdir = open_patches(db)) < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot open '%s/patches'", db->dir);
	r = fill_record(db, &rec, rd);
	if (r == PF_OK)
		r = store(db, pdir, rd, &rec);
	if (r == PF_OK)
		r = supersede(db, pdir, rd);
	close(pdir);
	if (r == PF_OK && (v = realloc(db->recs, (db->n + 1) *
	    sizeof *v)) != NULL) {
		db->recs = v;
		v[db->n++] = rec;
		return PF_OK;
	}
	pf_db_rec_free(&rec);
	return r != PF_OK ? r : pf_err_nomem(&db->err);
}

pf_ret
pf_db_check_rollback(pf_db *db, const char *id, bool force)
{
	const pf_db_rec *r = find(db, id);
	size_t i;

	if (r == NULL)
		return pf_err_set(&db->err, PF_ERR_USAGE,
		    "no patch '%s' is installed", id);
	if (r->superseded_by != NULL && find(db, r->superseded_by) != NULL)
		return pf_err_set(&db->err, PF_ERR_DEPENDENCY,
		    "'%s' is superseded by '%s': roll that back first", id,
		    r->superseded_by);
	for (i = 0; i < db->n && !force; i++) {
		const pf_db_rec *o = &db->recs[i];

		if (o != r && active(o) &&
		    listed(o->requires, o->n_requires, id) != NULL)
			return pf_err_set(&db->err, PF_ERR_DEPENDENCY,
			    "installed '%s' requires '%s': roll it back first",
			    o->id, id);
	}
	return PF_OK;
}

pf_ret
pf_db_open_package(pf_db *db, const char *id, pf_reader **out)
{
	pf_trust trust = { .installed_copy = true };
	char path[300];
	int fd;
	pf_ret r;

	*out = NULL;
	if (find(db, id) == NULL)
		return pf_err_set(&db->err, PF_ERR_USAGE,
		    "no patch '%s' is installed", id);
	snprintf(path, sizeof path, "patches/%s/package", id);
	fd = openat(db->dfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot open '%s/%s'", db->dir, path);
	r = pf_reader_open_trusted(out, fd, &trust);
	if (r != PF_OK)
		pf_err_set(&db->err, r, "stored package of '%s': %s", id,
		    *out ? pf_reader_error(*out) : pf_ret_str(r));
	/* The reader reads the file again later: it closes it when freed. */
	if (*out != NULL)
		pf_reader_own_fd(*out);
	else
		close(fd);
	return r;
}

pf_ret
pf_db_forget(pf_db *db, const char *id)
{
	pf_db_rec *r = find(db, id);
	int pdir;
	size_t i;
	pf_ret ret = PF_OK;

	if (r == NULL)
		return PF_OK;
	if ((pdir = open_patches(db)) < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot open '%s/patches'", db->dir);
	remove_dir(pdir, id);
	fsync(pdir);
	/* What it superseded is in force again. */
	for (i = 0; i < db->n && ret == PF_OK; i++) {
		pf_db_rec *o = &db->recs[i];

		if (o->superseded_by == NULL || strcmp(o->superseded_by, id))
			continue;
		free(o->superseded_by);
		o->superseded_by = NULL;
		ret = save_record(db, pdir, o);
	}
	close(pdir);
	pf_db_rec_free(r);
	*r = db->recs[--db->n];
	if (db->n > 1)
		qsort(db->recs, db->n, sizeof *db->recs, pf_db_by_install);
	return ret;
}

void
pf_db_get(const pf_db *db, size_t i, pf_db_info *info)
{
	const pf_db_rec *r = &db->recs[i];

	info->id = r->id;
	info->version = r->version;
	info->family = r->family;
	info->release = r->release;
	info->product = r->product;
	info->to_version = r->to_version;
	info->superseded_by = r->superseded_by;
	info->digest = r->digest;
	info->installed = r->installed;
}
