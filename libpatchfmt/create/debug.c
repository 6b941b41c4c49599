/*
 * Finding the debug file of a stripped build by its build ID, as
 * debuggers do: the first two hexadecimal digits name a directory, the
 * rest the file, under .build-id of each debug directory.
 */
#include <config.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "create/debug.h"

#define DEBUG_FILE_MAX (UINT64_C(1) << 32)

bool
pf_debug_dirs_add(pf_debug_dirs *d, const char *dir)
{
	if (d->n >= sizeof d->dirs / sizeof d->dirs[0])
		return false;
	d->dirs[d->n++] = dir;
	return true;
}

/* Reads one candidate whole; false when it is not there. */
static bool
read_candidate(pf_debug_dirs *d, const char *path, const uint8_t **p,
    size_t *n)
{
	uint8_t *data = NULL;
	pf_err err;
	int fd;

	if (d->n_files >= sizeof d->files / sizeof d->files[0] ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	if (pf_slurp_fd(fd, DEBUG_FILE_MAX, &data, n, &err, "debug file") !=
	    PF_OK)
		data = NULL;
	close(fd);
	if (data == NULL)
		return false;
	d->files[d->n_files++] = data;
	*p = data;
	return true;
}

pf_ret
pf_debug_find(void *arg, const uint8_t *id, size_t id_len, const uint8_t **p,
    size_t *n)
{
	pf_debug_dirs *d = arg;
	char hex[2 * 64 + 1], path[4096 + 160];
	struct stat st;
	size_t i;

	if (id_len < 2 || id_len > 64)
		return PF_ERR_MISMATCH;
	pf_hex(hex, id, id_len);
	for (i = 0; i < d->n; i++) {
		/* A file given by name rather than a directory. */
		if (stat(d->dirs[i], &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (!pf_debug_from_file(d, d->dirs[i], id, id_len, p, n))
				continue;
			if (d->used[i] != NULL)
				__atomic_store_n(d->used[i], true,
				    __ATOMIC_RELAXED);
			return PF_OK;
		}
		snprintf(path, sizeof path, "%s/.build-id/%.2s/%s.debug",
		    d->dirs[i], hex, hex + 2);
		if (read_candidate(d, path, p, n))
			return PF_OK;
		snprintf(path, sizeof path, "%s/%.2s/%s.debug", d->dirs[i],
		    hex, hex + 2);
		if (read_candidate(d, path, p, n))
			return PF_OK;
	}
	return PF_ERR_MISMATCH;
}

void
pf_debug_dirs_release(pf_debug_dirs *d)
{
	size_t i;

	for (i = 0; i < d->n_files; i++)
		free(d->files[i]);
	d->n_files = 0;
}
