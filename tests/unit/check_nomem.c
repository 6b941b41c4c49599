/*
 * Out of memory at every allocation of an operation, one at a time, as
 * SQLite's malloc tests do: the test program replaces malloc, calloc and
 * realloc (glibc lets a program do so, and its own strdup, asprintf,
 * opendir and stdio then use them too) with ones that fail the N-th call
 * after being armed.  For N = 1, 2, ... until the operation runs without
 * meeting a failure, each run must either succeed with the right result or
 * fail saying that memory ran out; a failed apply or rollback must leave
 * the tree exactly as it was (the integrity model of the applier), a
 * failed --output must leave no output directory.
 *
 * AddressSanitizer owns malloc itself: under it each operation runs
 * once, without failures.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libpatchfmt.h"
#include "common/buf.h"
#include "common/hash.h"
#include "live/hotpatch.h"
#include "package/trust.h"
#include "run.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* The allocator: fail_at counts down while armed; 0 means "this call". */
static atomic_long fail_at = -1;
static atomic_bool met;

#ifndef UNDER_ASAN
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t k, size_t n);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

static int
failing(void)
{
	if (atomic_load(&fail_at) < 0 || atomic_fetch_sub(&fail_at, 1) != 0)
		return 0;
	atomic_store(&met, true);
	errno = ENOMEM;
	return 1;
}

void *
malloc(size_t n)
{
	return failing() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t k, size_t n)
{
	return failing() ? NULL : __libc_calloc(k, n);
}

void *
realloc(void *p, size_t n)
{
	return failing() ? NULL : __libc_realloc(p, n);
}

void
free(void *p)
{
	__libc_free(p);
}
#endif

/* Arms the allocator to fail its n-th call from now (1: the next). */
static void
arm(long n)
{
	atomic_store(&met, false);
	atomic_store(&fail_at, n - 1);
}

/* Disarms it; whether the armed failure happened. */
static bool
disarm(void)
{
	atomic_store(&fail_at, -1);
	return atomic_load(&met);
}

static char base[256];
static char msg[PF_ERR_MSG_MAX];
static pf_keyring *empty;
static pf_trust unsigned_ok = { .allow_unsigned = true };

/* An operation under test: a status, its message copied into msg. */
typedef pf_ret (*op_fn)(void);

static void
path_of(char *out, size_t n, const char *what)
{
	snprintf(out, n, "%s/%s", base, what);
}

static void
put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof path, "%s/%s/%s", base, dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void
sub(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s/%s", base, dir, name);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void
link_to(const char *dir, const char *name, const char *target)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s/%s", base, dir, name);
	ck_assert_int_eq(symlink(target, path), 0);
}

/* A text of lines that changes a little between versions: a delta. */
static char *
long_text(int version)
{
	static char buf[48 * 1024];
	size_t used = 0;
	int i;

	for (i = 0; i < 1000 && used + 48 < sizeof buf; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used,
		    "line %d of the library, version %d\n", i,
		    i % 97 == 0 ? version : 1);
	return buf;
}

/* The old or new build, at base/DIR: files, a directory, a symlink. */
static void
make_tree(const char *dir, bool new)
{
	char path[512];

	path_of(path, sizeof path, dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	sub(dir, "etc");
	sub(dir, "lib");
	put(dir, "etc/conf", new ? "b = 22\n" : "b = 2\n", 0644);
	put(dir, "lib/libx.so", long_text(new ? 2 : 1), 0755);
	put(dir, "keep", "same\n", 0600);
	if (new) {
		sub(dir, "share");
		put(dir, "share/added", "fresh\n", 0644);
		link_to(dir, "current", "share/added");
	} else {
		put(dir, "gone", "old only\n", 0644);
		link_to(dir, "current", "etc/conf");
	}
}

static int
rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st, (void)type, (void)f;
	return remove(p);
}

