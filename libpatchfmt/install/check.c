/*
 * Verifying the target against the package, writing nothing
 * (spec section 9.1).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/hash.h"
#include "format/format.h"
#include "package/reader.h"
#include "install/meta_txn.h"
#include "install/txn_int.h"
#include "format/types.h"

void
pf_txn_tmpname(char out[PF_TMPNAME_MAX], const char *tag)
{
	uint8_t rnd[8];
	char hex[17];

	randombytes_buf(rnd, sizeof rnd);
	pf_hex(hex, rnd, sizeof rnd);
	snprintf(out, PF_TMPNAME_MAX, ".pf-%s-%s", tag, hex);
}

int
pf_open_regular(int dfd, const char *leaf)
{
	struct stat st;
	int fd, flags;

	fd = openat(dfd, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (flags = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		int saved = S_ISREG(st.st_mode) ? errno : EINVAL;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static pf_ret
hash_file(pf_txn *t, int dfd, const pf_entry *e, const char *leaf,
    uint8_t out[32])
{
	uint8_t buf[65536];
	pf_sha256_ctx h;
	ssize_t k;
	int fd;

	fd = pf_open_regular(dfd, leaf);
	if (fd < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot open '%s'", e->path);
	if (pf_sha256_init(&h) != 0) {
		close(fd);
		return pf_err_nomem(&t->err);
	}
	while ((k = read(fd, buf, sizeof buf)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int saved = errno;

			pf_sha256_discard(&h);
			close(fd);
			return pf_err_errno(&t->err, PF_ERR_IO, saved,
			    "cannot read '%s'", e->path);
		}
		pf_sha256_update(&h, buf, (size_t)k);
	}
	close(fd);
	pf_sha256_final(&h, out);
	return PF_OK;
}

/* What is on disk, as far as it matters for comparing with states. */
typedef struct actual {
	pf_type type;
	uint32_t mode;
	uint64_t size;
	bool hashed;
	uint8_t sha256[32];
	char link[PF_MAX_LINK + 1];
} actual;

static pf_ret
read_actual(pf_txn *t, int dfd, const pf_entry *e, const char *leaf,
    actual *a, pf_plan *p)
{
	struct stat st;
	ssize_t k;

	memset(a, 0, sizeof *a);
	if (dfd < 0)
		return PF_OK;
	if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return PF_OK;
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot stat '%s'", e->path);
	}
	a->mode = st.st_mode & 07777;
	a->size = (uint64_t)st.st_size;
	p->uid = st.st_uid;
	p->gid = st.st_gid;
	if (S_ISREG(st.st_mode))
		a->type = PF_TYPE_FILE;
	else if (S_ISDIR(st.st_mode))
		a->type = PF_TYPE_DIR;
	else if (S_ISLNK(st.st_mode)) {
		a->type = PF_TYPE_SYMLINK;
		k = readlinkat(dfd, leaf, a->link, sizeof a->link - 1);
		if (k < 0)
			return pf_err_errno(&t->err, PF_ERR_IO, errno,
			    "cannot read symlink '%s'", e->path);
		a->link[k] = '\0';
	} else
		return pf_err_set(&t->err, PF_ERR_MISMATCH,
		    "'%s' is a special file; the package expects %s",
		    e->path, "a file, directory or symlink");
	return PF_OK;
}

static pf_ret
matches_content(pf_txn *t, int dfd, const pf_entry *e, const char *leaf,
    actual *a, const pf_state *s, bool *ok)
{
	pf_ret r;

	*ok = false;
	if (a->type != s->type)
		return PF_OK;
	switch (s->type) {
	case PF_TYPE_NONE:
		*ok = true;
		return PF_OK;
	case PF_TYPE_DIR:
		*ok = a->mode == s->mode;
		return PF_OK;
	case PF_TYPE_SYMLINK:
		/* Symlink permission bits mean nothing on Linux. */
		*ok = strcmp(a->link, s->link) == 0;
		return PF_OK;
	case PF_TYPE_FILE:
		if (a->size != s->size || a->mode != s->mode)
			return PF_OK;
		if (!a->hashed) {
			r = hash_file(t, dfd, e, leaf, a->sha256);
			if (r != PF_OK)
				return r;
			a->hashed = true;
		}
		*ok = memcmp(a->sha256, s->sha256, 32) == 0;
		return PF_OK;
	}
	return PF_OK;
}

