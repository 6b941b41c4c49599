/*
 * treehash: a fingerprint of a directory tree for the shell tests
 * (tree_hash in tests/cli/lib.sh): the SHA-256 of every entry's path,
 * type, permission bits and link target, and of each regular file's
 * content, in path order.  Two trees alike in these have the same
 * fingerprint.  One process where find, sort and sha256sum took eight:
 * the crash-point tests compute it twice for each of hundreds of points.
 *   treehash DIR
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
#include <unistd.h>

#include "common/hash.h"

/* LeakSanitizer's check at exit costs more than the whole walk. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

typedef struct entry {
	char *path;             /* relative: ".", "./a", "./a/b" */
} entry;

typedef struct list {
	entry *v;
	size_t n, cap;
} list;

static void
die(const char *what, const char *path)
{
	fprintf(stderr, "treehash: %s '%s': %s\n", what, path,
	    strerror(errno));
	exit(1);
}

static void
add(list *l, const char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		if ((l->v = realloc(l->v, l->cap * sizeof *l->v)) == NULL)
			die("out of memory at", path);
	}
	if ((l->v[l->n++].path = strdup(path)) == NULL)
		die("out of memory at", path);
}

/* Every entry under path (a directory), depth first. */
static void
walk(int root, const char *path, list *l)
{
	char sub[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd;

	if ((fd = openat(root, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)) < 0)
		die("cannot open", path);
	if ((d = fdopendir(fd)) == NULL)
		die("cannot read", path);
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path,
		    e->d_name) >= sizeof sub)
			die("path too long", path);
		add(l, sub);
		if (fstatat(root, sub, &st, AT_SYMLINK_NOFOLLOW) < 0)
			die("cannot stat", sub);
		if (S_ISDIR(st.st_mode))
			walk(root, sub, l);
	}
	if (errno != 0)
		die("cannot read", path);
	closedir(d);
}

static int
by_path(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}

static char
type_of(mode_t m)
{
	return S_ISREG(m) ? 'f' : S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' :
	    S_ISFIFO(m) ? 'p' : S_ISSOCK(m) ? 's' : S_ISCHR(m) ? 'c' :
	    S_ISBLK(m) ? 'b' : '?';
}

/* The entry's line, and for a regular file the hash of its content. */
static void
hash_entry(int root, const char *path, pf_sha256_ctx *h)
{
	uint8_t buf[1 << 16], digest[PF_SHA256_LEN];
	char line[2 * PATH_MAX + 64], link[PATH_MAX], hex[PF_SHA256_HEX_LEN];
	pf_sha256_ctx c;
	struct stat st;
	ssize_t k;
	int fd, n;

	if (fstatat(root, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		die("cannot stat", path);
	link[0] = 0;
	if (S_ISLNK(st.st_mode)) {
		if ((k = readlinkat(root, path, link, sizeof link - 1)) < 0)
			die("cannot read the link", path);
		link[k] = 0;
	}
	n = snprintf(line, sizeof line, "%s %c %o %s\n", path,
	    type_of(st.st_mode), (unsigned)(st.st_mode & 07777), link);
	pf_sha256_update(h, line, (size_t)n);
	if (!S_ISREG(st.st_mode))
		return;
	if ((fd = openat(root, path, O_RDONLY | O_NOFOLLOW)) < 0)
		die("cannot open", path);
	if (pf_sha256_init(&c) != 0)
		die("cannot hash", path);
	while ((k = read(fd, buf, sizeof buf)) > 0)
		pf_sha256_update(&c, buf, (size_t)k);
	if (k < 0)
		die("cannot read", path);
	close(fd);
	pf_sha256_final(&c, digest);
	n = snprintf(line, sizeof line, "%s\n",
	    pf_sha256_hex(hex, digest));
	pf_sha256_update(h, line, (size_t)n);
}

int
main(int argc, char **argv)
{
	char hex[PF_SHA256_HEX_LEN];
	uint8_t digest[PF_SHA256_LEN];
	pf_sha256_ctx h;
	list l = { 0 };
	size_t i;
	int root;

	if (argc != 2) {
		fprintf(stderr, "usage: treehash DIR\n");
		return 2;
	}
	if ((root = open(argv[1], O_RDONLY | O_DIRECTORY)) < 0)
		die("cannot open", argv[1]);
	add(&l, ".");
	walk(root, ".", &l);
	qsort(l.v, l.n, sizeof *l.v, by_path);
	if (pf_sha256_init(&h) != 0)
		die("cannot hash", argv[1]);
	for (i = 0; i < l.n; i++) {
		hash_entry(root, l.v[i].path, &h);
		free(l.v[i].path);
	}
	free(l.v);
	pf_sha256_final(&h, digest);
	printf("%s\n", pf_sha256_hex(hex, digest));
	close(root);
	return 0;
}
