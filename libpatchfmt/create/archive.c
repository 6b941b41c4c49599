/*
 * Builds as archives.  libarchive reads the headers; the content of each
 * regular file is streamed into a private spool directory (one file per
 * content, named by number), never into a tree named by the archive, so
 * that no path, owner or mode of the archive touches the file system.
 * Metadata comes from the headers, as the tree scanner takes it from
 * lstat(2): numeric owners, permission bits, modification time, extended
 * attributes and hard links.
 */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/deb822.h"
#include "common/fileio.h"
#include "create/archive.h"
#include "create/builder_int.h"
#include "format/format.h"
#include "format/manifest.h"

/* Bytes copied from an entry at once. */
#define CHUNK (64u * 1024)
/* The largest control file of a .deb read. */
#define MAX_CONTROL (1u << 20)

typedef struct scan_ctx {
	pf_build_src *src;
	const char *name;       /* the archive, for messages */
	pf_err *err;
	uint8_t *buf;
} scan_ctx;

static struct archive *
reader_new(void)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
		return NULL;
	/* gzip, xz, zstd, bzip2, lzma and rpm's own header are filters. */
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_ar(a);
	return a;
}

static pf_ret
la_error(scan_ctx *x, struct archive *a, const char *what)
{
	const char *m = archive_error_string(a);

	return pf_err_set(x->err, PF_ERR_USAGE, "cannot read %s of '%s': %s",
	    what, x->name, m ? m : "unknown error");
}

/* An ar archive is a build only as a Debian package. */
static bool
is_build(struct archive *a, struct archive_entry *e, bool *deb)
{
	const char *p = archive_entry_pathname(e);

	*deb = false;
	if ((archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) !=
	    ARCHIVE_FORMAT_AR)
		return true;
	*deb = p != NULL && strcmp(p, "debian-binary") == 0;
	return *deb;
}

pf_ret
pf_archive_sniff(const char *path, bool *yes, pf_err *err)
{
	struct archive *a = reader_new();
	struct archive_entry *e;
	bool deb;
	int k;

	*yes = false;
	if (a == NULL)
		return pf_err_nomem(err);
	/* Anything libarchive cannot open as one of our formats is a file. */
	if (archive_read_open_filename(a, path, CHUNK) == ARCHIVE_OK) {
		k = archive_read_next_header(a, &e);
		*yes = (k == ARCHIVE_OK || k == ARCHIVE_WARN) &&
		    is_build(a, e, &deb);
	}
	archive_read_free(a);
	return PF_OK;
}

/* Paths. */

/*
 * The entry's path as the tree scanner would name it: without "./" in
 * front or "/" behind.  Absolute paths and ".." are refused; the root
 * itself ("." or "./") gives an empty path.
 */
static pf_ret
clean_path(scan_ctx *x, const char *raw, char *out)
{
	size_t n;

	if (raw == NULL || *raw == '\0')
		return pf_err_set(x->err, PF_ERR_UNSAFE,
		    "'%s' has an entry without a name", x->name);
	if (*raw == '/')
		return pf_err_set(x->err, PF_ERR_UNSAFE, "'%s' has an entry "
		    "with the absolute path '%s'; only relative paths can be "
		    "patched", x->name, raw);
	while (raw[0] == '.' && raw[1] == '/')
		for (raw += 2; *raw == '/'; raw++)
			;
	if (strcmp(raw, ".") == 0)
		raw = "";
	if ((n = strlen(raw)) > PF_MAX_PATH)
		return pf_err_set(x->err, PF_ERR_USAGE,
		    "'%s' has a path longer than %d bytes", x->name,
		    PF_MAX_PATH);
	memcpy(out, raw, n + 1);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	if (n > 0 && !pf_path_valid(out, n))
		return pf_err_set(x->err, PF_ERR_UNSAFE, "'%s' has an entry "
		    "'%s' that would leave the build (a '..', '.' or empty "
		    "component)", x->name, raw);
	return PF_OK;
}

/* Nodes. */

