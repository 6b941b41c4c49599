#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
	return pf_fail_at(r, msg, NULL);
}

int
pf_usage_error(const char *usage, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pf_fail_at(PF_ERR_USAGE, msg, NULL);
	fprintf(stderr, "usage: %s\n", usage);
	return PF_EXIT_USAGE;
}

int
pf_fail_path(pf_ret r, const char *path, const char *fmt, ...)
{
	pf_fail_detail d = { .path = path };
	char msg[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return pf_fail_at(r, msg, &d);
}

int
pf_check_root(const char *root)
{
	struct stat st;

	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		return pf_fail_path(PF_ERR_USAGE, root, "root directory '%s' "
		    "%s", pf_shown(root), errno == ENOENT ? "does not exist" :
		    "is not a directory");
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
	if (dir != NULL)
		pf_verbose("state directory '%s'", pf_shown(dir));
	else
		pf_verbose("state directory '%s/var/lib/patchfmt'",
		    pf_shown(root));
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
    pf_trust **trust)
{
	const char *dir = o->keyring ? o->keyring : PF_DEFAULT_KEYRING;
	struct stat st = { .st_mode = S_IFDIR };
	pf_ret r;

	(void)root;
	*trust = NULL;
	if ((r = pf_keyring_new(kr)) != PF_OK ||
	    (r = pf_trust_new(trust)) != PF_OK)
		return pf_fail(r, NULL);
	/* --keyring names a directory of keys or one public key file. */
	if (o->keyring != NULL && stat(dir, &st) < 0)
		st.st_mode = S_IFDIR;
	if (S_ISREG(st.st_mode))
		r = pf_keyring_add_file(*kr, dir);
	else
		r = pf_keyring_add_dir(*kr, dir);
	/* With --allow-unsigned a missing keyring is no error. */
	if (r != PF_OK && !(o->allow_unsigned && o->keyring == NULL)) {
		pf_trust_free(*trust);
		*trust = NULL;
		return pf_fail_path(r, dir, "%s", pf_keyring_error(*kr));
	}
	/* spec/keyring.md section 5: bare keys work, but cannot be revoked. */
	if (r == PF_OK && !pf_keyring_rooted(*kr) && pf_keyring_size(*kr) > 0 &&
	    !pf_cli_ctx.quiet && S_ISDIR(st.st_mode))
		pf_warnx("note: keyring '%s' has no root metadata: its keys "
		    "cannot be revoked (see patch-keyring(1))", pf_shown(dir));
	pf_verbose("keyring '%s': %zu trusted keys%s", pf_shown(dir),
	    pf_keyring_size(*kr), pf_keyring_rooted(*kr) ?
	    ", from root metadata" : "");
	pf_trust_set_keyring(*trust, *kr);
	pf_trust_set_threshold(*trust, o->threshold);
	pf_trust_set_allow_unsigned(*trust, o->allow_unsigned != 0);
	return 0;
}

void
pf_warn_unsigned(const pf_trust_opts *o, pf_reader *r)
{
	static const char *word[] = { "unchecked", "valid", "unknown key",
	    "invalid" };
	char hex[65];
	uint8_t id[8];
	size_t i;

	pf_hex_str(hex, pf_reader_digest(r), 32);
	pf_verbose("package '%s', SHA-256 %s, %zu signatures",
	    pf_shown(pf_reader_id(r)), hex, pf_reader_signature_count(r));
	for (i = 0; i < pf_reader_signature_count(r); i++) {
		pf_sig_status st = pf_reader_signature(r, i, id);

		pf_hex_str(hex, id, sizeof id);
		pf_verbose("signature by key %s: %s", hex, word[st]);
	}
	if (o->allow_unsigned && r != NULL &&
	    pf_reader_signature_count(r) == 0)
		pf_warnx("WARNING: --allow-unsigned: package '%s' has no "
		    "signature: nothing proves where it comes from",
		    pf_shown(pf_reader_id(r)));
}

int
pf_open_input(const char *path)
{
	int fd;

	if (strcmp(path, "-") == 0)
		return STDIN_FILENO;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		pf_fail_path(PF_ERR_IO, path, "cannot open '%s': %s",
		    pf_shown(path), strerror(errno));
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

/* The digits of s[0..n) as a number no larger than max; -1 if not. */
static int
digits(const char *s, size_t n, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (max - (unsigned)(s[i] -
		    '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int
pf_parse_date(const char *s, uint64_t now, uint64_t *out)
{
	unsigned long long v;
	struct tm tm;
	size_t n = strlen(s);
	int y, mo, d, h = 0, mi = 0, sec = 0, k = 0;
	time_t t;

	/* +N days, +Nd days, +Nh hours from now. */
	if (s[0] == '+') {
		unsigned long long unit = 86400;

		if (n > 2 && (s[n - 1] == 'd' || s[n - 1] == 'h')) {
			unit = s[n - 1] == 'h' ? 3600 : 86400;
			n--;
		}
		if (digits(s + 1, n - 1, 36500ULL * 86400 / unit, &v) < 0)
			return -1;
		*out = now + v * unit;
		return 0;
	}
	/* Seconds since the epoch. */
	if (digits(s, n, UINT64_MAX / 2, &v) == 0 && n != 8) {
		*out = v;
		return 0;
	}
	/* YYYY-MM-DD, 00:00 UTC, or YYYY-MM-DDTHH:MM[:SS]Z. */
	if (n == 10)
		k = sscanf(s, "%4d-%2d-%2d", &y, &mo, &d) == 3;
	else if (n == 17 && s[10] == 'T' && s[16] == 'Z')
		k = sscanf(s, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) == 5;
	else if (n == 20 && s[10] == 'T' && s[19] == 'Z')
		k = sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi,
		    &sec) == 6;
	if (k == 0 || s[4] != '-' || s[7] != '-')
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm() normalises 2027-02-30 or 25:00; such a time is refused. */
	if (t <= 0 || tm.tm_mday != d || tm.tm_mon != mo - 1 ||
	    tm.tm_hour != h || tm.tm_min != mi || tm.tm_sec != sec)
		return -1;
	*out = (uint64_t)t;
	return 0;
}

void
pf_hex_str(char *out, const uint8_t *p, size_t n)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

void
pf_detail_of(pf_fail_detail *d, const char *msg, const pf_reader *r,
    const pf_txn *t, const pf_db *db)
{
	memset(d, 0, sizeof *d);
	if (msg == NULL)
		return;
	if (r != NULL && msg == pf_reader_error(r)) {
		d->path = pf_reader_error_detail(r, PF_DETAIL_PATH);
		d->expected = pf_reader_error_detail(r, PF_DETAIL_EXPECTED);
		d->found = pf_reader_error_detail(r, PF_DETAIL_FOUND);
	} else if (t != NULL && msg == pf_txn_error(t)) {
		d->path = pf_txn_error_detail(t, PF_DETAIL_PATH);
		d->expected = pf_txn_error_detail(t, PF_DETAIL_EXPECTED);
		d->found = pf_txn_error_detail(t, PF_DETAIL_FOUND);
	} else if (db != NULL && msg == pf_db_error(db)) {
		d->path = pf_db_error_detail(db, PF_DETAIL_PATH);
		d->expected = pf_db_error_detail(db, PF_DETAIL_EXPECTED);
		d->found = pf_db_error_detail(db, PF_DETAIL_FOUND);
	}
}
