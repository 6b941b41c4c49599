/*
 * patch-keyring: a keyring whose trust comes from signed root metadata
 * (spec/keyring.md): make it, add, revoke and rotate keys, take a new
 * root through the chain, show it.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const char usage[] =
    "patch-keyring init dir --root pub ... [--threshold n] "
    "[--signing-threshold n] [--root-expires date] --sign key ...\n"
    "       patch-keyring add-key dir pub [--expires date] "
    "[--signing-threshold n] [--root-expires date] --sign key ...\n"
    "       patch-keyring revoke dir keyid [--root-expires date] "
    "--sign key ...\n"
    "       patch-keyring rotate-root dir --root pub ... [--threshold n] "
    "[--root-expires date] --sign key ...\n"
    "       patch-keyring update dir file ...\n"
    "       patch-keyring show dir\n"
    "       every command: [--json] [-q] [-v]";

static const char help[] =
    "  --root pub           a root key (init, rotate-root; repeatable)\n"
    "  --threshold n        root keys that must sign a new root\n"
    "  --signing-threshold n  signing keys that must sign a package\n"
    "  --expires date       the signing key's expiry (add-key)\n"
    "  --root-expires date  the new root's expiry (default +365d)\n"
    "  --sign key           a secret root key signing the change\n"
    "  --json               one JSON document on standard output\n"
    "  dates: YYYY-MM-DD[THH:MM:SSZ] (UTC), +DAYS, +Nd or +Nh\n"
    "  -q, --quiet          no notes\n"
    "  -v, --verbose        more detail\n"
    "  --help, --version\n";

#define DAY 86400u
/* spec/keyring.md: the file in the keyring directory, its limits. */
#define ROOT_FILE "root.pfkr"
#define MAX_ROOT 16
#define MAX_SIGS 32
#define KEY_ID_LEN 8

typedef struct opts {
	const char *cmd, *dir;
	char **args;
	int nargs;
	const char *roots[MAX_ROOT];
	size_t nroots;
	const char *signs[MAX_SIGS];
	size_t nsigns;
	unsigned threshold, signing_threshold;  /* 0: not given */
	uint64_t expires, root_expires;         /* 0: not given */
	int json;
	uint64_t now;
	int dirfd;
} opts;

/* What a command that changed the keyring (or found it current) says. */
static void
report_version(const opts *o, uint64_t version)
{
	if (o->json) {
		pf_json_open(stdout);
		fputs("\"command\":", stdout);
		pf_json_str(stdout, o->cmd);
		fputs(",\"keyring\":", stdout);
		pf_json_str(stdout, o->dir);
		printf(",\"version\":%llu,\"exit_status\":0}\n",
		    (unsigned long long)version);
	} else
		printf("%s: keyring '%s' is at version %llu\n", pf_progname,
		    pf_shown(o->dir), (unsigned long long)version);
}

/* The failure r of a call on root metadata k. */
static int
fail_root(const pf_keyroot *k, pf_ret r)
{
	return pf_fail(r, pf_keyroot_error(k));
}

/* YYYY-MM-DD of a time in seconds (UTC), as spec/keyring.md section 7. */
static const char *
show_date(char out[32], uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t > (uint64_t)253402300799u || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, 32, "%llu", (unsigned long long)t);
	else
		strftime(out, 32, "%Y-%m-%d", &tm);
	return out;
}

/* write(2) until all of p is out. */
static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0 && errno == EINTR)
			continue;
		if (w == 0)
			errno = EIO;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
root_path(char *path, size_t n, const char *dir)
{
	if ((size_t)snprintf(path, n, "%s/%s", dir, ROOT_FILE) >= n) {
		return pf_fail_path(PF_ERR_USAGE, NULL, "keyring path '%s' is too long", dir);
	}
	return 0;
}

/*
 * Replaces DIR/root.pfkr: a temporary file, synced, renamed over it, and
 * the directory synced, so that a crash leaves the old or the new file.
 */
