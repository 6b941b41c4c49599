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
#include "common/sized.h"
#include "package/reader.h"
#include "install/txn_int.h"
#include "format/manifest.h"
#include "state/db.h"
#include "state/journal.h"

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
	if ((old = pf_db_find(db, id)) != NULL) {
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
	if (val == NULL)
		return;
	fprintf(f, "%s ", key);
	pf_db_escape(f, val);
	fputc('\n', f);
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
	for (i = 0; i < r->n_supersedes; i++)
		put(f, "supersedes", r->supersedes[i]);
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
write_record(pf_db *db, int dfd, const pf_db_rec *rec)
{
	char *text;
	size_t n;
	pf_ret r;

	if ((text = render(rec, &n)) == NULL)
		return pf_err_nomem(&db->err);
	r = write_atomic(db, dfd, "record", text, n);
	free(text);
	return r;
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
		if (d->kind == PF_DEP_SUPERSEDES &&
		    strcmp(d->name, rec->id ? rec->id : "") != 0)
			bad |= pf_db_push(&rec->supersedes,
			    &rec->n_supersedes, d->name);
		free(buf);
	}
	if (bad || rec->id == NULL || rec->family == NULL || rec->digest == NULL)
		return pf_err_nomem(&db->err);
	return PF_OK;
}

/*
 * Removes a directory of the state and what it holds (one level): first
 * renamed out of the way, so that no half-removed patch is ever found
 * under its ID.
 */
void
pf_db_remove_dir(int pdir, const char *name)
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

/*
 * The package and its record, made under ".new-ID" before the tree is
 * touched; the commit point renames it to ID.  The copy is the verified
 * bytes or nothing (pf_reader_copy()).
 */
