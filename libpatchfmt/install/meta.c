/*
 * Metadata for the applier (spec/patchfmt.md sections 5.4.1 to 5.4.3 and
 * 9.5).  Nothing here decides what to install: the transaction calls
 * these on the descriptors it holds.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/fileio.h"
#include "install/fsmeta.h"
#include "format/format.h"
#include "format/manifest.h"
#include "package/xattr_text.h"
#include "install/meta.h"
#include "install/txn_int.h"

/* "/proc/self/fd/N/" and a path component. */
#define PROC_PATH (32 + PF_MAX_NAME)

/*
 * The /proc path of leaf in dfd: the l*xattr calls on it resolve dfd and
 * act on leaf itself, so a symlink is never followed.
 */
static void
proc_path(char out[PROC_PATH], int dfd, const char *leaf)
{
	snprintf(out, PROC_PATH, "/proc/self/fd/%d/%s", dfd, leaf);
}

static pf_type
type_of(mode_t m)
{
	return S_ISREG(m) ? PF_TYPE_FILE : S_ISDIR(m) ? PF_TYPE_DIR :
	    S_ISLNK(m) ? PF_TYPE_SYMLINK : PF_TYPE_NONE;
}

static void
from_stat(pf_state *out, const struct stat *st)
{
	pf_state_clear(out);
	out->type = type_of(st->st_mode);
	out->mode = st->st_mode & 07777;
	out->size = out->type == PF_TYPE_DIR ? 0 : (uint64_t)st->st_size;
	out->has_meta = true;
	out->uid = (uint32_t)st->st_uid;
	out->gid = (uint32_t)st->st_gid;
}

pf_ret
pf_meta_read_fd(int fd, pf_state *out, pf_err *err, const char *path)
{
	struct stat st;
	pf_ret r;

	if (fstat(fd, &st) < 0)
		return pf_err_errno(err, PF_ERR_IO, errno, "cannot stat '%s'",
		    path);
	from_stat(out, &st);
	r = pf_fsmeta_xattrs(fd, NULL, out, err, path);
	if (r == PF_OK && out->type == PF_TYPE_FILE)
		r = pf_fsmeta_extents(fd, out, err, path);
	return r;
}

pf_ret
pf_meta_read_at(int dfd, const char *leaf, pf_state *out, pf_err *err,
    const char *path)
{
	char pp[PROC_PATH];
	struct stat st;

	if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return pf_err_errno(err, PF_ERR_IO, errno, "cannot stat '%s'",
		    path);
	from_stat(out, &st);
	proc_path(pp, dfd, leaf);
	return pf_fsmeta_xattrs(-1, pp, out, err, path);
}

/* Comparing. */

static pf_ret
differs(pf_err *err, const char *path, const char *want, const char *got)
{
	return pf_err_set(err, PF_ERR_MISMATCH,
	    "'%s' does not match the package: expected %s, found %s", path,
	    want, got);
}

static const pf_xattr *
find_xattr(const pf_state *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_xattrs; i++)
		if (strcmp(s->xattrs[i].name, name) == 0)
			return &s->xattrs[i];
	return NULL;
}

/*
 * A security label the state does not record is the target system's
 * (its policy labels every file): it is neither compared nor removed.
 */
static bool
foreign_label(const pf_state *s, const char *name)
{
	return strcmp(name, "security.selinux") == 0 &&
	    find_xattr(s, name) == NULL;
}

/* "NAME VALUE" for a message, or "no NAME" when x is NULL. */
static char *
describe(const char *name, const pf_xattr *x)
{
	char *v, *s;

	if (x == NULL)
		return asprintf(&s, "no %s", name) < 0 ? NULL : s;
	if ((v = pf_xattr_text(x->name, x->value, x->len)) == NULL)
		return NULL;
	if (asprintf(&s, "%s %s", x->name, v) < 0)
		s = NULL;
	free(v);
	return s;
}