static int
write_root(const opts *o, const pf_keyroot *k)
{
	char tmp[4096], path[4096];
	const uint8_t *buf;
	size_t n;
	int fd = -1, rc;

	if ((rc = root_path(path, sizeof path, o->dir)) != 0)
		return rc;
	if ((buf = pf_keyroot_bytes(k, &n)) == NULL)
		return pf_fail(PF_ERR_USAGE, "the new root metadata is not "
		    "signed");
	snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", o->dir, ROOT_FILE);
	if ((fd = mkstemp(tmp)) < 0)
		return pf_fail_path(PF_ERR_IO, tmp, "cannot create '%s': %s",
		    pf_shown(tmp), strerror(errno));
	if (write_all(fd, buf, n) < 0 || fchmod(fd, 0644) < 0 ||
	    fsync(fd) < 0 || close(fd) < 0 || (fd = -1,
	    rename(tmp, path) < 0) || fsync(o->dirfd) < 0) {
		rc = pf_fail_path(PF_ERR_IO, path, "cannot write '%s': %s",
		    pf_shown(path), strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	}
	return rc;
}

/* Opens and locks the keyring directory against another patch-keyring. */
static int
lock_dir(opts *o, bool create)
{
	if (create && mkdir(o->dir, 0755) < 0 && errno != EEXIST) {
		return pf_fail_path(PF_ERR_IO, NULL, "cannot make keyring '%s': %s", o->dir,
		    strerror(errno));
	}
	o->dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->dirfd < 0 || flock(o->dirfd, LOCK_EX) < 0) {
		int e = errno;

		return pf_fail_path(e == ENOENT ? PF_ERR_USAGE : PF_ERR_IO,
		    o->dir, "cannot open keyring '%s': %s", pf_shown(o->dir),
		    strerror(e));
	}
	return 0;
}

/* The keyring's current root: it must be there and carry its threshold. */
static int
read_current(opts *o, pf_keyroot *cur)
{
	char path[4096];
	pf_ret r;
	int rc;

	if ((rc = root_path(path, sizeof path, o->dir)) != 0)
		return rc;
	r = pf_keyroot_read(cur, path);
	if (r == PF_ERR_USAGE)
		return pf_fail_path(PF_ERR_TRUST, path, "keyring '%s' has no "
		    "root metadata ('%s'): make one with patch-keyring init, "
		    "or copy a trusted root file there", pf_shown(o->dir),
		    ROOT_FILE);
	if (r != PF_OK)
		return fail_root(cur, r);
	if ((r = pf_keyroot_verify(cur)) == PF_OK)
		return 0;
	return pf_fail_path(r, path, "'%s': %s", pf_shown(path),
	    pf_keyroot_error(cur));
}

/*
 * Section 4: version one more than cur's, signed by every --sign key,
 * each of which must be a root key of cur or of next; then the same
 * checks as `update` makes, but for the expiry time.
 */
static int
sign_and_write(opts *o, const pf_keyroot *cur, pf_keyroot *next)
{
	uint64_t v = cur ? pf_keyroot_version(cur) : 0;
	char date[32];
	size_t i;
	pf_ret r;
	int rc;

	if (v == UINT64_MAX)
		return pf_fail(PF_ERR_TRUST, "keyring version is at its limit");
	if ((r = pf_keyroot_set_version(next, v + 1)) != PF_OK)
		return fail_root(next, r);
	for (i = 0; i < o->nsigns; i++)
		if ((r = pf_keyroot_sign(next, o->signs[i], cur)) != PF_OK)
			return fail_root(next, r);
	r = cur ? pf_keyroot_follows(next, cur, o->now, true) :
	    pf_keyroot_verify(next);
	if (r != PF_OK)
		return fail_root(next, r);
	if (pf_keyroot_expires(next) <= o->now)
		pf_warnx("warning: root metadata expires on %s, in the past: "
		    "appliers will refuse this keyring",
		    show_date(date, pf_keyroot_expires(next)));
	if ((rc = write_root(o, next)) != 0)
		return rc;
	report_version(o, pf_keyroot_version(next));
	return 0;
}

