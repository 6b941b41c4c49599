/*
 * Error values and the message that travels with them.
 *
 * Every handle of the library embeds one pf_err; functions set it and
 * return the same pf_ret, so a caller can both act on the value and show
 * the message (libarchive's archive_set_error()).
 */
#ifndef PF_COMMON_ERR_H
#define PF_COMMON_ERR_H

#include "libpatchfmt.h"

/* Room for the longest path (4096 bytes) and what is said around it. */
#define PF_ERR_MSG_MAX 8192

typedef struct pf_err {
	pf_ret code;
	char msg[PF_ERR_MSG_MAX];
	/*
	 * The parts of a failure a program can act on (pf_detail, in
	 * libpatchfmt.h): the path, what was expected and what was
	 * found, each NUL-terminated, one after the other; empty when
	 * not known.  pf_err_set() and pf_err_errno() clear them.
	 */
	char detail[PF_ERR_MSG_MAX];
} pf_err;

/* Sets code and message (printf format); returns code. */
pf_ret pf_err_set(pf_err *e, pf_ret code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like pf_err_set, appending ": strerror(errnum)". */
pf_ret pf_err_errno(pf_err *e, pf_ret code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Shorthand for running out of memory. */
pf_ret pf_err_nomem(pf_err *e);
void pf_err_clear(pf_err *e);
/* Records the parts of the failure just set (any may be NULL); returns
 * its code.  A part too long for the room left is dropped, not cut. */
pf_ret pf_err_detail(pf_err *e, const char *path, const char *expected,
    const char *found);
/* One part of the failure, or NULL if it is not known. */
const char *pf_err_part(const pf_err *e, pf_detail which);
/* Copies code and message from src into dst; returns the code. */
pf_ret pf_err_copy(pf_err *dst, const pf_err *src);

#endif
