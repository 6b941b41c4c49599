/*
 * The part of main() every tool shares: the options every tool takes
 * (--help, --version, -q, -v), and the one way a failure is reported,
 * as text on the standard error and, with --json, as one JSON document
 * on the standard output (spec/output.schema.json).
 */
#ifndef PF_CMD_CLI_H
#define PF_CMD_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "libpatchfmt.h"

/* The version of the JSON documents' layout (spec/output.schema.json). */
#define PF_OUTPUT_SCHEMA 1

/* Values of the long options below: above every character. */
enum {
	PF_OPT_HELP = 0x1000,
	PF_OPT_VERSION,
};

/* In every tool's option table; the short options are "hqv". */
#define PF_CLI_LONGOPTS \
	{ "help", no_argument, NULL, PF_OPT_HELP }, \
	{ "version", no_argument, NULL, PF_OPT_VERSION }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "verbose", no_argument, NULL, 'v' }

typedef struct pf_cli {
	const char *name;       /* the tool's name, in every message */
	const char *usage;      /* the synopsis */
	const char *help;       /* --help: the options, one a line */
	int json;               /* --json was given */
	int quiet;              /* -q: no notes or progress */
	int verbose;            /* -v: more detail */
	bool reported;          /* a JSON document was written */
	char **argv;
} pf_cli;

extern pf_cli pf_cli_ctx;

/*
 * Starts a tool: its name, synopsis and option help.  Looks ahead for
 * --json (before any "--"), so that even a usage error that comes
 * before getopt reaches it is reported in JSON.
 */
void pf_cli_init(const char *name, const char *usage, const char *help,
    int argc, char **argv);
/*
 * Handles an option every tool takes.  Returns 1 if c was one, 0 if it
 * is the tool's own; --help and --version print and end the process.
 */
int pf_cli_option(int c);

/* With -v: "prog: message" on the standard error. */
void pf_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* After getopt returned '?': a usage error naming the option. */
int pf_cli_bad_option(void);

/* A failure's details, beyond its message; any may be NULL. */
typedef struct pf_fail_detail {
	const char *path;       /* the file or object concerned */
	const char *expected;   /* what was expected there */
	const char *found;      /* what was found instead */
} pf_fail_detail;

/* The stable name of an error, as in the JSON documents: "trust". */
const char *pf_cli_code(pf_ret r);
/*
 * Writes the members that start every JSON document:
 * {"schema":1,"tool":"NAME", and marks the report as written.
 */
void pf_json_open(FILE *f);
/* Writes "error":{...} for r, its message and its details. */
void pf_json_error(FILE *f, pf_ret r, const char *msg,
    const pf_fail_detail *d);
/*
 * Reports a failure: "prog: message" on the standard error and, with
 * --json and when no document was written yet, an error document on
 * the standard output.  Returns the exit status.
 */
int pf_fail_at(pf_ret r, const char *msg, const pf_fail_detail *d);

#endif