static pf_ret
entry_xattrs(scan_ctx *x, struct archive_entry *e, pf_node *nd)
{
	const char *name;
	const void *val;
	size_t len, n = (size_t)archive_entry_xattr_reset(e);
	pf_xattr *xa;

	if (n == 0)
		return PF_OK;
	if (n > PF_MAX_XATTRS)
		return pf_err_set(x->err, PF_ERR_USAGE, "'%s' in '%s' has more "
		    "than %d extended attributes", nd->path, x->name,
		    PF_MAX_XATTRS);
	if ((nd->xattrs = calloc(n, sizeof *nd->xattrs)) == NULL)
		return pf_err_nomem(x->err);
	while (archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK &&
	    nd->n_xattrs < n) {
		if (strlen(name) > PF_MAX_XATTR_NAME ||
		    len > PF_MAX_XATTR_VALUE)
			return pf_err_set(x->err, PF_ERR_USAGE, "extended "
			    "attribute '%s' of '%s' in '%s' is too large", name,
			    nd->path, x->name);
		xa = &nd->xattrs[nd->n_xattrs++];
		if ((xa->name = strdup(name)) == NULL ||
		    (xa->value = malloc(len + 1)) == NULL)
			return pf_err_nomem(x->err);
		memcpy(xa->value, val, len);
		xa->len = len;
	}
	return PF_OK;
}

/* Streams the entry's data into a new file of the spool directory. */
static pf_ret
spool_data(scan_ctx *x, struct archive *a, pf_node *nd)
{
	char path[PATH_MAX];
	uint64_t total = 0;
	la_ssize_t k;
	int fd;
	pf_ret r = PF_OK;

	snprintf(path, sizeof path, "%s/%lu", x->src->dir,
	    x->src->n_spooled++);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return pf_err_errno(x->err, PF_ERR_IO, errno,
		    "cannot create '%s'", path);
	while (r == PF_OK && (k = archive_read_data(a, x->buf, CHUNK)) > 0) {
		total += (uint64_t)k;
		if (total > PF_MAX_FILE_SIZE)
			r = pf_err_set(x->err, PF_ERR_USAGE, "'%s' in '%s' is "
			    "larger than the limit", nd->path, x->name);
		else
			r = pf_write_full(fd, x->buf, (size_t)k, x->err, path);
	}
	if (r == PF_OK && k < 0)
		r = la_error(x, a, "the data");
	if (r == PF_OK && nd->size != UINT64_MAX && total != nd->size)
		r = pf_err_set(x->err, PF_ERR_USAGE, "'%s' in '%s' is "
		    "truncated: %llu of %llu bytes", nd->path, x->name,
		    (unsigned long long)total, (unsigned long long)nd->size);
	close(fd);
	nd->size = total;
	if (r == PF_OK && (nd->src = strdup(path)) == NULL)
		r = pf_err_nomem(x->err);
	return r;
}

static pf_ret
entry_type(scan_ctx *x, struct archive_entry *e, pf_node *nd)
{
	mode_t t = archive_entry_filetype(e);
	const char *l;

	if (archive_entry_hardlink(e) != NULL)
		t = AE_IFREG;
	switch (t) {
	case AE_IFREG:
		nd->type = PF_TYPE_FILE;
		return PF_OK;
	case AE_IFDIR:
		nd->type = PF_TYPE_DIR;
		return PF_OK;
	case AE_IFLNK:
		nd->type = PF_TYPE_SYMLINK;
		if ((l = archive_entry_symlink(e)) == NULL || *l == '\0' ||
		    strlen(l) > PF_MAX_LINK)
			return pf_err_set(x->err, PF_ERR_USAGE, "symlink '%s' "
			    "in '%s' has an empty target or one longer than %d "
			    "bytes", nd->path, x->name, PF_MAX_LINK);
		nd->size = strlen(l);
		return (nd->link = strdup(l)) ? PF_OK : pf_err_nomem(x->err);
	}
	return pf_err_set(x->err, PF_ERR_USAGE, "'%s' in '%s' is a %s, not a "
	    "file, directory or symlink: patchfmt cannot carry it; remove it "
	    "from the build", nd->path, x->name, t == AE_IFIFO ? "FIFO" :
	    t == AE_IFSOCK ? "socket" : t == AE_IFCHR ? "character device" :
	    t == AE_IFBLK ? "block device" : "special file");
}

/* A hard-link entry names its target, resolved once all are known. */
static pf_ret
add_link(scan_ctx *x, pf_node *nd, const char *raw)
{
	char path[PF_MAX_PATH + 1];
	pf_ret r;

	if ((r = clean_path(x, raw, path)) != PF_OK)
		return r;
	return (nd->hardlink = strdup(path)) ? PF_OK : pf_err_nomem(x->err);
}

