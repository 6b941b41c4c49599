/*
 * pf_txn: installs a verified package into a tree (spec section 9).
 * Stage every new file beside its target, then rename everything into
 * place, keeping each old one under a backup name until the end, so that
 * a failure at any step can put the tree back exactly as it was.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "format/reader.h"
#include "install/meta.h"
#include "install/meta_txn.h"
#include "install/txn_int.h"

pf_ret
pf_txn_new(pf_txn **out, pf_reader *r, const char *root)
{
	pf_txn *t;
	pf_ret ret;

	*out = NULL;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return PF_ERR_NOMEM;
	*out = t;
	t->r = r;
	t->m = pf_reader_manifest(r);
	t->dirs.root = -1;
	if (!pf_reader_trusted(r))
		return pf_err_set(&t->err, PF_ERR_TRUST,
		    "package was not verified against a keyring");
	t->plan = calloc(t->m->n_entries + 1, sizeof *t->plan);
	if (t->plan == NULL)
		return pf_err_nomem(&t->err);
	if ((ret = pf_dirs_open(&t->dirs, root, &t->err)) != PF_OK)
		return ret;
	return PF_OK;
}

/* The entry as a rollback sees it: states and blobs swapped. */
static void
invert(pf_entry *dst, const pf_entry *src)
{
	*dst = *src;
	dst->before = src->after;
	dst->after = src->before;
	dst->payload = src->rollback;
	dst->rollback = src->payload;
	dst->op = src->op == PF_OP_ADD ? PF_OP_REMOVE :
	    src->op == PF_OP_REMOVE ? PF_OP_ADD : PF_OP_CHANGE;
}

pf_ret
pf_txn_new_reverse(pf_txn **out, pf_reader *r, const char *root, bool force)
{
	const pf_manifest *m = pf_reader_manifest(r);
	pf_txn *t;
	size_t i;
	pf_ret ret;

	if ((ret = pf_txn_new(out, r, root)) != PF_OK)
		return ret;
	t = *out;
	/* The strings stay the reader's; only the entry array is new. */
	t->inverse = *m;
	t->inverse.entries = calloc(m->n_entries + 1, sizeof (pf_entry));
	if (t->inverse.entries == NULL)
		return pf_err_nomem(&t->err);
	for (i = 0; i < m->n_entries; i++)
		invert(&t->inverse.entries[i], &m->entries[i]);
	t->m = &t->inverse;
	t->reversed = true;
	t->force = force;
	return PF_OK;
}

void
pf_txn_free(pf_txn *t)
{
	size_t i;

	if (t == NULL)
		return;
	if (t->plan != NULL)
		for (i = 0; i < t->m->n_entries; i++)
			free(t->plan[i].dir);
	if (t->reversed)
		free(t->inverse.entries);
	free(t->plan);
	pf_dirs_close(&t->dirs);
	free(t);
}

const char *
pf_txn_error(const pf_txn *t)
{
	return t->err.msg;
}

pf_txn_state
pf_txn_get_state(const pf_txn *t)
{
	return t->state;
}

pf_action
pf_txn_action(const pf_txn *t, size_t entry)
{
	return entry < t->m->n_entries ? t->plan[entry].action :
	    PF_ACTION_NONE;
}

const char *
pf_action_str(pf_action a)
{
	switch (a) {
	case PF_ACTION_NONE: return "unchanged";
	case PF_ACTION_CREATE: return "create";
	case PF_ACTION_REPLACE: return "replace";
	case PF_ACTION_REMOVE: return "remove";
	case PF_ACTION_CHMOD: return "chmod";
	}
	return "unknown";
}

pf_ret
pf_txn_check(pf_txn *t)
{
	size_t i, pending = 0;
	pf_ret r;

	for (i = 0; i < t->m->n_entries; i++) {
		free(t->plan[i].dir);
		memset(&t->plan[i], 0, sizeof t->plan[i]);
		t->plan[i].dfd = -1;
	}
	for (i = 0; i < t->m->n_entries; i++) {
		if ((r = pf_txn_check_entry(t, i)) != PF_OK)
			return r;
		if (t->plan[i].action != PF_ACTION_NONE)
			pending++;
	}
	t->state = pending ? PF_TXN_PENDING : PF_TXN_ALREADY_APPLIED;
	return PF_OK;
}

