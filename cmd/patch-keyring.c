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

#include <sodium.h>

#include "util.h"
#include "common/fileio.h"
#include "common/hash.h"
#include "common/json.h"
#include "trust/root.h"
#include "trust/sign.h"

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

typedef struct opts {
	const char *cmd, *dir;
	char **args;
	int nargs;
	const char *roots[PF_ROOT_MAX_ROOT];
	size_t nroots;
	const char *signs[PF_ROOT_MAX_SIGS];
	size_t nsigns;
	unsigned threshold, signing_threshold;  /* 0: not given */
	uint64_t expires, root_expires;         /* 0: not given */
	int json;
	uint64_t now;
	int dirfd;
	pf_err err;
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

static int
fail_err(const opts *o)
{
	return pf_fail(o->err.code, o->err.msg);
}

static int
root_path(char *path, size_t n, const char *dir)
{
	if ((size_t)snprintf(path, n, "%s/%s", dir, PF_ROOT_FILE) >= n) {
		return pf_fail_path(PF_ERR_USAGE, NULL, "keyring path '%s' is too long", dir);
	}
	return 0;
}

/*
 * Replaces DIR/root.pfkr: a temporary file, synced, renamed over it, and
 * the directory synced, so that a crash leaves the old or the new file.
 */
static int
write_root(const opts *o, const pf_root *r)
{
	char tmp[4096], path[4096];
	uint8_t *buf;
	size_t n;
	pf_err err;
	int fd = -1, rc = PF_EXIT_IO;

	if ((rc = root_path(path, sizeof path, o->dir)) != 0)
		return rc;
	rc = PF_EXIT_IO;
	snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", o->dir, PF_ROOT_FILE);
	if ((buf = malloc(PF_ROOT_FILE_MAX)) == NULL)
		return pf_fail(PF_ERR_NOMEM, NULL);
	n = pf_root_serialize(r, buf);
	if ((fd = mkstemp(tmp)) < 0) {
		rc = pf_fail_path(PF_ERR_IO, tmp, "cannot create '%s': %s",
		    pf_shown(tmp), strerror(errno));
		goto out;
	}
	if (pf_write_full(fd, buf, n, &err, tmp) != PF_OK) {
		rc = pf_fail(err.code, err.msg);
		goto out;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0 || close(fd) < 0 ||
	    (fd = -1, rename(tmp, path) < 0) || fsync(o->dirfd) < 0) {
		rc = pf_fail_path(PF_ERR_IO, path, "cannot write '%s': %s",
		    pf_shown(path), strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	free(buf);
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
read_current(opts *o, pf_root *cur)
{
	char path[4096];
	pf_ret r;
	int rc;

	if ((rc = root_path(path, sizeof path, o->dir)) != 0)
		return rc;
	r = pf_root_read(cur, path, &o->err);
	if (r == PF_ERR_USAGE)
		pf_err_set(&o->err, PF_ERR_TRUST, "keyring '%s' has no root "
		    "metadata ('%s'): make one with patch-keyring init, or copy "
		    "a trusted root file there", o->dir, PF_ROOT_FILE);
	if (r != PF_OK)
		return fail_err(o);
	if (pf_root_check(cur, &o->err) == PF_OK)
		return 0;
	return pf_fail_path(o->err.code, path, "'%s': %s", pf_shown(path),
	    o->err.msg);
}

static int
load_pub(opts *o, const char *file, pf_root_key *k)
{
	pf_pubkey pk;
	pf_ret r;

	if ((r = pf_pubkey_load(&pk, file, PF_ERR_USAGE, &o->err)) != PF_OK)
		return pf_fail(r == PF_ERR_TRUST ? PF_ERR_USAGE : r, o->err.msg);
	memset(k, 0, sizeof *k);
	memcpy(k->id, pk.id, sizeof k->id);
	memcpy(k->pk, pk.pk, sizeof k->pk);
	return 0;
}

/*
 * Section 4: version one more than cur's, signed by every --sign key,
 * each of which must be a root key of cur or of next; then the same
 * checks as `update` makes, but for the expiry time.
 */
static int
sign_and_write(opts *o, const pf_root *cur, pf_root *next)
{
	char hex[2 * PF_SIG_KEY_ID_LEN + 1], date[32];
	pf_seckey key;
	size_t i;
	pf_ret r;
	int rc = 0;

	if (cur != NULL && cur->version == UINT64_MAX)
		return pf_fail(PF_ERR_TRUST, "keyring version is at its limit");
	next->version = cur ? cur->version + 1 : 1;
	if ((r = pf_root_encode(next, &o->err)) != PF_OK)
		return fail_err(o);
	for (i = 0; i < o->nsigns && rc == 0; i++) {
		if ((r = pf_seckey_load(&key, o->signs[i], &o->err)) != PF_OK) {
			rc = fail_err(o);
			break;
		}
		pf_hex(hex, key.id, sizeof key.id);
		if (!pf_root_find(next->root, next->nroot, key.id) &&
		    !(cur && pf_root_find(cur->root, cur->nroot, key.id))) {
			rc = pf_fail_path(PF_ERR_USAGE, o->signs[i], "--sign "
			    "'%s': key %s is not a root key of the keyring",
			    pf_shown(o->signs[i]), hex);
		} else if (pf_root_sign(next, &key, &o->err) != PF_OK)
			rc = fail_err(o);
		sodium_memzero(&key, sizeof key);
	}
	if (rc != 0)
		return rc;
	r = cur ? pf_root_accept(cur, next, o->now, true, &o->err) :
	    pf_root_check(next, &o->err);
	if (r != PF_OK)
		return fail_err(o);
	if (next->expires <= o->now)
		pf_warnx("warning: root metadata expires on %s, in the past: "
		    "appliers will refuse this keyring",
		    pf_root_date(date, next->expires));
	if ((rc = write_root(o, next)) != 0)
		return rc;
	report_version(o, next->version);
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

static int
cmd_init(opts *o, pf_root *next)
{
	char path[4096];
	struct stat st;
	size_t i;
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
	memset(next, 0, sizeof *next);
	for (i = 0; i < o->nroots; i++)
		if ((rc = load_pub(o, o->roots[i], &next->root[i])) != 0)
			return rc;
	next->nroot = o->nroots;
	next->root_threshold = o->threshold ? o->threshold : 1;
	next->signing_threshold = o->signing_threshold ?
	    o->signing_threshold : 1;
	next->expires = o->root_expires ? o->root_expires : o->now + 365 * DAY;
	return sign_and_write(o, NULL, next);
}

static int
cmd_add_key(opts *o, const pf_root *cur, pf_root *next)
{
	char hex[2 * PF_SIG_KEY_ID_LEN + 1];
	pf_root_key k;
	pf_root_key *have;
	int rc;

	if (o->nargs != 1 || o->nroots || o->threshold)
		return pf_usage_error(usage, "add-key takes a directory and a "
		    "public key file");
	if ((rc = load_pub(o, o->args[0], &k)) != 0)
		return rc;
	pf_hex(hex, k.id, sizeof k.id);
	if (pf_root_revoked(cur, k.id)) {
		pf_warnx("key %s is revoked: a revoked key is never trusted "
		    "again; make a new one", hex);
		return PF_EXIT_USAGE;
	}
	k.expires = o->expires;
	/* A key added again gets its new expiry time. */
	have = (pf_root_key *)pf_root_find(next->signing, next->nsigning, k.id);
	if (have != NULL)
		*have = k;
	else if (next->nsigning == PF_ROOT_MAX_SIGNING)
		return pf_fail(PF_ERR_USAGE, "the keyring has the most signing "
		    "keys it can hold");
	else
		next->signing[next->nsigning++] = k;
	return sign_and_write(o, cur, next);
}

static int
parse_keyid(const char *s, uint8_t id[PF_SIG_KEY_ID_LEN])
{
	size_t got;

	if (strlen(s) != 2 * PF_SIG_KEY_ID_LEN ||
	    sodium_hex2bin(id, PF_SIG_KEY_ID_LEN, s, strlen(s), NULL, &got,
	    NULL) != 0 || got != PF_SIG_KEY_ID_LEN)
		return -1;
	return 0;
}

static int
cmd_revoke(opts *o, const pf_root *cur, pf_root *next)
{
	uint8_t id[PF_SIG_KEY_ID_LEN];
	size_t i;

	if (o->nargs != 1 || o->nroots || o->threshold || o->expires ||
	    parse_keyid(o->args[0], id) < 0)
		return pf_usage_error(usage, "revoke takes a directory and a "
		    "key ID of 16 hexadecimal digits");
	if (pf_root_find(cur->root, cur->nroot, id)) {
		return pf_fail_path(PF_ERR_USAGE, NULL, "key %s is a root key: replace it with rotate-root",
		    o->args[0]);
	}
	if (pf_root_revoked(cur, id)) {
		return pf_fail_path(PF_ERR_USAGE, NULL, "key %s is revoked already", o->args[0]);
	}
	if (next->nrevoked == PF_ROOT_MAX_REVOKED)
		return pf_fail(PF_ERR_USAGE, "the keyring has the most revoked "
		    "keys it can hold");
	for (i = 0; i < next->nsigning; i++)
		if (memcmp(next->signing[i].id, id, sizeof id) == 0)
			next->signing[i] = next->signing[--next->nsigning];
	memcpy(next->revoked[next->nrevoked++], id, sizeof id);
	return sign_and_write(o, cur, next);
}

static int
cmd_rotate(opts *o, const pf_root *cur, pf_root *next)
{
	size_t i;
	int rc;

	if (o->nargs != 0 || o->nroots == 0 || o->expires ||
	    o->signing_threshold)
		return pf_usage_error(usage, "rotate-root takes a directory, "
		    "--root keys and --sign keys");
	for (i = 0; i < o->nroots; i++)
		if ((rc = load_pub(o, o->roots[i], &next->root[i])) != 0)
			return rc;
	next->nroot = o->nroots;
	if (o->threshold)
		next->root_threshold = o->threshold;
	if (!o->root_expires)
		next->expires = o->now + 365 * DAY;
	return sign_and_write(o, cur, next);
}

/* Section 4: each file in turn must follow the root before it. */
static int
cmd_update(opts *o, pf_root *cur, pf_root *next)
{
	pf_root *t;
	int i, changed = 0;

	if (o->nargs < 1 || o->nroots || o->nsigns || o->threshold ||
	    o->signing_threshold || o->expires || o->root_expires)
		return pf_usage_error(usage, "update takes a directory and "
		    "root files");
	for (i = 0; i < o->nargs; i++) {
		if (pf_root_read(next, o->args[i], &o->err) != PF_OK)
			return fail_err(o);
		if (pf_root_same(cur, next)) {
			if (!o->json)
				printf("%s: '%s' is the keyring's version %llu "
				    "already\n", pf_progname,
				    pf_shown(o->args[i]),
				    (unsigned long long)cur->version);
			continue;
		}
		/* Only the last root must be within its expiry time. */
		if (pf_root_accept(cur, next, o->now, i + 1 < o->nargs,
		    &o->err) != PF_OK) {
			pf_warnx("'%s' refused, the keyring is unchanged",
			    o->args[i]);
			return fail_err(o);
		}
		t = cur, cur = next, next = t;
		changed = 1;
	}
	if (!changed) {
		report_version(o, cur->version);
		return 0;
	}
	if ((i = write_root(o, cur)) != 0)
		return i;
	report_version(o, cur->version);
	return 0;
}

static void
show_keys(const pf_root_key *v, size_t n, const char *what, int json,
    uint64_t now)
{
	char hex[2 * PF_SIG_KEY_ID_LEN + 1], date[32];
	size_t i;

	for (i = 0; i < n; i++) {
		pf_hex(hex, v[i].id, sizeof v[i].id);
		if (json) {
			printf("%s{\"key_id\":\"%s\"", i ? "," : "", hex);
			if (*what == 's')
				printf(",\"expires\":%llu,\"expired\":%s",
				    (unsigned long long)v[i].expires,
				    v[i].expires && now > v[i].expires ?
				    "true" : "false");
			putchar('}');
			continue;
		}
		printf("%-12s %s", what, hex);
		if (*what == 's' && v[i].expires)
			printf(" expires %s%s", pf_root_date(date,
			    v[i].expires), now > v[i].expires ?
			    " (expired)" : "");
		putchar('\n');
	}
}

static int
cmd_show(opts *o, const pf_root *cur)
{
	char hex[2 * PF_SIG_KEY_ID_LEN + 1], date[32];
	bool expired = o->now > cur->expires;
	size_t i;

	if (o->nargs != 0)
		return pf_usage_error(usage, "show takes a directory");
	if (!o->json) {
		printf("keyring      %s\nversion      %llu\nexpires      %s%s\n"
		    "root keys    %u of %zu must sign\n", pf_shown(o->dir),
		    (unsigned long long)cur->version,
		    pf_root_date(date, cur->expires), expired ?
		    " (expired: appliers refuse this keyring)" : "",
		    cur->root_threshold, cur->nroot);
		show_keys(cur->root, cur->nroot, "root key", 0, o->now);
		printf("signing keys %u must sign a package\n",
		    cur->signing_threshold);
		show_keys(cur->signing, cur->nsigning, "signing key", 0,
		    o->now);
		for (i = 0; i < cur->nrevoked; i++) {
			pf_hex(hex, cur->revoked[i], PF_SIG_KEY_ID_LEN);
			printf("revoked      %s\n", hex);
		}
		return 0;
	}
	pf_json_open(stdout);
	fputs("\"command\":\"show\",\"keyring\":", stdout);
	pf_json_str(stdout, o->dir);
	printf(",\"version\":%llu,\"expires\":%llu,\"expired\":%s,"
	    "\"root\":{\"threshold\":%u,\"keys\":[",
	    (unsigned long long)cur->version, (unsigned long long)cur->expires,
	    expired ? "true" : "false", cur->root_threshold);
	show_keys(cur->root, cur->nroot, "root key", 1, o->now);
	printf("]},\"signing\":{\"threshold\":%u,\"keys\":[",
	    cur->signing_threshold);
	show_keys(cur->signing, cur->nsigning, "signing key", 1, o->now);
	fputs("]},\"revoked\":[", stdout);
	for (i = 0; i < cur->nrevoked; i++) {
		fputs(i ? "," : "", stdout);
		pf_json_hex(stdout, cur->revoked[i], PF_SIG_KEY_ID_LEN);
	}
	fputs("],\"exit_status\":0}\n", stdout);
	return 0;
}

static int
run(opts *o)
{
	pf_root *cur, *next;
	bool init = strcmp(o->cmd, "init") == 0;
	int rc;

	cur = calloc(1, sizeof *cur);
	next = calloc(1, sizeof *next);
	if (cur == NULL || next == NULL) {
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
	memcpy(next, cur, sizeof *next);
	if (o->signing_threshold)
		next->signing_threshold = o->signing_threshold;
	if (o->root_expires)
		next->expires = o->root_expires;
	if (strcmp(o->cmd, "add-key") == 0)
		rc = cmd_add_key(o, cur, next);
	else if (strcmp(o->cmd, "revoke") == 0)
		rc = cmd_revoke(o, cur, next);
	else if (strcmp(o->cmd, "rotate-root") == 0)
		rc = cmd_rotate(o, cur, next);
	else if (strcmp(o->cmd, "update") == 0)
		rc = cmd_update(o, cur, next);
	else
		rc = cmd_show(o, cur);
out:
	if (rc == 0 && fflush(stdout) != 0)
		rc = PF_EXIT_IO;
	if (o->dirfd >= 0)
		close(o->dirfd);
	free(cur);
	free(next);
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
		if (o->nroots == PF_ROOT_MAX_ROOT)
			return pf_usage_error(usage, "at most %d --root keys",
			    PF_ROOT_MAX_ROOT);
		o->roots[o->nroots++] = arg;
		return 0;
	case 's':
		if (o->nsigns == PF_ROOT_MAX_SIGS)
			return pf_usage_error(usage, "at most %d --sign keys",
			    PF_ROOT_MAX_SIGS);
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
	if (pf_crypto_init() < 0)
		return pf_fail(PF_ERR_NOMEM, NULL);
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
