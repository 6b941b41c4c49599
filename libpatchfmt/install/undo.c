/*
 * Ending a transaction from what is on disk (spec section 9.4): undo one
 * that did not reach its commit point, or finish one that did.  Both look
 * only at the names drawn before the journal was written and at what
 * exists under them, so the process that failed and a later one that
 * recovers after a crash take the same steps, and running either twice
 * does no harm.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "install/txn_int.h"
#include "format/types.h"

int
pf_txn_dfd(pf_txn *t, size_t i)
{
	const pf_entry *e = &t->m->entries[i];
	pf_err err;
	int fd;
	pf_ret r;

	pf_err_clear(&err);
	r = pf_dirs_get(&t->dirs, e->path, strlen(t->plan[i].dir), &fd, &err);
	/*
	 * A parent that is not (or no longer) a directory holds nothing;
	 * one that cannot be opened, or remembered, is an error.
	 */
	if (r == PF_ERR_IO || r == PF_ERR_NOMEM)
		pf_err_copy(&t->err, &err);
	return r == PF_OK ? fd : -1;
}

/*
 * What is at name in dfd: 0 when absent.  When it cannot be told (EIO),
 * also 0, but the transaction is marked failed, so that its journal stays
 * and a later run looks again.
 */
static mode_t
kind_of(pf_txn *t, int dfd, const char *name, struct stat *st)
{
	if (name[0] == '\0')
		return 0;
	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT && errno != ENOTDIR && t->err.code == PF_OK)
			pf_err_errno(&t->err, PF_ERR_IO, errno,
			    "cannot look at '%s'", name);
		return 0;
	}
	return st->st_mode & S_IFMT;
}

/* The first failure is kept; the walk goes on with the other entries. */
static void
fail(pf_txn *t, const pf_entry *e, const char *what)
{
	if (t->err.code == PF_OK)
		pf_err_errno(&t->err, PF_ERR_IO, errno, "cannot %s '%s'", what,
		    e->path);
}

/*
 * Removes a directory and what it holds, never following a symlink: a
 * directory moved aside holds only what the package removed (checked
 * before the transaction) and the backups of its children.
 */
static int
remove_tree(int dfd, const char *name, int depth)
{
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	if ((errno != ENOTEMPTY && errno != EEXIST) || depth > 256)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT)
			rc = errno == EISDIR ?
			    remove_tree(fd, de->d_name, depth + 1) : -1;
	}
	closedir(d);
	return rc < 0 ? -1 : unlinkat(dfd, name, AT_REMOVEDIR);
}

static int
remove_any(pf_txn *t, int dfd, const char *name)
{
	struct stat st;

	switch (kind_of(t, dfd, name, &st)) {
	case 0:
		return 0;
	case S_IFDIR:
		return remove_tree(dfd, name, 0);
	default:
		return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	}
}

/* Whatever is at the path now goes, and the old object comes back. */
static void
restore(pf_txn *t, int dfd, const pf_plan *p, const pf_entry *e)
{
	struct stat st;
	int rc = 0;

	if (kind_of(t, dfd, p->leaf, &st) != 0)
		rc = unlinkat(dfd, p->leaf, S_ISDIR(st.st_mode) ?
		    AT_REMOVEDIR : 0);
	if (rc < 0)
		fail(t, e, "remove the new");
	else if (renameat2(dfd, p->backup, dfd, p->leaf, RENAME_NOREPLACE) < 0)
		fail(t, e, "put back");
}

/*
 * An old directory moved aside (removed, or turned into a file or
 * symlink) comes back first, parents before children, so that the paths
 * of the entries inside it lead somewhere again.
 */
static void
undo_moved_dir(pf_txn *t, size_t i)
{
	const pf_entry *e = &t->m->entries[i];
	pf_plan *p = &t->plan[i];
	struct stat st;
	int dfd = pf_txn_dfd(t, i);

	if (dfd < 0)
		return;
	if (kind_of(t, dfd, p->tmp, &st) != 0 && unlinkat(dfd, p->tmp, 0) < 0)
		fail(t, e, "remove the staged copy of");
	/* What is at the path now is the new file or symlink. */
	if (kind_of(t, dfd, p->backup, &st) == S_IFDIR)
		restore(t, dfd, p, e);
}