static pf_ret
add_entry(scan_ctx *x, struct archive *a, struct archive_entry *e)
{
	char path[PF_MAX_PATH + 1];
	pf_node *nd;
	pf_ret r;

	if ((r = clean_path(x, archive_entry_pathname(e), path)) != PF_OK)
		return r;
	if (*path == '\0')
		return PF_OK;
	if ((nd = pf_nodelist_push(&x->src->nodes)) == NULL ||
	    (nd->path = strdup(path)) == NULL)
		return pf_err_nomem(x->err);
	nd->archived = true;
	nd->mode = (uint32_t)archive_entry_perm(e) & 07777;
	nd->uid = (uint32_t)archive_entry_uid(e);
	nd->gid = (uint32_t)archive_entry_gid(e);
	nd->mtime_sec = (int64_t)archive_entry_mtime(e);
	nd->mtime_nsec = (uint32_t)archive_entry_mtime_nsec(e);
	nd->nlink = 1;
	nd->size = archive_entry_size_is_set(e) ?
	    (uint64_t)archive_entry_size(e) : UINT64_MAX;
	if (archive_entry_size_is_set(e) && archive_entry_size(e) < 0)
		return pf_err_set(x->err, PF_ERR_USAGE, "'%s' in '%s' has a "
		    "negative size", path, x->name);
	if (nd->size != UINT64_MAX && nd->size > PF_MAX_FILE_SIZE)
		return pf_err_set(x->err, PF_ERR_USAGE, "'%s' in '%s' is "
		    "larger than the limit", path, x->name);
	if ((r = entry_type(x, e, nd)) != PF_OK ||
	    (r = entry_xattrs(x, e, nd)) != PF_OK)
		return r;
	if (archive_entry_hardlink(e) != NULL &&
	    (r = add_link(x, nd, archive_entry_hardlink(e))) != PF_OK)
		return r;
	/* A hard link's data, if any, is its group's content (cpio). */
	if (nd->type == PF_TYPE_FILE && (archive_entry_hardlink(e) == NULL ||
	    (nd->size != UINT64_MAX && nd->size > 0)))
		return spool_data(x, a, nd);
	return PF_OK;
}

static pf_ret
scan_entries(scan_ctx *x, struct archive *a, struct archive_entry *e)
{
	int k = ARCHIVE_OK;
	pf_ret r = PF_OK;

	if (e == NULL)
		k = archive_read_next_header(a, &e);
	while (r == PF_OK && (k == ARCHIVE_OK || k == ARCHIVE_WARN)) {
		r = add_entry(x, a, e);
		if (r == PF_OK)
			k = archive_read_next_header(a, &e);
	}
	if (r == PF_OK && k != ARCHIVE_EOF)
		r = la_error(x, a, "an entry");
	return r;
}

/* Debian packages. */

typedef pf_nested nested;

la_ssize_t
pf_archive_nested_read(struct archive *a, void *opaque, const void **out)
{
	nested *n = opaque;

	(void)a;
	*out = n->buf;
	return archive_read_data(n->outer, n->buf, sizeof n->buf);
}

static pf_ret
control_field(scan_ctx *x, const char *s, size_t n, const char *name,
    char **out)
{
	free(*out);
	return pf_deb822_field(s, n, name, out, x->err);
}

static pf_ret
read_control(scan_ctx *x, struct archive *a)
{
	char path[PF_MAX_PATH + 1], *text = NULL;
	struct archive_entry *e;
	size_t len = 0;
	la_ssize_t k;
	pf_ret r = PF_OK;

	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (clean_path(x, archive_entry_pathname(e), path) != PF_OK ||
		    strcmp(path, "control") != 0)
			continue;
		if ((text = malloc(MAX_CONTROL)) == NULL)
			return pf_err_nomem(x->err);
		while ((k = archive_read_data(a, text + len,
		    MAX_CONTROL - len)) > 0)
			len += (size_t)k;
		if (k < 0 || len == MAX_CONTROL)
			r = pf_err_set(x->err, PF_ERR_USAGE, "the control file "
			    "of '%s' is unreadable or larger than %u bytes",
			    x->name, MAX_CONTROL);
		if (r == PF_OK)
			r = control_field(x, text, len, "Package",
			    &x->src->package);
		if (r == PF_OK)
			r = control_field(x, text, len, "Version",
			    &x->src->version);
		if (r == PF_OK)
			r = control_field(x, text, len, "Depends",
			    &x->src->depends);
		if (r == PF_OK)
			r = control_field(x, text, len, "Architecture",
			    &x->src->arch);
		free(text);
		pf_err_clear(x->err);
		return r;
	}
	pf_err_clear(x->err);
	return PF_OK;
}