/* Section 5: once there is root metadata, bare key files do not count. */
static void
note_bare_keys(const char *dir)
{
	struct dirent *e;
	size_t n = 0, len;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		n += len > 4 && strcmp(e->d_name + len - 4, ".pub") == 0;
	}
	closedir(d);
	if (n > 0)
		pf_warnx("note: the %zu .pub files of '%s' are no longer "
		    "trusted: add them with add-key", n, dir);
}

/* The --root keys, as the root keys of next. */
static int
set_roots(const opts *o, pf_keyroot *next)
{
	size_t i;
	pf_ret r;

	if ((r = pf_keyroot_clear(next, PF_KEYROOT_ROOT)) != PF_OK)
		return fail_root(next, r);
	for (i = 0; i < o->nroots; i++)
		if ((r = pf_keyroot_add_key(next, PF_KEYROOT_ROOT, o->roots[i],
		    0)) != PF_OK)
			return fail_root(next, r);
	if (o->threshold && (r = pf_keyroot_set_threshold(next,
	    PF_KEYROOT_ROOT, o->threshold)) != PF_OK)
		return fail_root(next, r);
	return 0;
}

static int
cmd_init(opts *o, pf_keyroot *next)
{
	char path[4096];
	struct stat st;
	pf_ret r;
	int rc;

	if (o->nargs != 0 || o->nroots == 0 || o->expires)
		return pf_usage_error(usage, "init takes a directory, --root "
		    "keys and --sign keys");
	if ((rc = root_path(path, sizeof path, o->dir)) != 0)
		return rc;
	if (lstat(path, &st) == 0) {
		return pf_fail_path(PF_ERR_USAGE, NULL, "keyring '%s' has root metadata already: use add-key, "
		    "revoke or rotate-root", o->dir);
	}
	note_bare_keys(o->dir);
	if ((rc = set_roots(o, next)) != 0)
		return rc;
	r = pf_keyroot_set_expires(next, o->root_expires ? o->root_expires :
	    o->now + 365 * DAY);
	if (r == PF_OK && o->signing_threshold)
		r = pf_keyroot_set_threshold(next, PF_KEYROOT_SIGNING,
		    o->signing_threshold);
	if (r != PF_OK)
		return fail_root(next, r);
	return sign_and_write(o, NULL, next);
}

static int
cmd_add_key(opts *o, const pf_keyroot *cur, pf_keyroot *next)
{
	pf_ret r;

	if (o->nargs != 1 || o->nroots || o->threshold)
		return pf_usage_error(usage, "add-key takes a directory and a "
		    "public key file");
	/* A key added again gets its new expiry time. */
	r = pf_keyroot_add_key(next, PF_KEYROOT_SIGNING, o->args[0],
	    o->expires);
	if (r != PF_OK)
		return fail_root(next, r);
	return sign_and_write(o, cur, next);
}

/* A key ID: 16 hexadecimal digits. */
static int
parse_keyid(const char *s, uint8_t id[KEY_ID_LEN])
{
	unsigned x;
	size_t i;

	if (strlen(s) != 2 * KEY_ID_LEN ||
	    strspn(s, "0123456789abcdefABCDEF") != 2 * KEY_ID_LEN)
		return -1;
	for (i = 0; i < KEY_ID_LEN; i++) {
		if (sscanf(s + 2 * i, "%2x", &x) != 1)
			return -1;
		id[i] = (uint8_t)x;
	}
	return 0;
}