static void
remove_tree(const char *what)
{
	char path[512];

	path_of(path, sizeof path, what);
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fingerprint of a tree: every path, its type, mode, link and data. */
static char *fp_lines[256];
static size_t fp_n, fp_skip;

static int
fp_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	char link[256] = "", hex[65] = "-";
	uint8_t data[64 * 1024], sum[32];
	ssize_t k = 0;
	int fd;

	(void)type, (void)f;
	if (S_ISLNK(st->st_mode) &&
	    (k = readlink(p, link, sizeof link - 1)) >= 0)
		link[k] = '\0';
	if (S_ISREG(st->st_mode) && (fd = open(p, O_RDONLY)) >= 0) {
		k = read(fd, data, sizeof data);
		close(fd);
		if (pf_sha256(sum, data, k > 0 ? (size_t)k : 0) == 0)
			pf_hex(hex, sum, sizeof sum);
	}
	if (fp_n < sizeof fp_lines / sizeof fp_lines[0] &&
	    asprintf(&fp_lines[fp_n], "%s %o %s %s", p + fp_skip,
	    (unsigned)st->st_mode, link, hex) >= 0)
		fp_n++;
	return 0;
}

static int
by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The fingerprint of base/WHAT as one string (static), or "" if none. */
static const char *
fingerprint(const char *what)
{
	static char out[16384];
	char path[512];
	size_t i, used = 0;

	path_of(path, sizeof path, what);
	fp_n = 0;
	fp_skip = strlen(path);
	out[0] = '\0';
	if (nftw(path, fp_one, 16, FTW_PHYS) != 0)
		return out;
	qsort(fp_lines, fp_n, sizeof *fp_lines, by_text);
	for (i = 0; i < fp_n; i++) {
		used += (size_t)snprintf(out + used, sizeof out - used, "%s\n",
		    fp_lines[i]);
		free(fp_lines[i]);
	}
	ck_assert_uint_lt(used, sizeof out);
	return out;
}

/* Whether msg, of a failed run, says that memory ran out. */
static bool
says_nomem(pf_ret r)
{
	return r == PF_ERR_NOMEM || strstr(msg, "out of memory") != NULL ||
	    strstr(msg, strerror(ENOMEM)) != NULL;
}

static void
keep(const char *m)
{
	snprintf(msg, sizeof msg, "%s", m ? m : "(no message)");
}

static int pkg_fd = -1;
static size_t n_entries;                /* of the package, made unarmed */
static char old_fp[16384], new_fp[16384];

/* Builds the package of old to new into a memfd, with most options. */
static pf_ret
build(int fd, unsigned jobs)
{
	static const uint8_t script[] = "#!/bin/sh\nexit 0\n";
	char o[512], n[512];
	pf_builder *b = NULL;
	pf_ret r;

	path_of(o, sizeof o, "old");
	path_of(n, sizeof n, "new");
	if ((r = pf_builder_new(&b)) != PF_OK) {
		keep("pf_builder_new failed: out of memory");
		return r;
	}
	if ((r = pf_builder_set_info(b, "fix", "1.1", "the fix")) != PF_OK ||
	    (r = pf_builder_add_dep(b, PF_DEP_PROVIDES, "fix-1", "1")) !=
	    PF_OK ||
	    (r = pf_builder_add_dep(b, PF_DEP_CONFLICTS, "other", NULL)) !=
	    PF_OK ||
	    (r = pf_builder_set_target(b, "app", "1.1")) != PF_OK ||
	    (r = pf_builder_add_from_version(b, "1.0")) != PF_OK ||
	    (r = pf_builder_set_release(b, "app", 3)) != PF_OK ||
	    (r = pf_builder_set_provenance(b, "BUG-1", "abc123",
	    "https://example.org/app")) != PF_OK ||
	    (r = pf_builder_add_hook(b, PF_HOOK_POST_APPLY, 10, script,
	    sizeof script - 1)) != PF_OK ||
	    (r = pf_builder_set_phase(b, 5000, "seed")) != PF_OK ||
	    (r = pf_builder_set_jobs(b, jobs)) != PF_OK ||
	    (r = pf_builder_diff(b, o, n)) != PF_OK ||
	    (r = pf_builder_write(b, fd)) != PF_OK)
		keep(pf_builder_error(b));
	pf_builder_free(b);
	return r;
}

/* A reader of the package, opened from the start. */
static pf_ret
open_pkg(pf_reader **rd)
{
	pf_ret r;

	lseek(pkg_fd, 0, SEEK_SET);
	r = pf_reader_open_trusted(rd, pkg_fd, &unsigned_ok);
	if (r != PF_OK)
		keep(*rd ? pf_reader_error(*rd) : "cannot open the reader");
	return r;
}