/* control.tar.* or data.tar.*, read from inside the ar archive. */
static pf_ret
scan_member(scan_ctx *x, struct archive *outer, bool data)
{
	struct archive *in = reader_new();
	nested *n = malloc(sizeof *n);
	pf_ret r;

	if (in == NULL || n == NULL) {
		r = pf_err_nomem(x->err);
		goto out;
	}
	n->outer = outer;
	if (archive_read_open(in, n, NULL, pf_archive_nested_read,
	    NULL) != ARCHIVE_OK)
		r = la_error(x, in, data ? "data.tar" : "control.tar");
	else if (data)
		r = scan_entries(x, in, NULL);
	else
		r = read_control(x, in);
out:
	if (in != NULL)
		archive_read_free(in);
	free(n);
	return r;
}

static pf_ret
scan_deb(scan_ctx *x, struct archive *a)
{
	struct archive_entry *e;
	const char *name;
	bool data = false;
	int k;
	pf_ret r = PF_OK;

	x->src->deb = true;
	while (r == PF_OK && (k = archive_read_next_header(a, &e)) ==
	    ARCHIVE_OK) {
		name = archive_entry_pathname(e);
		if (name == NULL)
			continue;
		if (strncmp(name, "control.tar", 11) == 0)
			r = scan_member(x, a, false);
		else if (strncmp(name, "data.tar", 8) == 0 && !data) {
			data = true;
			r = scan_member(x, a, true);
		}
	}
	if (r == PF_OK && !data)
		r = pf_err_set(x->err, PF_ERR_USAGE, "'%s' is an ar archive "
		    "without data.tar: not a Debian binary package", x->name);
	return r;
}

/* The list as a tree: links, duplicates, parents. */

static int
cmp_node(const void *a, const void *b)
{
	return strcmp(((const pf_node *)a)->path, ((const pf_node *)b)->path);
}

static pf_node *find_in(pf_nodelist *l, size_t n, const char *path);

static pf_node *
find(pf_nodelist *l, const char *path)
{
	return find_in(l, l->n, path);
}

/*
 * Section 5.4.3: the members of a link group share the content and the
 * inode's metadata of the file they link to, and the group's first path
 * leads it, as in a tree.
 */
static pf_ret
resolve_links(scan_ctx *x)
{
	pf_nodelist *l = &x->src->nodes;
	pf_node *m, *t, *lead;
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		m = &l->v[i];
		if (m->hardlink == NULL)
			continue;
		/* Follow a chain of links to the file that has no link. */
		for (t = m, j = 0; t != NULL && t->hardlink != NULL &&
		    j <= l->n; j++)
			t = find(l, t->hardlink);
		if (t == NULL || t->type != PF_TYPE_FILE || j > l->n)
			return pf_err_set(x->err, PF_ERR_USAGE, "hard link "
			    "'%s' in '%s' names '%s', which is not a "
			    "file of the archive", m->path, x->name,
			    m->hardlink);
		m->ino = t->ino = (uint64_t)(t - l->v) + 1;
		/* In cpio, the last member of a group carries the data. */
		if (m->src != NULL) {
			free(t->src);
			t->src = m->src;
			m->src = NULL;
			t->size = m->size;
		}
	}
	/* Every member of a group takes its target's inode. */
	for (i = 0; i < l->n; i++) {
		m = &l->v[i];
		if (m->hardlink == NULL)
			continue;
		for (t = m; t->hardlink != NULL; )
			t = find(l, t->hardlink);
		free(m->src);
		m->src = t->src ? strdup(t->src) : NULL;
		if (t->src != NULL && m->src == NULL)
			return pf_err_nomem(x->err);
		m->mode = t->mode;
		m->uid = t->uid;
		m->gid = t->gid;
		m->mtime_sec = t->mtime_sec;
		m->mtime_nsec = t->mtime_nsec;
		m->size = t->size;
		m->ino = t->ino;
		free(m->hardlink);
		m->hardlink = NULL;
	}
	/* The first path of each group leads it (create/scan.c). */
	for (i = 0; i < l->n; i++) {
		if (l->v[i].ino == 0 || l->v[i].nlink == 0)
			continue;
		lead = &l->v[i];
		for (j = i + 1; j < l->n; j++)
			if (l->v[j].ino == lead->ino) {
				l->v[j].nlink = 0;
				if ((l->v[j].hardlink = strdup(lead->path)) ==
				    NULL)
					return pf_err_nomem(x->err);
			}
	}
	for (i = 0; i < l->n; i++)
		l->v[i].nlink = 1;
	return PF_OK;
}