static int
cmd_revoke(opts *o, const pf_keyroot *cur, pf_keyroot *next)
{
	uint8_t id[KEY_ID_LEN];
	pf_ret r;

	if (o->nargs != 1 || o->nroots || o->threshold || o->expires ||
	    parse_keyid(o->args[0], id) < 0)
		return pf_usage_error(usage, "revoke takes a directory and a "
		    "key ID of 16 hexadecimal digits");
	if (pf_keyroot_has(cur, PF_KEYROOT_ROOT, id)) {
		return pf_fail_path(PF_ERR_USAGE, NULL, "key %s is a root key: replace it with rotate-root",
		    o->args[0]);
	}
	if ((r = pf_keyroot_revoke(next, id)) != PF_OK)
		return fail_root(next, r);
	return sign_and_write(o, cur, next);
}

static int
cmd_rotate(opts *o, const pf_keyroot *cur, pf_keyroot *next)
{
	pf_ret r;
	int rc;

	if (o->nargs != 0 || o->nroots == 0 || o->expires ||
	    o->signing_threshold)
		return pf_usage_error(usage, "rotate-root takes a directory, "
		    "--root keys and --sign keys");
	if ((rc = set_roots(o, next)) != 0)
		return rc;
	if (!o->root_expires &&
	    (r = pf_keyroot_set_expires(next, o->now + 365 * DAY)) != PF_OK)
		return fail_root(next, r);
	return sign_and_write(o, cur, next);
}

/* Section 4: each file in turn must follow the root before it. */
static int
cmd_update(opts *o, pf_keyroot *cur, pf_keyroot *next)
{
	pf_keyroot *t;
	pf_ret r;
	int i, changed = 0;

	if (o->nargs < 1 || o->nroots || o->nsigns || o->threshold ||
	    o->signing_threshold || o->expires || o->root_expires)
		return pf_usage_error(usage, "update takes a directory and "
		    "root files");
	for (i = 0; i < o->nargs; i++) {
		if ((r = pf_keyroot_read(next, o->args[i])) != PF_OK)
			return fail_root(next, r);
		if (pf_keyroot_same(cur, next)) {
			if (!o->json)
				printf("%s: '%s' is the keyring's version %llu "
				    "already\n", pf_progname,
				    pf_shown(o->args[i]), (unsigned long long)
				    pf_keyroot_version(cur));
			continue;
		}
		/* Only the last root must be within its expiry time. */
		r = pf_keyroot_follows(next, cur, o->now, i + 1 < o->nargs);
		if (r != PF_OK) {
			pf_warnx("'%s' refused, the keyring is unchanged",
			    o->args[i]);
			return fail_root(next, r);
		}
		t = cur, cur = next, next = t;
		changed = 1;
	}
	if (changed && (i = write_root(o, cur)) != 0)
		return i;
	report_version(o, pf_keyroot_version(cur));
	return 0;
}

static void
show_keys(const pf_keyroot *k, pf_keyroot_list which, int json, uint64_t now)
{
	const char *what = which == PF_KEYROOT_ROOT ? "root key" :
	    "signing key";
	char hex[2 * KEY_ID_LEN + 1], date[32];
	const uint8_t *id;
	uint64_t expires;
	size_t i;

	for (i = 0; (id = pf_keyroot_key(k, which, i, &expires)) != NULL;
	    i++) {
		pf_hex_str(hex, id, KEY_ID_LEN);
		if (json) {
			printf("%s{\"key_id\":\"%s\"", i ? "," : "", hex);
			if (which == PF_KEYROOT_SIGNING)
				printf(",\"expires\":%llu,\"expired\":%s",
				    (unsigned long long)expires,
				    expires && now > expires ?
				    "true" : "false");
			putchar('}');
			continue;
		}
		printf("%-12s %s", what, hex);
		if (which == PF_KEYROOT_SIGNING && expires)
			printf(" expires %s%s", show_date(date, expires),
			    now > expires ? " (expired)" : "");
		putchar('\n');
	}
}