static pf_ret
xattr_differs(pf_err *err, const char *path, const char *name,
    const pf_xattr *want, const pf_xattr *got)
{
	char *w = describe(name, want), *g = NULL;
	pf_ret r;

	if (got == NULL)
		g = strdup("none");
	else if (want == NULL)
		g = describe(name, got);
	else
		g = pf_xattr_text(got->name, got->value, got->len);
	if (w == NULL || g == NULL)
		r = pf_err_nomem(err);
	else
		r = differs(err, path, w, g);
	free(w);
	free(g);
	return r;
}

static bool
same_value(const pf_xattr *a, const pf_xattr *b)
{
	return a->len == b->len && memcmp(a->value, b->value, a->len) == 0;
}

static pf_ret
compare_xattrs(const pf_state *want, const pf_state *got, pf_err *err,
    const char *path)
{
	const pf_xattr *o;
	size_t i;

	for (i = 0; i < want->n_xattrs; i++) {
		o = find_xattr(got, want->xattrs[i].name);
		if (o == NULL || !same_value(o, &want->xattrs[i]))
			return xattr_differs(err, path, want->xattrs[i].name,
			    &want->xattrs[i], o);
	}
	for (i = 0; i < got->n_xattrs; i++)
		if (find_xattr(want, got->xattrs[i].name) == NULL &&
		    !foreign_label(want, got->xattrs[i].name))
			return xattr_differs(err, path, got->xattrs[i].name,
			    NULL, &got->xattrs[i]);
	return PF_OK;
}

pf_ret
pf_meta_compare(const pf_state *want, const pf_state *got, unsigned flags,
    pf_err *err, const char *path)
{
	char w[64], g[64];

	if (!want->has_meta)
		return PF_OK;
	if (!(flags & PF_META_NO_OWNERS) &&
	    (want->uid != got->uid || want->gid != got->gid)) {
		snprintf(w, sizeof w, "owner %u:%u", want->uid, want->gid);
		snprintf(g, sizeof g, "%u:%u", got->uid, got->gid);
		return differs(err, path, w, g);
	}
	if (flags & PF_META_NO_XATTRS)
		return PF_OK;
	return compare_xattrs(want, got, err, path);
}

/* Applying. */

/* One target for the xattr calls: a descriptor, or a path not followed. */
typedef struct target {
	int fd;
	const char *pp;
} target;

static ssize_t
t_list(const target *t, char *buf, size_t n)
{
	return t->fd >= 0 ? flistxattr(t->fd, buf, n) :
	    llistxattr(t->pp, buf, n);
}

static int
t_set(const target *t, const pf_xattr *x)
{
	return t->fd >= 0 ? fsetxattr(t->fd, x->name, x->value, x->len, 0) :
	    lsetxattr(t->pp, x->name, x->value, x->len, 0);
}

static int
t_remove(const target *t, const char *name)
{
	return t->fd >= 0 ? fremovexattr(t->fd, name) :
	    lremovexattr(t->pp, name);
}

/* Removes what s does not have; a staged file may inherit ACLs. */
static pf_ret
remove_others(const target *t, const pf_state *s, pf_err *err,
    const char *path)
{
	char buf[65536], *p;
	ssize_t n;

	if ((n = t_list(t, buf, sizeof buf)) < 0)
		return errno == ENOTSUP ? PF_OK : pf_err_errno(err, PF_ERR_IO,
		    errno, "cannot list the extended attributes of '%s'", path);
	for (p = buf; p < buf + n; p += strlen(p) + 1)
		if (find_xattr(s, p) == NULL && !foreign_label(s, p) &&
		    t_remove(t, p) < 0 && errno != ENODATA)
			return pf_err_errno(err, PF_ERR_IO, errno,
			    "cannot remove extended attribute '%s' of '%s'", p,
			    path);
	return PF_OK;
}

static pf_ret
set_xattrs(const target *t, const pf_state *s, pf_err *err, const char *path)
{
	size_t i;
	pf_ret r;

	if ((r = remove_others(t, s, err, path)) != PF_OK)
		return r;
	for (i = 0; i < s->n_xattrs; i++)
		if (t_set(t, &s->xattrs[i]) < 0)
			return pf_err_errno(err, errno == ENOTSUP ?
			    PF_ERR_UNSUPPORTED : PF_ERR_IO, errno,
			    "cannot set extended attribute '%s' of '%s'",
			    s->xattrs[i].name, path);
	return PF_OK;
}

