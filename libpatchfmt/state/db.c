/*
 * pf_db: which patches are installed under a root, what they provide and
 * require, what superseded what, and the packages themselves, whose
 * rollback data undoes them (spec section 12).
 *
 *   STATE/lock                  flock()ed while a tool works
 *   STATE/journal               the transaction under way (journal.c)
 *   STATE/patches/ID/package    the package as installed, verified
 *   STATE/patches/ID/record     "key value" lines, written once
 *   STATE/patches/.new-ID/      an install being prepared
 *   STATE/patches/.old-ID/      a patch rolled back, being removed
 *
 * A patch is installed when its directory appears under its ID, and
 * rolled back when it leaves: one rename each.  Values in records are
 * escaped (pf_db_escape()) so that no value can start a line of its own.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "format/format.h"
#include "format/manifest.h"
#include "state/db.h"
#include "state/journal.h"

#define RECORD_MAX 65536

void
pf_db_rec_free(pf_db_rec *r)
{
	size_t i;

	free(r->id);
	free(r->version);
	free(r->family);
	free(r->product);
	free(r->to_version);
	free(r->superseded_by);
	free(r->digest);
	for (i = 0; i < r->n_provides; i++)
		free(r->provides[i]);
	for (i = 0; i < r->n_requires; i++)
		free(r->requires[i]);
	for (i = 0; i < r->n_supersedes; i++)
		free(r->supersedes[i]);
	free(r->provides);
	free(r->requires);
	free(r->supersedes);
	memset(r, 0, sizeof *r);
}

int
pf_db_push(char ***v, size_t *n, const char *s)
{
	char **p = realloc(*v, (*n + 1) * sizeof *p);

	if (p == NULL)
		return -1;
	*v = p;
	if ((p[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

void
pf_db_escape(FILE *f, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '%')
			fprintf(f, "%%%02X", *p);
		else
			fputc(*p, f);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
pf_db_unescape(char *s)
{
	char *w = s;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return -1;
		if (*s != '%') {
			*w++ = *s;
			continue;
		}
		if ((hi = hexval(s[1])) < 0 || (lo = hexval(s[2])) < 0 ||
		    (hi == 0 && lo == 0))
			return -1;
		*w++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*w = '\0';
	return 0;
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*out = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/* One "key value" line of a record; -1 damaged, -2 out of memory. */
static int
rec_line(pf_db_rec *r, const char *key, const char *val)
{
	char **dst = NULL;

	if (strcmp(key, "id") == 0) dst = &r->id;
	else if (strcmp(key, "version") == 0) dst = &r->version;
	else if (strcmp(key, "family") == 0) dst = &r->family;
	else if (strcmp(key, "product") == 0) dst = &r->product;
	else if (strcmp(key, "to-version") == 0) dst = &r->to_version;
	else if (strcmp(key, "superseded-by") == 0) dst = &r->superseded_by;
	else if (strcmp(key, "digest") == 0) dst = &r->digest;
	else if (strcmp(key, "release") == 0)
		return parse_u64(val, &r->release);
	else if (strcmp(key, "installed") == 0)
		return parse_u64(val, &r->installed);
	else if (strcmp(key, "provides") == 0)
		return pf_db_push(&r->provides, &r->n_provides, val) ? -2 : 0;
	else if (strcmp(key, "requires") == 0)
		return pf_db_push(&r->requires, &r->n_requires, val) ? -2 : 0;
	else if (strcmp(key, "supersedes") == 0)
		return pf_db_push(&r->supersedes, &r->n_supersedes, val) ? -2 :
		    0;
	if (dst == NULL)
		return 0;       /* unknown keys are for newer versions */
	if (*dst != NULL)
		return -1;      /* a single-valued key said twice */
	return (*dst = strdup(val)) ? 0 : -2;
}

/* Every line is "key value\n", the value escaped; nothing else. */
static pf_ret
rec_parse(pf_db *db, pf_db_rec *r, char *text, size_t n, const char *id)
{
	char *line = text, *nl, *sp;
	int rc = 0;

	if (memchr(text, '\0', n) != NULL || (n > 0 && text[n - 1] != '\n'))
		rc = -1;
	while (rc == 0 && *line != '\0') {
		nl = strchr(line, '\n');
		*nl = '\0';
		if ((sp = strchr(line, ' ')) == NULL || sp == line) {
			rc = -1;
			break;
		}
		*sp = '\0';
		if (pf_db_unescape(sp + 1) < 0)
			rc = -1;
		else
			rc = rec_line(r, line, sp + 1);
		line = nl + 1;
	}
	if (rc == -2)
		return pf_err_nomem(&db->err);
	if (rc < 0 || r->id == NULL || strcmp(r->id, id) != 0 ||
	    r->digest == NULL)
		return pf_err_set(&db->err, PF_ERR_IO,
		    "state record of '%s' is damaged", id);
	return PF_OK;
}

