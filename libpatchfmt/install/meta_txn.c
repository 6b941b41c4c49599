/*
 * Issue 9 glue: how the current transaction (txn.c, check.c) uses the
 * metadata primitives of meta.c.  Each function here is one call site
 * there, marked "issue 9", so that the journaled transaction can take
 * them over as they are.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/manifest.h"
#include "install/meta.h"
#include "install/meta_txn.h"

pf_ret
pf_txn_set_flags(pf_txn *t, unsigned flags)
{
	if (flags & ~(PF_TXN_NO_OWNERS | PF_TXN_NO_XATTRS))
		return pf_err_set(&t->err, PF_ERR_USAGE, "unknown flags");
	t->meta_flags = (flags & PF_TXN_NO_OWNERS ? PF_META_NO_OWNERS : 0) |
	    (flags & PF_TXN_NO_XATTRS ? PF_META_NO_XATTRS : 0);
	return PF_OK;
}

/* Reads leaf in dfd as s->type says it is (a symlink is not followed). */
static pf_ret
read_meta(pf_txn *t, int dfd, const char *leaf, pf_type type, pf_state *got,
    const char *path)
{
	int fd;
	pf_ret r;

	if (type == PF_TYPE_SYMLINK)
		return pf_meta_read_at(dfd, leaf, got, &t->err, path);
	fd = openat(dfd, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    (type == PF_TYPE_DIR ? O_DIRECTORY : 0));
	if (fd < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot open '%s'", path);
	r = pf_meta_read_fd(fd, got, &t->err, path);
	close(fd);
	return r;
}

/* The directory and leaf of a path of the tree; dfd -1 when absent. */
static pf_ret
locate(pf_txn *t, const char *path, int *dfd, const char **leaf)
{
	const char *slash = strrchr(path, '/');

	*leaf = slash ? slash + 1 : path;
	return pf_dirs_get(&t->dirs, path, slash ? (size_t)(slash - path) : 0,
	    dfd, &t->err);
}

/* Section 5.4.3: a member is the inode of its leader. */
static pf_ret
same_inode(pf_txn *t, int dfd, const char *leaf, const char *leader,
    bool *ok)
{
	struct stat a, b;
	const char *ll;
	int ldfd;
	pf_ret r;

	*ok = false;
	if ((r = locate(t, leader, &ldfd, &ll)) != PF_OK) {
		pf_err_clear(&t->err);
		return PF_OK;
	}
	if (ldfd < 0 || fstatat(dfd, leaf, &a, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fstatat(ldfd, ll, &b, AT_SYMLINK_NOFOLLOW) < 0)
		return PF_OK;
	*ok = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	return PF_OK;
}

/* PF_ERR_MISMATCH, with the message, when leaf lacks s's metadata. */
static pf_ret
compare(pf_txn *t, int dfd, const char *leaf, const pf_entry *e,
    const pf_state *s)
{
	pf_state got;
	bool ok;
	pf_ret r;

	if (!s->has_meta || dfd < 0 || s->type == PF_TYPE_NONE)
		return PF_OK;
	memset(&got, 0, sizeof got);
	r = read_meta(t, dfd, leaf, s->type, &got, e->path);
	if (r == PF_OK)
		r = pf_meta_compare(s, &got, t->meta_flags, &t->err, e->path);
	pf_state_clear(&got);
	if (r == PF_OK && s->hardlink != NULL &&
	    (r = same_inode(t, dfd, leaf, s->hardlink, &ok)) == PF_OK && !ok)
		r = pf_err_set(&t->err, PF_ERR_MISMATCH,
		    "'%s' does not match the package: expected a hard link to "
		    "'%s', found a file of its own", e->path, s->hardlink);
	return r;
}

pf_ret
pf_txn_meta_compare(pf_txn *t, int dfd, const char *leaf, const pf_entry *e,
    const pf_state *s, bool *ok)
{
	pf_ret r = compare(t, dfd, leaf, e, s);

	/* A difference is an answer here; explain() gives the message. */
	*ok = r == PF_OK;
	if (r == PF_ERR_MISMATCH)
		pf_err_clear(&t->err);
	return r == PF_ERR_MISMATCH ? PF_OK : r;
}

pf_ret
pf_txn_meta_explain(pf_txn *t, int dfd, const char *leaf, const pf_entry *e)
{
	return compare(t, dfd, leaf, e, &e->before);
}

pf_ret
pf_txn_meta_can(pf_txn *t, size_t i, int dfd)
{
	const pf_entry *e = &t->m->entries[i];
	const char *leaf;
	int root;
	pf_ret r;

	if (t->plan[i].action == PF_ACTION_NONE || !e->after.has_meta)
		return PF_OK;
	if (dfd < 0) {
		/* Made by the package: its file system is the root's. */
		if ((r = locate(t, "x", &root, &leaf)) != PF_OK)
			return r;
		dfd = root;
	}
	return pf_meta_check_state(dfd, &e->after, t->meta_flags, &t->err,
	    e->path);
}

/* The index of path's entry in the manifest, or -1. */
static long
entry_index(const pf_manifest *m, const char *path)
{
	const pf_entry *e = pf_manifest_find(m, path, strlen(path));

	return e != NULL ? (long)(e - m->entries) : -1;
}

bool
pf_txn_meta_leader_listed(const pf_txn *t, const char *leader)
{
	return entry_index(t->m, leader) >= 0;
}

pf_ret
pf_txn_meta_link(pf_txn *t, pf_plan *p, const pf_entry *e)
{
	long j = entry_index(t->m, e->after.hardlink);
	const pf_plan *lp = j >= 0 ? &t->plan[j] : NULL;
	const char *leaf;
	int ldfd;
	pf_ret r;

	/* The leader's new file when it is staged, else the one in place. */
	if (lp != NULL && lp->tmp[0] != '\0')
		return pf_meta_link(lp->dfd, lp->tmp, p->dfd, p->tmp, &t->err,
		    e->path);
	if ((r = locate(t, e->after.hardlink, &ldfd, &leaf)) != PF_OK)
		return r;
	if (ldfd < 0)
		return pf_err_set(&t->err, PF_ERR_IO,
		    "directory of '%s' vanished", e->after.hardlink);
	return pf_meta_link(ldfd, leaf, p->dfd, p->tmp, &t->err, e->path);
}
