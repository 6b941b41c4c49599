/*
 * libpatchfmt delta codec for tools: pfdelta (spec/delta.md) on open
 * file descriptors.  The library never opens files by path; names given
 * with pf_delta_set_name() only appear in messages.
 */
#ifndef LIBPATCHFMT_DELTA_H
#define LIBPATCHFMT_DELTA_H

#include <stdio.h>

#include "libpatchfmt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pf_delta pf_delta;

/* Which file a name belongs to, for messages. */
typedef enum pf_delta_file {
	PF_DELTA_FILE_OLD = 0,
	PF_DELTA_FILE_NEW = 1,
	PF_DELTA_FILE_DELTA = 2
} pf_delta_file;

/* What pf_delta_create_fd() writes (pf_delta_apply_fd() reads both). */
typedef enum pf_delta_format {
	PF_DELTA_FORMAT_PFDELTA = 0,    /* spec/delta.md, the default */
	PF_DELTA_FORMAT_VCDIFF = 1,     /* plain RFC 3284 (spec/vcdiff.md) */
	PF_DELTA_FORMAT_VCDIFF_LZMA = 2 /* with xdelta3's LZMA and Adler-32 */
} pf_delta_format;

PF_EXTERN pf_ret pf_delta_new(pf_delta **out);
PF_EXTERN void pf_delta_free(pf_delta *d);
/* The message of the last error, or "" after success. */
PF_EXTERN const char *pf_delta_error(const pf_delta *d);
/* The name is copied. */
PF_EXTERN pf_ret pf_delta_set_name(pf_delta *d, pf_delta_file which,
    const char *name);
/* 0: as many as help (at most 3); 1: none.  The output never changes. */
PF_EXTERN pf_ret pf_delta_set_threads(pf_delta *d, unsigned threads);

/* The format pf_delta_create_fd() writes. */
PF_EXTERN pf_ret pf_delta_set_format(pf_delta *d, pf_delta_format format);
/*
 * Bounds what creating holds (0: 1 GiB, else at least 16 MiB): when old
 * and new are regular files and one is above a sixteenth of it, the delta
 * is made in windows (spec/delta.md section 8.1).
 */
PF_EXTERN pf_ret pf_delta_set_memory(pf_delta *d, uint64_t bytes);

/* Reads old and new to their ends and writes the delta to delta_fd. */
PF_EXTERN pf_ret pf_delta_create_fd(pf_delta *d, int old_fd, int new_fd,
    int delta_fd);
/*
 * Applies a pfdelta or VCDIFF delta, told apart by its first bytes.
 * Checks old (a regular file, read at random offsets) against the delta,
 * then writes new to new_fd front to back and verifies its SHA-256.  On
 * failure new_fd may hold a partial file: write to a temporary file and
 * rename it only after success, and say so with pf_delta_set_new_staged().
 */
PF_EXTERN pf_ret pf_delta_apply_fd(pf_delta *d, int old_fd, int delta_fd,
    int new_fd);
/*
 * Whether new_fd of pf_delta_apply_fd() is kept aside until it succeeds
 * (1), as a temporary file renamed after: then the SHA-256 of old that a
 * pfdelta header states is checked only if the decode fails, to name a
 * wrong old file as the cause, since new's covers it.  0, the default:
 * before anything is written.
 */
PF_EXTERN pf_ret pf_delta_set_new_staged(pf_delta *d, int staged);
/*
 * The SHA-256 (32 bytes) that old or new must have, checked by
 * pf_delta_apply_fd() before and after it writes (NULL: none).  A pfdelta
 * delta written without hashes is refused unless new's is given.
 */
PF_EXTERN pf_ret pf_delta_set_sha256(pf_delta *d, pf_delta_file which,
    const uint8_t *sha256);
/*
 * Whether pf_delta_create_fd() puts the files' SHA-256 into a pfdelta
 * header (1, the default), or leaves them to whoever holds them (0).
 */
PF_EXTERN pf_ret pf_delta_set_header_sha256(pf_delta *d, int on);
/* Prints what the delta's header states, one "key: value" a line. */
PF_EXTERN pf_ret pf_delta_print_info_fd(pf_delta *d, int delta_fd, FILE *f);

#ifdef __cplusplus
}
#endif

#endif
