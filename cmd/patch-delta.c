/*
 * patch-delta: make, apply and describe pfdelta and VCDIFF binary deltas.  Opens the
 * files and leaves everything else to libpatchfmt_delta.h.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libpatchfmt.h"
#include "libpatchfmt_delta.h"
#include "outfile.h"
#include "util.h"

static const char usage[] =
    "patch-delta [-fqv] [--json] diff [--format=pfdelta|vcdiff] "
    "[--secondary=lzma] [--memory size] [--no-sha256] old new [delta]\n"
    "       patch-delta [-fqv] [--json] apply [--old-sha256 hex] "
    "[--new-sha256 hex] old [delta] [new]\n"
    "       patch-delta [-qv] [--json] info delta";

static const char help[] =
    "  diff                 write the delta from old to new\n"
    "  apply                rebuild new from old and the delta\n"
    "  info                 describe a delta\n"
    "  --format f           pfdelta (default) or vcdiff (RFC 3284)\n"
    "  --secondary s        none (default) or lzma, for VCDIFF\n"
    "  --memory size        memory for big files (K, M, G)\n"
    "  --no-sha256          leave the files' hashes out of a pfdelta\n"
    "  --old-sha256 hex, --new-sha256 hex\n"
    "                       the hashes old and new must have\n"
    "  -f, --force          replace an existing output file\n"
    "  --json               one JSON document on standard output\n"
    "  -q, --quiet          no notes\n"
    "  -v, --verbose        more detail\n"
    "  --help, --version\n"
    "A missing or \"-\" delta or new is the standard input or output;\n"
    "binary output is never written to a terminal.\n";

/* -f, --json: options of every command. */
static int force, json;

/* Reports a failed system call on a named file. */
static int
io_fail(const char *what, const char *name)
{
	return pf_fail_path(PF_ERR_IO, name, "cannot %s '%s': %s", what,
	    pf_shown(name), strerror(errno));
}

static int
lib_fail(pf_delta *d, pf_ret r)
{
	return pf_fail(r, pf_delta_error(d));
}

static bool
is_std(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0;
}

