/*
 * What every tool shares: its name in messages, opening inputs and
 * outputs by path ("-" for the standard streams).
 */
#ifndef PF_CMD_UTIL_H
#define PF_CMD_UTIL_H

#include <stdio.h>

#include "libpatchfmt.h"

extern const char *pf_progname;

void pf_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "prog: message" and returns the exit status for r. */
int pf_fail(pf_ret r, const char *msg);
/* Prints a usage error and returns PF_EXIT_USAGE. */
int pf_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Opens a package for reading: "-" is standard input. */
int pf_open_input(const char *path);

#endif
