/*
 * The library directories of the target tree's ld.so.conf(5): one
 * directory per line, '#' comments, "include PATTERN..." lines whose
 * relative patterns are taken from the directory of the including file,
 * and "hwcap" lines, which are ignored as ldconfig does.  Everything is
 * read under the root; files that cannot be read are skipped, as
 * ldconfig skips them, since the check only has to find what ld.so would.
 */
#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "elf/needs_int.h"

/* Bounds against include loops and hostile trees. */
#define MAX_CONF_SIZE   (1024 * 1024)
#define MAX_CONF_FILES  256
#define MAX_CONF_DEPTH  8
#define MAX_DIRS        1024

typedef struct conf {
	int root;
	char ***dirs;
	size_t *n;
	unsigned files;         /* files read so far */
	pf_err *err;
} conf;

static pf_ret read_conf(conf *c, const char *path, unsigned depth);

/* ENOMEM is the one failure to open that is not the tree's doing. */
static pf_ret
open_failed(conf *c)
{
	return errno == ENOMEM ? pf_err_nomem(c->err) : PF_OK;
}

/* The names in directory dir matching pattern, sorted as glob() does. */
static pf_ret
list_matches(conf *c, const char *dir, const char *pattern, char ***names,
    size_t *n)
{
	struct dirent *de;
	DIR *d;
	int fd;
	pf_ret r = PF_OK;

	if ((fd = pf_needs_root_open(c->root, dir, O_DIRECTORY)) < 0)
		return open_failed(c);
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return pf_err_errno(c->err, PF_ERR_IO, errno,
		    "cannot read directory '%s'", dir);
	}
	while (r == PF_OK && (de = readdir(d)) != NULL)
		if (fnmatch(pattern, de->d_name, FNM_PERIOD) == 0)
			r = pf_needs_set_add(names, n, de->d_name,
			    MAX_CONF_FILES, "included files", c->err);
	closedir(d);
	return r;
}

/* One include pattern: wildcards in its last component only. */
static pf_ret
include(conf *c, const char *from, const char *pattern, unsigned depth)
{
	char dir[PF_NEEDS_MAX_STRING + 1], path[2 * PF_NEEDS_MAX_STRING + 2];
	char **names = NULL, *base;
	size_t n = 0, i;
	int len;
	pf_ret r;

	/* A relative pattern is relative to the including file. */
	if (pattern[0] == '/')
		len = snprintf(dir, sizeof dir, "%s", pattern);
	else
		len = snprintf(dir, sizeof dir, "%.*s/%s",
		    (int)(strrchr(from, '/') - from), from, pattern);
	if (len < 0 || (size_t)len >= sizeof dir)
		return PF_OK;
	base = strrchr(dir, '/');
	*base++ = '\0';
	if (strpbrk(dir, "*?[") != NULL)
		return PF_OK;
	r = list_matches(c, dir, base, &names, &n);
	for (i = 0; r == PF_OK && i < n; i++) {
		len = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (len >= 0 && (size_t)len < sizeof path)
			r = read_conf(c, path, depth + 1);
	}
	pf_needs_strv_free(names, n);
	return r;
}

/* Cuts the next word off *p, or returns NULL. */
static char *
next_word(char **p)
{
	char *w;

	while (isspace((unsigned char)**p))
		(*p)++;
	if (**p == '\0')
		return NULL;
	w = *p;
	while (**p != '\0' && !isspace((unsigned char)**p))
		(*p)++;
	if (**p != '\0')
		*(*p)++ = '\0';
	return w;
}

static pf_ret
conf_line(conf *c, const char *from, char *line, unsigned depth)
{
	char *word, *p = line;
	size_t len;
	pf_ret r = PF_OK;

	line[strcspn(line, "#")] = '\0';
	if ((word = next_word(&p)) == NULL || strcmp(word, "hwcap") == 0)
		return PF_OK;
	if (strcmp(word, "include") == 0) {
		while (r == PF_OK && (word = next_word(&p)) != NULL)
			r = include(c, from, word, depth);
		return r;
	}
	/* ldconfig uses relative directories from its working directory. */
	for (len = strlen(word); len > 1 && word[len - 1] == '/'; len--)
		word[len - 1] = '\0';
	if (word[0] != '/')
		return PF_OK;
	return pf_needs_list_add(c->dirs, c->n, word, MAX_DIRS,
	    "library directories", c->err);
}

static pf_ret
read_conf(conf *c, const char *path, unsigned depth)
{
	uint8_t *data = NULL;
	char *line, *save = NULL;
	size_t len;
	int fd;
	pf_ret r;

	if (depth > MAX_CONF_DEPTH || c->files >= MAX_CONF_FILES)
		return PF_OK;
	c->files++;
	if ((fd = pf_needs_root_open(c->root, path, 0)) < 0)
		return open_failed(c);
	r = pf_slurp_fd(fd, MAX_CONF_SIZE, &data, &len, c->err, path);
	close(fd);
	if (r != PF_OK && r != PF_ERR_NOMEM) {
		/* A file ldconfig could not read either adds no directory. */
		pf_err_clear(c->err);
		r = PF_OK;
	}
	if (r != PF_OK || data == NULL)
		goto out;
	/* The spare byte pf_slurp_fd() allocates holds the terminator. */
	data[len] = '\0';
	for (line = strtok_r((char *)data, "\n", &save);
	    r == PF_OK && line != NULL; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) <= PF_NEEDS_MAX_STRING)
			r = conf_line(c, path, line, depth);
out:
	free(data);
	return r;
}

pf_ret
pf_needs_ldconf(int rootfd, char ***dirs, size_t *n, pf_err *err)
{
	conf c = { rootfd, dirs, n, 0, err };

	return read_conf(&c, "/etc/ld.so.conf", 0);
}
