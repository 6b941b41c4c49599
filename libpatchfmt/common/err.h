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

#define PF_ERR_MSG_MAX 1024

typedef struct pf_err {
	pf_ret code;
	char msg[PF_ERR_MSG_MAX];
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
/* Copies code and message from src into dst; returns the code. */
pf_ret pf_err_copy(pf_err *dst, const pf_err *src);

#endif
