#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
	/* Messages quote names from packages: never a raw control byte. */
	char shown[4096];

	pf_warnx("%s", msg && *msg ? pf_text_escape(shown, sizeof shown, msg) :
	    pf_ret_str(r));
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

void
pf_state_path(char *out, size_t n, const char *dir, const char *root)
{
	if (dir != NULL)
		snprintf(out, n, "%s", dir);
	else
		snprintf(out, n, "%s/%s", root, PF_DEFAULT_STATE);
}

int
pf_parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || *s < '0' || *s > '9' || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
pf_opt_pid(const char *usage, const char *s, unsigned *pid)
{
	if (pf_parse_uint(s, 1u << 22, pid) < 0 || *pid == 0)
		return pf_usage_error(usage, "bad process ID '%s'", s);
	return 0;
}

int
pf_opt_wait(const char *usage, const char *s, unsigned *ms)
{
	if (pf_parse_uint(s, 600000, ms) < 0)
		return pf_usage_error(usage, "--wait takes milliseconds");
	return 0;
}

int
pf_parse_threshold(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || *s < '1' || *s > '9' || v > 16)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
pf_load_trust(const pf_trust_opts *o, const char *root, pf_keyring **kr,
    pf_trust *trust)
{
	char dir[4096];
	pf_ret r;

	memset(trust, 0, sizeof *trust);
	if ((r = pf_keyring_new(kr)) != PF_OK)
		return pf_fail(r, NULL);
	if (o->keyring != NULL)
		snprintf(dir, sizeof dir, "%s", o->keyring);
	else
		snprintf(dir, sizeof dir, "%s/%s", root, PF_DEFAULT_KEYRING);
	r = pf_keyring_add_dir(*kr, dir);
	/* With --allow-unsigned a missing keyring is no error. */
	if (r != PF_OK && !(o->allow_unsigned && o->keyring == NULL))
		return pf_fail(r, pf_keyring_error(*kr));
	trust->keyring = *kr;
	trust->threshold = o->threshold;
	trust->allow_unsigned = o->allow_unsigned != 0;
	if (o->allow_unsigned)
		pf_warnx("WARNING: --allow-unsigned: a package without any "
		    "signature will be installed");
	return 0;
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