static int
open_in(const char *path)
{
	if (is_std(path))
		return STDIN_FILENO;
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * Binary output never goes to a terminal, and an existing file is
 * replaced only with -f: checked before any work.
 */
static int
check_output(const char *path)
{
	if (is_std(path) && isatty(STDOUT_FILENO))
		return pf_usage_error(usage, "standard output is a terminal: "
		    "name an output file or redirect it");
	return is_std(path) ? PF_EXIT_OK : pf_out_check(path, force);
}

/*
 * The output's mode: what a new file gets under the umask.  Like bspatch
 * and xdelta3 it is not forced to disk (fsync); the package installer,
 * which replaces system files, does that.
 */
static unsigned
output_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

typedef pf_ret (*delta_op)(pf_delta *d, int in1, int in2, int out);

/* Opens two inputs and a staged output, runs op, keeps the output if ok. */
static int
run_staged(pf_delta *d, delta_op op, const char *in1, const char *in2,
    const char *out_path)
{
	int fd1 = -1, fd2 = -1, status = PF_EXIT_OK;
	pf_out_file out;
	pf_ret r;

	if ((status = check_output(out_path)) != PF_EXIT_OK)
		return status;
	if ((fd1 = open_in(in1)) < 0)
		return io_fail("open", in1);
	if ((fd2 = open_in(in2)) < 0) {
		status = io_fail("open", in2);
		goto out;
	}
	if (pf_out_begin(&out, is_std(out_path) ? "-" : out_path,
	    force ? PF_OUT_REPLACE : 0) < 0) {
		status = io_fail("create a file beside", out_path);
		goto out;
	}
	if ((r = op(d, fd1, fd2, out.fd)) != PF_OK)
		status = lib_fail(d, r);
	if (pf_out_finish(&out, status == PF_EXIT_OK, output_mode()) < 0 &&
	    status == PF_EXIT_OK)
		status = errno == EEXIST ? pf_out_exists(out.path) :
		    io_fail("write", out.path);
out:
	if (fd1 > STDIN_FILENO)
		close(fd1);
	if (fd2 > STDIN_FILENO)
		close(fd2);
	return status;
}

/* "--memory SIZE": bytes with K, M, G or T (powers of 1024). */
static int
memory_opt(pf_delta *d, const char *s)
{
	uint64_t v;

	if (pf_parse_size(s, &v) < 0 || v == 0)
		return pf_usage_error(usage, "bad size '%s'", pf_shown(s));
	if (pf_delta_set_memory(d, v) != PF_OK)
		return pf_usage_error(usage, "%s", pf_delta_error(d));
	return PF_EXIT_OK;
}

/* An option every command takes: 0 if arg was one, -1 if not. */
static int
common_option(const char *arg)
{
	static const struct { const char *name; int c; } opt[] = {
		{ "--help", PF_OPT_HELP }, { "-h", PF_OPT_HELP },
		{ "--version", PF_OPT_VERSION },
		{ "-q", 'q' }, { "--quiet", 'q' }, { "-v", 'v' },
		{ "--verbose", 'v' },
	};
	size_t i;

	if (strcmp(arg, "-f") == 0 || strcmp(arg, "--force") == 0)
		return force = 1, 0;
	if (strcmp(arg, "--json") == 0)
		return json = 1, 0;
	for (i = 0; i < sizeof opt / sizeof opt[0]; i++)
		if (strcmp(arg, opt[i].name) == 0)
			return pf_cli_option(opt[i].c) ? 0 : -1;
	return -1;
}

/* Takes the options every command has off the front of the arguments. */
static int
strip_options(int *argc, char ***argv)
{
	for (; *argc > 0 && (*argv)[0][0] == '-' && (*argv)[0][1] != '\0';
	    (*argc)--, (*argv)++) {
		if (strcmp((*argv)[0], "--") == 0) {
			(*argc)--, (*argv)++;
			break;
		}
		if (common_option((*argv)[0]) < 0)
			return pf_usage_error(usage, "unknown option '%s'",
			    pf_shown((*argv)[0]));
	}
	return PF_EXIT_OK;
}

/* Options of diff: the format, and xdelta3's LZMA for VCDIFF. */
static int
diff_options(pf_delta *d, int *argc, char ***argv)
{
	bool vcdiff = false, lzma = false;
	int status;

	for (; *argc > 0 && (*argv)[0][0] == '-' && (*argv)[0][1] != '\0';
	    (*argc)--, (*argv)++) {
		if (strcmp((*argv)[0], "--format=vcdiff") == 0)
			vcdiff = true;
		else if (strcmp((*argv)[0], "--format=pfdelta") == 0)
			vcdiff = false;
		else if (strcmp((*argv)[0], "--secondary=lzma") == 0)
			lzma = true;
		else if (strcmp((*argv)[0], "--secondary=none") == 0)
			lzma = false;
		else if (strcmp((*argv)[0], "--no-sha256") == 0)
			pf_delta_set_header_sha256(d, 0);
		else if (strcmp((*argv)[0], "--memory") == 0 && *argc >= 2) {
			if ((status = memory_opt(d, (*argv)[1])) != PF_EXIT_OK)
				return status;
			(*argc)--;
			(*argv)++;
		} else if ((status = common_option((*argv)[0])) < 0)
			return pf_usage_error(usage, "unknown option '%s'",
			    pf_shown((*argv)[0]));
	}
	if (lzma && !vcdiff)
		return pf_usage_error(usage, "--secondary needs --format=vcdiff");
	pf_delta_set_format(d, !vcdiff ? PF_DELTA_FORMAT_PFDELTA : lzma ?
	    PF_DELTA_FORMAT_VCDIFF_LZMA : PF_DELTA_FORMAT_VCDIFF);
	return PF_EXIT_OK;
}

/* The files of a command that succeeded, with --json. */
static int
report(const char *cmd, const char *old, const char *in, const char *out)
{
	struct stat st;

	if (!is_std(out) && stat(out, &st) == 0)
		pf_verbose("wrote '%s': %lld bytes", pf_shown(out),
		    (long long)st.st_size);
	if (!json)
		return PF_EXIT_OK;
	pf_json_open(stdout);
	fputs("\"status\":\"ok\",\"command\":", stdout);
	pf_json_str(stdout, cmd);
	fputs(",\"old\":", stdout);
	pf_json_str(stdout, old);
	fputs(strcmp(cmd, "diff") == 0 ? ",\"new\":" : ",\"delta\":", stdout);
	pf_json_str(stdout, in);
	fputs(strcmp(cmd, "diff") == 0 ? ",\"delta\":" : ",\"new\":", stdout);
	pf_json_str(stdout, out);
	fputs(",\"exit_status\":0}\n", stdout);
	return PF_EXIT_OK;
}

/* With --json the document is the standard output: not the data too. */
static int
check_json(const char *out)
{
	if (json && is_std(out))
		return pf_usage_error(usage, "--json writes to the standard "
		    "output: name the output file");
	return PF_EXIT_OK;
}

static int
cmd_diff(pf_delta *d, int argc, char **argv)
{
	const char *out;
	int status;

	if ((status = diff_options(d, &argc, &argv)) != PF_EXIT_OK)
		return status;
	if (argc < 2 || argc > 3 || (is_std(argv[0]) && is_std(argv[1])))
		return pf_usage_error(usage, "diff takes old, new and the delta "
		    "(one of old and new may be \"-\")");
	out = argc > 2 ? argv[2] : NULL;
	if ((status = check_json(out)) != PF_EXIT_OK)
		return status;
	pf_delta_set_name(d, PF_DELTA_FILE_OLD, argv[0]);
	pf_delta_set_name(d, PF_DELTA_FILE_NEW, argv[1]);
	status = run_staged(d, pf_delta_create_fd, argv[0], argv[1], out);
	return status ? status : report("diff", argv[0], argv[1], out);
}

/* "--old-sha256 HEX", "--new-sha256 HEX": what the file must hash to. */
static int
sha256_opt(pf_delta *d, pf_delta_file which, const char *hex)
{
	uint8_t sha[32];
	unsigned v;
	size_t i;

	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdefABCDEF") != 64)
		return pf_usage_error(usage, "bad sha256 '%s': give 64 hex "
		    "digits", pf_shown(hex));
	for (i = 0; i < 32; i++) {
		sscanf(hex + 2 * i, "%2x", &v);
		sha[i] = (uint8_t)v;
	}
	pf_delta_set_sha256(d, which, sha);
	return PF_EXIT_OK;
}

/* Options of apply: the hashes the caller expects, and the common ones. */
static int
apply_options(pf_delta *d, int *argc, char ***argv)
{
	const char *a;
	int status;

	for (; *argc > 0 && (a = (*argv)[0])[0] == '-' && a[1] != '\0';
	    (*argc)--, (*argv)++) {
		if (strcmp(a, "--") == 0) {
			(*argc)--, (*argv)++;
			break;
		}
		if ((strcmp(a, "--old-sha256") == 0 ||
		    strcmp(a, "--new-sha256") == 0) && *argc >= 2) {
			status = sha256_opt(d, a[2] == 'o' ? PF_DELTA_FILE_OLD :
			    PF_DELTA_FILE_NEW, (*argv)[1]);
			if (status != PF_EXIT_OK)
				return status;
			(*argc)--, (*argv)++;
		} else if (common_option(a) < 0)
			return pf_usage_error(usage, "unknown option '%s'",
			    pf_shown(a));
	}
	return PF_EXIT_OK;
}

/* Old is read at random offsets: never the standard input. */
static int
cmd_apply(pf_delta *d, int argc, char **argv)
{
	const char *delta = argc > 1 ? argv[1] : "-", *out;
	int status;

	if ((status = apply_options(d, &argc, &argv)) != PF_EXIT_OK)
		return status;
	delta = argc > 1 ? argv[1] : "-";
	if (argc < 1 || argc > 3 || is_std(argv[0]))
		return pf_usage_error(usage, "apply takes old (a file), the "
		    "delta and new");
	out = argc > 2 ? argv[2] : NULL;
	if ((status = check_json(out)) != PF_EXIT_OK)
		return status;
	pf_delta_set_name(d, PF_DELTA_FILE_OLD, argv[0]);
	if (!is_std(delta))
		pf_delta_set_name(d, PF_DELTA_FILE_DELTA, delta);
	if (!is_std(out))
		pf_delta_set_name(d, PF_DELTA_FILE_NEW, out);
	/* A named output is renamed into place only after success. */
	pf_delta_set_new_staged(d, !is_std(out));
	status = run_staged(d, pf_delta_apply_fd, argv[0], delta, out);
	return status ? status : report("apply", argv[0], delta, out);
}

/* "key: value" lines as JSON members: "key_words":"value" or number. */
static void
info_json(const char *text)
{
	const char *line, *colon, *end, *v;
	size_t k;

	pf_json_open(stdout);
	fputs("\"status\":\"ok\",\"command\":\"info\"", stdout);
	for (line = text; *line != '\0'; line = *end ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		if ((colon = memchr(line, ':', (size_t)(end - line))) == NULL)
			continue;
		fputs(",\"", stdout);
		for (k = 0; line + k < colon; k++)
			putchar(line[k] == ' ' ? '_' : line[k]);
		fputs("\":", stdout);
		v = colon + 1 + (colon[1] == ' ');
		if (v < end && strspn(v, "0123456789") == (size_t)(end - v) &&
		    (end - v == 1 || *v != '0'))
			fwrite(v, 1, (size_t)(end - v), stdout);
		else
			pf_json_strn(stdout, v, (size_t)(end - v));
	}
	fputs(",\"exit_status\":0}\n", stdout);
}

static int
cmd_info(pf_delta *d, int argc, char **argv)
{
	int fd, status = PF_EXIT_OK;
	char *text = NULL;
	size_t len = 0;
	FILE *f = stdout;
	pf_ret r;

	if ((status = strip_options(&argc, &argv)) != PF_EXIT_OK)
		return status;
	if (argc != 1)
		return pf_usage_error(usage, "info takes one delta");
	if ((fd = open_in(argv[0])) < 0)
		return io_fail("open", argv[0]);
	if (!is_std(argv[0]))
		pf_delta_set_name(d, PF_DELTA_FILE_DELTA, argv[0]);
	if (json && (f = open_memstream(&text, &len)) == NULL)
		status = pf_fail(PF_ERR_NOMEM, NULL);
	else if ((r = pf_delta_print_info_fd(d, fd, f)) != PF_OK)
		status = lib_fail(d, r);
	if (f != stdout && f != NULL)
		fclose(f);
	if (status == PF_EXIT_OK && json)
		info_json(text);
	free(text);
	if (fd > STDIN_FILENO)
		close(fd);
	return status;
}

int
main(int argc, char **argv)
{
	pf_delta *d = NULL;
	int status;

	pf_cli_init("patch-delta", usage, help, argc, argv);
	argc--;
	argv++;
	if ((status = strip_options(&argc, &argv)) != PF_EXIT_OK)
		return status;
	if (argc < 1)
		return pf_usage_error(usage, "expected a command: diff, apply "
		    "or info");
	if (pf_delta_new(&d) != PF_OK)
		return pf_fail(PF_ERR_NOMEM, NULL);
	if (strcmp(argv[0], "diff") == 0)
		status = cmd_diff(d, argc - 1, argv + 1);
	else if (strcmp(argv[0], "apply") == 0)
		status = cmd_apply(d, argc - 1, argv + 1);
	else if (strcmp(argv[0], "info") == 0)
		status = cmd_info(d, argc - 1, argv + 1);
	else
		status = pf_usage_error(usage, "unknown command '%s'",
		    pf_shown(argv[0]));
	if (fflush(stdout) != 0 && status == PF_EXIT_OK)
		status = io_fail("write", "standard output");
	pf_delta_free(d);
	return status;
}