pf_ret
pf_db_rec_parse(pf_err *err, pf_db_rec *r, char *text, size_t n,
    const char *id)
{
	pf_db db;
	pf_ret ret;

	memset(&db, 0, sizeof db);
	ret = rec_parse(&db, r, text, n, id);
	pf_err_copy(err, &db.err);
	return ret;
}

static pf_ret
load_one(pf_db *db, int pdir, const char *id)
{
	char path[300];
	uint8_t *text = NULL;
	pf_db_rec *v;
	size_t n;
	int fd;
	pf_ret r;

	snprintf(path, sizeof path, "%s/record", id);
	fd = openat(pdir, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "state of '%s' is damaged: cannot open its record", id);
	r = pf_slurp_fd(fd, RECORD_MAX, &text, &n, &db->err, path);
	close(fd);
	if (r != PF_OK)
		return r;
	text[n] = '\0';
	db->spare = false;
	if ((v = realloc(db->recs, (db->n + 1) * sizeof *v)) == NULL) {
		free(text);
		return pf_err_nomem(&db->err);
	}
	db->recs = v;
	memset(&v[db->n], 0, sizeof *v);
	r = rec_parse(db, &v[db->n], (char *)text, n, id);
	free(text);
	if (r != PF_OK) {
		pf_db_rec_free(&v[db->n]);
		return r;
	}
	db->n++;
	return PF_OK;
}

int
pf_db_by_install(const void *a, const void *b)
{
	const pf_db_rec *x = a, *y = b;

	if (x->installed != y->installed)
		return x->installed < y->installed ? -1 : 1;
	return strcmp(x->id, y->id);
}

/*
 * A patch is superseded while an installed patch lists it under
 * "supersedes" (records are never rewritten for it), or, in records
 * written by patchfmt before 1.1, while the patch its "superseded-by"
 * line names is still installed.
 */
static pf_ret
derive_superseded(pf_db *db)
{
	pf_db_rec *r, *s;
	size_t i, j, k;

	for (i = 0; i < db->n; i++) {
		r = &db->recs[i];
		if (r->superseded_by != NULL &&
		    pf_db_find(db, r->superseded_by) == NULL) {
			free(r->superseded_by);
			r->superseded_by = NULL;
		}
	}
	for (j = 0; j < db->n; j++) {
		s = &db->recs[j];
		for (k = 0; k < s->n_supersedes; k++) {
			r = pf_db_find(db, s->supersedes[k]);
			if (r == NULL || r == s || r->superseded_by != NULL)
				continue;
			if ((r->superseded_by = strdup(s->id)) == NULL)
				return pf_err_nomem(&db->err);
		}
	}
	return PF_OK;
}

static pf_ret
load_all(pf_db *db)
{
	struct dirent *de;
	DIR *d;
	int pdir;
	pf_ret r = PF_OK;

	pdir = openat(db->dfd, "patches", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (pdir < 0 && errno == ENOENT)
		return PF_OK;
	if (pdir < 0 || (d = fdopendir(dup(pdir))) == NULL) {
		if (pdir >= 0)
			close(pdir);
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot read '%s/patches'", db->dir);
	}
	/* Names starting with '.' are transactions, never IDs. */
	while (r == PF_OK && (de = readdir(d)) != NULL)
		if (pf_id_valid(de->d_name))
			r = load_one(db, pdir, de->d_name);
	closedir(d);
	close(pdir);
	if (db->n > 1)
		qsort(db->recs, db->n, sizeof *db->recs, pf_db_by_install);
	return r == PF_OK ? derive_superseded(db) : r;
}

pf_db_rec *
pf_db_find(pf_db *db, const char *id)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcmp(db->recs[i].id, id) == 0)
			return &db->recs[i];
	return NULL;
}

/*
 * Opens (and with create, makes) the directory rel under base, one
 * component at a time.  Below a root being patched no component may be a
 * symlink: the tree must not choose where its own state is kept.  Every
 * directory made is synced into its parent.
 */
static int
open_under(int base, const char *rel, bool create, bool nofollow)
{
	char part[PF_MAX_NAME + 1];
	const char *p = rel, *slash;
	int fd, next, flags;
	size_t n;

	flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
	if ((fd = dup(base)) < 0)
		return -1;
	while (*p != '\0') {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || n > PF_MAX_NAME) {
			p += n + (slash != NULL);
			if (n == 0)
				continue;
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		next = openat(fd, part, flags);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, part, 0755) < 0 && errno != EEXIST) {
				close(fd);
				return -1;
			}
			if (fsync(fd) < 0) {
				close(fd);
				return -1;
			}
			next = openat(fd, part, flags);
		}
		close(fd);
		if (next < 0)
			return -1;
		fd = next;
		p += n + (slash != NULL);
	}
	return fd;
}

