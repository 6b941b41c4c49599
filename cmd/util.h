/*
 * What every tool shares: its name in messages, opening inputs and
 * outputs by path ("-" for the standard streams).
 */
#ifndef PF_CMD_UTIL_H
#define PF_CMD_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "libpatchfmt.h"
#include "cli.h"

extern const char *pf_progname;

void pf_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "prog: message" and returns the exit status for r. */
int pf_fail(pf_ret r, const char *msg);
/* A failure about one file or directory (its path in the JSON error). */
int pf_fail_path(pf_ret r, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints a usage error and returns PF_EXIT_USAGE. */
int pf_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Default keyring (spec section 11.2): the host's, whatever the root, so
 * that a tree being patched never supplies its own trust anchors.
 */
#define PF_DEFAULT_KEYRING "/etc/patchfmt/keys"

/* Options every tool that checks trust takes. */
typedef struct pf_trust_opts {
	const char *keyring;            /* NULL: PF_DEFAULT_KEYRING */
	unsigned threshold;
	int allow_unsigned;
} pf_trust_opts;

/* 0 when root is a directory; else says so and returns the status. */
int pf_check_root(const char *root);
/*
 * Opens the state directory of root (dir if given, else
 * ROOT/var/lib/patchfmt), finishes or undoes a transaction that was
 * interrupted there and says what it did; 0 or the exit status.
 */
int pf_open_state(pf_db **db, const char *root, const char *dir, bool create);

/*
 * SIGINT, SIGTERM and SIGHUP: while armed they only set pf_stop, which a
 * commit watches (pf_txn_set_cancel()); otherwise they end the tool as
 * usual, since nothing is being changed.
 */
extern volatile sig_atomic_t pf_stop;
void pf_signals_init(void);
void pf_signals_arm(bool armed);

/* Parses "--threshold N"; -1 if not a positive number. */
int pf_parse_threshold(const char *s, unsigned *out);
/* Loads the keyring (dir, or PF_DEFAULT_KEYRING) and makes *trust,
 * for pf_trust_free() (NULL after a failure); exit status. */
int pf_load_trust(const pf_trust_opts *o, const char *root,
    pf_keyring **kr, pf_trust **trust);
/*
 * The parts of a failure (path, expected, found) from whichever of the
 * handles said msg (the message is one of theirs); all NULL otherwise.
 */
void pf_detail_of(pf_fail_detail *d, const char *msg, const pf_reader *r,
    const pf_txn *t, const pf_db *db);
/* p[0..n) in lower-case hex, NUL-terminated: out holds 2n+1 bytes. */
void pf_hex_str(char *out, const uint8_t *p, size_t n);
/* With -v, the package and its signatures; with --allow-unsigned, a
 * warning if the package has no signature. */
void pf_warn_unsigned(const pf_trust_opts *o, pf_reader *r);
/* Parses a process ID or a number of milliseconds; -1 if not one. */
int pf_parse_uint(const char *s, unsigned max, unsigned *out);
/* Parses a size in bytes, with an optional K, M, G or T (powers of 1024). */
int pf_parse_size(const char *s, uint64_t *out);
/*
 * A date: YYYY-MM-DD (00:00 UTC), YYYY-MM-DDTHH:MM[:SS]Z, +N or +Nd days
 * or +Nh hours from now, or seconds since the epoch; -1 if none.
 */
int pf_parse_date(const char *s, uint64_t now, uint64_t *out);
/* --pid and --wait: 0, or the usage error's exit status. */
int pf_opt_pid(const char *usage, const char *s, unsigned *pid);
int pf_opt_wait(const char *usage, const char *s, unsigned *ms);
/* A path or name from a package, escaped for a terminal (pf_text_escape())
 * into a buffer of the function's own, valid until the next call. */
#define PF_SHOWN_MAX 4096
const char *pf_shown(const char *s);
/* Opens a package for reading: "-" is standard input. */
int pf_open_input(const char *path);

#endif