static void
show_text(const opts *o, const pf_keyroot *cur)
{
	char hex[2 * KEY_ID_LEN + 1], date[32];
	uint64_t expires = pf_keyroot_expires(cur);
	const uint8_t *id;
	size_t i;

	printf("keyring      %s\nversion      %llu\nexpires      %s%s\n"
	    "root keys    %u of %zu must sign\n", pf_shown(o->dir),
	    (unsigned long long)pf_keyroot_version(cur),
	    show_date(date, expires), o->now > expires ?
	    " (expired: appliers refuse this keyring)" : "",
	    pf_keyroot_threshold(cur, PF_KEYROOT_ROOT),
	    pf_keyroot_count(cur, PF_KEYROOT_ROOT));
	show_keys(cur, PF_KEYROOT_ROOT, 0, o->now);
	printf("signing keys %u must sign a package\n",
	    pf_keyroot_threshold(cur, PF_KEYROOT_SIGNING));
	show_keys(cur, PF_KEYROOT_SIGNING, 0, o->now);
	for (i = 0; (id = pf_keyroot_key(cur, PF_KEYROOT_REVOKED, i,
	    NULL)) != NULL; i++) {
		pf_hex_str(hex, id, KEY_ID_LEN);
		printf("revoked      %s\n", hex);
	}
}

static int
cmd_show(opts *o, const pf_keyroot *cur)
{
	uint64_t expires = pf_keyroot_expires(cur);
	const uint8_t *id;
	size_t i;

	if (o->nargs != 0)
		return pf_usage_error(usage, "show takes a directory");
	if (!o->json) {
		show_text(o, cur);
		return 0;
	}
	pf_json_open(stdout);
	fputs("\"command\":\"show\",\"keyring\":", stdout);
	pf_json_str(stdout, o->dir);
	printf(",\"version\":%llu,\"expires\":%llu,\"expired\":%s,"
	    "\"root\":{\"threshold\":%u,\"keys\":[",
	    (unsigned long long)pf_keyroot_version(cur),
	    (unsigned long long)expires, o->now > expires ? "true" : "false",
	    pf_keyroot_threshold(cur, PF_KEYROOT_ROOT));
	show_keys(cur, PF_KEYROOT_ROOT, 1, o->now);
	printf("]},\"signing\":{\"threshold\":%u,\"keys\":[",
	    pf_keyroot_threshold(cur, PF_KEYROOT_SIGNING));
	show_keys(cur, PF_KEYROOT_SIGNING, 1, o->now);
	fputs("]},\"revoked\":[", stdout);
	for (i = 0; (id = pf_keyroot_key(cur, PF_KEYROOT_REVOKED, i,
	    NULL)) != NULL; i++) {
		fputs(i ? "," : "", stdout);
		pf_json_hex(stdout, id, KEY_ID_LEN);
	}
	fputs("],\"exit_status\":0}\n", stdout);
	return 0;
}

/* Changes every command but init and update makes: from the options. */
static int
run_change(opts *o, const pf_keyroot *cur, pf_keyroot *next)
{
	pf_ret r = PF_OK;

	if (o->signing_threshold)
		r = pf_keyroot_set_threshold(next, PF_KEYROOT_SIGNING,
		    o->signing_threshold);
	if (r == PF_OK && o->root_expires)
		r = pf_keyroot_set_expires(next, o->root_expires);
	if (r != PF_OK)
		return fail_root(next, r);
	if (strcmp(o->cmd, "add-key") == 0)
		return cmd_add_key(o, cur, next);
	if (strcmp(o->cmd, "revoke") == 0)
		return cmd_revoke(o, cur, next);
	return cmd_rotate(o, cur, next);
}

