/*
 * The new files elsewhere: every path the package adds or changes, in
 * its new state, rebuilt from the verified package and the old files
 * under the transaction's root, which is only read.  Nothing is written
 * before pf_txn_verify() has decoded and checked every new content, and
 * the result appears whole or not at all (a directory renamed into
 * place; a tar archive written from a finished temporary tree).
 */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "common/stream.h"
#include "format/format.h"
#include "format/manifest.h"
#include "install/dpkg.h"
#include "install/meta.h"
#include "install/output.h"
#include "install/txn_int.h"
#include "package/reader.h"

/* Bytes copied at once into a tar archive. */
#define CHUNK (64u * 1024)

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

/* Removes a temporary tree of ours; 0 when it is gone. */
static int
remove_tree(const char *top)
{
	struct stat st;

	nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return lstat(top, &st) < 0 && errno == ENOENT ? 0 : -1;
}

static int
chmod_dir(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D)
		chmod(p, (st->st_mode & 07777) | 0700);
	return 0;
}

/*
 * Removes a scratch tree, writable again first.  A tree that cannot be
 * removed is named in the error, so that nothing is left behind without
 * a word: a run that had succeeded fails with it, a failed run keeps its
 * own error and adds the name.
 */
static pf_ret
discard_tree(pf_txn *t, const char *top, pf_ret r)
{
	size_t n;

	nftw(top, chmod_dir, 16, FTW_PHYS);
	if (remove_tree(top) == 0)
		return r;
	if (r == PF_OK)
		return pf_err_set(&t->err, PF_ERR_IO, "cannot remove the "
		    "scratch directory '%s': remove it by hand", top);
	n = strlen(t->err.msg);
	snprintf(t->err.msg + n, sizeof t->err.msg - n, "; the scratch "
	    "directory '%s' could not be removed", top);
	return r;
}

/* The directories above path under top, made as unpacking would. */
static pf_ret
make_parents(pf_txn *t, const char *top, const char *path)
{
	char full[2 * PATH_MAX];
	size_t n = strlen(top) + 1;
	char *s;

	snprintf(full, sizeof full, "%s/%s", top, path);
	for (s = full + n; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(full, 0755) < 0 && errno != EEXIST) {
			pf_err_errno(&t->err, PF_ERR_IO, errno,
			    "cannot create '%s'", full);
			return PF_ERR_IO;
		}
		*s = '/';
	}
	return PF_OK;
}

