#include <config.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

pf_cli pf_cli_ctx = { .name = "patchfmt" };

void
pf_cli_init(const char *name, const char *usage, const char *help,
    int argc, char **argv)
{
	int i;

	pf_cli_ctx.name = name;
	pf_cli_ctx.usage = usage;
	pf_cli_ctx.help = help;
	pf_cli_ctx.argv = argv;
	pf_progname = name;
	/* getopt's own messages would not reach the JSON document. */
	opterr = 0;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			pf_cli_ctx.json = 1;
}

/* Ends the process after --help or --version: 0 unless stdout failed. */
static void
done(void)
{
	exit(fflush(stdout) == 0 && !ferror(stdout) ? PF_EXIT_OK :
	    PF_EXIT_IO);
}

int
pf_cli_option(int c)
{
	switch (c) {
	case 'h':
	case PF_OPT_HELP:
		printf("usage: %s\n", pf_cli_ctx.usage);
		if (pf_cli_ctx.help != NULL)
			printf("\n%s", pf_cli_ctx.help);
		printf("\nSee %s(1) for the exit statuses and the rest.\n",
		    pf_cli_ctx.name);
		done();
		return 1;
	case PF_OPT_VERSION:
		printf("%s (patchfmt) %s\n", pf_cli_ctx.name, pf_version());
		done();
		return 1;
	case 'q':
		pf_cli_ctx.quiet = 1;
		pf_cli_ctx.verbose = 0;
		return 1;
	case 'v':
		pf_cli_ctx.verbose++;
		pf_cli_ctx.quiet = 0;
		return 1;
	}
	return 0;
}

const char *
pf_cli_code(pf_ret r)
{
	switch (r) {
	case PF_OK: return "ok";
	case PF_ERR_USAGE: return "usage";
	case PF_ERR_NOT_PACKAGE: return "not-a-package";
	case PF_ERR_UNSUPPORTED: return "unsupported";
	case PF_ERR_CORRUPT: return "corrupt";
	case PF_ERR_MISMATCH: return "mismatch";
	case PF_ERR_UNSAFE: return "unsafe";
	case PF_ERR_TRUST: return "trust";
	case PF_ERR_DEPENDENCY: return "dependency";
	case PF_ERR_IO: return "io";
	case PF_ERR_NOMEM: return "out-of-memory";
	case PF_ERR_EXPIRED: return "expired";
	case PF_ERR_DOWNGRADE: return "downgrade";
	case PF_ERR_BUSY: return "busy";
	case PF_ERR_INTERRUPTED: return "interrupted";
	case PF_ERR_DEFERRED: return "deferred";
	case PF_ERR_HEALTH: return "health";
	case PF_ERR_HOOK: return "hook";
	case PF_ERR_NOT_INSTALLED: return "not-installed";
	}
	return "software";
}

void
pf_json_open(FILE *f)
{
	fprintf(f, "{\"schema\":%d,\"tool\":", PF_OUTPUT_SCHEMA);
	pf_json_str(f, pf_cli_ctx.name);
	fputc(',', f);
	pf_cli_ctx.reported = true;
}

static void
member(FILE *f, const char *key, const char *value)
{
	if (value == NULL)
		return;
	fprintf(f, ",\"%s\":", key);
	pf_json_str(f, value);
}

void
pf_json_error(FILE *f, pf_ret r, const char *msg, const pf_fail_detail *d)
{
	fprintf(f, "\"error\":{\"code\":\"%s\",\"exit_status\":%d,"
	    "\"message\":", pf_cli_code(r), pf_ret_exit_status(r));
	pf_json_str(f, msg && *msg ? msg : pf_ret_str(r));
	if (d != NULL) {
		member(f, "path", d->path);
		member(f, "expected", d->expected);
		member(f, "found", d->found);
	}
	fputc('}', f);
}

int
pf_fail_at(pf_ret r, const char *msg, const pf_fail_detail *d)
{
	const char *text = msg && *msg ? msg : pf_ret_str(r);
	/* Messages quote names from packages: never a raw control byte;
	 * and never cut, however long (each byte is at most 4 shown). */
	size_t size = 4 * strlen(text) + 1;
	char *shown = malloc(size);

	fprintf(stderr, "%s: %s\n", pf_progname, shown ?
	    pf_text_escape(shown, size, text) : text);
	free(shown);
	if (pf_cli_ctx.json && !pf_cli_ctx.reported) {
		pf_json_open(stdout);
		fputs("\"status\":\"error\",", stdout);
		pf_json_error(stdout, r, msg, d);
		printf(",\"exit_status\":%d}\n", pf_ret_exit_status(r));
		fflush(stdout);
	}
	return pf_ret_exit_status(r);
}

int
pf_cli_bad_option(void)
{
	const char *arg = optind > 0 ? pf_cli_ctx.argv[optind - 1] : "";

	/* A long option: optopt is its value if only the argument lacks. */
	if (strncmp(arg, "--", 2) == 0)
		return pf_usage_error(pf_cli_ctx.usage, optopt ? "option '%s' "
		    "needs an argument" : "unknown option '%s'", pf_shown(arg));
	return pf_usage_error(pf_cli_ctx.usage, "unknown option '-%c', or "
	    "its argument is missing", optopt > ' ' && optopt < 127 ?
	    optopt : '?');
}

void
pf_verbose(const char *fmt, ...)
{
	char msg[8192];
	va_list ap;

	if (pf_cli_ctx.verbose == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", pf_cli_ctx.name, msg);
}