static void
mtime_of(const pf_state *s, struct timespec ts[2])
{
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = (time_t)s->mtime_sec;
	ts[1].tv_nsec = (long)s->mtime_nsec;
}

pf_ret
pf_meta_apply_fd(int fd, const pf_state *s, unsigned flags, pf_err *err,
    const char *path)
{
	target t = { fd, NULL };
	struct timespec ts[2];
	pf_ret r;

	if (s->has_meta && !(flags & PF_META_NO_OWNERS) &&
	    fchown(fd, s->uid, s->gid) < 0)
		return pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot set the owner of '%s'", path);
	if (s->has_meta && !(flags & PF_META_NO_XATTRS) &&
	    (r = set_xattrs(&t, s, err, path)) != PF_OK)
		return r;
	if (fchmod(fd, s->mode) < 0)
		return pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot set the mode of '%s'", path);
	if (s->has_mtime) {
		mtime_of(s, ts);
		if (futimens(fd, ts) < 0)
			return pf_err_errno(err, PF_ERR_IO, errno,
			    "cannot set the time of '%s'", path);
	}
	return PF_OK;
}

pf_ret
pf_meta_apply_at(int dfd, const char *leaf, const pf_state *s,
    unsigned flags, pf_err *err, const char *path)
{
	char pp[PROC_PATH];
	target t = { -1, pp };
	struct timespec ts[2];
	pf_ret r;

	if (!s->has_meta)
		return PF_OK;
	proc_path(pp, dfd, leaf);
	if (!(flags & PF_META_NO_OWNERS) &&
	    fchownat(dfd, leaf, s->uid, s->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot set the owner of '%s'", path);
	if (!(flags & PF_META_NO_XATTRS) &&
	    (r = set_xattrs(&t, s, err, path)) != PF_OK)
		return r;
	if (s->has_mtime) {
		mtime_of(s, ts);
		if (utimensat(dfd, leaf, ts, AT_SYMLINK_NOFOLLOW) < 0)
			return pf_err_errno(err, PF_ERR_IO, errno,
			    "cannot set the time of '%s'", path);
	}
	return PF_OK;
}

/* What can be done here. */

static bool
privileged_name(const char *name)
{
	return strncmp(name, "security.", 9) == 0 ||
	    strncmp(name, "trusted.", 8) == 0;
}

/* Whether dfd's file system takes attributes of name's namespace. */
static bool
namespace_supported(int dfd, const char *name)
{
	char b;

	return fgetxattr(dfd, name, &b, 0) >= 0 || errno != ENOTSUP;
}

pf_ret
pf_meta_check_state(int dfd, const pf_state *s, unsigned flags,
    pf_err *err, const char *path)
{
	bool root = geteuid() == 0;
	size_t i;

	if (!s->has_meta)
		return PF_OK;
	if (!(flags & PF_META_NO_OWNERS) && !root &&
	    (s->uid != geteuid() || s->gid != getegid()))
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "'%s' must belong to %u:%u, which only root can set: run "
		    "as root, or give --no-owners", path, s->uid, s->gid);
	if (flags & PF_META_NO_XATTRS)
		return PF_OK;
	for (i = 0; i < s->n_xattrs; i++) {
		if (!root && privileged_name(s->xattrs[i].name))
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "'%s' needs extended attribute '%s', which only "
			    "root can set: run as root, or give --no-xattrs",
			    path, s->xattrs[i].name);
		if (!namespace_supported(dfd, s->xattrs[i].name))
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "'%s' needs extended attribute '%s', which its file "
			    "system does not support: give --no-xattrs to "
			    "install without it", path, s->xattrs[i].name);
	}
	return PF_OK;
}

/* Sparse files. */