static void
undo_mode(pf_txn *t, int dfd, const pf_plan *p, const pf_entry *e)
{
	struct stat st;
	pf_err first = t->err;

	if (kind_of(t, dfd, p->leaf, &st) != S_IFDIR)
		return;
	if (pf_txn_set_dir_state(t, dfd, p->leaf, e, &e->before) != PF_OK &&
	    first.code != PF_OK)
		t->err = first;
}

/* A new object at the path goes; the old one kept aside comes back. */
static void
undo_entry(pf_txn *t, size_t i)
{
	const pf_entry *e = &t->m->entries[i];
	pf_plan *p = &t->plan[i];
	struct stat st, old;
	bool staged;
	int dfd = pf_txn_dfd(t, i);

	if (dfd < 0)
		return;
	if (p->action == PF_ACTION_CHMOD && e->after.type == PF_TYPE_DIR) {
		undo_mode(t, dfd, p, e);
		return;
	}
	staged = kind_of(t, dfd, p->tmp, &st) != 0;
	if (staged && remove_any(t, dfd, p->tmp) < 0)
		fail(t, e, "remove the staged copy of");
	switch (p->keep) {
	case PF_KEEP_NONE:
		/* Nothing was there: what is there now is ours. */
		if (!staged && kind_of(t, dfd, p->leaf, &st) != 0 &&
		    unlinkat(dfd, p->leaf, S_ISDIR(st.st_mode) ?
		    AT_REMOVEDIR : 0) < 0)
			fail(t, e, "remove the new");
		return;
	case PF_KEEP_LINK:
		if (kind_of(t, dfd, p->backup, &old) == 0)
			return;
		/* Still one inode: the new one was never renamed over it. */
		if (kind_of(t, dfd, p->leaf, &st) != 0 && st.st_dev == old.st_dev &&
		    st.st_ino == old.st_ino) {
			if (unlinkat(dfd, p->backup, 0) < 0)
				fail(t, e, "remove the backup of");
		} else if (renameat(dfd, p->backup, dfd, p->leaf) < 0)
			fail(t, e, "put back");
		return;
	case PF_KEEP_MOVE:
		if (kind_of(t, dfd, p->backup, &old) != 0)
			restore(t, dfd, p, e);
		return;
	}
}

static bool
moved_dir(const pf_txn *t, size_t i)
{
	return t->plan[i].action != PF_ACTION_NONE &&
	    t->plan[i].keep == PF_KEEP_MOVE &&
	    t->m->entries[i].before.type == PF_TYPE_DIR;
}

pf_ret
pf_txn_undo(pf_txn *t)
{
	size_t i, n = t->m->n_entries;

	pf_err_clear(&t->err);
	for (i = 0; i < n; i++)
		if (moved_dir(t, i))
			undo_moved_dir(t, i);
	for (i = n; i-- > 0;)
		if (t->plan[i].action != PF_ACTION_NONE && !moved_dir(t, i))
			undo_entry(t, i);
	if (t->err.code == PF_OK)
		pf_txn_sync_dirs(t);
	return t->err.code;
}

pf_ret
pf_txn_finish(pf_txn *t)
{
	const pf_entry *e;
	pf_plan *p;
	size_t i;
	int dfd;

	pf_err_clear(&t->err);
	for (i = t->m->n_entries; i-- > 0;) {
		e = &t->m->entries[i];
		p = &t->plan[i];
		if (p->action == PF_ACTION_NONE || (dfd = pf_txn_dfd(t, i)) < 0)
			continue;
		if (remove_any(t, dfd, p->tmp) < 0)
			fail(t, e, "remove the staged copy of");
		if (remove_any(t, dfd, p->backup) < 0)
			fail(t, e, "remove the backup of");
	}
	if (t->err.code == PF_OK)
		pf_txn_sync_dirs(t);
	return t->err.code;
}

/* Every parent directory of an entry that changed, once each. */
pf_ret
pf_txn_sync_dirs(pf_txn *t)
{
	const pf_plan *p;
	int last = -1, fd;
	size_t i;

	for (i = 0; i < t->m->n_entries; i++) {
		p = &t->plan[i];
		if (p->action == PF_ACTION_NONE ||
		    (fd = pf_txn_dfd(t, i)) < 0 || fd == last)
			continue;
		if (fsync(fd) < 0)
			return pf_err_errno(&t->err, PF_ERR_IO, errno,
			    "cannot sync directory '%s'", p->dir);
		last = fd;
	}
	return t->err.code;
}
