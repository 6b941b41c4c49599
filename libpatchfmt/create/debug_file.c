/*
 * Debug files given one by one (patch-create --debug-file): an ELF
 * debug file (objcopy --only-keep-debug), or a Debian -dbgsym package,
 * whose data member holds usr/lib/debug/.build-id/xx/yyyy.debug.  Each
 * is taken only for the build whose build ID it carries
 * (spec/hotpatch.md section 8, item 1).
 */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "create/archive.h"
#include "create/debug.h"
#include "disasm/image.h"

#define DEBUG_FILE_MAX (UINT64_C(1) << 32)

/* Reads the current entry whole; NULL when it is too large or cannot
 * be read. */
static uint8_t *
read_entry(struct archive *a, struct archive_entry *e, size_t *n)
{
	la_int64_t size = archive_entry_size(e);
	uint8_t *p;
	la_ssize_t k;
	size_t got = 0;

	if (!archive_entry_size_is_set(e) || size <= 0 ||
	    (uint64_t)size > DEBUG_FILE_MAX || (p = malloc((size_t)size)) ==
	    NULL)
		return NULL;
	while (got < (size_t)size &&
	    (k = archive_read_data(a, p + got, (size_t)size - got)) > 0)
		got += (size_t)k;
	if (got != (size_t)size) {
		free(p);
		return NULL;
	}
	*n = got;
	return p;
}

/* The member named want (without "./") of a tar read from x. */
static uint8_t *
from_data(pf_nested *x, const char *want, size_t *n)
{
	struct archive *in = archive_read_new();
	struct archive_entry *e;
	const char *name;
	uint8_t *p = NULL;

	if (in == NULL)
		return NULL;
	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	if (archive_read_open(in, x, NULL, pf_archive_nested_read,
	    NULL) != ARCHIVE_OK)
		goto out;
	while (p == NULL && archive_read_next_header(in, &e) == ARCHIVE_OK) {
		name = archive_entry_pathname(e);
		if (name == NULL)
			continue;
		if (strncmp(name, "./", 2) == 0)
			name += 2;
		if (strcmp(name, want) == 0 &&
		    archive_entry_filetype(e) == AE_IFREG)
			p = read_entry(in, e, n);
	}
out:
	archive_read_free(in);
	return p;
}

/* The debug file of build ID hex in a .deb of len bytes at deb. */
static uint8_t *
from_deb(const uint8_t *deb, size_t len, const char *hex, size_t *n)
{
	struct archive_entry *e;
	char want[200];
	pf_nested *x = malloc(sizeof *x);
	uint8_t *p = NULL;

	if (x == NULL || (x->outer = archive_read_new()) == NULL) {
		free(x);
		return NULL;
	}
	snprintf(want, sizeof want, "usr/lib/debug/.build-id/%.2s/%s.debug",
	    hex, hex + 2);
	archive_read_support_format_ar(x->outer);
	if (archive_read_open_memory(x->outer, deb, len) != ARCHIVE_OK)
		goto out;
	while (p == NULL && archive_read_next_header(x->outer, &e) ==
	    ARCHIVE_OK)
		if (strncmp(archive_entry_pathname(e), "data.tar", 8) == 0)
			p = from_data(x, want, n);
out:
	archive_read_free(x->outer);
	free(x);
	return p;
}

/* True when the ELF file p of n bytes carries build ID id. */
static bool
has_id(const uint8_t *p, size_t n, const uint8_t *id, size_t id_len)
{
	uint8_t got[64];
	size_t len;

	return hp_elf_build_id(p, n, got, &len) && len == id_len &&
	    memcmp(got, id, id_len) == 0;
}

bool
pf_debug_from_file(pf_debug_dirs *d, const char *path, const uint8_t *id,
    size_t id_len, const uint8_t **p, size_t *n)
{
	uint8_t *data = NULL, *dbg = NULL;
	char hex[2 * 64 + 1];
	size_t len = 0;
	pf_err err;
	int fd;

	if (d->n_files >= sizeof d->files / sizeof d->files[0] ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	if (pf_slurp_fd(fd, DEBUG_FILE_MAX, &data, &len, &err,
	    "debug file") != PF_OK)
		data = NULL;
	close(fd);
	if (data == NULL)
		return false;
	pf_hex(hex, id, id_len);
	if (len >= 8 && memcmp(data, "!<arch>\n", 8) == 0) {
		dbg = from_deb(data, len, hex, n);
		free(data);
	} else {
		dbg = data;
		*n = len;
	}
	if (dbg != NULL && has_id(dbg, *n, id, id_len)) {
		d->files[d->n_files++] = dbg;
		*p = dbg;
		return true;
	}
	free(dbg);
	return false;
}