/* The node of path among the first n of the sorted list, or NULL. */
static pf_node *
find_in(pf_nodelist *l, size_t n, const char *path)
{
	pf_node key = { .path = (char *)path };

	return n ? bsearch(&key, l->v, n, sizeof key, cmp_node) : NULL;
}

/* Removes the second of two equal paths: implied directories only. */
static void
drop_repeats(pf_nodelist *l)
{
	size_t i, k = 0;

	for (i = 0; i < l->n; i++) {
		if (k > 0 && strcmp(l->v[k - 1].path, l->v[i].path) == 0) {
			free(l->v[i].path);
			continue;
		}
		l->v[k++] = l->v[i];
	}
	l->n = k;
}

/*
 * Directories the archive implies but does not list get the mode and
 * owner that unpacking as root under umask 022 gives them.  A path
 * under a symlink or a file of the archive is refused: unpacked, it
 * would leave the build or fail.
 */
static pf_ret
add_parents(scan_ctx *x)
{
	pf_nodelist *l = &x->src->nodes;
	char path[PF_MAX_PATH + 1], *slash;
	size_t i, n = l->n;
	pf_node *p, *nd;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s", l->v[i].path);
		while ((slash = strrchr(path, '/')) != NULL) {
			*slash = '\0';
			if ((p = find_in(l, n, path)) != NULL &&
			    p->type == PF_TYPE_DIR)
				break;
			if (p != NULL)
				return pf_err_set(x->err, PF_ERR_UNSAFE,
				    "'%s' in '%s' lies under '%s', which is a "
				    "%s", l->v[i].path, x->name, path,
				    p->type == PF_TYPE_SYMLINK ? "symlink: "
				    "it would leave the build" : "file");
			if ((nd = pf_nodelist_push(l)) == NULL ||
			    (nd->path = strdup(path)) == NULL)
				return pf_err_nomem(x->err);
			nd->archived = true;
			nd->type = PF_TYPE_DIR;
			nd->mode = 0755;
			nd->nlink = 1;
		}
	}
	if (l->n > n) {
		qsort(l->v, l->n, sizeof *l->v, cmp_node);
		drop_repeats(l);
	}
	return PF_OK;
}

static pf_ret
check_unique(scan_ctx *x)
{
	pf_nodelist *l = &x->src->nodes;
	size_t i;

	for (i = 1; i < l->n; i++)
		if (strcmp(l->v[i - 1].path, l->v[i].path) == 0)
			return pf_err_set(x->err, PF_ERR_USAGE, "'%s' appears "
			    "twice in '%s'; a build has one entry per path",
			    l->v[i].path, x->name);
	return PF_OK;
}

static pf_ret
finish(scan_ctx *x)
{
	pf_ret r;

	qsort(x->src->nodes.v, x->src->nodes.n, sizeof *x->src->nodes.v,
	    cmp_node);
	if ((r = check_unique(x)) != PF_OK ||
	    (r = resolve_links(x)) != PF_OK)
		return r;
	return add_parents(x);
}

static pf_ret
make_dir(scan_ctx *x)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/patch-create.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(path) == NULL)
		return pf_err_errno(x->err, PF_ERR_IO, errno,
		    "cannot create a spool directory in '%s'",
		    tmp && *tmp ? tmp : "/tmp");
	return (x->src->dir = strdup(path)) ? PF_OK : pf_err_nomem(x->err);
}