/*
 * A testing aid: PATCHFMT_FAIL_AFTER=n makes the n-th step of a commit
 * fail as an I/O error would, so the tests can prove that every step is
 * undone.  It can only make an apply fail, never succeed.
 */
static bool
injected_failure(pf_txn *t)
{
	const char *s = getenv("PATCHFMT_FAIL_AFTER");

	if (s == NULL || *s == '\0')
		return false;
	if (t->steps++ < strtoul(s, NULL, 10))
		return false;
	pf_err_set(&t->err, PF_ERR_IO, "injected failure at step %lu",
	    t->steps);
	return true;
}

/* Staging. */

typedef struct staged_out {
	int fd;
	const char *path;
	pf_sha256_ctx h;
	uint64_t n;
} staged_out;

static pf_ret
staged_write(void *opaque, const void *buf, size_t n, pf_err *err)
{
	staged_out *s = opaque;

	pf_sha256_update(&s->h, buf, n);
	s->n += n;
	if (s->fd < 0)
		return PF_OK;
	return pf_write_full(s->fd, buf, n, err, s->path);
}

typedef struct base_file {
	int fd;
	const char *path;
} base_file;

static pf_ret
base_read_at(void *opaque, uint64_t off, void *buf, size_t n, pf_err *err)
{
	base_file *b = opaque;

	return pf_pread_full(b->fd, buf, n, off, err, b->path);
}

/*
 * Makes something under a fresh name ".pf-TAG-xxxxxxxx" in p's directory:
 * make() returns a descriptor or 0 on success, -1 with errno on failure;
 * a name that exists already is drawn again.  name is "" on failure.
 */
typedef int (*make_fn)(const pf_plan *p, const pf_entry *e,
    const char *name, bool flag);

static int
fresh_name(char name[32], const char *tag, make_fn make, const pf_plan *p,
    const pf_entry *e, bool flag)
{
	int tries, rc = -1;

	for (tries = 0; tries < 16; tries++) {
		pf_txn_tmpname(name, tag);
		if ((rc = make(p, e, name, flag)) >= 0 || errno != EEXIST)
			break;
	}
	if (rc < 0)
		name[0] = '\0';
	return rc;
}