static pf_ret
lock_state(pf_db *db, bool create)
{
	/* Readable by all, so that readers without write permission lock. */
	db->lock = openat(db->dfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0644);
	/* A reader without write permission locks an existing file. */
	if (db->lock < 0 && (errno == EACCES || errno == EROFS) && !create)
		db->lock = openat(db->dfd, "lock", O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC);
	/* A read-only state directory cannot change under us. */
	if (db->lock < 0 && errno == ENOENT && !create &&
	    faccessat(db->dfd, ".", W_OK, AT_EACCESS) < 0 && errno == EROFS) {
		db->readonly = true;
		return PF_OK;
	}
	if (db->lock < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot open the lock of '%s'", db->dir);
	if (flock(db->lock, LOCK_EX) < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot lock '%s'", db->dir);
	return PF_OK;
}

static pf_ret
db_open(pf_db **out, int base, const char *shown, const char *rel,
    bool create, bool nofollow)
{
	pf_db *db;
	pf_ret r;

	if ((*out = db = calloc(1, sizeof *db)) == NULL)
		return PF_ERR_NOMEM;
	db->dfd = db->lock = -1;
	if ((db->dir = strdup(shown)) == NULL)
		return pf_err_nomem(&db->err);
	db->dfd = open_under(base, rel, create, nofollow);
	if (db->dfd < 0 && errno == ENOENT && !create)
		return PF_OK;   /* nothing installed yet */
	if (db->dfd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return pf_err_set(&db->err, PF_ERR_UNSAFE,
		    "state directory '%s' passes through a symlink or file "
		    "inside the root: refusing it (name one with --state-dir)",
		    shown);
	if (db->dfd < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot %s state directory '%s'", create ? "create" : "open",
		    shown);
	if ((r = lock_state(db, create)) != PF_OK)
		return r;
	return load_all(db);
}

pf_ret
pf_db_open(pf_db **out, const char *dir, bool create)
{
	int base = open(dir[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	pf_ret r;

	*out = NULL;
	if (base < 0)
		return PF_ERR_IO;
	r = db_open(out, base, dir, dir, create, false);
	close(base);
	return r;
}

pf_ret
pf_db_open_root(pf_db **out, const char *root, const char *dir, bool create)
{
	char shown[4096];
	int base;
	pf_ret r;

	*out = NULL;
	if (dir != NULL)
		return pf_db_open(out, dir, create);
	/* The state is the root's own: hooks may run chrooted (audit.c). */
	base = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (base < 0)
		return PF_ERR_IO;
	snprintf(shown, sizeof shown, "%s%s%s", root,
	    root[strlen(root) - 1] == '/' ? "" : "/", PF_STATE_DIR);
	r = db_open(out, base, shown, PF_STATE_DIR, create, true);
	if (*out != NULL)
		(*out)->under_root = true;
	close(base);
	return r;
}

pf_ret
pf_db_mem_reserve(pf_db *db)
{
	pf_db_rec *v;

	if (db->spare)
		return PF_OK;
	if ((v = realloc(db->recs, (db->n + 1) * sizeof *v)) == NULL)
		return pf_err_nomem(&db->err);
	db->recs = v;
	db->spare = true;
	return PF_OK;
}

pf_ret
pf_db_mem_add(pf_db *db, pf_db_rec *rec)
{
	pf_ret r;

	if ((r = pf_db_mem_reserve(db)) != PF_OK)
		return r;
	db->spare = false;
	db->recs[db->n++] = *rec;
	memset(rec, 0, sizeof *rec);
	if (db->n > 1)
		qsort(db->recs, db->n, sizeof *db->recs, pf_db_by_install);
	return derive_superseded(db);
}

pf_ret
pf_db_mem_remove(pf_db *db, const char *id)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcmp(db->recs[i].id, id) == 0) {
			pf_db_rec_free(&db->recs[i]);
			memmove(&db->recs[i], &db->recs[i + 1],
			    (db->n - i - 1) * sizeof *db->recs);
			db->n--;
			break;
		}
	return derive_superseded(db);
}

pf_ret
pf_db_reload(pf_db *db)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		pf_db_rec_free(&db->recs[i]);
	free(db->recs);
	db->recs = NULL;
	db->n = 0;
	db->spare = false;
	return load_all(db);
}

void
pf_db_free(pf_db *db)
{
	size_t i;

	if (db == NULL)
		return;
	pf_db_txn_forget(db);
	for (i = 0; i < db->n; i++)
		pf_db_rec_free(&db->recs[i]);
	free(db->recs);
	if (db->lock >= 0)
		close(db->lock);
	if (db->dfd >= 0)
		close(db->dfd);
	free(db->dir);
	free(db);
}

const char *
pf_db_error(const pf_db *db)
{
	return db->err.msg;
}

const char *
pf_db_error_detail(const pf_db *db, pf_detail which)
{
	return pf_err_part(&db->err, which);
}

size_t
pf_db_count(const pf_db *db)
{
	return db->n;
}