/* Issue 9: type and size first, the hash, then the metadata (meta_txn.c). */
static pf_ret
matches(pf_txn *t, int dfd, const pf_entry *e, const char *leaf, actual *a,
    const pf_state *s, bool *ok)
{
	pf_ret r = matches_content(t, dfd, e, leaf, a, s, ok);

	if (r == PF_OK && *ok)
		r = pf_txn_meta_compare(t, dfd, leaf, e, s, ok);
	return r;
}

/* Issue 9: the content and mode are right, so the metadata is not. */
static bool
only_meta_differs(const actual *a, const pf_state *want)
{
	if (want->type == PF_TYPE_SYMLINK)
		return strcmp(a->link, want->link) == 0;
	if (a->mode != want->mode)
		return false;
	return want->type == PF_TYPE_DIR || (a->hashed &&
	    a->size == want->size && memcmp(a->sha256, want->sha256, 32) == 0);
}

static const char *
type_name(pf_type t)
{
	switch (t) {
	case PF_TYPE_FILE: return "a file";
	case PF_TYPE_DIR: return "a directory";
	case PF_TYPE_SYMLINK: return "a symlink";
	case PF_TYPE_NONE: break;
	}
	return "absent";
}

/* The error names the file, what was expected and what was found. */
/* "'PATH' does not match the package: expected X, found Y", in parts. */
static pf_ret
mismatch(pf_txn *t, const pf_entry *e, const char *expected,
    const char *found)
{
	pf_err_set(&t->err, PF_ERR_MISMATCH, "'%s' does not match the "
	    "package: expected %s, found %s", e->path, expected, found);
	return pf_err_detail(&t->err, e->path, expected, found);
}

static pf_ret
explain(pf_txn *t, int dfd, const pf_entry *e, const char *leaf, actual *a)
{
	const pf_state *want = &e->before;
	char x[PF_SHA256_HEX_LEN + 8], y[PF_SHA256_HEX_LEN + 8];
	char lx[PATH_MAX + 32], ly[PATH_MAX + 32];

	if (a->type != want->type)
		return mismatch(t, e, type_name(want->type),
		    type_name(a->type));
	if (want->type == PF_TYPE_FILE && !a->hashed &&
	    a->size == want->size && hash_file(t, dfd, e, leaf, a->sha256) ==
	    PF_OK)
		a->hashed = true;
	if (only_meta_differs(a, want))
		return pf_txn_meta_explain(t, dfd, leaf, e);
	if (want->type == PF_TYPE_SYMLINK) {
		snprintf(lx, sizeof lx, "a symlink to '%s'", want->link);
		snprintf(ly, sizeof ly, "one to '%s'", a->link);
		return mismatch(t, e, lx, ly);
	}
	/* Type and size first: a planted huge file is never hashed. */
	if (want->type == PF_TYPE_FILE && a->size != want->size) {
		snprintf(x, sizeof x, "%llu bytes",
		    (unsigned long long)want->size);
		snprintf(y, sizeof y, "%llu", (unsigned long long)a->size);
		return mismatch(t, e, x, y);
	}
	if (want->type == PF_TYPE_FILE && !a->hashed &&
	    hash_file(t, dfd, e, leaf, a->sha256) == PF_OK)
		a->hashed = true;
	if (want->type == PF_TYPE_FILE && a->hashed &&
	    memcmp(a->sha256, want->sha256, 32) != 0) {
		char hx[PF_SHA256_HEX_LEN], hy[PF_SHA256_HEX_LEN];

		snprintf(x, sizeof x, "sha256 %s", pf_sha256_hex(hx,
		    want->sha256));
		return mismatch(t, e, x, pf_sha256_hex(hy, a->sha256));
	}
	snprintf(x, sizeof x, "mode %04o", (unsigned)want->mode);
	snprintf(y, sizeof y, "%04o", (unsigned)a->mode);
	return mismatch(t, e, x, y);
}

