/*
 * pf_db: which patches are installed under a root, what they provide and
 * require, what superseded what, and the packages themselves, whose
 * rollback data undoes them (spec section 12).
 *
 *   STATE/lock                  flock()ed while a tool works
 *   STATE/patches/ID/package    the package as installed, verified
 *   STATE/patches/ID/record     "key value" lines, replaced atomically
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
#include "format/manifest.h"
#include "state/db.h"

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
	free(r->provides);
	free(r->requires);
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

/* One "key value" line of a record. */
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
		r->release = strtoull(val, NULL, 10);
	else if (strcmp(key, "installed") == 0)
		r->installed = strtoull(val, NULL, 10);
	else if (strcmp(key, "provides") == 0)
		return pf_db_push(&r->provides, &r->n_provides, val);
	else if (strcmp(key, "requires") == 0)
		return pf_db_push(&r->requires, &r->n_requires, val);
	if (dst == NULL)
		return 0;       /* unknown keys are for newer versions */
	free(*dst);
	return (*dst = strdup(val)) ? 0 : -1;
}

static pf_ret
rec_parse(pf_db *db, pf_db_rec *r, char *text, const char *id)
{
	char *line, *save = NULL, *sp;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp = '\0';
		if (rec_line(r, line, sp + 1) < 0)
			return pf_err_nomem(&db->err);
	}
	if (r->id == NULL || strcmp(r->id, id) != 0)
		return pf_err_set(&db->err, PF_ERR_IO,
		    "state record of '%s' is damaged", id);
	return PF_OK;
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
	if ((fd = openat(pdir, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return PF_OK;   /* an interrupted install left no record */
	r = pf_slurp_fd(fd, RECORD_MAX, &text, &n, &db->err, path);
	close(fd);
	if (r != PF_OK)
		return r;
	text[n] = '\0';
	if ((v = realloc(db->recs, (db->n + 1) * sizeof *v)) == NULL) {
		free(text);
		return pf_err_nomem(&db->err);
	}
	db->recs = v;
	memset(&v[db->n], 0, sizeof *v);
	r = rec_parse(db, &v[db->n], (char *)text, id);
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
	while (r == PF_OK && (de = readdir(d)) != NULL)
		if (pf_id_valid(de->d_name))
			r = load_one(db, pdir, de->d_name);
	closedir(d);
	close(pdir);
	if (db->n > 1)
		qsort(db->recs, db->n, sizeof *db->recs, pf_db_by_install);
	return r;
}

/* mkdir -p for the state directory itself (trusted path, not a package's). */
static int
make_dirs(const char *dir)
{
	char tmp[4096];
	size_t i;

	snprintf(tmp, sizeof tmp, "%s", dir);
	for (i = 1; tmp[i] != '\0'; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		tmp[i] = '/';
	}
	return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

pf_ret
pf_db_open(pf_db **out, const char *dir, bool create)
{
	pf_db *db;

	if ((*out = db = calloc(1, sizeof *db)) == NULL)
		return PF_ERR_NOMEM;
	db->dfd = db->lock = -1;
	if ((db->dir = strdup(dir)) == NULL)
		return pf_err_nomem(&db->err);
	if (create && make_dirs(dir) < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot create state directory '%s'", dir);
	db->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (db->dfd < 0 && errno == ENOENT && !create)
		return PF_OK;   /* nothing installed yet */
	if (db->dfd < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot open state directory '%s'", dir);
	db->lock = openat(db->dfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (db->lock < 0 && errno == EROFS)
		db->lock = openat(db->dfd, "lock", O_RDONLY | O_CLOEXEC);
	if (db->lock >= 0 && flock(db->lock, LOCK_EX) < 0)
		return pf_err_errno(&db->err, PF_ERR_IO, errno,
		    "cannot lock '%s'", dir);
	return load_all(db);
}

void
pf_db_free(pf_db *db)
{
	size_t i;

	if (db == NULL)
		return;
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

size_t
pf_db_count(const pf_db *db)
{
	return db->n;
}
