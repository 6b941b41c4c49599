#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "create/scan.h"
#include "format/format.h"

void
pf_nodelist_free(pf_nodelist *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < l->v[i].n_xattrs; j++) {
			free(l->v[i].xattrs[j].name);
			free(l->v[i].xattrs[j].value);
		}
		free(l->v[i].xattrs);
		free(l->v[i].src);
		free(l->v[i].path);
		free(l->v[i].link);
		free(l->v[i].hardlink);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

pf_node *
pf_nodelist_push(pf_nodelist *l)
{
	pf_node *p;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;

		p = realloc(l->v, cap * sizeof *p);
		if (p == NULL)
			return NULL;
		l->v = p;
		l->cap = cap;
	}
	p = &l->v[l->n++];
	memset(p, 0, sizeof *p);
	return p;
}

static pf_ret
read_link(int dfd, const char *name, const char *path, pf_node *nd,
    pf_err *err)
{
	char buf[PF_MAX_LINK + 1];
	ssize_t k;

	k = readlinkat(dfd, name, buf, sizeof buf);
	if (k < 0)
		return pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot read symlink '%s'", path);
	if ((size_t)k > PF_MAX_LINK)
		return pf_err_set(err, PF_ERR_USAGE,
		    "symlink '%s' has a target longer than %d bytes", path,
		    PF_MAX_LINK);
	buf[k] = '\0';
	if ((nd->link = strdup(buf)) == NULL)
		return pf_err_nomem(err);
	nd->size = (uint64_t)k;
	return PF_OK;
}

void
pf_node_stat(pf_node *nd, const struct stat *st)
{
	nd->mode = st->st_mode & 07777;
	nd->uid = (uint32_t)st->st_uid;
	nd->gid = (uint32_t)st->st_gid;
	nd->mtime_sec = (int64_t)st->st_mtim.tv_sec;
	nd->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	nd->dev = (uint64_t)st->st_dev;
	nd->ino = (uint64_t)st->st_ino;
	nd->nlink = (uint64_t)st->st_nlink;
}

static pf_ret walk(int dfd, const char *prefix, pf_nodelist *out,
    pf_err *err);

static pf_ret
add_node(int dfd, const char *name, const char *path, pf_nodelist *out,
    pf_err *err)
{
	struct stat st;
	pf_node *nd;
	int sub;
	pf_ret r;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return pf_err_errno(err, PF_ERR_IO, errno, "cannot stat '%s'",
		    path);
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
		return pf_err_set(err, PF_ERR_USAGE,
		    "'%s' is a %s, not a file, directory or symlink: patchfmt "
		    "cannot carry it; remove it from the build", path,
		    S_ISFIFO(st.st_mode) ? "FIFO" : S_ISSOCK(st.st_mode) ?
		    "socket" : S_ISCHR(st.st_mode) ? "character device" :
		    S_ISBLK(st.st_mode) ? "block device" : "special file");
	if (strlen(path) > PF_MAX_PATH)
		return pf_err_set(err, PF_ERR_USAGE, "path '%s' is too long",
		    path);
	if ((nd = pf_nodelist_push(out)) == NULL ||
	    (nd->path = strdup(path)) == NULL)
		return pf_err_nomem(err);
	pf_node_stat(nd, &st);
	if (S_ISLNK(st.st_mode)) {
		nd->type = PF_TYPE_SYMLINK;
		return read_link(dfd, name, path, nd, err);
	}
	if (S_ISREG(st.st_mode)) {
		nd->type = PF_TYPE_FILE;
		nd->size = (uint64_t)st.st_size;
		return PF_OK;
	}
	nd->type = PF_TYPE_DIR;
	sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot open directory '%s'", path);
	r = walk(sub, path, out, err);
	close(sub);
	return r;
}

static pf_ret
walk(int dfd, const char *prefix, pf_nodelist *out, pf_err *err)
{
	char path[PF_MAX_PATH + PF_MAX_NAME + 2];
	struct dirent *de;
	DIR *d;
	int fd;
	pf_ret r = PF_OK;

	if ((fd = dup(dfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot list '%s'", *prefix ? prefix : ".");
	}
	while (r == PF_OK && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s%s%s", prefix,
		    *prefix ? "/" : "", de->d_name);
		r = add_node(dfd, de->d_name, path, out, err);
	}
	if (r == PF_OK && errno != 0)
		r = pf_err_errno(err, PF_ERR_IO, errno, "cannot list '%s'",
		    *prefix ? prefix : ".");
	closedir(d);
	return r;
}

static int
cmp_node(const void *a, const void *b)
{
	return strcmp(((const pf_node *)a)->path, ((const pf_node *)b)->path);
}

/* Files with more than one link, by inode, then by path. */
static int
cmp_inode(const void *a, const void *b, void *arg)
{
	const pf_nodelist *l = arg;
	const pf_node *x = &l->v[*(const size_t *)a];
	const pf_node *y = &l->v[*(const size_t *)b];

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return strcmp(x->path, y->path);
}

/*
 * Section 5.4.3: every file whose inode an earlier path of the build
 * has too names that first path, the leader of its group.
 */
static pf_ret
link_groups(pf_nodelist *l, pf_err *err)
{
	size_t *idx, n = 0, i, lead = 0;
	pf_node *a, *b;

	if ((idx = calloc(l->n + 1, sizeof *idx)) == NULL)
		return pf_err_nomem(err);
	for (i = 0; i < l->n; i++)
		if (l->v[i].type == PF_TYPE_FILE && l->v[i].nlink > 1)
			idx[n++] = i;
	qsort_r(idx, n, sizeof *idx, cmp_inode, l);
	for (i = 1; i < n; i++) {
		a = &l->v[idx[lead]];
		b = &l->v[idx[i]];
		if (a->dev != b->dev || a->ino != b->ino) {
			lead = i;
			continue;
		}
		if ((b->hardlink = strdup(a->path)) == NULL) {
			free(idx);
			return pf_err_nomem(err);
		}
	}
	free(idx);
	return PF_OK;
}

pf_ret
pf_scan_tree(const char *root, pf_nodelist *out, pf_err *err)
{
	int dfd;
	pf_ret r;

	memset(out, 0, sizeof *out);
	dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot open directory '%s'", root);
	r = walk(dfd, "", out, err);
	close(dfd);
	if (r == PF_OK && out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, cmp_node);
	if (r == PF_OK)
		r = link_groups(out, err);
	return r;
}