static int
run(opts *o)
{
	pf_keyroot *cur = NULL, *next = NULL;
	bool init = strcmp(o->cmd, "init") == 0;
	int rc;

	if (pf_keyroot_new(&cur) != PF_OK || pf_keyroot_new(&next) != PF_OK) {
		rc = pf_fail(PF_ERR_NOMEM, NULL);
		goto out;
	}
	if ((rc = lock_dir(o, init)) != 0)
		goto out;
	if (init) {
		rc = cmd_init(o, next);
		goto out;
	}
	if ((rc = read_current(o, cur)) != 0)
		goto out;
	if (strcmp(o->cmd, "update") == 0)
		rc = cmd_update(o, cur, next);
	else if (strcmp(o->cmd, "show") == 0)
		rc = cmd_show(o, cur);
	else {
		pf_keyroot_free(next);
		if ((next = NULL, pf_keyroot_dup(&next, cur)) != PF_OK)
			rc = pf_fail(PF_ERR_NOMEM, NULL);
		else
			rc = run_change(o, cur, next);
	}
out:
	if (rc == 0 && fflush(stdout) != 0)
		rc = PF_EXIT_IO;
	if (o->dirfd >= 0)
		close(o->dirfd);
	pf_keyroot_free(cur);
	pf_keyroot_free(next);
	return rc;
}

static int
parse_option(opts *o, int c, const char *arg)
{
	static const char *const known[] = { "init", "add-key", "revoke",
	    "rotate-root", "update", "show" };
	size_t i;

	switch (c) {
	case 'r':
		if (o->nroots == MAX_ROOT)
			return pf_usage_error(usage, "at most %d --root keys",
			    MAX_ROOT);
		o->roots[o->nroots++] = arg;
		return 0;
	case 's':
		if (o->nsigns == MAX_SIGS)
			return pf_usage_error(usage, "at most %d --sign keys",
			    MAX_SIGS);
		o->signs[o->nsigns++] = arg;
		return 0;
	case 't':
	case 'T':
		if (pf_parse_threshold(arg, c == 't' ? &o->threshold :
		    &o->signing_threshold) < 0)
			return pf_usage_error(usage, "a threshold is a number "
			    "from 1 to 16");
		return 0;
	case 'e':
	case 'E':
		if (pf_parse_date(arg, o->now, c == 'e' ? &o->expires :
		    &o->root_expires) < 0)
			return pf_usage_error(usage, "bad date '%s': give "
			    "YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or +Nd",
			    pf_shown(arg));
		return 0;
	case 'j': o->json = 1; return 0;
	case 0:
		for (i = 0; i < sizeof known / sizeof known[0]; i++)
			if (strcmp(arg, known[i]) == 0)
				return 0;
		return pf_usage_error(usage, "unknown command '%s'",
		    pf_shown(arg));
	default: return pf_cli_bad_option();
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "sign", required_argument, NULL, 's' },
		{ "threshold", required_argument, NULL, 't' },
		{ "signing-threshold", required_argument, NULL, 'T' },
		{ "expires", required_argument, NULL, 'e' },
		{ "root-expires", required_argument, NULL, 'E' },
		{ "json", no_argument, NULL, 'j' },
		PF_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	opts o = { .dirfd = -1 };
	int c, rc;

	pf_cli_init("patch-keyring", usage, help, argc, argv);
	o.now = (uint64_t)time(NULL);
	while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		if (pf_cli_option(c))
			continue;
		if ((rc = parse_option(&o, c, optarg)) != 0)
			return rc;
	}
	if (argc - optind < 2)
		return pf_usage_error(usage, "expected a command and a "
		    "keyring directory");
	o.cmd = argv[optind];
	o.dir = argv[optind + 1];
	o.args = argv + optind + 2;
	o.nargs = argc - optind - 2;
	if ((rc = parse_option(&o, 0, o.cmd)) != 0)
		return rc;
	if (strcmp(o.cmd, "show") != 0 && strcmp(o.cmd, "update") != 0 &&
	    o.nsigns == 0)
		return pf_usage_error(usage, "%s needs --sign keys", o.cmd);
	return run(&o);
}