static pf_ret
prepare(pf_db *db, int pdir, pf_reader *rd, const pf_db_rec *rec)
{
	char tmp[PF_MAX_ID + 8];
	int dfd = -1, fd = -1;
	pf_ret r;

	snprintf(tmp, sizeof tmp, ".new-%s", rec->id);
	pf_db_remove_dir(pdir, tmp);
	if (mkdirat(pdir, tmp, 0755) < 0 ||
	    (dfd = openat(pdir, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 ||
	    (fd = openat(dfd, "package", O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0644)) < 0) {
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
	r = write_record(db, dfd, rec);
	if (r == PF_OK && fsync(pdir) < 0)
		r = pf_err_errno(&db->err, PF_ERR_IO, errno, "cannot sync");
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (r != PF_OK)
		pf_db_remove_dir(pdir, tmp);
	return r;
}

/* The hooks of a transaction that installs or rolls back (section 12). */
typedef struct txn_ctx {
	pf_db *db;
	int pdir;
	const char *id;
	const uint8_t *digest;
	const char *root;
	bool rollback;
} txn_ctx;

static pf_ret
hook_begin(void *opaque, pf_txn *t)
{
	txn_ctx *c = opaque;

	return pf_journal_begin(c->db, t, c->rollback, c->id, c->digest,
	    c->root);
}

/* One rename in the state directory is the commit point of both. */
static pf_ret
hook_commit(void *opaque, pf_txn *t)
{
	txn_ctx *c = opaque;
	char from[PF_MAX_ID + 8], to[PF_MAX_ID + 8];

	(void)t;
	snprintf(from, sizeof from, c->rollback ? "%s" : ".new-%s", c->id);
	snprintf(to, sizeof to, c->rollback ? ".old-%s" : "%s", c->id);
	if (renameat2(c->pdir, from, c->pdir, to, RENAME_NOREPLACE) < 0)
		return pf_err_errno(&c->db->err, PF_ERR_IO, errno,
		    "cannot record '%s' in '%s/patches'", c->id, c->db->dir);
	if (fsync(c->pdir) < 0) {
		int saved = errno;

		/* Not known to be durable: back to before the commit point. */
		if (renameat(c->pdir, to, c->pdir, from) == 0)
			return pf_err_errno(&c->db->err, PF_ERR_IO, saved,
			    "cannot sync '%s/patches'", c->db->dir);
	}
	return PF_OK;
}

static pf_ret
hook_end(void *opaque, pf_txn *t, bool committed)
{
	txn_ctx *c = opaque;

	snprintf(c->db->cause, sizeof c->db->cause, "%s", committed ? "" :
	    t->cause.msg);
	return pf_journal_end(c->db, c->pdir, c->id, c->rollback, committed);
}

static pf_ret
run_txn(pf_db *db, pf_txn *t, txn_ctx *c)
{
	pf_txn_hooks h = { hook_begin, hook_commit, hook_end, c };
	pf_ret r;

	r = pf_txn_commit_with(t, &h);
	/* A hook's failure is told by the state, the tree's by the txn. */
	if (r != PF_OK && db->err.code != PF_OK)
		return pf_err_set(&db->err, r, "%s", db->err.msg);
	if (r != PF_OK)
		return pf_err_set(&db->err, r, "%s", pf_txn_error(t));
	return PF_OK;
}

pf_ret
pf_db_install(pf_db *db, pf_reader *rd, pf_txn *t, const char *root)
{
	const char *id = pf_reader_id(rd);
	txn_ctx c = { db, -1, id, pf_reader_digest(rd), root, false };
	pf_db_rec rec;
	pf_ret r;

	pf_err_clear(&db->err);
	if (pf_txn_get_state(t) == PF_TXN_NEW && pf_txn_check(t) != PF_OK)
		return pf_err_set(&db->err, PF_ERR_USAGE, "%s", pf_txn_error(t));
	if (pf_db_find(db, id) != NULL) {
		if (pf_txn_get_state(t) == PF_TXN_ALREADY_APPLIED)
			return PF_OK;
		return pf_err_set(&db->err, PF_ERR_MISMATCH,
		    "'%s' is installed, but files of it changed since: see "
		    "patch-status; roll it back with --force first", id);
	}
	if ((c.pdir = open_patches(db)) < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot open '%s/patches'", db->dir);
	r = fill_record(db, &rec, rd);
	if (r == PF_OK)
		r = prepare(db, c.pdir, rd, &rec);
	/* Once committed, the install stands: nothing after may fail. */
	if (r == PF_OK)
		r = pf_db_mem_reserve(db);
	if (r == PF_OK)
		r = run_txn(db, t, &c);
	/* The handle shows the new state to its next call (a package
	 * manager installs several packages with one handle). */
	if (r == PF_OK)
		r = pf_db_mem_add(db, &rec);
	pf_db_rec_free(&rec);
	close(c.pdir);
	return r;
}

pf_ret
pf_db_rollback(pf_db *db, const char *id, pf_txn *t, const char *root)
{
	const pf_db_rec *rec = pf_db_find(db, id);
	uint8_t digest[32];
	txn_ctx c = { db, -1, id, digest, root, true };
	pf_ret r;

	pf_err_clear(&db->err);
	if (rec == NULL || pf_unhex(digest, rec->digest, 32) < 0)
		return pf_err_set(&db->err, PF_ERR_NOT_INSTALLED,
		    "no patch '%s' is installed", id);
	if ((c.pdir = open_patches(db)) < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot open '%s/patches'", db->dir);
	r = run_txn(db, t, &c);
	close(c.pdir);
	if (r == PF_OK)
		r = pf_db_mem_remove(db, id);
	return r;
}

pf_ret
pf_db_check_rollback(pf_db *db, const char *id, bool force)
{
	const pf_db_rec *r = pf_db_find(db, id);
	size_t i;

	if (r == NULL)
		return pf_err_set(&db->err, PF_ERR_NOT_INSTALLED,
		    "no patch '%s' is installed", id);
	if (r->superseded_by != NULL)
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

/* The package stored at patches/NAME, which must have this digest. */
pf_ret
pf_db_open_stored(pf_db *db, const char *name, const uint8_t digest[32],
    pf_reader **out)
{
	char path[PF_MAX_ID + 32];
	int fd;
	pf_ret r;

	*out = NULL;
	snprintf(path, sizeof path, "patches/%s/package", name);
	fd = openat(db->dfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot open '%s/%s'", db->dir, path);
	r = pf_reader_open_installed(out, fd, digest);
	if (r != PF_OK)
		pf_err_set(&db->err, r, "stored package of '%s': %s", name,
		    *out ? pf_reader_error(*out) : pf_ret_str(r));
	/* The reader reads the file again later: it closes it when freed. */
	if (*out != NULL)
		pf_reader_own_fd(*out);
	else
		close(fd);
	return r;
}

pf_ret
pf_db_open_package(pf_db *db, const char *id, pf_reader **out)
{
	const pf_db_rec *rec = pf_db_find(db, id);
	uint8_t digest[32];

	*out = NULL;
	if (rec == NULL)
		return pf_err_set(&db->err, PF_ERR_NOT_INSTALLED,
		    "no patch '%s' is installed", id);
	if (pf_unhex(digest, rec->digest, 32) < 0)
		return pf_err_set(&db->err, PF_ERR_IO,
		    "state record of '%s' is damaged", id);
	return pf_db_open_stored(db, id, digest, out);
}

void
pf_db_get(const pf_db *db, size_t i, pf_db_info *out)
{
	const pf_db_rec *r = &db->recs[i];
	pf_db_info info = { .size = sizeof info };

	info.id = r->id;
	info.version = r->version;
	info.family = r->family;
	info.release = r->release;
	info.product = r->product;
	info.to_version = r->to_version;
	info.superseded_by = r->superseded_by;
	info.digest = r->digest;
	info.installed = r->installed;
	pf_sized_copy(out, &info, sizeof info);
}