/*
 * Issue 9: a link-group member links to a leader that the package does
 * not list; that file must be the member's after state, link aside.
 */
static pf_ret
check_leader(pf_txn *t, const pf_entry *e)
{
	const char *leader = e->after.hardlink, *slash = strrchr(leader, '/');
	pf_entry le = *e;
	pf_plan dummy;
	actual a;
	bool ok = false;
	int dfd;
	pf_ret r;

	le.path = (char *)leader;
	le.after.hardlink = NULL;
	le.before = le.after;
	r = pf_dirs_get(&t->dirs, leader, slash ? (size_t)(slash - leader) :
	    0, &dfd, &t->err);
	if (r == PF_OK)
		r = read_actual(t, dfd, &le, slash ? slash + 1 : leader, &a,
		    &dummy);
	if (r == PF_OK)
		r = matches(t, dfd, &le, slash ? slash + 1 : leader, &a,
		    &le.after, &ok);
	if (r == PF_OK && !ok)
		r = explain(t, dfd, &le, slash ? slash + 1 : leader, &a);
	return r;
}

static bool
in_package(const pf_manifest *m, const char *path)
{
	size_t lo = 0, hi = m->n_entries, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(m->entries[mid].path, path);
		if (c == 0)
			return m->entries[mid].after.type == PF_TYPE_NONE;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* A directory the package removes may hold only what it removes too. */
static pf_ret
check_dir_empty(pf_txn *t, int dfd, const pf_entry *e, const char *leaf)
{
	char path[PF_MAX_PATH + PF_MAX_NAME + 2];
	struct dirent *de;
	pf_ret r = PF_OK;
	DIR *d;
	int fd;

	fd = openat(dfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot list '%s'", e->path);
	}
	while (r == PF_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", e->path, de->d_name);
		if (!in_package(t->m, path))
			r = pf_err_set(&t->err, PF_ERR_MISMATCH,
			    "directory '%s' holds '%s', which the package does "
			    "not know: refusing to remove it", e->path, path);
	}
	closedir(d);
	return r;
}

/* The entry of the package for the parent of entry i, or NULL. */
static const pf_entry *
parent_entry(const pf_txn *t, size_t i, size_t dlen, size_t *at)
{
	const pf_entry *e = &t->m->entries[i];

	while (i-- > 0) {
		const pf_entry *q = &t->m->entries[i];

		if (strlen(q->path) == dlen &&
		    strncmp(q->path, e->path, dlen) == 0) {
			*at = i;
			return q;
		}
	}
	return NULL;
}

/* A missing parent is fine only when this package creates it. */
static bool
parent_created(const pf_txn *t, size_t i, size_t dlen)
{
	const pf_entry *q;
	size_t at;

	q = parent_entry(t, i, dlen, &at);
	return q != NULL && q->after.type == PF_TYPE_DIR &&
	    t->plan[at].action != PF_ACTION_NONE;
}

/* How the old object is kept while the entry changes (section 9.4). */
static pf_keep
keep_for(const pf_entry *e, pf_action a)
{
	bool was_dir = e->before.type == PF_TYPE_DIR;
	bool is_dir = e->after.type == PF_TYPE_DIR;

	switch (a) {
	case PF_ACTION_NONE:
	case PF_ACTION_CREATE:
		return PF_KEEP_NONE;
	case PF_ACTION_REMOVE:
		return PF_KEEP_MOVE;
	case PF_ACTION_CHMOD:
		/* A file's new mode goes on a copy renamed over it. */
		return is_dir ? PF_KEEP_NONE : PF_KEEP_LINK;
	case PF_ACTION_REPLACE:
		break;
	}
	return was_dir || is_dir ? PF_KEEP_MOVE : PF_KEEP_LINK;
}

static pf_action
action_for(const pf_entry *e)
{
	if (e->before.type == PF_TYPE_NONE)
		return PF_ACTION_CREATE;
	if (e->after.type == PF_TYPE_NONE)
		return PF_ACTION_REMOVE;
	/*
	 * Issue 9: a file is never changed in place, since a hard link to it
	 * outside the tree would change too: a change of metadata alone
	 * stages a copy (or a link) and renames it over.
	 */
	if (e->after.has_meta && e->after.type == PF_TYPE_FILE)
		return PF_ACTION_REPLACE;
	if (e->before.type == e->after.type &&
	    (e->after.type == PF_TYPE_DIR || (e->after.type == PF_TYPE_FILE &&
	    e->payload == PF_NO_BLOB)))
		return PF_ACTION_CHMOD;
	return PF_ACTION_REPLACE;
}

pf_ret
pf_txn_check_entry(pf_txn *t, size_t i)
{
	const pf_entry *e = &t->m->entries[i];
	pf_plan *p = &t->plan[i];
	const char *slash = strrchr(e->path, '/');
	size_t dlen = slash ? (size_t)(slash - e->path) : 0;
	actual a;
	bool ok;
	int dfd;
	size_t at;
	pf_ret r;

	p->leaf = slash ? slash + 1 : e->path;
	if ((p->dir = strndup(e->path, dlen)) == NULL)
		return pf_err_nomem(&t->err);
	r = pf_dirs_get(&t->dirs, e->path, dlen, &dfd, &t->err);
	/*
	 * A parent that is a file or symlink now is fine when the package
	 * itself changes that parent (into a directory before this entry, or
	 * out of one when it was applied): it is never followed, and the entry
	 * counts as absent.  The parent's own entry was checked already.
	 */
	if ((r == PF_ERR_MISMATCH || r == PF_ERR_UNSAFE) &&
	    parent_entry(t, i, dlen, &at) != NULL) {
		pf_err_clear(&t->err);
		r = PF_OK;
		dfd = -1;
	}
	if (r != PF_OK || (r = read_actual(t, dfd, e, p->leaf, &a, p)) != PF_OK)
		return r;
	p->actual = a.type;
	p->actual_mode = a.mode;
	if ((r = matches(t, dfd, e, p->leaf, &a, &e->after, &ok)) != PF_OK)
		return r;
	if (ok) {
		p->action = PF_ACTION_NONE;
		return PF_OK;
	}
	if ((r = matches(t, dfd, e, p->leaf, &a, &e->before, &ok)) != PF_OK)
		return r;
	/* Forced, a changed file or symlink is replaced all the same. */
	if (!ok && t->force && a.type == e->before.type &&
	    a.type != PF_TYPE_DIR && a.type != PF_TYPE_NONE)
		ok = true;
	if (!ok)
		return explain(t, dfd, e, p->leaf, &a);
	p->action = action_for(e);
	p->keep = keep_for(e, p->action);
	if (dfd < 0 && !parent_created(t, i, dlen))
		return pf_err_set(&t->err, PF_ERR_MISMATCH,
		    "directory '%s' does not exist", p->dir);
	/* Issue 9: before any write, what cannot be done here; the leader
	 * of a link group outside the package must be as described. */
	if ((r = pf_txn_meta_can(t, i, dfd)) != PF_OK ||
	    (e->after.hardlink != NULL &&
	    !pf_txn_meta_leader_listed(t, e->after.hardlink) &&
	    (r = check_leader(t, e)) != PF_OK))
		return r;
	if (e->before.type == PF_TYPE_DIR && e->after.type != PF_TYPE_DIR)
		return check_dir_empty(t, dfd, e, p->leaf);
	return PF_OK;
}

/* Preflight (--check): what the commit will need of the file system. */

typedef struct fs_need {
	dev_t dev;
	uint64_t bytes;
	int fd;                 /* a directory on it, for statvfs */
	size_t entry;
} fs_need;

/* The directory an entry's new object goes into, or its nearest
 * existing ancestor when the package creates the directory. */
static int
writable_dir(pf_txn *t, size_t i, size_t *shown)
{
	const pf_entry *e = &t->m->entries[i];
	size_t n = strlen(t->plan[i].dir);
	int fd = -1;

	*shown = n;
	for (;;) {
		if (pf_dirs_get(&t->dirs, e->path, n, &fd, &t->err) != PF_OK)
			pf_err_clear(&t->err);
		if (fd >= 0 || n == 0)
			break;
		do
			n--;
		while (n > 0 && e->path[n] != '/');
		*shown = n;
	}
	return fd >= 0 ? fd : t->dirs.root;
}

static pf_ret
need_space(pf_txn *t, fs_need **v, size_t *nv, int fd, size_t i,
    uint64_t bytes)
{
	struct stat st;
	fs_need *grown;
	size_t k;

	if (fstat(fd, &st) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno, "cannot stat "
		    "the directory of '%s'", t->m->entries[i].path);
	for (k = 0; k < *nv; k++)
		if ((*v)[k].dev == st.st_dev) {
			(*v)[k].bytes += bytes;
			return PF_OK;
		}
	if ((grown = realloc(*v, (*nv + 1) * sizeof *grown)) == NULL)
		return pf_err_nomem(&t->err);
	*v = grown;
	grown[(*nv)++] = (fs_need){ st.st_dev, bytes, fd, i };
	return PF_OK;
}

static pf_ret
check_space(pf_txn *t, const fs_need *v, size_t nv)
{
	struct statvfs sv;
	uint64_t avail;
	size_t k;

	for (k = 0; k < nv; k++) {
		if (fstatvfs(v[k].fd, &sv) < 0)
			return pf_err_errno(&t->err, PF_ERR_IO, errno,
			    "cannot tell the free space for '%s'",
			    t->m->entries[v[k].entry].path);
		avail = (uint64_t)(geteuid() == 0 ? sv.f_bfree : sv.f_bavail) *
		    sv.f_frsize;
		if (avail < v[k].bytes)
			return pf_err_set(&t->err, PF_ERR_IO,
			    "not enough space for the new files: %llu bytes "
			    "needed on the file system of '%s', %llu free",
			    (unsigned long long)v[k].bytes,
			    t->m->entries[v[k].entry].path,
			    (unsigned long long)avail);
	}
	return PF_OK;
}

pf_ret
pf_txn_preflight(pf_txn *t)
{
	fs_need *v = NULL;
	size_t i, nv = 0, shown;
	int fd;
	pf_ret r = PF_OK;

	if (t->state == PF_TXN_NEW && (r = pf_txn_check(t)) != PF_OK)
		return r;
	for (i = 0; i < t->m->n_entries && r == PF_OK; i++) {
		const pf_entry *e = &t->m->entries[i];

		if (t->plan[i].action == PF_ACTION_NONE)
			continue;
		fd = writable_dir(t, i, &shown);
		/* EROFS and missing permission both show here. */
		if (faccessat(fd, ".", W_OK, AT_EACCESS) < 0)
			r = pf_err_errno(&t->err, PF_ERR_IO, errno,
			    "cannot write in '%.*s' (for '%s')",
			    shown ? (int)shown : 1, shown ? e->path : ".",
			    e->path);
		else if (e->after.type == PF_TYPE_FILE)
			r = need_space(t, &v, &nv, fd, i, e->after.size);
	}
	if (r == PF_OK)
		r = check_space(t, v, nv);
	free(v);
	return r;
}