static pf_ret
set_meta_fd(pf_txn *t, int fd, const pf_entry *e, unsigned flags)
{
	if (e->after.has_meta)
		return pf_meta_apply_fd(fd, &e->after, flags, &t->err,
		    e->path);
	if (fchmod(fd, e->after.mode) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot set the mode of '%s'", e->path);
	return PF_OK;
}

/* The leader of e's link group, when the package wrote it already. */
static const pf_entry *
leader(pf_txn *t, const pf_entry *e)
{
	const pf_entry *l;

	if (e->after.hardlink == NULL)
		return NULL;
	l = pf_manifest_find(t->m, e->after.hardlink,
	    strlen(e->after.hardlink));
	return l != NULL && l < e && l->after.type == PF_TYPE_FILE ? l : NULL;
}

static pf_ret
out_file(pf_txn *t, size_t i, const char *top, const char *full,
    unsigned flags)
{
	const pf_entry *e = &t->m->entries[i], *l = leader(t, e);
	char lead[2 * PATH_MAX];
	int fd;
	pf_ret r;

	if (l != NULL) {
		snprintf(lead, sizeof lead, "%s/%s", top, l->path);
		if (link(lead, full) < 0)
			return pf_err_errno(&t->err, PF_ERR_IO, errno,
			    "cannot link '%s'", e->path);
		return PF_OK;
	}
	fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot create '%s'", full);
	r = pf_txn_fill_new(t, i, fd);
	if (r == PF_OK)
		r = set_meta_fd(t, fd, e, flags);
	if (r == PF_OK && fsync(fd) < 0)
		r = pf_err_errno(&t->err, PF_ERR_IO, errno, "cannot sync '%s'",
		    full);
	if (close(fd) < 0 && r == PF_OK)
		r = pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot write '%s'", full);
	return r;
}

static pf_ret
out_symlink(pf_txn *t, const pf_entry *e, const char *full, unsigned flags)
{
	char copy[2 * PATH_MAX];
	int dfd;
	pf_ret r;

	if (symlink(e->after.link, full) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot create symlink '%s'", full);
	if (!e->after.has_meta)
		return PF_OK;
	snprintf(copy, sizeof copy, "%s", full);
	if ((dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot open the directory of '%s'", full);
	snprintf(copy, sizeof copy, "%s", full);
	r = pf_meta_apply_at(dfd, basename(copy), &e->after, flags, &t->err,
	    e->path);
	close(dfd);
	return r;
}

/* Directories get their mode last, so that a read-only one filled. */
static pf_ret
dir_meta(pf_txn *t, const char *top, unsigned flags)
{
	char full[2 * PATH_MAX];
	const pf_entry *e;
	size_t i;
	int fd;
	pf_ret r = PF_OK;

	for (i = t->m->n_entries; i-- > 0 && r == PF_OK; ) {
		e = &t->m->entries[i];
		if (e->after.type != PF_TYPE_DIR)
			continue;
		snprintf(full, sizeof full, "%s/%s", top, e->path);
		if ((fd = open(full, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) < 0)
			return pf_err_errno(&t->err, PF_ERR_IO, errno,
			    "cannot open '%s'", full);
		r = set_meta_fd(t, fd, e, flags);
		close(fd);
	}
	return r;
}

/* Every new state under top; with for_tar, contents only. */
static pf_ret
build(pf_txn *t, const char *top, bool for_tar)
{
	unsigned flags = for_tar ? PF_META_NO_OWNERS | PF_META_NO_XATTRS :
	    t->meta_flags;
	char full[2 * PATH_MAX];
	const pf_entry *e;
	size_t i;
	pf_ret r = PF_OK;

	for (i = 0; i < t->m->n_entries && r == PF_OK; i++) {
		e = &t->m->entries[i];
		if (e->after.type == PF_TYPE_NONE)
			continue;
		if ((r = make_parents(t, top, e->path)) != PF_OK)
			break;
		snprintf(full, sizeof full, "%s/%s", top, e->path);
		if (e->after.type == PF_TYPE_DIR) {
			if (mkdir(full, 0700) < 0 && errno != EEXIST)
				r = pf_err_errno(&t->err, PF_ERR_IO, errno,
				    "cannot create '%s'", full);
		} else if (e->after.type == PF_TYPE_SYMLINK)
			r = out_symlink(t, e, full, flags);
		else
			r = out_file(t, i, top, full, flags);
	}
	if (r == PF_OK && !for_tar)
		r = dir_meta(t, top, flags);
	return r;
}

static pf_ret
ready(pf_txn *t)
{
	pf_ret r;

	if ((r = pf_txn_check(t)) != PF_OK)
		return r;
	return pf_txn_verify(t);
}

pf_ret
pf_txn_output_dir(pf_txn *t, const char *dir)
{
	char tmp[PATH_MAX], copy[PATH_MAX], *base;
	struct stat st;
	pf_ret r;

	if ((r = ready(t)) != PF_OK)
		return r;
	if (lstat(dir, &st) == 0 || errno != ENOENT)
		return pf_err_set(&t->err, PF_ERR_USAGE, "'%s' exists: "
		    "--output makes a new directory", dir);
	snprintf(copy, sizeof copy, "%s", dir);
	base = basename(copy);
	snprintf(tmp, sizeof tmp, "%s", dir);
	snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dirname(tmp), base);
	if (mkdtemp(tmp) == NULL)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot create a directory beside '%s'", dir);
	r = build(t, tmp, false);
	if (r == PF_OK && chmod(tmp, 0755) < 0)
		r = pf_err_errno(&t->err, PF_ERR_IO, errno, "cannot set the "
		    "mode of '%s'", tmp);
	/* The commit point: the whole directory appears at once. */
	if (r == PF_OK && renameat2(AT_FDCWD, tmp, AT_FDCWD, dir,
	    RENAME_NOREPLACE) < 0)
		r = pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot rename the output to '%s'", dir);
	if (r != PF_OK)
		r = discard_tree(t, tmp, r);
	return r;
}

/* Tar. */

static pf_ret
tar_error(pf_txn *t, struct archive *a, const char *path)
{
	const char *m = archive_error_string(a);

	return pf_err_set(&t->err, PF_ERR_IO, "cannot write '%s' to the tar "
	    "archive: %s", path, m ? m : "unknown error");
}

static void
tar_meta(pf_txn *t, struct archive_entry *ae, const pf_entry *e)
{
	const pf_state *s = &e->after;
	size_t i;

	archive_entry_set_pathname(ae, e->path);
	archive_entry_set_perm(ae, (mode_t)s->mode);
	archive_entry_set_mtime(ae, s->has_mtime ? (time_t)s->mtime_sec :
	    (time_t)t->m->created, s->has_mtime ? (long)s->mtime_nsec : 0);
	if (s->has_meta) {
		archive_entry_set_uid(ae, s->uid);
		archive_entry_set_gid(ae, s->gid);
		if (s->user != NULL)
			archive_entry_set_uname(ae, s->user);
		if (s->group != NULL)
			archive_entry_set_gname(ae, s->group);
	}
	for (i = 0; i < s->n_xattrs; i++)
		archive_entry_xattr_add_entry(ae, s->xattrs[i].name,
		    s->xattrs[i].value, s->xattrs[i].len);
}

static pf_ret
tar_data(pf_txn *t, struct archive *a, const char *full, const char *path)
{
	uint8_t *buf = malloc(CHUNK);
	size_t got;
	int fd;
	pf_ret r = PF_OK;

	if (buf == NULL)
		return pf_err_nomem(&t->err);
	if ((fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		free(buf);
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot open '%s'", full);
	}
	do {
		r = pf_read_full(fd, buf, CHUNK, &got, &t->err, full);
		if (r == PF_OK && got > 0 &&
		    archive_write_data(a, buf, got) != (la_ssize_t)got)
			r = tar_error(t, a, path);
	} while (r == PF_OK && got == CHUNK);
	close(fd);
	free(buf);
	return r;
}

static pf_ret
tar_entry(pf_txn *t, struct archive *a, const char *top, const pf_entry *e)
{
	struct archive_entry *ae = archive_entry_new();
	const pf_entry *l = leader(t, e);
	char full[2 * PATH_MAX];
	pf_ret r = PF_OK;

	if (ae == NULL)
		return pf_err_nomem(&t->err);
	tar_meta(t, ae, e);
	if (e->after.type == PF_TYPE_DIR)
		archive_entry_set_filetype(ae, AE_IFDIR);
	else if (e->after.type == PF_TYPE_SYMLINK) {
		archive_entry_set_filetype(ae, AE_IFLNK);
		archive_entry_set_symlink(ae, e->after.link);
	} else {
		archive_entry_set_filetype(ae, AE_IFREG);
		if (l != NULL)
			archive_entry_set_hardlink(ae, l->path);
		else
			archive_entry_set_size(ae, (la_int64_t)e->after.size);
	}
	if (archive_write_header(a, ae) != ARCHIVE_OK)
		r = tar_error(t, a, e->path);
	snprintf(full, sizeof full, "%s/%s", top, e->path);
	if (r == PF_OK && e->after.type == PF_TYPE_FILE && l == NULL)
		r = tar_data(t, a, full, e->path);
	archive_entry_free(ae);
	return r;
}

pf_ret
pf_txn_output_tar(pf_txn *t, int fd)
{
	const char *dir = getenv("TMPDIR");
	struct archive *a = NULL;
	char tmp[PATH_MAX];
	size_t i;
	pf_ret r;

	if ((r = ready(t)) != PF_OK)
		return r;
	snprintf(tmp, sizeof tmp, "%s/patch-apply.XXXXXX",
	    dir && *dir ? dir : "/tmp");
	if (mkdtemp(tmp) == NULL)
		return pf_err_errno(&t->err, PF_ERR_IO, errno,
		    "cannot create a temporary directory '%s'", tmp);
	if ((r = build(t, tmp, true)) != PF_OK)
		goto out;
	if ((a = archive_write_new()) == NULL) {
		r = pf_err_nomem(&t->err);
		goto out;
	}
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		r = tar_error(t, a, "-");
		goto out;
	}
	for (i = 0; i < t->m->n_entries && r == PF_OK; i++)
		if (t->m->entries[i].after.type != PF_TYPE_NONE)
			r = tar_entry(t, a, tmp, &t->m->entries[i]);
	if (r == PF_OK && archive_write_close(a) != ARCHIVE_OK)
		r = tar_error(t, a, "the end");
out:
	if (a != NULL)
		archive_write_free(a);
	return discard_tree(t, tmp, r);
}

/* Extracting one file. */

typedef struct sink {
	int fd;
	pf_sha256_ctx h;
	uint64_t n;
} sink;

static pf_ret
sink_write(void *opaque, const void *buf, size_t n, pf_err *err)
{
	sink *k = opaque;

	pf_sha256_update(&k->h, buf, n);
	k->n += n;
	return k->fd < 0 ? PF_OK : pf_write_full(k->fd, buf, n, err, "output");
}

static pf_ret
base_at(void *opaque, uint64_t off, void *buf, size_t n, pf_err *err)
{
	return pf_pread_full(*(int *)opaque, buf, n, off, err, "the old file");
}

/* Hashes the whole of fd (and copies it to out, when out >= 0). */
static pf_ret
copy_hash(int fd, int out, uint8_t d[32], uint64_t *n, pf_err *err)
{
	sink k = { .fd = out };
	uint8_t buf[CHUNK];
	size_t got;
	pf_ret r;

	if (pf_sha256_init(&k.h) != 0)
		return pf_err_nomem(err);
	do {
		r = pf_read_full(fd, buf, sizeof buf, &got, err,
		    "the old file");
		if (r == PF_OK)
			r = sink_write(&k, buf, got, err);
	} while (r == PF_OK && got == sizeof buf);
	if (r != PF_OK) {
		pf_sha256_discard(&k.h);
		return r;
	}
	pf_sha256_final(&k.h, d);
	*n = k.n;
	return PF_OK;
}

static pf_ret
differs(const char *what, const char *path, const pf_state *s, uint64_t n,
    const uint8_t d[32], pf_ret code, pf_err *err)
{
	char x[PF_SHA256_HEX_LEN], y[PF_SHA256_HEX_LEN];

	if (n == s->size && memcmp(d, s->sha256, 32) == 0)
		return PF_OK;
	return pf_err_set(err, code, "%s '%s' does not match the package: "
	    "expected sha256 %s, found %s", what, path,
	    pf_sha256_hex(x, s->sha256), pf_sha256_hex(y, d));
}

/* The old file under root, checked against the entry's "before". */
static pf_ret
open_old(const char *root, const pf_entry *e, int *fd, pf_err *err)
{
	uint8_t d[32];
	uint64_t n;
	pf_ret r;

	if (e->before.type != PF_TYPE_FILE)
		return pf_err_set(err, PF_ERR_USAGE, "'%s' has no old file to "
		    "rebuild it from", e->path);
	if ((*fd = pf_dpkg_open(root, e->path)) < 0)
		return pf_err_errno(err, PF_ERR_MISMATCH, errno, "cannot open "
		    "the old file '%s' under '%s'", e->path, root);
	r = copy_hash(*fd, -1, d, &n, err);
	if (r == PF_OK)
		r = differs("old file", e->path, &e->before, n, d,
		    PF_ERR_MISMATCH, err);
	if (r != PF_OK) {
		close(*fd);
		*fd = -1;
	}
	return r;
}

pf_ret
pf_output_extract(pf_reader *r, const char *root, const char *path, int fd,
    pf_err *err)
{
	const pf_manifest *m = pf_reader_manifest(r);
	const pf_entry *e = pf_manifest_find(m, path, strlen(path));
	sink k = { .fd = fd };
	pf_ostream out = { sink_write, &k };
	pf_source src;
	bool base;
	uint8_t d[32];
	uint64_t n;
	int bfd = -1;
	pf_ret ret;

	if (e == NULL || e->after.type != PF_TYPE_FILE)
		return pf_err_set(err, PF_ERR_USAGE, "'%s' is %s", path,
		    e == NULL ? "not a path of the package" :
		    "no file after the patch: nothing to extract");
	if (e->after.sparse)
		return pf_err_set(err, PF_ERR_UNSUPPORTED, "'%s' is a sparse "
		    "file: use patch-apply --output to rebuild it", path);
	base = e->payload == PF_NO_BLOB ||
	    pf_codec_needs_base(m->blobs[e->payload].codec);
	if (base && root == NULL)
		return pf_err_set(err, PF_ERR_USAGE, "'%s' is stored as a "
		    "delta against its old file (or not at all): give --root "
		    "with the old build to extract it", path);
	if (base && (ret = open_old(root, e, &bfd, err)) != PF_OK)
		return ret;
	if (e->payload == PF_NO_BLOB) {
		ret = lseek(bfd, 0, SEEK_SET) < 0 ? pf_err_errno(err,
		    PF_ERR_IO, errno, "cannot read '%s'", path) :
		    copy_hash(bfd, fd, d, &n, err);
	} else if (pf_sha256_init(&k.h) != 0)
		ret = pf_err_nomem(err);
	else {
		src = (pf_source){ base_at, &bfd, e->before.size };
		ret = pf_reader_decode_blob(r, e->payload, base ? &src : NULL,
		    &out, err);
		if (ret == PF_OK) {
			pf_sha256_final(&k.h, d);
			n = k.n;
		} else
			pf_sha256_discard(&k.h);
	}
	if (bfd >= 0)
		close(bfd);
	if (ret == PF_OK)
		ret = differs("new content of", path, &e->after, n, d,
		    PF_ERR_CORRUPT, err);
	return ret;
}
