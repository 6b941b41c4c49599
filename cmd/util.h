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
/* Default keyring, relative to the root (spec section 11.2). */
#define PF_DEFAULT_KEYRING "etc/patchfmt/keys"

/* Options every tool that checks trust takes. */
typedef struct pf_trust_opts {
	const char *keyring;            /* NULL: under the root */
	unsigned threshold;
	int allow_unsigned;
} pf_trust_opts;

/* Default state directory, relative to the root (spec section 12). */
#define PF_DEFAULT_STATE "var/lib/patchfmt"

/* The state directory: dir if given, else ROOT/PF_DEFAULT_STATE. */
void pf_state_path(char *out, size_t n, const char *dir, const char *root);

/* Parses "--threshold N"; -1 if not a positive number. */
int pf_parse_threshold(const char *s, unsigned *out);
/* Loads the keyring (dir, or ROOT/PF_DEFAULT_KEYRING); exit status. */
int pf_load_trust(const pf_trust_opts *o, const char *root,
    pf_keyring **kr, pf_trust *trust);
/* Parses a process ID or a number of milliseconds; -1 if not one. */
int pf_parse_uint(const char *s, unsigned max, unsigned *out);
/* --pid and --wait: 0, or the usage error's exit status. */
int pf_opt_pid(const char *usage, const char *s, unsigned *pid);
int pf_opt_wait(const char *usage, const char *s, unsigned *ms);
/* Opens a package for reading: "-" is standard input. */
int pf_open_input(const char *path);

#endif