int
pf_sparse_init(pf_sparse_out *o, int fd, const pf_state *s, const char *path)
{
	memset(o, 0, sizeof *o);
	o->fd = fd;
	o->s = s;
	o->path = path;
	return pf_sha256_init(&o->h);
}

void
pf_sparse_discard(pf_sparse_out *o)
{
	pf_sha256_discard(&o->h);
}

pf_ret
pf_sparse_write(void *opaque, const void *buf, size_t n, pf_err *err)
{
	pf_sparse_out *o = opaque;
	const uint8_t *p = buf;
	const pf_extent *x;
	uint64_t k;
	pf_ret r;

	while (n > 0) {
		if (o->ext >= o->s->n_extents)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "new content of '%s' is longer than its data",
			    o->path);
		x = &o->s->extents[o->ext];
		if (o->in_ext == 0) {
			/* The hole before this extent reads as zeros. */
			pf_fsmeta_hash_zeros(&o->h, x->offset - o->pos);
			o->pos = x->offset;
		}
		k = x->length - o->in_ext;
		if (k > n)
			k = n;
		if (o->fd >= 0 && (r = pf_pwrite_full(o->fd, p, (size_t)k,
		    x->offset + o->in_ext, err, o->path)) != PF_OK)
			return r;
		pf_sha256_update(&o->h, p, (size_t)k);
		o->pos += k;
		p += k;
		n -= (size_t)k;
		if ((o->in_ext += k) == x->length) {
			o->ext++;
			o->in_ext = 0;
		}
	}
	return PF_OK;
}

pf_ret
pf_sparse_finish(pf_sparse_out *o, uint8_t sha256[32], pf_err *err)
{
	if (o->ext != o->s->n_extents) {
		pf_sparse_discard(o);
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "new content of '%s' is shorter than its data", o->path);
	}
	pf_fsmeta_hash_zeros(&o->h, o->s->size - o->pos);
	pf_sha256_final(&o->h, sha256);
	if (o->fd >= 0 && ftruncate(o->fd, (off_t)o->s->size) < 0)
		return pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot set the size of '%s'", o->path);
	return PF_OK;
}

/* Copies bytes [off, end) of src to the same place in dst. */
static pf_ret
copy_range(int src, int dst, uint64_t off, uint64_t end, pf_err *err,
    const char *path)
{
	uint8_t buf[65536];
	size_t k;
	pf_ret r = PF_OK;

	for (; r == PF_OK && off < end; off += k) {
		k = end - off > sizeof buf ? sizeof buf : (size_t)(end - off);
		if ((r = pf_pread_full(src, buf, k, off, err, path)) == PF_OK)
			r = pf_pwrite_full(dst, buf, k, off, err, path);
	}
	return r;
}

pf_ret
pf_meta_copy(int src, int dst, pf_err *err, const char *path)
{
	pf_state s;
	struct stat st;
	size_t i;
	pf_ret r;

	memset(&s, 0, sizeof s);
	if (fstat(src, &st) < 0)
		return pf_err_errno(err, PF_ERR_IO, errno, "cannot stat '%s'",
		    path);
	s.size = (uint64_t)st.st_size;
	r = pf_fsmeta_extents(src, &s, err, path);
	if (r == PF_OK && !s.sparse)
		r = copy_range(src, dst, 0, s.size, err, path);
	for (i = 0; r == PF_OK && i < s.n_extents; i++)
		r = copy_range(src, dst, s.extents[i].offset,
		    s.extents[i].offset + s.extents[i].length, err, path);
	if (r == PF_OK && ftruncate(dst, (off_t)s.size) < 0)
		r = pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot set the size of '%s'", path);
	pf_state_clear(&s);
	return r;
}

/* Hard-link groups. */

pf_ret
pf_meta_link(int leader_dfd, const char *leader, int dfd, const char *name,
    pf_err *err, const char *path)
{
	/* The name was drawn (and journaled) by the transaction. */
	if (linkat(leader_dfd, leader, dfd, name, 0) == 0)
		return PF_OK;
	return pf_err_errno(err, PF_ERR_IO, errno,
	    "cannot link '%s' to '%s'", path, leader);
}