static int
make_file(const pf_plan *p, const pf_entry *e, const char *name, bool flag)
{
	(void)e;
	(void)flag;
	return openat(p->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
}

static int
make_symlink(const pf_plan *p, const pf_entry *e, const char *name,
    bool flag)
{
	(void)flag;
	return symlinkat(e->after.link, p->dfd, name);
}

/* A hard link keeps the old file visible until the rename over it. */
static int
make_backup(const pf_plan *p, const pf_entry *e, const char *name,
    bool keep_in_place)
{
	(void)e;
	if (keep_in_place)
		return linkat(p->dfd, p->leaf, p->dfd, name, 0);
	return renameat2(p->dfd, p->leaf, p->dfd, name, RENAME_NOREPLACE);
}

static pf_ret
open_tmp(pf_txn *t, pf_plan *p, const pf_entry *e, int *fd)
{
	*fd = fresh_name(p->tmp, "new", make_file, p, e, false);
	if (*fd < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot create a temporary file beside '%s'", e->path);
	return PF_OK;
}

/*
 * Decodes the payload of entry e into fd (or, with fd -1, only hashes
 * it) and checks the result against the entry's "after" state.
 */
static pf_ret
fill_file(pf_txn *t, pf_plan *p, const pf_entry *e, int fd)
{
	staged_out so = { .fd = fd, .path = e->path };
	base_file bf = { -1, e->path };
	pf_source src, *base = NULL;
	pf_ostream out = { staged_write, &so };
	pf_sparse_out sp;
	char x[PF_SHA256_HEX_LEN], y[PF_SHA256_HEX_LEN];
	uint8_t d[32];
	pf_ret r;

	pf_sha256_init(&so.h);
	if (e->before.type == PF_TYPE_FILE && p->actual == PF_TYPE_FILE) {
		bf.fd = openat(p->dfd, p->leaf, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (bf.fd < 0)
			return pf_err_errno(&t->err, PF_ERR_IO, errno,
			    "cannot open '%s'", e->path);
		src = (pf_source){ base_read_at, &bf, e->before.size };
		base = &src;
	}
	/* Issue 9: a sparse payload is its data, written at its extents. */
	if (e->after.sparse) {
		pf_sparse_init(&sp, fd, &e->after, e->path);
		out = (pf_ostream){ pf_sparse_write, &sp };
	}
	r = pf_reader_decode_blob(t->r, e->payload, base, &out, &t->err);
	if (bf.fd >= 0)
		close(bf.fd);
	if (r == PF_OK && e->after.sparse) {
		r = pf_sparse_finish(&sp, d, &t->err);
		so.n = e->after.size;
	} else if (r == PF_OK)
		pf_sha256_final(&so.h, d);
	if (r != PF_OK)
		return r;
	if (so.n != e->after.size || memcmp(d, e->after.sha256, 32) != 0)
		return pf_err_set(&t->err, PF_ERR_CORRUPT,
		    "new content of '%s' is wrong: expected sha256 %s, "
		    "decoded %s", e->path, pf_sha256_hex(x, e->after.sha256),
		    pf_sha256_hex(y, d));
	return PF_OK;
}

static pf_ret
stage_file(pf_txn *t, pf_plan *p, const pf_entry *e)
{
	int fd;
	pf_ret r;

	/* Issue 9: a link-group member is a link to its leader's file. */
	if (e->after.hardlink != NULL)
		return pf_txn_meta_link(t, p, e);
	if ((r = open_tmp(t, p, e, &fd)) != PF_OK)
		return r;
	/* Issue 9: no payload, same content: a copy of the file in place. */
	if (e->payload == PF_NO_BLOB && e->after.has_meta)
		r = pf_txn_meta_copy(t, p, e, fd);
	else
		r = fill_file(t, p, e, fd);
	/* Issue 9: the recorded metadata, in order, before the sync. */
	if (r == PF_OK && e->after.has_meta)
		r = pf_meta_apply_fd(fd, &e->after, t->meta_flags, &t->err,
		    e->path);
	/* Keep the owner of the file we replace, where we may. */
	else if (r == PF_OK && p->actual != PF_TYPE_NONE && geteuid() == 0 &&
	    fchown(fd, p->uid, p->gid) < 0)
		r = pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot set the owner of '%s'", e->path);
	if (r == PF_OK && !e->after.has_meta && fchmod(fd, e->after.mode) < 0)
		r = pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot set the mode of '%s'", e->path);
	if (r == PF_OK && fsync(fd) < 0)
		r = pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot sync '%s'", e->path);
	if (close(fd) < 0 && r == PF_OK)
		r = pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot write '%s'", e->path);
	return r;
}

/* A replaced symlink keeps its owner, where we may set it. */
static pf_ret
keep_owner(pf_txn *t, pf_plan *p, const pf_entry *e)
{
	/* Issue 9: the recorded owner and xattrs, never following it. */
	if (e->after.has_meta)
		return pf_meta_apply_at(p->dfd, p->tmp, &e->after,
		    t->meta_flags, &t->err, e->path);
	if (p->actual == PF_TYPE_NONE || geteuid() != 0)
		return PF_OK;
	if (fchownat(p->dfd, p->tmp, p->uid, p->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot set the owner of '%s'", e->path);
	return PF_OK;
}

static pf_ret
stage_symlink(pf_txn *t, pf_plan *p, const pf_entry *e)
{
	if (fresh_name(p->tmp, "new", make_symlink, p, e, false) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot create symlink '%s'", e->path);
	return keep_owner(t, p, e);
}

/* Moves the old one aside (or links it) under a fresh backup name. */
static pf_ret
set_aside(pf_txn *t, pf_plan *p, const pf_entry *e, bool keep_in_place)
{
	if (fresh_name(p->backup, "old", make_backup, p, e, keep_in_place) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot keep a backup of '%s'", e->path);
	p->linked = keep_in_place;
	return PF_OK;
}

static pf_ret
make_dir(pf_txn *t, pf_plan *p, const pf_entry *e)
{
	pf_ret r;

	if (p->actual != PF_TYPE_NONE &&
	    (r = set_aside(t, p, e, false)) != PF_OK)
		return r;
	if (mkdirat(p->dfd, p->leaf, 0700) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot create directory '%s'", e->path);
	p->made_dir = p->placed = true;
	if (fchmodat(p->dfd, p->leaf, e->after.mode, AT_SYMLINK_NOFOLLOW) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot set the mode of '%s'", e->path);
	/* Issue 9: owner, xattrs and time of the new directory. */
	if (e->after.has_meta)
		return pf_txn_meta_dir(t, p, e, &e->after);
	return PF_OK;
}

static pf_ret
stage_one(pf_txn *t, size_t i)
{
	const pf_entry *e = &t->m->entries[i];
	pf_plan *p = &t->plan[i];
	pf_ret r;

	if (p->action == PF_ACTION_NONE)
		return PF_OK;
	if (injected_failure(t))
		return t->err.code;
	r = pf_dirs_get(&t->dirs, e->path, strlen(p->dir), &p->dfd, &t->err);
	if (r != PF_OK)
		return r;
	if (p->dfd < 0)
		return pf_err_set(&t->err, PF_ERR_IO,
		    "directory '%s' vanished", p->dir);
	if (p->action == PF_ACTION_CHMOD || p->action == PF_ACTION_REMOVE)
		return PF_OK;
	switch (e->after.type) {
	case PF_TYPE_DIR:
		return make_dir(t, p, e);
	case PF_TYPE_FILE:
		return stage_file(t, p, e);
	case PF_TYPE_SYMLINK:
		return stage_symlink(t, p, e);
	case PF_TYPE_NONE:
		break;
	}
	return PF_OK;
}

pf_ret
pf_txn_verify(pf_txn *t)
{
	const pf_entry *e;
	pf_plan *p;
	size_t i;
	pf_ret r;

	if (t->state == PF_TXN_NEW && (r = pf_txn_check(t)) != PF_OK)
		return r;
	for (i = 0; i < t->m->n_entries; i++) {
		e = &t->m->entries[i];
		p = &t->plan[i];
		if (p->action == PF_ACTION_NONE || e->payload == PF_NO_BLOB)
			continue;
		r = pf_dirs_get(&t->dirs, e->path, strlen(p->dir), &p->dfd,
		    &t->err);
		if (r == PF_OK)
			r = fill_file(t, p, e, -1);
		if (r != PF_OK)
			return r;
	}
	return PF_OK;
}

/* Committing. */

static pf_ret
place(pf_txn *t, pf_plan *p, const pf_entry *e)
{
	/* Only a file or symlink kept as a hard link may be renamed over. */
	unsigned flags = p->linked ? 0 : RENAME_NOREPLACE;

	if (renameat2(p->dfd, p->tmp, p->dfd, p->leaf, flags) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot put '%s' in place", e->path);
	p->tmp[0] = '\0';
	p->placed = true;
	return PF_OK;
}

/* Everything but the removal of directories, front to back. */
static pf_ret
commit_one(pf_txn *t, size_t i)
{
	const pf_entry *e = &t->m->entries[i];
	pf_plan *p = &t->plan[i];
	pf_ret r;

	if (p->action != PF_ACTION_NONE && injected_failure(t))
		return t->err.code;
	if (p->action == PF_ACTION_CHMOD) {
		/* Issue 9: a directory changes in place, on its descriptor. */
		if (e->after.has_meta) {
			p->chmodded = true;
			return pf_txn_meta_dir(t, p, e, &e->after);
		}
		if (fchmodat(p->dfd, p->leaf, e->after.mode, AT_SYMLINK_NOFOLLOW) < 0)
			return pf_err_errno(&t->err, PF_ERR_IO, errno,
			    "cannot set the mode of '%s'", e->path);
		p->chmodded = true;
		return PF_OK;
	}
	if (p->tmp[0] == '\0' && p->action != PF_ACTION_REMOVE)
		return PF_OK;
	if (p->actual == PF_TYPE_DIR)
		return PF_OK;       /* after its children: see commit_dirs() */
	if (p->action == PF_ACTION_REMOVE)
		return set_aside(t, p, e, false);
	if (p->actual != PF_TYPE_NONE &&
	    (r = set_aside(t, p, e, true)) != PF_OK)
		return r;
	return place(t, p, e);
}

/* Directories that go away, deepest first, once they are empty. */
static pf_ret
commit_dirs(pf_txn *t)
{
	const pf_entry *e;
	pf_plan *p;
	size_t i;
	pf_ret r;

	for (i = t->m->n_entries; i-- > 0;) {
		e = &t->m->entries[i];
		p = &t->plan[i];
		if (p->action == PF_ACTION_NONE || p->actual != PF_TYPE_DIR ||
		    e->after.type == PF_TYPE_DIR)
			continue;
		if (injected_failure(t))
			return t->err.code;
		if ((r = set_aside(t, p, e, false)) != PF_OK)
			return r;
		if (p->tmp[0] != '\0' && (r = place(t, p, e)) != PF_OK)
			return r;
	}
	return PF_OK;
}

static void
undo_one(pf_txn *t, size_t i)
{
	const pf_entry *e = &t->m->entries[i];
	pf_plan *p = &t->plan[i];

	if (p->placed)
		unlinkat(p->dfd, p->leaf, p->made_dir ? AT_REMOVEDIR : 0);
	/* A hard link whose original never moved is simply dropped. */
	if (p->backup[0] != '\0' && p->linked && !p->placed)
		unlinkat(p->dfd, p->backup, 0);
	else if (p->backup[0] != '\0')
		renameat(p->dfd, p->backup, p->dfd, p->leaf);
	/* Issue 9: a directory gets its before metadata back. */
	if (p->chmodded && e->before.has_meta)
		pf_txn_meta_dir(t, p, e, &e->before);
	else if (p->chmodded)
		fchmodat(p->dfd, p->leaf, e->before.mode, AT_SYMLINK_NOFOLLOW);
	if (p->tmp[0] != '\0')
		unlinkat(p->dfd, p->tmp, 0);
	p->placed = p->made_dir = p->chmodded = p->linked = false;
	p->backup[0] = p->tmp[0] = '\0';
}

/* Backups go last, children before their directories. */
static void
drop_backups(pf_txn *t)
{
	pf_plan *p;
	size_t i;

	for (i = t->m->n_entries; i-- > 0;) {
		p = &t->plan[i];
		if (p->backup[0] == '\0')
			continue;
		if (unlinkat(p->dfd, p->backup, 0) < 0 && errno == EISDIR)
			unlinkat(p->dfd, p->backup, AT_REMOVEDIR);
		p->backup[0] = '\0';
	}
}

static pf_ret
sync_dirs(pf_txn *t)
{
	int last = -1;
	size_t i;

	for (i = 0; i < t->m->n_entries; i++) {
		int fd = t->plan[i].dfd;

		if (t->plan[i].action == PF_ACTION_NONE || fd < 0 || fd == last)
			continue;
		if (fsync(fd) < 0)
			return pf_err_errno(&t->err, PF_ERR_IO, errno,
			    "cannot sync directory '%s'", t->plan[i].dir);
		last = fd;
	}
	return PF_OK;
}

pf_ret
pf_txn_commit(pf_txn *t)
{
	size_t i, n = t->m->n_entries;
	pf_ret r = PF_OK;

	if (t->state == PF_TXN_NEW && (r = pf_txn_check(t)) != PF_OK)
		return r;
	if (t->state != PF_TXN_PENDING)
		return PF_OK;
	for (i = 0; i < n && r == PF_OK; i++)
		r = stage_one(t, i);
	for (i = 0; i < n && r == PF_OK; i++)
		r = commit_one(t, i);
	if (r == PF_OK)
		r = commit_dirs(t);
	if (r == PF_OK)
		r = sync_dirs(t);
	if (r != PF_OK) {
		for (i = n; i-- > 0;)
			undo_one(t, i);
		sync_dirs(t);
		return r;
	}
	drop_backups(t);
	t->state = PF_TXN_APPLIED;
	return PF_OK;
}
