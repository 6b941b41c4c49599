/*
 * pf_txn: installs a verified package into a tree (spec section 9).
 * Stage every new file beside its target, then rename everything into
 * place, keeping each old one under a backup name until the end, so that
 * a failure at any step can put the tree back exactly as it was.  Every
 * name a transaction may leave is drawn before the first change, so that
 * a journal (section 12.4) lets a later process finish or undo it.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "package/reader.h"
#include "install/meta.h"
#include "install/meta_txn.h"
#include "install/txn_int.h"
#include "format/types.h"

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

const char *
pf_txn_error_detail(const pf_txn *t, pf_detail which)
{
	return pf_err_part(&t->err, which);
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

void
pf_txn_set_cancel(pf_txn *t, const volatile sig_atomic_t *flag)
{
	t->cancel = flag;
}

const char *
pf_txn_note(const pf_txn *t)
{
	return t->note[0] != '\0' ? t->note : NULL;
}

/* A signal asked us to stop: refuse the next step, undo what was done. */
static bool
cancelled(pf_txn *t)
{
	if (t->cancel == NULL || *t->cancel == 0)
		return false;
	pf_err_set(&t->err, PF_ERR_INTERRUPTED,
	    "interrupted by a signal: the tree was put back as it was");
	return true;
}

pf_ret
pf_txn_resume_entry(pf_txn *t, size_t i, pf_action action, pf_keep keep,
    const char *tmp, const char *backup)
{
	const pf_entry *e = &t->m->entries[i];
	pf_plan *p = &t->plan[i];
	const char *slash = strrchr(e->path, '/');
	size_t dlen = slash ? (size_t)(slash - e->path) : 0;

	free(p->dir);
	memset(p, 0, sizeof *p);
	p->dfd = -1;
	p->leaf = slash ? slash + 1 : e->path;
	if ((p->dir = strndup(e->path, dlen)) == NULL)
		return pf_err_nomem(&t->err);
	p->action = action;
	p->keep = keep;
	p->actual = e->before.type;
	snprintf(p->tmp, sizeof p->tmp, "%s", tmp);
	snprintf(p->backup, sizeof p->backup, "%s", backup);
	t->state = PF_TXN_PENDING;
	return PF_OK;
}

pf_ret
pf_txn_draw_names(pf_txn *t)
{
	const pf_entry *e;
	pf_plan *p;
	size_t i;

	for (i = 0; i < t->m->n_entries; i++) {
		e = &t->m->entries[i];
		p = &t->plan[i];
		p->tmp[0] = p->backup[0] = '\0';
		if (p->action == PF_ACTION_NONE)
			continue;
		if (e->after.type != PF_TYPE_NONE && !(p->action ==
		    PF_ACTION_CHMOD && e->after.type == PF_TYPE_DIR))
			pf_txn_tmpname(p->tmp, "new");
		if (p->keep != PF_KEEP_NONE)
			pf_txn_tmpname(p->backup, "old");
	}
	return PF_OK;
}

/* Staging. */

typedef struct staged_out {
	int fd;
	int spool;              /* spec/delta.md 5.3: a copy to read back */
	const char *path;
	pf_sha256_ctx h;
	uint64_t n;
} staged_out;

static pf_ret
staged_write(void *opaque, const void *buf, size_t n, pf_err *err)
{
	staged_out *s = opaque;
	pf_ret r;

	pf_sha256_update(&s->h, buf, n);
	s->n += n;
	if (s->spool >= 0 &&
	    (r = pf_write_full(s->spool, buf, n, err, s->path)) != PF_OK)
		return r;
	if (s->fd < 0)
		return PF_OK;
	return pf_write_full(s->fd, buf, n, err, s->path);
}

/* A delta that copies from the new file's earlier bytes reads them back. */
static pf_ret
staged_rb_open(void *opaque, pf_err *err)
{
	staged_out *s = opaque;

	return pf_spool_for(s->fd, &s->spool, err, s->path);
}

