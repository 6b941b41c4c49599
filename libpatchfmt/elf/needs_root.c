/*
 * Opening a file of the target tree by the path a program would use,
 * without ever leaving the tree: paths are resolved one component at a
 * time with openat() and O_NOFOLLOW, and symlinks are read and followed
 * by hand, their absolute targets taken from the root, ".." stopping at
 * the root (as chroot would), and at most PF_NEEDS_MAX_SYMLINKS of them.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf/needs_int.h"

/* What is left to resolve may grow by a link target per symlink. */
#define MAX_TODO        (4 * PATH_MAX)

typedef struct walk {
	int root;
	int dir;                /* the root, or a descriptor owned here */
	char cur[PATH_MAX];     /* components resolved so far, "" at root */
	char *todo;             /* what is left, owned */
	unsigned links;
} walk;

static void
set_dir(walk *w, int fd)
{
	if (w->dir != w->root)
		close(w->dir);
	w->dir = fd;
}

/* Opens cur again from the root; its components are directories. */
static int
reopen_cur(walk *w)
{
	char copy[PATH_MAX], *name, *save = NULL;
	int fd;

	memcpy(copy, w->cur, sizeof copy);
	set_dir(w, w->root);
	for (name = strtok_r(copy, "/", &save); name != NULL;
	    name = strtok_r(NULL, "/", &save)) {
		fd = openat(w->dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd < 0)
			return -1;
		set_dir(w, fd);
	}
	return 0;
}

/* "..": one component up, never above the root. */
static int
go_up(walk *w)
{
	char *slash = strrchr(w->cur, '/');

	if (w->cur[0] == '\0')
		return 0;
	if (slash != NULL)
		*slash = '\0';
	else
		w->cur[0] = '\0';
	return reopen_cur(w);
}

static int
go_down(walk *w, const char *name)
{
	size_t len = strlen(w->cur);
	int fd;

	if (len + 1 + strlen(name) >= sizeof w->cur) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = openat(w->dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0)
		return -1;
	set_dir(w, fd);
	if (len > 0)
		w->cur[len++] = '/';
	strcpy(w->cur + len, name);
	return 0;
}

/* Replaces the symlink name by its target in front of rest. */
static int
follow(walk *w, const char *name, const char *rest)
{
	char target[PATH_MAX], *todo;
	ssize_t len;
	size_t rlen = strlen(rest);

	if (++w->links > PF_NEEDS_MAX_SYMLINKS) {
		errno = ELOOP;
		return -1;
	}
	len = readlinkat(w->dir, name, target, sizeof target);
	if (len < 0)
		return -1;
	if ((size_t)len >= sizeof target ||
	    (size_t)len + 1 + rlen >= MAX_TODO) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((todo = malloc((size_t)len + 2 + rlen)) == NULL)
		return -1;
	memcpy(todo, target, (size_t)len);
	todo[len] = '/';
	/* rest lies in w->todo, so it is copied before w->todo is freed. */
	memcpy(todo + len + 1, rest, rlen + 1);
	free(w->todo);
	w->todo = todo;
	/* An absolute target starts again at the root of the tree. */
	if (target[0] == '/') {
		w->cur[0] = '\0';
		set_dir(w, w->root);
	}
	return 0;
}

/* Splits the next component off todo; NULL when none is left. */
static char *
next_name(char **p)
{
	char *name;

	while (**p == '/')
		(*p)++;
	if (**p == '\0')
		return NULL;
	name = *p;
	*p += strcspn(*p, "/");
	if (**p == '/')
		*(*p)++ = '\0';
	return name;
}

/*
 * Opens the last component, a regular file: O_NONBLOCK keeps a FIFO put
 * in its place from blocking the open.
 */
static int
open_file(walk *w, const char *name, int *fd)
{
	struct stat st;

	*fd = openat(w->dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (*fd < 0)
		return -1;
	if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/*
 * Resolves one component.  The last one, unless a directory is wanted,
 * is opened into *fd; returns -1 with errno set on failure.
 */
static int
step(walk *w, char *name, char **rest, int flags, int *fd)
{
	struct stat st;

	if (strcmp(name, ".") == 0)
		return 0;
	if (strcmp(name, "..") == 0)
		return go_up(w);
	if (fstatat(w->dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (S_ISLNK(st.st_mode)) {
		if (follow(w, name, *rest) < 0)
			return -1;
		*rest = w->todo;
		return 0;
	}
	if ((*rest)[strspn(*rest, "/")] != '\0' || (flags & O_DIRECTORY) != 0)
		return go_down(w, name);
	return open_file(w, name, fd);
}

int
pf_needs_root_open(int rootfd, const char *path, int flags)
{
	walk w = { rootfd, rootfd, "", NULL, 0 };
	char *p, *name;
	int fd = -1, e;

	if ((w.todo = strdup(path)) == NULL)
		return -1;
	p = w.todo;
	while (fd < 0 && (name = next_name(&p)) != NULL)
		if (step(&w, name, &p, flags, &fd) < 0)
			goto out;
	if (fd >= 0)
		goto out;
	/* The path named a directory: the root, or one walked into. */
	if ((flags & O_DIRECTORY) == 0)
		errno = EISDIR;
	else
		fd = openat(w.dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
out:
	e = errno;
	set_dir(&w, rootfd);
	free(w.todo);
	errno = e;
	return fd;
}
