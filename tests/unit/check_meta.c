/*
 * Check tests of the applier's metadata primitives (install/meta.c):
 * reading and comparing, applying in order, sparse writing, copying,
 * hard links, and the check of what this process can do.
 */
#include <config.h>

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "install/fsmeta.h"
#include "format/manifest.h"
#include "install/meta.h"
#include "run.h"

static char dir[64];
static int dfd = -1;

static void
setup(void)
{
	strcpy(dir, "/tmp/check_meta.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dfd, 0);
}

static void
teardown(void)
{
	char cmd[128];

	close(dfd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int
new_file(const char *name)
{
	int fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL, 0600);

	ck_assert_int_ge(fd, 0);
	return fd;
}

static void
add_xattr(pf_state *s, const char *name, const void *v, size_t n)
{
	pf_xattr *x;

	s->xattrs = realloc(s->xattrs, (s->n_xattrs + 1) * sizeof *x);
	x = &s->xattrs[s->n_xattrs++];
	x->name = strdup(name);
	x->value = malloc(n + 1);
	memcpy(x->value, v, n);
	x->len = n;
}

/* struct vfs_cap_data, revision 2: cap_net_raw (13), permitted, effective. */
static const uint8_t cap_net_raw[20] = { 0x01, 0, 0, 0x02, 0, 0x20, 0, 0 };

static bool
user_xattrs_work(int fd)
{
	return fsetxattr(fd, "user.probe", "1", 1, 0) == 0 &&
	    fremovexattr(fd, "user.probe") == 0;
}

START_TEST(read_and_compare)
{
	pf_state want, got;
	pf_err err;
	int fd = new_file("f");

	memset(&want, 0, sizeof want);
	memset(&got, 0, sizeof got);
	if (!user_xattrs_work(fd)) {
		close(fd);
		return;
	}
	ck_assert_int_eq(fsetxattr(fd, "user.b", "2", 1, 0), 0);
	ck_assert_int_eq(fsetxattr(fd, "user.a", "1", 1, 0), 0);
	ck_assert_int_eq(pf_meta_read_fd(fd, &got, &err, "f"), PF_OK);
	ck_assert(got.has_meta);
	ck_assert_uint_eq(got.uid, geteuid());
	ck_assert_uint_eq(got.n_xattrs, 2);
	ck_assert_str_eq(got.xattrs[0].name, "user.a");   /* sorted */
	want.has_meta = true;
	want.uid = got.uid;
	want.gid = got.gid;
	add_xattr(&want, "user.a", "1", 1);
	add_xattr(&want, "user.b", "2", 1);
	ck_assert_int_eq(pf_meta_compare(&want, &got, 0, &err, "f"), PF_OK);
	want.xattrs[1].value[0] = '3';
	ck_assert_int_eq(pf_meta_compare(&want, &got, 0, &err, "f"),
	    PF_ERR_MISMATCH);
	ck_assert_str_eq(err.msg, "'f' does not match the package: expected "
	    "user.b \"3\", found \"2\"");
	ck_assert_int_eq(pf_meta_compare(&want, &got, PF_META_NO_XATTRS, &err,
	    "f"), PF_OK);
	want.uid++;
	ck_assert_int_eq(pf_meta_compare(&want, &got, PF_META_NO_XATTRS, &err,
	    "f"), PF_ERR_MISMATCH);
	ck_assert(strstr(err.msg, "expected owner") != NULL);
	/* A package without metadata compares nothing. */
	want.has_meta = false;
	ck_assert_int_eq(pf_meta_compare(&want, &got, 0, &err, "f"), PF_OK);
	pf_state_clear(&want);
	pf_state_clear(&got);
	close(fd);
}
END_TEST

/* The message names the capability as getcap(8) would. */
START_TEST(capability_message)
{
	pf_state want, got;
	pf_err err;

	memset(&want, 0, sizeof want);
	memset(&got, 0, sizeof got);
	want.has_meta = got.has_meta = true;
	add_xattr(&want, "security.capability", cap_net_raw,
	    sizeof cap_net_raw);
	ck_assert_int_eq(pf_meta_compare(&want, &got, 0, &err,
	    "usr/bin/ping"), PF_ERR_MISMATCH);
	ck_assert_str_eq(err.msg, "'usr/bin/ping' does not match the package: "
	    "expected security.capability cap_net_raw=ep, found none");
	/* And the other way round: an attribute the package does not have. */
	ck_assert_int_eq(pf_meta_compare(&got, &want, 0, &err,
	    "usr/bin/ping"), PF_ERR_MISMATCH);
	ck_assert_str_eq(err.msg, "'usr/bin/ping' does not match the package: "
	    "expected no security.capability, found security.capability "
	    "cap_net_raw=ep");
	/* A label the state does not record is the target system's. */
	pf_state_clear(&want);
	want.has_meta = true;
	pf_state_clear(&got);
	got.has_meta = true;
	add_xattr(&got, "security.selinux", "system_u:object_r:bin_t:s0", 27);
	ck_assert_int_eq(pf_meta_compare(&want, &got, 0, &err, "f"), PF_OK);
	add_xattr(&want, "security.selinux", "x", 2);
	ck_assert_int_eq(pf_meta_compare(&want, &got, 0, &err, "f"),
	    PF_ERR_MISMATCH);
	pf_state_clear(&want);
	pf_state_clear(&got);
}
END_TEST

/* Owner first, then xattrs (removing strays), then mode, then time. */
START_TEST(apply_in_order)
{
	pf_state s, got;
	struct stat st;
	pf_err err;
	bool root = geteuid() == 0;
	int fd = new_file("f");

	memset(&s, 0, sizeof s);
	memset(&got, 0, sizeof got);
	s.type = PF_TYPE_FILE;
	s.has_meta = true;
	s.uid = root ? 1234 : geteuid();
	s.gid = root ? 1234 : getegid();
	s.mode = root ? 06755 : 0755;
	s.has_mtime = true;
	s.mtime_sec = 1700000000;
	s.mtime_nsec = 42;
	if (root)
		add_xattr(&s, "security.capability", cap_net_raw,
		    sizeof cap_net_raw);
	if (user_xattrs_work(fd)) {
		ck_assert_int_eq(fsetxattr(fd, "user.stray", "x", 1, 0), 0);
		add_xattr(&s, "user.kept", "k", 1);
	}
	ck_assert_int_eq(pf_meta_apply_fd(fd, &s, 0, &err, "f"), PF_OK);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_uint_eq(st.st_uid, s.uid);
	ck_assert_uint_eq(st.st_gid, s.gid);
	ck_assert_uint_eq(st.st_mode & 07777, s.mode);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1700000000);
	ck_assert_int_eq(st.st_mtim.tv_nsec, 42);
	/* The capability survived the chown: it was set after it. */
	ck_assert_int_eq(pf_meta_read_fd(fd, &got, &err, "f"), PF_OK);
	ck_assert_int_eq(pf_meta_compare(&s, &got, 0, &err, "f"), PF_OK);
	pf_state_clear(&s);
	pf_state_clear(&got);
	close(fd);
}
END_TEST

START_TEST(apply_symlink)
{
	pf_state s;
	struct stat st;
	pf_err err;

	if (geteuid() != 0)
		return;
	memset(&s, 0, sizeof s);
	s.type = PF_TYPE_SYMLINK;
	s.has_meta = true;
	s.uid = 4321;
	s.gid = 4321;
	ck_assert_int_eq(symlinkat("nowhere", dfd, "l"), 0);
	ck_assert_int_eq(pf_meta_apply_at(dfd, "l", &s, 0, &err, "l"), PF_OK);
	ck_assert_int_eq(fstatat(dfd, "l", &st, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_uint_eq(st.st_uid, 4321);
	ck_assert(S_ISLNK(st.st_mode));
}
END_TEST

static void
sparse_state(pf_state *s, uint64_t size)
{
	memset(s, 0, sizeof *s);
	s->type = PF_TYPE_FILE;
	s->size = size;
	s->sparse = true;
	s->n_extents = 2;
	s->extents = calloc(2, sizeof *s->extents);
	s->extents[0] = (pf_extent){ 4096, 5 };
	s->extents[1] = (pf_extent){ size / 2, 5 };
}

/* A 64 MiB file with two data blocks: only the data is written. */
START_TEST(sparse_writer)
{
	pf_state s, back;
	pf_sparse_out o, v;
	uint8_t d[32], d2[32], buf[5];
	struct stat st;
	pf_err err;
	const char *data = "data1data2";
	size_t i;
	int fd = new_file("sp");

	sparse_state(&s, UINT64_C(64) << 20);
	memset(&back, 0, sizeof back);
	ck_assert_int_eq(pf_sparse_init(&o, fd, &s, "sp"), 0);
	ck_assert_int_eq(pf_sparse_init(&v, -1, &s, "sp"), 0);
	for (i = 0; i < 10; i += 3) {
		size_t k = 10 - i < 3 ? 10 - i : 3;

		ck_assert_int_eq(pf_sparse_write(&o, data + i, k, &err), PF_OK);
		ck_assert_int_eq(pf_sparse_write(&v, data + i, k, &err), PF_OK);
	}
	ck_assert_int_eq(pf_sparse_finish(&o, d, &err), PF_OK);
	ck_assert_int_eq(pf_sparse_finish(&v, d2, &err), PF_OK);
	ck_assert(memcmp(d, d2, 32) == 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, UINT64_C(64) << 20);
	ck_assert_int_lt(st.st_blocks, 1024);   /* not 131072 */
	ck_assert_int_eq(pread(fd, buf, 5, (off_t)(s.size / 2)), 5);
	ck_assert(memcmp(buf, "data2", 5) == 0);
	/* The file system reports the holes back. */
	back.size = s.size;
	ck_assert_int_eq(pf_fsmeta_extents(fd, &back, &err, "sp"), PF_OK);
	ck_assert(back.sparse);
	ck_assert_uint_ge(back.n_extents, 2);
	/* More data than extents, and less, are refused. */
	ck_assert_int_eq(pf_sparse_init(&o, -1, &s, "sp"), 0);
	ck_assert_int_eq(pf_sparse_write(&o, "0123456789x", 11, &err),
	    PF_ERR_CORRUPT);
	pf_sparse_discard(&o);
	ck_assert_int_eq(pf_sparse_init(&o, -1, &s, "sp"), 0);
	ck_assert_int_eq(pf_sparse_write(&o, "0123", 4, &err), PF_OK);
	ck_assert_int_eq(pf_sparse_finish(&o, d, &err), PF_ERR_CORRUPT);
	pf_state_clear(&s);
	pf_state_clear(&back);
	close(fd);
}
END_TEST

START_TEST(copy_keeps_holes)
{
	struct stat a, b;
	uint8_t buf[5];
	pf_err err;
	int src = new_file("src"), dst = new_file("dst");

	ck_assert_int_eq(ftruncate(src, 64 << 20), 0);
	ck_assert_int_eq(pwrite(src, "hello", 5, 32 << 20), 5);
	ck_assert_int_eq(pf_meta_copy(src, dst, &err, "src"), PF_OK);
	ck_assert_int_eq(fstat(src, &a), 0);
	ck_assert_int_eq(fstat(dst, &b), 0);
	ck_assert_int_eq(a.st_size, b.st_size);
	ck_assert_int_le(b.st_blocks, a.st_blocks);
	ck_assert_int_eq(pread(dst, buf, 5, 32 << 20), 5);
	ck_assert(memcmp(buf, "hello", 5) == 0);
	close(src);
	close(dst);
}
END_TEST

START_TEST(link_member)
{
	const char *name = ".pf-new-0123456789abcdef";
	struct stat a, b;
	pf_err err;

	close(new_file("leader"));
	ck_assert_int_eq(pf_meta_link(dfd, "leader", dfd, name, &err, "m"),
	    PF_OK);
	ck_assert_int_eq(fstatat(dfd, "leader", &a, 0), 0);
	ck_assert_int_eq(fstatat(dfd, name, &b, 0), 0);
	ck_assert_uint_eq(a.st_ino, b.st_ino);
	ck_assert_uint_eq(a.st_nlink, 2);
	/* The name is the transaction's: it is never replaced. */
	ck_assert_int_eq(pf_meta_link(dfd, "leader", dfd, name, &err, "m"),
	    PF_ERR_IO);
	ck_assert_int_eq(pf_meta_link(dfd, "absent", dfd, "x", &err, "m"),
	    PF_ERR_IO);
}
END_TEST

START_TEST(what_can_be_done)
{
	pf_state s;
	pf_err err;
	int proc;

	memset(&s, 0, sizeof s);
	s.has_meta = true;
	s.uid = geteuid() + 1;
	s.gid = getegid();
	ck_assert_int_eq(pf_meta_check_state(dfd, &s, PF_META_NO_OWNERS, &err,
	    "f"), PF_OK);
	ck_assert_int_eq(pf_meta_check_state(dfd, &s, 0, &err, "f"),
	    geteuid() == 0 ? PF_OK : PF_ERR_UNSUPPORTED);
	/* /proc takes no user attributes: refused before any write. */
	add_xattr(&s, "user.x", "1", 1);
	proc = open("/proc/self", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(proc, 0);
	ck_assert_int_eq(pf_meta_check_state(proc, &s, PF_META_NO_OWNERS,
	    &err, "f"), PF_ERR_UNSUPPORTED);
	ck_assert(strstr(err.msg, "does not support") != NULL);
	ck_assert_int_eq(pf_meta_check_state(proc, &s, PF_META_NO_OWNERS |
	    PF_META_NO_XATTRS, &err, "f"), PF_OK);
	close(proc);
	pf_state_clear(&s);
}
END_TEST

static Suite *
meta_suite(void)
{
	Suite *s = suite_create("meta");
	TCase *tc;

	tc = tcase_create("compare");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, read_and_compare);
	tcase_add_test(tc, capability_message);
	tcase_add_test(tc, what_can_be_done);
	suite_add_tcase(s, tc);
	tc = tcase_create("apply");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, apply_in_order);
	tcase_add_test(tc, apply_symlink);
	tcase_add_test(tc, sparse_writer);
	tcase_add_test(tc, copy_keeps_holes);
	tcase_add_test(tc, link_member);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_check_run(meta_suite());
}