pf_ret
pf_archive_scan(const char *path, pf_build_src *src, pf_err *err)
{
	scan_ctx x = { .src = src, .name = path, .err = err };
	struct archive *a = reader_new();
	struct archive_entry *e;
	bool deb;
	int k;
	pf_ret r;

	memset(src, 0, sizeof *src);
	if (a == NULL || (x.buf = malloc(CHUNK)) == NULL) {
		r = pf_err_nomem(err);
		goto out;
	}
	if ((r = make_dir(&x)) != PF_OK)
		goto out;
	if (archive_read_open_filename(a, path, CHUNK) != ARCHIVE_OK ||
	    ((k = archive_read_next_header(a, &e)) != ARCHIVE_OK &&
	    k != ARCHIVE_WARN)) {
		r = la_error(&x, a, "the archive");
		goto out;
	}
	if (!is_build(a, e, &deb))
		r = pf_err_set(err, PF_ERR_USAGE, "'%s' is an ar archive but "
		    "not a Debian package", path);
	else
		r = deb ? scan_deb(&x, a) : scan_entries(&x, a, e);
	if (r == PF_OK)
		r = finish(&x);
out:
	free(x.buf);
	if (a != NULL)
		archive_read_free(a);
	if (r != PF_OK)
		pf_build_src_free(src);
	return r;
}

void
pf_build_src_free(pf_build_src *src)
{
	char path[PATH_MAX];
	unsigned long i;

	if (src->dir != NULL) {
		for (i = 0; i < src->n_spooled; i++) {
			snprintf(path, sizeof path, "%s/%lu", src->dir, i);
			unlink(path);
		}
		rmdir(src->dir);
	}
	free(src->dir);
	free(src->package);
	free(src->version);
	free(src->depends);
	free(src->arch);
	pf_nodelist_free(&src->nodes);
	memset(src, 0, sizeof *src);
}

static int
cmp_xattr(const void *a, const void *b)
{
	return strcmp(((const pf_xattr *)a)->name, ((const pf_xattr *)b)->name);
}

/*
 * libarchive's pax writer records an attribute twice (LIBARCHIVE.xattr
 * and SCHILY.xattr), and its reader hands out both: one is kept.  Two
 * different values under one name are refused.
 */
static pf_ret
drop_repeated(const pf_node *nd, pf_state *st, pf_err *err)
{
	pf_xattr *v = st->xattrs;
	size_t i, k = 0;

	for (i = 0; i < st->n_xattrs; i++) {
		if (k > 0 && strcmp(v[k - 1].name, v[i].name) == 0) {
			bool same = v[k - 1].len == v[i].len &&
			    memcmp(v[k - 1].value, v[i].value, v[i].len) == 0;

			if (!same) {
				pf_err_set(err, PF_ERR_USAGE, "'%s' has the "
				    "extended attribute '%s' twice, with two "
				    "values", nd->path, v[i].name);
				/* [k, i) moved down or freed: not ours. */
				for (; i < st->n_xattrs; i++) {
					free(v[i].name);
					free(v[i].value);
				}
				st->n_xattrs = k;
				pf_state_xattrs_clear(st);
				return PF_ERR_USAGE;
			}
			free(v[i].name);
			free(v[i].value);
			continue;
		}
		v[k++] = v[i];
	}
	st->n_xattrs = k;
	return PF_OK;
}

pf_ret
pf_archive_xattrs(const pf_node *nd, pf_state *st, pf_err *err)
{
	size_t i;

	pf_state_xattrs_clear(st);
	if (nd->n_xattrs == 0)
		return PF_OK;
	if ((st->xattrs = calloc(nd->n_xattrs, sizeof *st->xattrs)) == NULL)
		return pf_err_nomem(err);
	for (i = 0; i < nd->n_xattrs; i++) {
		pf_xattr *d = &st->xattrs[st->n_xattrs++];

		d->name = strdup(nd->xattrs[i].name);
		d->value = malloc(nd->xattrs[i].len + 1);
		if (d->name == NULL || d->value == NULL) {
			pf_state_xattrs_clear(st);
			return pf_err_nomem(err);
		}
		memcpy(d->value, nd->xattrs[i].value, nd->xattrs[i].len);
		d->len = nd->xattrs[i].len;
	}
	qsort(st->xattrs, st->n_xattrs, sizeof *st->xattrs, cmp_xattr);
	return drop_repeated(nd, st, err);
}
