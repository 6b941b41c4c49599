/*
 * patch-delta: make, apply and describe pfdelta and VCDIFF binary deltas.  Opens the
 * files and leaves everything else to libpatchfmt_delta.h.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libpatchfmt.h"
#include "libpatchfmt_delta.h"
#include "util.h"

#define USAGE \
	"usage: patch-delta diff [--format=pfdelta|vcdiff] [--secondary=lzma]" \
	" [--memory size] old new [delta]\n" \
	"       patch-delta apply old [delta] [new]\n" \
	"       patch-delta info delta\n"

/* An output file written beside its final name, renamed when complete. */
typedef struct staged {
	const char *path;       /* NULL: standard output */
	char tmp[PATH_MAX];
	int fd;
} staged;

static int fail(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("patch-delta: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

static int
usage(void)
{
	fputs(USAGE, stderr);
	return PF_EXIT_USAGE;
}

/* Reports a failed system call on a named file. */
static int
io_fail(const char *what, const char *name)
{
	return fail(PF_EXIT_IO, "cannot %s '%s': %s", what, name,
	    strerror(errno));
}

static int
lib_fail(pf_delta *d, pf_ret r)
{
	fprintf(stderr, "patch-delta: %s\n", pf_delta_error(d));
	return pf_ret_exit_status(r);
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

static int
stage_open(staged *s, const char *path)
{
	mode_t mask;

	s->path = is_std(path) ? NULL : path;
	if (s->path == NULL) {
		s->fd = STDOUT_FILENO;
		return 0;
	}
	if ((size_t)snprintf(s->tmp, sizeof s->tmp, "%s.XXXXXX", path) >=
	    sizeof s->tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((s->fd = mkstemp(s->tmp)) < 0)
		return -1;
	mask = umask(0);
	umask(mask);
	return fchmod(s->fd, 0666 & ~mask);
}

/*
 * Keeps the staged file only when ok: a failed run leaves no half file.
 * Like bspatch and xdelta3 it does not force the file to disk (fsync);
 * the package installer, which replaces system files, does.
 */
static int
stage_close(staged *s, bool ok)
{
	int rc = 0;

	if (s->path == NULL)
		return 0;
	if (ok && rename(s->tmp, s->path) < 0)
		rc = -1;
	close(s->fd);
	if (!ok || rc < 0)
		unlink(s->tmp);
	return rc;
}

typedef pf_ret (*delta_op)(pf_delta *d, int in1, int in2, int out);

/* Opens two inputs and a staged output, runs op, keeps the output if ok. */
static int
run_staged(pf_delta *d, delta_op op, const char *in1, const char *in2,
    const char *out_path)
{
	int fd1 = -1, fd2 = -1, status = PF_EXIT_OK;
	staged out = { NULL, "", -1 };
	pf_ret r;

	if ((fd1 = open_in(in1)) < 0)
		return io_fail("open", in1);
	if ((fd2 = open_in(in2)) < 0) {
		status = io_fail("open", in2);
		goto out;
	}
	if (stage_open(&out, out_path) < 0) {
		status = io_fail("create a file beside", out_path);
		goto out;
	}
	if ((r = op(d, fd1, fd2, out.fd)) != PF_OK)
		status = lib_fail(d, r);
	if (stage_close(&out, status == PF_EXIT_OK) < 0)
		status = io_fail("write", out.path);
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
		return fail(PF_EXIT_USAGE, "bad size '%s'", s);
	if (pf_delta_set_memory(d, v) != PF_OK)
		return fail(PF_EXIT_USAGE, "%s", pf_delta_error(d));
	return PF_EXIT_OK;
}

/* Options of diff: the format, and xdelta3's LZMA for VCDIFF. */
static int
diff_options(pf_delta *d, int *argc, char ***argv)
{
	bool vcdiff = false, lzma = false;
	int status;

	for (; *argc > 0 && strncmp((*argv)[0], "--", 2) == 0;
	    (*argc)--, (*argv)++) {
		if (strcmp((*argv)[0], "--format=vcdiff") == 0)
			vcdiff = true;
		else if (strcmp((*argv)[0], "--format=pfdelta") == 0)
			vcdiff = false;
		else if (strcmp((*argv)[0], "--secondary=lzma") == 0)
			lzma = true;
		else if (strcmp((*argv)[0], "--secondary=none") == 0)
			lzma = false;
		else if (strcmp((*argv)[0], "--memory") == 0 && *argc >= 2) {
			if ((status = memory_opt(d, (*argv)[1])) != PF_EXIT_OK)
				return status;
			(*argc)--;
			(*argv)++;
		} else
			return fail(PF_EXIT_USAGE, "unknown option '%s'",
			    (*argv)[0]);
	}
	if (lzma && !vcdiff)
		return fail(PF_EXIT_USAGE, "--secondary needs --format=vcdiff");
	pf_delta_set_format(d, !vcdiff ? PF_DELTA_FORMAT_PFDELTA : lzma ?
	    PF_DELTA_FORMAT_VCDIFF_LZMA : PF_DELTA_FORMAT_VCDIFF);
	return PF_EXIT_OK;
}

static int
cmd_diff(pf_delta *d, int argc, char **argv)
{
	int status;

	if ((status = diff_options(d, &argc, &argv)) != PF_EXIT_OK)
		return status;
	if (argc < 2 || argc > 3 || (is_std(argv[0]) && is_std(argv[1])))
		return usage();
	pf_delta_set_name(d, PF_DELTA_FILE_OLD, argv[0]);
	pf_delta_set_name(d, PF_DELTA_FILE_NEW, argv[1]);
	return run_staged(d, pf_delta_create_fd, argv[0], argv[1],
	    argc > 2 ? argv[2] : NULL);
}

/* Old is read at random offsets: never the standard input. */
static int
cmd_apply(pf_delta *d, int argc, char **argv)
{
	const char *delta = argc > 1 ? argv[1] : "-";

	if (argc < 1 || argc > 3 || is_std(argv[0]))
		return usage();
	pf_delta_set_name(d, PF_DELTA_FILE_OLD, argv[0]);
	if (!is_std(delta))
		pf_delta_set_name(d, PF_DELTA_FILE_DELTA, delta);
	return run_staged(d, pf_delta_apply_fd, argv[0], delta,
	    argc > 2 ? argv[2] : NULL);
}

static int
cmd_info(pf_delta *d, int argc, char **argv)
{
	int fd, status = PF_EXIT_OK;
	pf_ret r;

	if (argc != 1)
		return usage();
	if ((fd = open_in(argv[0])) < 0)
		return io_fail("open", argv[0]);
	if (!is_std(argv[0]))
		pf_delta_set_name(d, PF_DELTA_FILE_DELTA, argv[0]);
	if ((r = pf_delta_print_info_fd(d, fd, stdout)) != PF_OK)
		status = lib_fail(d, r);
	if (fd > STDIN_FILENO)
		close(fd);
	return status;
}

int
main(int argc, char **argv)
{
	pf_delta *d = NULL;
	int status;

	if (argc < 2) {
		fputs(USAGE, stderr);
		return PF_EXIT_USAGE;
	}
	if (pf_delta_new(&d) != PF_OK) {
		fputs("patch-delta: out of memory\n", stderr);
		return PF_EXIT_SOFTWARE;
	}
	if (strcmp(argv[1], "diff") == 0)
		status = cmd_diff(d, argc - 2, argv + 2);
	else if (strcmp(argv[1], "apply") == 0)
		status = cmd_apply(d, argc - 2, argv + 2);
	else if (strcmp(argv[1], "info") == 0)
		status = cmd_info(d, argc - 2, argv + 2);
	else {
		fail(PF_EXIT_USAGE, "unknown command '%s'", argv[1]);
		status = usage();
	}
	if (fflush(stdout) != 0 && status == PF_EXIT_OK)
		status = io_fail("write", "standard output");
	pf_delta_free(d);
	return status;
}