static void
setup(void)
{
	pf_reader *rd;

	ck_assert_int_eq(pf_keyring_new(&empty), PF_OK);
	unsigned_ok.keyring = empty;
	strcpy(base, "/tmp/pf-check-nomem-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	make_tree("old", false);
	make_tree("new", true);
	snprintf(old_fp, sizeof old_fp, "%s", fingerprint("old"));
	snprintf(new_fp, sizeof new_fp, "%s", fingerprint("new"));
	pkg_fd = memfd_create("pkg", 0);
	ck_assert_int_ge(pkg_fd, 0);
	ck_assert_int_eq(build(pkg_fd, 1), PF_OK);
	ck_assert_int_eq(open_pkg(&rd), PF_OK);
	n_entries = pf_manifest_entry_count(pf_reader_manifest(rd));
	ck_assert_uint_ge(n_entries, 6);
	pf_reader_free(rd);
	make_tree("root", false);
}

static void
teardown(void)
{
	char cmd[600];

	pf_keyring_free(empty);
	close(pkg_fd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}

/*
 * Runs op with the 1st, 2nd, ... allocation failing until it runs clean;
 * after each run, check(r) asserts what must hold and reset() puts the
 * files back.  Returns the number of failures injected.
 */
static long
every_allocation(op_fn op, void (*check)(pf_ret, bool), void (*reset)(void))
{
	long n;
	bool hit;
	pf_ret r;

	/* Once unarmed first: libraries set themselves up on first use. */
	r = op();
	ck_assert_msg(r == PF_OK, "without failures: %s", msg);
	check(r, false);
	reset();
#ifdef UNDER_ASAN
	/* ASan owns malloc: nothing can fail; the run above is checked. */
	return LONG_MAX;
#endif
	for (n = 1; n < 200000; n++) {
		msg[0] = '\0';
		arm(n);
		r = op();
		hit = disarm();
		if (!hit) {
			ck_assert_msg(r == PF_OK, "no failure met, yet: %s", msg);
			check(r, false);
			reset();
			return n - 1;
		}
		ck_assert_msg(r == PF_OK || says_nomem(r),
		    "allocation %ld failed: status %d, message '%s'", n,
		    (int)r, msg);
		check(r, true);
		reset();
	}
	ck_abort_msg("the operation never ran clean");
	return n;
}

/* The builder. */
static int build_fd = -1;

static pf_ret
op_build(void)
{
	if (build_fd >= 0)
		close(build_fd);
	build_fd = memfd_create("build", 0);
	return build(build_fd, 2);
}

static void
check_build(pf_ret r, bool hit)
{
	pf_reader *rd = NULL;

	(void)hit;
	if (r != PF_OK)
		return;
	/* What it wrote despite a failure it survived is a valid package. */
	lseek(build_fd, 0, SEEK_SET);
	ck_assert_int_eq(pf_reader_open_trusted(&rd, build_fd, &unsigned_ok),
	    PF_OK);
	ck_assert_uint_eq(pf_manifest_entry_count(pf_reader_manifest(rd)),
	    n_entries);
	pf_reader_free(rd);
}

static void
no_reset(void)
{
}

START_TEST(builder_out_of_memory)
{
	ck_assert_int_gt(every_allocation(op_build, check_build, no_reset),
	    50);
	close(build_fd);
	build_fd = -1;
}
END_TEST

/* The state directory of base/root, opened and recovered, as the tools do. */
static pf_ret
open_state(pf_db **db, bool create)
{
	char root[512], state[512];
	pf_ret r;

	*db = NULL;
	path_of(root, sizeof root, "root");
	path_of(state, sizeof state, "state");
	if ((r = pf_db_open_root(db, root, state, create)) != PF_OK)
		keep(*db ? pf_db_error(*db) : "cannot open the state");
	else if ((r = pf_db_recover(*db, root)) != PF_OK)
		keep(pf_db_error(*db));
	return r;
}

/* Installing through the state directory, as patch-apply does. */
static pf_ret
op_install(void)
{
	char root[512];
	pf_reader *rd = NULL;
	pf_txn *t = NULL;
	pf_db *db = NULL;
	pf_ret r;

	path_of(root, sizeof root, "root");
	if ((r = open_state(&db, true)) != PF_OK ||
	    (r = open_pkg(&rd)) != PF_OK)
		goto out;
	if ((r = pf_db_check_install(db, rd, false)) != PF_OK) {
		keep(pf_db_error(db));
		goto out;
	}
	if ((r = pf_txn_new(&t, rd, root)) != PF_OK) {
		keep(t ? pf_txn_error(t) : "cannot make the transaction");
		goto out;
	}
	if ((r = pf_txn_check(t)) != PF_OK || (r = pf_txn_verify(t)) != PF_OK) {
		keep(pf_txn_error(t));
		goto out;
	}
	if ((r = pf_db_install(db, rd, t, root)) != PF_OK)
		keep(pf_db_error(db));
out:
	pf_txn_free(t);
	pf_reader_free(rd);
	pf_db_free(db);
	return r;
}

/*
 * What is recorded as installed, after recovering what a run left: a
 * transaction past its commit point whose cleaning up failed still stands
 * (the next run finishes it, as its note says); one that failed before it
 * was undone by the run itself and needs nothing.
 */
static size_t
installed(bool committed)
{
	char root[512], state[512];
	const char *done;
	pf_db *db;
	size_t n;

	path_of(root, sizeof root, "root");
	path_of(state, sizeof state, "state");
	ck_assert_int_eq(pf_db_open_root(&db, root, state, true), PF_OK);
	ck_assert_msg(pf_db_recover(db, root) == PF_OK, "%s",
	    pf_db_error(db));
	done = pf_db_recovered(db);
	ck_assert_msg(done == NULL || (committed &&
	    strncmp(done, "finished ", 9) == 0), "after '%s': %s", msg, done);
	n = pf_db_count(db);
	pf_db_free(db);
	return n;
}

/*
 * After an install or a rollback: done, the tree is as after and the
 * records count n_after; failed, the tree is as before, with n_before.
 */
static void
check_txn(pf_ret r, const char *before, size_t n_before, const char *after,
    size_t n_after)
{
	const char *now = fingerprint("root");

	if (r == PF_OK) {
		ck_assert_str_eq(now, after);
		ck_assert_uint_eq(installed(true), n_after);
	} else {
		ck_assert_msg(strcmp(now, before) == 0, "a failed "
		    "transaction ('%s') changed the tree:\n%s\nnot\n%s", msg,
		    now, before);
		ck_assert_uint_eq(installed(false), n_before);
	}
}

static void
check_install(pf_ret r, bool hit)
{
	(void)hit;
	check_txn(r, old_fp, 0, new_fp, 1);
}

static void
reset_install(void)
{
	remove_tree("root");
	remove_tree("state");
	make_tree("root", false);
}

START_TEST(install_out_of_memory)
{
	ck_assert_int_gt(every_allocation(op_install, check_install,
	    reset_install), 50);
}
END_TEST

/* Rolling back what op_install installed. */
static char installed_id[128];

static pf_ret
op_rollback(void)
{
	char root[512];
	pf_reader *rd = NULL;
	pf_txn *t = NULL;
	pf_db *db = NULL;
	pf_ret r;

	path_of(root, sizeof root, "root");
	if ((r = open_state(&db, false)) != PF_OK)
		goto out;
	if ((r = pf_db_check_rollback(db, installed_id, false)) != PF_OK ||
	    (r = pf_db_open_package(db, installed_id, &rd)) != PF_OK) {
		keep(pf_db_error(db));
		goto out;
	}
	if ((r = pf_txn_new_reverse(&t, rd, root, false)) != PF_OK) {
		keep(t ? pf_txn_error(t) : "cannot make the transaction");
		goto out;
	}
	if ((r = pf_txn_check(t)) != PF_OK) {
		keep(pf_txn_error(t));
		goto out;
	}
	if ((r = pf_db_rollback(db, installed_id, t, root)) != PF_OK)
		keep(pf_db_error(db));
out:
	pf_txn_free(t);
	pf_reader_free(rd);
	pf_db_free(db);
	return r;
}

static void
check_rollback(pf_ret r, bool hit)
{
	(void)hit;
	check_txn(r, new_fp, 1, old_fp, 0);
}

static void
reset_rollback(void)
{
	char root[512], state[512];
	pf_db *db;
	pf_db_info info = { .size = sizeof info };

	reset_install();
	ck_assert_int_eq(op_install(), PF_OK);
	path_of(root, sizeof root, "root");
	path_of(state, sizeof state, "state");
	ck_assert_int_eq(pf_db_open_root(&db, root, state, false), PF_OK);
	ck_assert_uint_eq(pf_db_count(db), 1);
	pf_db_get(db, 0, &info);
	snprintf(installed_id, sizeof installed_id, "%s", info.id);
	pf_db_free(db);
}

START_TEST(rollback_out_of_memory)
{
	reset_rollback();
	ck_assert_int_gt(every_allocation(op_rollback, check_rollback,
	    reset_rollback), 50);
}
END_TEST

/*
 * patch-apply --output: the root only read.  (Not --output-tar: on some
 * failed allocations libarchive ends the process itself, "Fatal Internal
 * Error in libarchive: Out of memory".)
 */
static pf_ret
op_output(void)
{
	char root[512], out[512];
	pf_reader *rd = NULL;
	pf_txn *t = NULL;
	pf_ret r;

	path_of(root, sizeof root, "root");
	path_of(out, sizeof out, "out");
	if ((r = open_pkg(&rd)) != PF_OK)
		return r;
	if ((r = pf_txn_new(&t, rd, root)) != PF_OK) {
		keep(t ? pf_txn_error(t) : "cannot make the transaction");
		goto out;
	}
	if ((r = pf_txn_output_dir(t, out)) != PF_OK)
		keep(pf_txn_error(t));
out:
	pf_txn_free(t);
	pf_reader_free(rd);
	return r;
}

/* The output directory is whole or absent, never half made. */
static void
check_output(pf_ret r, bool hit)
{
	struct stat st;
	char out[512];

	(void)hit;
	ck_assert_str_eq(fingerprint("root"), old_fp);
	path_of(out, sizeof out, "out");
	if (r == PF_OK)
		ck_assert(strstr(fingerprint("out"), "/share/added ") != NULL);
	else
		ck_assert_int_ne(stat(out, &st), 0);
}

static void
reset_output(void)
{
	remove_tree("out");
}

START_TEST(output_out_of_memory)
{
	ck_assert_int_gt(every_allocation(op_output, check_output,
	    reset_output), 50);
}
END_TEST

/*
 * The hot-patch record, the undo record and the live journal
 * (live/record.c, live/undo.c): built, encoded and decoded again.  A run
 * that succeeds gives back exactly the bytes it was given.
 */
static pf_buf live_in[3], live_out[3];

static pf_ret
live_record(pf_buf *in, pf_buf *out, pf_err *err)
{
	static const uint8_t code[] = { 0x48, 0x8d, 0x3d, 0, 0, 0, 0, 0xe9,
	    0, 0, 0, 0 };
	pf_hp_func f = { .name = "handle", .old_offset = 0x1130, .old_len = 40,
	    .entry_skip = 4, .head_len = 9, .head = { 0xf3, 0x0f, 0x1e, 0xfa,
	    0x55, 0x48, 0x89, 0xe5, 0x53 }, .code = (uint8_t *)code,
	    .code_len = sizeof code };
	pf_hp_reloc rl = { .offset = 3, .kind = PF_HP_REL32_DATA,
	    .addend = -4 };
	pf_hp_data d = { .name = "table", .align = 8, .bytes = (uint8_t *)"hi",
	    .len = 3 };
	pf_hotpatch *hp = NULL, *back = NULL;
	pf_ret r;

	if ((r = pf_hotpatch_new(&hp)) != PF_OK)
		return pf_err_nomem(err);
	hp->build_id_len = 20;
	memset(hp->build_id, 0xab, 20);
	if ((r = pf_hotpatch_set_module(hp, "server")) != PF_OK ||
	    (r = pf_hotpatch_add_func(hp, &f, NULL)) != PF_OK ||
	    (r = pf_hotpatch_add_data(hp, &d, NULL)) != PF_OK ||
	    (r = pf_hotpatch_add_reloc(hp, 0, &rl)) != PF_OK ||
	    (r = pf_hotpatch_refuse(hp, "counter", "size changed")) != PF_OK ||
	    (r = pf_hotpatch_encode(hp, in)) != PF_OK)
		pf_err_set(err, r, "cannot make the record: out of memory");
	else if ((r = pf_hotpatch_decode(in->data, in->len, &back, err)) ==
	    PF_OK && (r = pf_hotpatch_encode(back, out)) != PF_OK)
		pf_err_set(err, r, "cannot encode it again: out of memory");
	pf_hotpatch_free(back);
	pf_hotpatch_free(hp);
	return r;
}

static pf_ret
live_undo(pf_buf *in, pf_buf *out, pf_buf *jin, pf_buf *jout, pf_err *err)
{
	pf_live_site s[2] = { { .addr = 0x5555000, .len = 5, .old = { 0x55 },
	    .new = { 0xe9, 1, 2, 3, 4 } }, { .addr = 0x5556000, .len = 9 } };
	pf_live_undo u = { .build_id_len = 4, .base = 0x555500000000,
	    .region = 0x555400000000, .region_len = 8192, .room = true,
	    .sites = s, .n_sites = 2 }, *back = NULL;
	pf_live_journal j = { .phase = PF_LIVE_REVERTING, .frozen = true,
	    .hijack = { .tid = 7, .insn = 0x1000, .nr = 9 } }, *jback = NULL;
	pf_ret r;

	if ((r = pf_live_undo_encode(&u, in)) != PF_OK)
		return pf_err_set(err, r, "cannot encode: out of memory");
	if ((r = pf_live_undo_decode(in->data, in->len, &back, err)) != PF_OK)
		return r;
	j.mods = &back;
	j.n_mods = 1;
	if ((r = pf_live_undo_encode(back, out)) != PF_OK ||
	    (r = pf_live_journal_encode(&j, jin)) != PF_OK)
		pf_err_set(err, r, "cannot encode: out of memory");
	else if ((r = pf_live_journal_decode(jin->data, jin->len, &jback,
	    err)) == PF_OK && (r = pf_live_journal_encode(jback, jout)) !=
	    PF_OK)
		pf_err_set(err, r, "cannot encode: out of memory");
	pf_live_journal_free(jback);
	pf_live_undo_free(back);
	return r;
}

static pf_ret
op_live(void)
{
	pf_err err;
	pf_ret r;
	int i;

	for (i = 0; i < 3; i++) {
		pf_buf_free(&live_in[i]);
		pf_buf_free(&live_out[i]);
	}
	pf_err_clear(&err);
	if ((r = live_record(&live_in[0], &live_out[0], &err)) == PF_OK)
		r = live_undo(&live_in[1], &live_out[1], &live_in[2],
		    &live_out[2], &err);
	keep(err.msg);
	return r;
}

static void
check_live(pf_ret r, bool hit)
{
	int i;

	(void)hit;
	for (i = 0; r == PF_OK && i < 3; i++) {
		ck_assert_uint_gt(live_in[i].len, 8);
		ck_assert_uint_eq(live_out[i].len, live_in[i].len);
		ck_assert(memcmp(live_out[i].data, live_in[i].data,
		    live_in[i].len) == 0);
	}
}

START_TEST(live_records_out_of_memory)
{
	int i;

	for (i = 0; i < 3; i++) {
		pf_buf_init(&live_in[i]);
		pf_buf_init(&live_out[i]);
	}
	ck_assert_int_gt(every_allocation(op_live, check_live, no_reset), 10);
	for (i = 0; i < 3; i++) {
		pf_buf_free(&live_in[i]);
		pf_buf_free(&live_out[i]);
	}
}
END_TEST

/* A byte after an undo record or a journal is damage, not padding. */
START_TEST(live_records_trailing_bytes)
{
	pf_live_undo *u = NULL;
	pf_live_journal *j = NULL;
	pf_err err;

	pf_err_clear(&err);
	for (int i = 0; i < 3; i++) {
		pf_buf_init(&live_in[i]);
		pf_buf_init(&live_out[i]);
	}
	ck_assert_int_eq(op_live(), PF_OK);
	pf_buf_append(&live_in[1], "\0", 1);
	ck_assert_int_eq(pf_live_undo_decode(live_in[1].data, live_in[1].len,
	    &u, &err), PF_ERR_CORRUPT);
	ck_assert_str_eq(err.msg, "undo record: trailing bytes");
	ck_assert_ptr_null(u);
	pf_buf_append(&live_in[2], "\0", 1);
	ck_assert_int_eq(pf_live_journal_decode(live_in[2].data,
	    live_in[2].len, &j, &err), PF_ERR_CORRUPT);
	ck_assert_str_eq(err.msg, "live journal: trailing bytes");
	ck_assert_ptr_null(j);
	for (int i = 0; i < 3; i++) {
		pf_buf_free(&live_in[i]);
		pf_buf_free(&live_out[i]);
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("nomem");
	TCase *tc = tcase_create("every allocation");
	TCase *live = tcase_create("live records");

	tcase_add_test(live, live_records_out_of_memory);
	tcase_add_test(live, live_records_trailing_bytes);
	suite_add_tcase(s, live);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, builder_out_of_memory);
	tcase_add_test(tc, install_out_of_memory);
	tcase_add_test(tc, rollback_out_of_memory);
	tcase_add_test(tc, output_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_check_run(suite());
}
