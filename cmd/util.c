#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
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

int
pf_check_root(const char *root)
{
	struct stat st;

	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		pf_warnx("root directory '%s' %s", root, errno == ENOENT ?
		    "does not exist" : "is not a directory");
		return PF_EXIT_USAGE;
	}
	return 0;
}

int
pf_open_state(pf_db **db, const char *root, const char *dir, bool create)
{
	pf_ret r;
	int rc;

	*db = NULL;
	if ((rc = pf_check_root(root)) != 0)
		return rc;
	r = pf_db_open_root(db, root, dir, create);
	if (r == PF_OK)
		r = pf_db_recover(*db, root);
	if (r != PF_OK) {
		rc = pf_fail(r, *db ? pf_db_error(*db) : NULL);
		pf_db_free(*db);
		*db = NULL;
		return rc;
	}
	if (pf_db_recovered(*db) != NULL)
		pf_warnx("%s", pf_db_recovered(*db));
	return 0;
}

volatile sig_atomic_t pf_stop;
static volatile sig_atomic_t armed;

static void
on_signal(int sig)
{
	if (armed) {
		pf_stop = 1;
		return;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void
pf_signals_init(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

void
pf_signals_arm(bool on)
{
	armed = on;
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

	(void)root;
	memset(trust, 0, sizeof *trust);
	if ((r = pf_keyring_new(kr)) != PF_OK)
		return pf_fail(r, NULL);
	if (o->keyring != NULL)
		snprintf(dir, sizeof dir, "%s", o->keyring);
	else
		snprintf(dir, sizeof dir, "%s", PF_DEFAULT_KEYRING);
	r = pf_keyring_add_dir(*kr, dir);
	/* With --allow-unsigned a missing keyring is no error. */
	if (r != PF_OK && !(o->allow_unsigned && o->keyring == NULL))
		return pf_fail(r, pf_keyring_error(*kr));
	/* spec/keyring.md section 5: bare keys work, but cannot be revoked. */
	if (r == PF_OK && !pf_keyring_rooted(*kr) && pf_keyring_size(*kr) > 0)
		pf_warnx("note: keyring '%s' has no root metadata: its keys "
		    "cannot be revoked (see patch-keyring(1))", pf_shown(dir));
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

const char *
pf_shown(const char *s)
{
	static char buf[4 * PF_SHOWN_MAX + 1];

	return pf_text_escape(buf, sizeof buf, s);
}

int
pf_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	const char *u;
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *s < '0' || *s > '9')
		return -1;
	if (*end != '\0') {
		if ((u = strchr(units, *end)) == NULL || end[1] != '\0')
			return -1;
		shift = 10 * (int)(u - units + 1);
	}
	if (v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}