static pf_ret
staged_rb_read_at(void *opaque, uint64_t off, void *buf, size_t n,
    pf_err *err)
{
	staged_out *s = opaque;

	return pf_pread_full(s->spool >= 0 ? s->spool : s->fd, buf, n, off,
	    err, s->path);
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

static pf_ret
base_stream_read(void *opaque, void *buf, size_t n, size_t *got, pf_err *err)
{
	base_file *b = opaque;

	return pf_read_full(b->fd, buf, n, got, err, b->path);
}

static pf_ret
check_new(pf_txn *t, const pf_entry *e, uint64_t n, const uint8_t d[32])
{
	char x[PF_SHA256_HEX_LEN], y[PF_SHA256_HEX_LEN];

	if (n != e->after.size || memcmp(d, e->after.sha256, 32) != 0)
		return pf_err_set(&t->err, PF_ERR_CORRUPT,
		    "new content of '%s' is wrong: expected sha256 %s, "
		    "decoded %s", e->path, pf_sha256_hex(x, e->after.sha256),
		    pf_sha256_hex(y, d));
	return PF_OK;
}

/* What fill_file() reads the old content from. */
static int
open_base(pf_txn *t, pf_plan *p, const pf_entry *e, base_file *bf)
{
	if (e->before.type != PF_TYPE_FILE || p->actual != PF_TYPE_FILE)
		return 0;
	if ((bf->fd = pf_open_regular(p->dfd, p->leaf)) >= 0)
		return 0;
	pf_err_errno(&t->err, PF_ERR_IO, errno, "cannot open '%s'", e->path);
	return -1;
}

/*
 * Writes the new content of entry e into fd (or, with fd -1, only hashes
 * it) and checks it against the entry's "after" state: the payload
 * decoded against the old file, or, for a change of metadata alone, a
 * copy of the file as it is.  A sparse payload is the file's data only,
 * written at its extents (section 5.4.2).
 */
static pf_ret
fill_file(pf_txn *t, pf_plan *p, const pf_entry *e, int fd)
{
	staged_out so = { .fd = fd, .spool = -1, .path = e->path };
	pf_readback rb = { staged_rb_open, staged_rb_read_at, &so };
	base_file bf = { -1, e->path };
	pf_source src, *base = NULL;
	pf_ostream out = { staged_write, &so };
	pf_istream in = { base_stream_read, &bf };
	pf_sparse_out sp = { .fd = -1 };
	uint8_t d[32];
	pf_ret r;

	if (e->after.sparse ? pf_sparse_init(&sp, fd, &e->after, e->path) :
	    pf_sha256_init(&so.h))
		return pf_err_nomem(&t->err);
	if (e->after.sparse)
		out = (pf_ostream){ pf_sparse_write, &sp };
	if (open_base(t, p, e, &bf) < 0) {
		r = t->err.code;
		goto out;
	}
	if (bf.fd >= 0) {
		src = (pf_source){ base_read_at, &bf, e->before.size };
		base = &src;
	}
	if (e->payload != PF_NO_BLOB)
		r = pf_reader_decode_blob_rb(t->r, e->payload, base, &out,
		    e->after.sparse ? NULL : &rb, &t->err);
	else if (bf.fd >= 0 && e->after.sparse)
		/* The holes stay holes; the hash was checked before. */
		r = fd < 0 ? PF_OK : pf_meta_copy(bf.fd, fd, &t->err, e->path);
	else if (bf.fd >= 0)
		r = pf_stream_copy(&in, &out, e->after.size, &t->err);
	else
		r = pf_err_set(&t->err, PF_ERR_CORRUPT,
		    "'%s' has no content to install", e->path);
	if (bf.fd >= 0)
		close(bf.fd);
	if (r != PF_OK || (e->payload == PF_NO_BLOB && e->after.sparse))
		goto out;
	if (e->after.sparse) {
		if ((r = pf_sparse_finish(&sp, d, &t->err)) == PF_OK)
			r = check_new(t, e, e->after.size, d);
	} else {
		pf_sha256_final(&so.h, d);
		r = check_new(t, e, so.n, d);
	}
out:
	if (so.spool >= 0)
		close(so.spool);
	pf_sparse_discard(&sp);
	pf_sha256_discard(&so.h);
	return r;
}

/* Owner, extended attributes, mode and time, on the staged file. */
static pf_ret
set_file_meta(pf_txn *t, pf_plan *p, const pf_entry *e, int fd)
{
	if (e->after.has_meta)
		return pf_meta_apply_fd(fd, &e->after, t->meta_flags, &t->err,
		    e->path);
	/* An older package: keep the owner of the file we replace. */
	if (p->actual != PF_TYPE_NONE && geteuid() == 0 &&
	    fchown(fd, p->uid, p->gid) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot set the owner of '%s'", e->path);
	if (fchmod(fd, e->after.mode) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot set the mode of '%s'", e->path);
	return PF_OK;
}

static pf_ret
stage_file(pf_txn *t, pf_plan *p, const pf_entry *e)
{
	int fd;
	pf_ret r;

	/* A member of a link group is a link to its leader (5.4.3). */
	if (e->after.hardlink != NULL)
		return pf_txn_meta_link(t, p, e);
	fd = openat(p->dfd, p->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot create a temporary file beside '%s'", e->path);
	r = fill_file(t, p, e, fd);
	/* Every attribute is on the file before it can be seen by name. */
	if (r == PF_OK)
		r = set_file_meta(t, p, e, fd);
	if (r == PF_OK && fsync(fd) < 0)
		r = pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot sync '%s'", e->path);
	if (close(fd) < 0 && r == PF_OK)
		r = pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot write '%s'", e->path);
	return r;
}

static pf_ret
stage_symlink(pf_txn *t, pf_plan *p, const pf_entry *e)
{
	if (symlinkat(e->after.link, p->dfd, p->tmp) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot create symlink '%s'", e->path);
	if (e->after.has_meta)
		return pf_meta_apply_at(p->dfd, p->tmp, &e->after,
		    t->meta_flags, &t->err, e->path);
	/* A replaced symlink keeps its owner, where we may set it. */
	if (p->actual != PF_TYPE_NONE && geteuid() == 0 &&
	    fchownat(p->dfd, p->tmp, p->uid, p->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot set the owner of '%s'", e->path);
	return PF_OK;
}

/*
 * A directory's mode (and, when recorded, owner, extended attributes and
 * time) go on its descriptor, never through a path or /proc.
 */
pf_ret
pf_txn_set_dir_state(pf_txn *t, int dfd, const char *name,
    const pf_entry *e, const pf_state *s)
{
	int fd;
	pf_ret r = PF_OK;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot open directory '%s'", e->path);
	if (s->has_meta)
		r = pf_meta_apply_fd(fd, s, t->meta_flags, &t->err, e->path);
	else if (fchmod(fd, s->mode) < 0)
		r = pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot set the mode of '%s'", e->path);
	if (r == PF_OK && fsync(fd) < 0)
		r = pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot sync '%s'", e->path);
	close(fd);
	return r;
}

/*
 * A new directory is made under its staged name with its final mode, and
 * only then renamed into place (after the old object at its path, if any,
 * is moved aside): it never appears with the wrong mode.
 */
static pf_ret
make_dir(pf_txn *t, pf_plan *p, const pf_entry *e)
{
	pf_ret r;

	if (mkdirat(p->dfd, p->tmp, 0700) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot create directory '%s'", e->path);
	if ((r = pf_txn_set_dir_state(t, p->dfd, p->tmp, e, &e->after)) != PF_OK)
		return r;
	if (p->keep == PF_KEEP_MOVE && renameat2(p->dfd, p->leaf, p->dfd,
	    p->backup, RENAME_NOREPLACE) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot keep a backup of '%s'", e->path);
	if (renameat2(p->dfd, p->tmp, p->dfd, p->leaf, RENAME_NOREPLACE) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot put '%s' in place", e->path);
	return PF_OK;
}

static pf_ret
stage_one(pf_txn *t, size_t i)
{
	const pf_entry *e = &t->m->entries[i];
	pf_plan *p = &t->plan[i];

	if (p->action == PF_ACTION_NONE)
		return PF_OK;
	if (cancelled(t))
		return t->err.code;
	if ((p->dfd = pf_txn_dfd(t, i)) < 0)
		return t->err.code != PF_OK ? t->err.code :
		    pf_err_set(&t->err, PF_ERR_IO, "directory '%s' vanished",
		    p->dir);
	if (p->tmp[0] == '\0')
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
		/* A parent the package makes does not exist yet: no base. */
		p->dfd = pf_txn_dfd(t, i);
		if (t->err.code != PF_OK)
			return t->err.code;
		if ((r = fill_file(t, p, e, -1)) != PF_OK)
			return r;
	}
	return PF_OK;
}

/*
 * The new content of entry i into fd, for --output (install/output.c):
 * decoded against the old file, or, where the root already holds the
 * new state, copied from it and hashed again.
 */
pf_ret
pf_txn_fill_new(pf_txn *t, size_t i, int fd)
{
	pf_entry copy = t->m->entries[i];
	pf_plan *p = &t->plan[i];

	p->dfd = pf_txn_dfd(t, i);
	if (t->err.code != PF_OK)
		return t->err.code;
	if (p->action == PF_ACTION_NONE) {
		copy.payload = PF_NO_BLOB;
		copy.before = copy.after;
	}
	return fill_file(t, p, &copy, fd);
}

/* Committing: what is left once everything is staged. */

static pf_ret
place(pf_txn *t, pf_plan *p, const pf_entry *e)
{
	/* Only over an old file or symlink kept as a hard link. */
	unsigned flags = p->keep == PF_KEEP_LINK ? 0 : RENAME_NOREPLACE;

	if (renameat2(p->dfd, p->tmp, p->dfd, p->leaf, flags) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot put '%s' in place", e->path);
	return PF_OK;
}

static pf_ret
set_aside(pf_txn *t, pf_plan *p, const pf_entry *e)
{
	int rc;

	if (p->keep == PF_KEEP_LINK)
		rc = linkat(p->dfd, p->leaf, p->dfd, p->backup, 0);
	else
		rc = renameat2(p->dfd, p->leaf, p->dfd, p->backup,
		    RENAME_NOREPLACE);
	if (rc < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot keep a backup of '%s'", e->path);
	return PF_OK;
}

/* Everything but directories that go away, front to back. */
static pf_ret
commit_one(pf_txn *t, size_t i)
{
	const pf_entry *e = &t->m->entries[i];
	pf_plan *p = &t->plan[i];
	pf_ret r;

	if (p->action == PF_ACTION_NONE)
		return PF_OK;
	if (cancelled(t))
		return t->err.code;
	if (p->action == PF_ACTION_CHMOD && e->after.type == PF_TYPE_DIR)
		return pf_txn_set_dir_state(t, p->dfd, p->leaf, e,
		    &e->after);
	/* New directories are in place already; old ones go last. */
	if (e->after.type == PF_TYPE_DIR || p->actual == PF_TYPE_DIR)
		return PF_OK;
	if (p->keep != PF_KEEP_NONE && (r = set_aside(t, p, e)) != PF_OK)
		return r;
	return p->tmp[0] != '\0' ? place(t, p, e) : PF_OK;
}

/* Directories that go away (or become something else), deepest first. */
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
		if (cancelled(t))
			return t->err.code;
		if ((r = set_aside(t, p, e)) != PF_OK)
			return r;
		if (p->tmp[0] != '\0' && (r = place(t, p, e)) != PF_OK)
			return r;
	}
	return PF_OK;
}

static pf_ret
apply_all(pf_txn *t)
{
	size_t i, n = t->m->n_entries;
	pf_ret r = PF_OK;

	for (i = 0; i < n && r == PF_OK; i++)
		r = stage_one(t, i);
	for (i = 0; i < n && r == PF_OK; i++)
		r = commit_one(t, i);
	if (r == PF_OK)
		r = commit_dirs(t);
	if (r == PF_OK && !cancelled(t))
		r = pf_txn_sync_dirs(t);
	return r != PF_OK ? r : t->err.code;
}

/* The first error stays; a later one becomes the note. */
static void
note(pf_txn *t, const char *what, const pf_err *e)
{
	int k = snprintf(t->note, sizeof t->note, "%s: ", what);

	if (k > 0 && (size_t)k < sizeof t->note)
		snprintf(t->note + k, sizeof t->note - (size_t)k, "%.*s",
		    (int)(sizeof t->note - (size_t)k - 1), e->msg);
}

/* After a failure before the commit point: put everything back. */
static pf_ret
roll_back(pf_txn *t, const pf_txn_hooks *h)
{
	pf_err first = t->err;
	pf_ret r;

	t->cause = first;
	pf_err_clear(&t->err);
	r = pf_txn_undo(t);
	if (r == PF_OK && h != NULL && h->end != NULL)
		r = h->end(h->opaque, t, false);
	if (r != PF_OK)
		note(t, "the tree could not be put back; 'patch-apply "
		    "--recover' finishes it", &t->err);
	t->err = first;
	return first.code;
}

/* After the commit point the transaction stands; leftovers are noted. */
static pf_ret
finish(pf_txn *t, const pf_txn_hooks *h)
{
	pf_ret r;

	pf_err_clear(&t->err);
	r = pf_txn_finish(t);
	if (r == PF_OK && h != NULL && h->end != NULL)
		r = h->end(h->opaque, t, true);
	if (r != PF_OK) {
		note(t, t->reversed ? "rolled back, but cleaning up failed; "
		    "the next run finishes it" : "installed, but cleaning up "
		    "failed; the next run finishes it", &t->err);
		pf_err_clear(&t->err);
	}
	t->state = PF_TXN_APPLIED;
	return PF_OK;
}

pf_ret
pf_txn_commit_with(pf_txn *t, const pf_txn_hooks *h)
{
	pf_ret r = PF_OK;

	if (t->state == PF_TXN_NEW && (r = pf_txn_check(t)) != PF_OK)
		return r;
	if (t->state != PF_TXN_PENDING)
		return PF_OK;
	if ((r = pf_txn_draw_names(t)) != PF_OK)
		return r;
	if (cancelled(t))
		return t->err.code;
	if (h != NULL && h->begin != NULL &&
	    (r = h->begin(h->opaque, t)) != PF_OK)
		return r;
	r = apply_all(t);
	if (r == PF_OK && h != NULL && h->commit != NULL && !cancelled(t))
		r = h->commit(h->opaque, t);
	if (r == PF_OK)
		r = t->err.code;
	return r == PF_OK ? finish(t, h) : roll_back(t, h);
}

pf_ret
pf_txn_commit(pf_txn *t)
{
	return pf_txn_commit_with(t, NULL);
}
