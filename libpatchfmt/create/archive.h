/*
 * Builds given as archives (.deb, .rpm, tar, cpio, zip; compressed or
 * not), read through libarchive into the same list of nodes that a
 * scanned tree gives, so that the builder treats both alike.
 */
#ifndef PF_CREATE_ARCHIVE_H
#define PF_CREATE_ARCHIVE_H

#include <archive.h>
#include <stdbool.h>
#include <stdint.h>

#include "libpatchfmt.h"
#include "common/err.h"
#include "create/scan.h"

/* One build read from an archive. */
typedef struct pf_build_src {
	pf_nodelist nodes;      /* sorted by path, implied directories added */
	char *dir;              /* where the contents of files are spooled */
	unsigned long n_spooled;
	bool deb;               /* a Debian binary package */
	char *package;          /* its control file's Package, Version, */
	char *version;          /* Depends and Architecture, or NULL */
	char *depends;
	char *arch;
} pf_build_src;

/* An inner archive (a .deb's data.tar.*) read from the outer one's
 * current member: archive_read_open(inner, &nested, NULL,
 * pf_archive_nested_read, NULL). */
typedef struct pf_nested {
	struct archive *outer;
	uint8_t buf[65536];
} pf_nested;
la_ssize_t pf_archive_nested_read(struct archive *a, void *opaque,
    const void **out);

/* Whether the regular file at path is an archive, by its content. */
pf_ret pf_archive_sniff(const char *path, bool *yes, pf_err *err);
/* Reads the archive at path; on failure src is left empty. */
pf_ret pf_archive_scan(const char *path, pf_build_src *src, pf_err *err);
void pf_build_src_free(pf_build_src *src);
/*
 * pf_builder_diff() when either side is an archive (*done set): the
 * other side is a directory or an archive too.
 */
pf_ret pf_archive_diff(pf_builder *b, const char *old_path,
    const char *new_path, bool *done);
/* Section 5.1.7: the dpkg origin, when OLD is a Debian package. */
pf_ret pf_archive_origin(pf_builder *b, const pf_build_src *o,
    const pf_build_src *n);
/* The extended attributes of an archived node, copied into st. */
pf_ret pf_archive_xattrs(const pf_node *nd, pf_state *st, pf_err *err);

#endif
