#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

const char *pf_progname = "patchfmt";

void
pf_warnx(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", pf_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
pf_fail(pf_ret r, const char *msg)
{
	pf_warnx("%s", msg && *msg ? msg : pf_ret_str(r));
	return pf_ret_exit_status(r);
}

int
pf_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", pf_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n", usage);
	return PF_EXIT_USAGE;
}

int
pf_open_input(const char *path)
{
	int fd;

	if (strcmp(path, "-") == 0)
		return STDIN_FILENO;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		pf_warnx("cannot open '%s': %s", path, strerror(errno));
	return fd;
}
