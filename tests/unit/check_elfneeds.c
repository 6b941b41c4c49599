/*
 * Unit tests of the ELF needs module: reading what a file needs, the
 * manifest encoding, and the check against a target tree.  The ELF files
 * are built here with cc from the sources below, so that no opaque binary
 * is committed: a library libgreet.so.1 defining VERS_1 and VERS_2, one
 * defining VERS_1 only, and a program that needs greet@VERS_2.  Neither
 * links the C library, so that a fake root needs nothing else.
 */
#include <config.h>

#include <check.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fileio.h"
#include "elf/needs.h"
#include "run.h"

static char work[] = "/tmp/check_elfneeds.XXXXXX";

static const char greet_c[] =
    "int greet_old(void) { return 1; }\n"
    "int greet(void) { return 2; }\n";
static const char greet1_c[] = "int greet_old(void) { return 1; }\n";
static const char v2_map[] =
    "VERS_1 { global: greet_old; local: *; };\n"
    "VERS_2 { global: greet; } VERS_1;\n";
static const char v1_map[] = "VERS_1 { global: greet_old; local: *; };\n";
static const char hello_c[] =
    "extern int greet(void);\n"
    "void _start(void) { greet(); for (;;); }\n";

/* Set once the fixtures are built and the tests may run. */
static bool testing;

/*
 * Runs a shell command in the work directory; it must succeed, or the
 * test fails (before the tests start: the program ends).
 */
static void
sh(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void
sh(const char *fmt, ...)
{
	char cmd[4096];
	size_t n;
	va_list ap;

	n = (size_t)snprintf(cmd, sizeof cmd, "cd '%s' && ", work);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof cmd - n, fmt, ap);
	va_end(ap);
	if (system(cmd) == 0)
		return;
	if (testing)
		ck_abort_msg("failed: %s", cmd);
	fprintf(stderr, "failed: %s\n", cmd);
	exit(EXIT_FAILURE);
}

/* Builds the test ELF files once, before the tests fork. */
static void
build_fixtures(void)
{
	if (mkdtemp(work) == NULL) {
		perror(work);
		exit(EXIT_FAILURE);
	}
	sh("printf '%%s' '%s' >greet.c && printf '%%s' '%s' >greet1.c && "
	    "printf '%%s' '%s' >v2.map && printf '%%s' '%s' >v1.map && "
	    "printf '%%s' '%s' >hello.c", greet_c, greet1_c, v2_map, v1_map,
	    hello_c);
	sh("mkdir lib1 lib2 && "
	    "cc -shared -fPIC -nostdlib -Wl,-soname,libgreet.so.1 "
	    "-Wl,--version-script=v2.map -o lib2/libgreet.so.1 greet.c && "
	    "cc -shared -fPIC -nostdlib -Wl,-soname,libgreet.so.1 "
	    "-Wl,--version-script=v1.map -o lib1/libgreet.so.1 greet1.c && "
	    "cc -nostdlib -o hello hello.c lib2/libgreet.so.1 && "
	    "cc -nostdlib -Wl,--enable-new-dtags "
	    "-Wl,-rpath,'$ORIGIN/../lib/greet:/opt/x' "
	    "-o hello_origin hello.c lib2/libgreet.so.1");
	testing = true;
}

static void
remove_fixtures(void)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", work);
}

/* Reads a whole file into memory. */
static uint8_t *
slurp(const char *path, size_t *n)
{
	uint8_t *p = NULL;
	pf_err err;
	int fd = open(path, O_RDONLY);

	ck_assert_msg(fd >= 0, "cannot open %s", path);
	ck_assert_msg(pf_slurp_fd(fd, 1 << 30, &p, n, &err, path) == PF_OK,
	    "%s", err.msg);
	close(fd);
	return p;
}

static void
read_needs(const char *path, pf_elf_needs *needs)
{
	uint8_t *p;
	size_t n;
	pf_err err;

	memset(needs, 0, sizeof *needs);
	p = slurp(path, &n);
	ck_assert_msg(pf_elf_needs_read(p, n, needs, &err) == PF_OK, "%s",
	    err.msg);
	free(p);
}

static void
read_fixture(const char *name, pf_elf_needs *needs)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", work, name);
	read_needs(path, needs);
}

/* reading */

START_TEST(read_program)
{
	pf_elf_needs needs;

	read_fixture("hello", &needs);
	ck_assert_uint_eq(needs.n_libs, 1);
	ck_assert_str_eq(needs.libs[0].soname, "libgreet.so.1");
	ck_assert_uint_eq(needs.libs[0].n_versions, 1);
	ck_assert_str_eq(needs.libs[0].versions[0], "VERS_2");
	ck_assert_uint_eq(needs.n_runpaths, 0);
	pf_elf_needs_free(&needs);

	read_fixture("hello_origin", &needs);
	ck_assert_uint_eq(needs.n_runpaths, 2);
	ck_assert_str_eq(needs.runpaths[0], "$ORIGIN/../lib/greet");
	ck_assert_str_eq(needs.runpaths[1], "/opt/x");
	pf_elf_needs_free(&needs);
}
END_TEST

START_TEST(read_not_elf)
{
	static const uint8_t text[] = "#!/bin/sh\necho hello\n";
	static const uint8_t bad_elf[] = "\177ELF\002\001\001";
	pf_elf_needs needs = { NULL, 0, NULL, 0 };
	pf_err err;

	ck_assert(pf_elf_needs_read(text, sizeof text, &needs, &err) == PF_OK);
	ck_assert_uint_eq(needs.n_libs + needs.n_runpaths, 0);
	ck_assert(pf_elf_needs_read(bad_elf, sizeof bad_elf, &needs, &err) ==
	    PF_OK);
	ck_assert_uint_eq(needs.n_libs + needs.n_runpaths, 0);
	ck_assert(pf_elf_needs_read(text, 0, &needs, &err) == PF_OK);
}
END_TEST

/* Damaged ELF files: read or refused, never a crash or a leak. */
START_TEST(read_damaged)
{
	pf_elf_provided prov = { NULL, 0 };
	pf_elf_needs needs = { NULL, 0, NULL, 0 };
	char path[512];
	uint8_t *p, *copy;
	size_t n, i;
	pf_err err;
	pf_ret r;

	snprintf(path, sizeof path, "%s/hello_origin", work);
	p = slurp(path, &n);
	ck_assert((copy = malloc(n)) != NULL);
	for (i = 0; i < n; i += 7) {
		memcpy(copy, p, n);
		r = pf_elf_needs_read(copy, i, &needs, &err);
		ck_assert(r == PF_OK || r == PF_ERR_CORRUPT);
		pf_elf_needs_free(&needs);
		copy[i] ^= 0xff;
		r = pf_elf_needs_read(copy, n, &needs, &err);
		ck_assert(r == PF_OK || r == PF_ERR_CORRUPT);
		pf_elf_needs_free(&needs);
		r = pf_elf_provides_read(copy, n, "x", &prov, &err);
		ck_assert(r == PF_OK || r == PF_ERR_CORRUPT);
		pf_elf_provided_free(&prov);
	}
	free(copy);
	free(p);
}
END_TEST

START_TEST(read_provides)
{
	pf_elf_provided prov = { NULL, 0 };
	char path[512];
	uint8_t *p;
	size_t n;
	pf_err err;

	snprintf(path, sizeof path, "%s/lib2/libgreet.so.1", work);
	p = slurp(path, &n);
	ck_assert(pf_elf_provides_read(p, n, NULL, &prov, &err) == PF_OK);
	free(p);
	ck_assert_uint_eq(prov.n_libs, 1);
	ck_assert_str_eq(prov.libs[0].soname, "libgreet.so.1");
	ck_assert_uint_eq(prov.libs[0].n_versions, 2);
	ck_assert_str_eq(prov.libs[0].versions[0], "VERS_1");
	ck_assert_str_eq(prov.libs[0].versions[1], "VERS_2");
	/* A program is not a library: it provides nothing. */
	snprintf(path, sizeof path, "%s/hello", work);
	p = slurp(path, &n);
	ck_assert(pf_elf_provides_read(p, n, "hello", &prov, &err) == PF_OK);
	free(p);
	ck_assert_uint_eq(prov.n_libs, 1);
	pf_elf_provided_free(&prov);
}
END_TEST

/* encoding */

static char *v_libc[] = { "GLIBC_2.2.5", "GLIBC_2.34" };
static char *v_m[] = { "GLIBC_2.29" };
static pf_elf_lib rich_libs[] = {
	{ "libc.so.6", v_libc, 2 },
	{ "libgreet.so.1", NULL, 0 },
	{ "libm.so.6", v_m, 1 },
};
static char *rich_paths[] = { "$ORIGIN/../lib", "/opt/lib" };
static const pf_elf_needs rich = { rich_libs, 3, rich_paths, 2 };

static void
assert_same(const pf_elf_needs *a, const pf_elf_needs *b)
{
	size_t i, j;

	ck_assert_uint_eq(a->n_libs, b->n_libs);
	ck_assert_uint_eq(a->n_runpaths, b->n_runpaths);
	for (i = 0; i < a->n_libs; i++) {
		ck_assert_str_eq(a->libs[i].soname, b->libs[i].soname);
		ck_assert_uint_eq(a->libs[i].n_versions, b->libs[i].n_versions);
		for (j = 0; j < a->libs[i].n_versions; j++)
			ck_assert_str_eq(a->libs[i].versions[j],
			    b->libs[i].versions[j]);
	}
	for (i = 0; i < a->n_runpaths; i++)
		ck_assert_str_eq(a->runpaths[i], b->runpaths[i]);
}

static void
round_trip(const pf_elf_needs *needs)
{
	pf_elf_needs back = { NULL, 0, NULL, 0 };
	pf_buf one, two;
	pf_err err;

	pf_buf_init(&one);
	pf_buf_init(&two);
	ck_assert(pf_elf_needs_encode(needs, &one) == PF_OK);
	ck_assert_msg(pf_elf_needs_decode(one.data, one.len, &back, &err) ==
	    PF_OK, "%s", err.msg);
	assert_same(needs, &back);
	ck_assert(pf_elf_needs_encode(&back, &two) == PF_OK);
	ck_assert_uint_eq(one.len, two.len);
	ck_assert(one.len == 0 || memcmp(one.data, two.data, one.len) == 0);
	pf_elf_needs_free(&back);
	pf_buf_free(&one);
	pf_buf_free(&two);
}

START_TEST(codec_round_trip)
{
	static const pf_elf_needs empty = { NULL, 0, NULL, 0 };
	pf_elf_needs needs;

	round_trip(&rich);
	round_trip(&empty);
	read_fixture("hello_origin", &needs);
	round_trip(&needs);
	pf_elf_needs_free(&needs);
}
END_TEST

/* Decodes damaged input: it may fail, but never crash or leak. */
static void
decode_any(const uint8_t *p, size_t n)
{
	pf_elf_needs back = { NULL, 0, NULL, 0 };
	pf_err err;

	if (pf_elf_needs_decode(p, n, &back, &err) == PF_OK)
		pf_elf_needs_free(&back);
	else
		ck_assert(back.n_libs == 0 && back.libs == NULL &&
		    back.runpaths == NULL);
}

START_TEST(codec_damaged)
{
	pf_elf_needs back = { NULL, 0, NULL, 0 };
	uint8_t *copy;
	size_t i, bit;
	pf_buf b;
	pf_err err;

	pf_buf_init(&b);
	ck_assert(pf_elf_needs_encode(&rich, &b) == PF_OK);
	copy = malloc(b.len);
	/* Cut inside the last field: refused. */
	ck_assert(pf_elf_needs_decode(b.data, b.len - 1, &back, &err) ==
	    PF_ERR_CORRUPT);
	for (i = 0; i < b.len; i++) {
		memcpy(copy, b.data, i);
		decode_any(copy, i);
		for (bit = 0; bit < 8; bit++) {
			memcpy(copy, b.data, b.len);
			copy[i] ^= (uint8_t)(1u << bit);
			decode_any(copy, b.len);
		}
	}
	free(copy);
	pf_buf_free(&b);
}
END_TEST

/* Encodes raw fields: tag, then a string value. */
static void
field(pf_buf *b, uint64_t tag, const char *s, size_t n)
{
	pf_buf_put_uvarint(b, tag);
	pf_buf_put_uvarint(b, n);
	pf_buf_append(b, s, n);
}

static void
need(pf_buf *b, const char *soname, const char *v1, const char *v2)
{
	pf_buf in;

	pf_buf_init(&in);
	if (soname != NULL)
		field(&in, PF_N_NEED_SONAME, soname, strlen(soname));
	if (v1 != NULL)
		field(&in, PF_N_NEED_VERSION, v1, strlen(v1));
	if (v2 != NULL)
		field(&in, PF_N_NEED_VERSION, v2, strlen(v2));
	field(b, PF_N_NEED, (const char *)in.data, in.len);
	pf_buf_free(&in);
}

static pf_ret
decode_buf(pf_buf *b, pf_err *err)
{
	pf_elf_needs back = { NULL, 0, NULL, 0 };
	pf_ret r = pf_elf_needs_decode(b->data, b->len, &back, err);

	pf_elf_needs_free(&back);
	pf_buf_free(b);
	pf_buf_init(b);
	return r;
}

START_TEST(codec_rules)
{
	char long_name[PF_NEEDS_MAX_STRING + 2];
	pf_buf b;
	pf_err err;
	size_t i;

	pf_buf_init(&b);
	need(&b, "libb.so", NULL, NULL);
	need(&b, "liba.so", NULL, NULL);
	ck_assert(decode_buf(&b, &err) == PF_ERR_CORRUPT);
	ck_assert_str_eq(err.msg,
	    "needed library 'liba.so' is out of order or repeated");
	need(&b, "liba.so", "V_1", "V_1");
	ck_assert(decode_buf(&b, &err) == PF_ERR_CORRUPT);
	need(&b, NULL, "V_1", NULL);
	ck_assert(decode_buf(&b, &err) == PF_ERR_CORRUPT);
	need(&b, "", NULL, NULL);
	ck_assert(decode_buf(&b, &err) == PF_ERR_CORRUPT);
	field(&b, PF_N_NEED, "\001\005lib\0a", 7);
	ck_assert(decode_buf(&b, &err) == PF_ERR_CORRUPT);
	memset(long_name, 'x', sizeof long_name);
	field(&b, PF_N_RUNPATH, long_name, PF_NEEDS_MAX_STRING + 1);
	ck_assert(decode_buf(&b, &err) == PF_ERR_CORRUPT);
	field(&b, PF_N_RUNPATH, "/a", 2);
	field(&b, PF_N_RUNPATH, "/a", 2);
	ck_assert(decode_buf(&b, &err) == PF_ERR_CORRUPT);
	field(&b, PF_N_RUNPATH, "/a", 2);
	need(&b, "liba.so", NULL, NULL);
	ck_assert(decode_buf(&b, &err) == PF_ERR_CORRUPT);
	/* Unknown fields: critical ones refused, the others skipped. */
	field(&b, 5, "x", 1);
	ck_assert(decode_buf(&b, &err) == PF_ERR_UNSUPPORTED);
	need(&b, "liba.so", NULL, NULL);
	field(&b, 4, "x", 1);
	ck_assert(decode_buf(&b, &err) == PF_OK);
	for (i = 0; i <= PF_NEEDS_MAX_LIBS; i++) {
		snprintf(long_name, sizeof long_name, "lib%05zu.so", i);
		need(&b, long_name, NULL, NULL);
	}
	ck_assert(decode_buf(&b, &err) == PF_ERR_CORRUPT);
	ck_assert_str_eq(err.msg, "more than 1024 needed libraries");
	pf_buf_free(&b);
}
END_TEST

START_TEST(encoder_refuses)
{
	static pf_elf_lib unsorted[] = { { "libb.so", NULL, 0 },
	    { "liba.so", NULL, 0 } };
	static char *twice[] = { "/a", "/a" };
	pf_elf_needs bad = { unsorted, 2, NULL, 0 };
	pf_buf b;

	pf_buf_init(&b);
	ck_assert(pf_elf_needs_encode(&bad, &b) == PF_ERR_USAGE);
	bad = (pf_elf_needs){ NULL, 0, twice, 2 };
	ck_assert(pf_elf_needs_encode(&bad, &b) == PF_ERR_USAGE);
	pf_buf_free(&b);
}
END_TEST

/* checking against a fake root */

static int root_fd = -1;
static char root[600];

/* A fresh, empty root for one test (each test runs in its own child). */
static void
make_root(void)
{
	snprintf(root, sizeof root, "%s/root.%ld", work, (long)getpid());
	sh("rm -rf '%s' && mkdir -p '%s'", root, root);
	root_fd = open(root, O_RDONLY | O_DIRECTORY);
	ck_assert(root_fd >= 0);
}

static void
drop_root(void)
{
	close(root_fd);
	sh("rm -rf '%s'", root);
}

/* Copies a fixture to a path under the root. */
static void
put(const char *fixture, const char *path)
{
	sh("mkdir -p \"$(dirname '%s/%s')\" && cp '%s' '%s/%s'", root, path,
	    fixture, root, path);
}

static pf_ret
check_fixture(const char *prog, const char *path,
    const pf_elf_provided *extra, pf_err *err)
{
	pf_elf_needs needs;
	pf_ret r;

	read_fixture(prog, &needs);
	r = pf_elf_needs_check(root_fd, path, &needs, extra, err);
	pf_elf_needs_free(&needs);
	return r;
}

START_TEST(check_present)
{
	pf_err err;

	put("lib2/libgreet.so.1", "usr/lib/libgreet.so.1");
	ck_assert_msg(check_fixture("hello", "usr/bin/hello", NULL, &err) ==
	    PF_OK, "%s", err.msg);
	/* What ld.so could not load is passed over, as ld.so does. */
	put("greet.c", "lib/libgreet.so.1");
	sh("mkdir -p '%s/lib64/libgreet.so.1'", root);
	ck_assert_msg(check_fixture("hello", "usr/bin/hello", NULL, &err) ==
	    PF_OK, "%s", err.msg);
}
END_TEST

START_TEST(check_missing)
{
	pf_err err;

	put("lib2/libgreet.so.1", "usr/local/lib/libgreet.so.1");
	ck_assert(check_fixture("hello", "usr/bin/hello", NULL, &err) ==
	    PF_ERR_DEPENDENCY);
	ck_assert_str_eq(err.msg, "'usr/bin/hello' needs libgreet.so.1, "
	    "which is not under the root");
}
END_TEST

START_TEST(check_old_version)
{
	pf_err err;

	put("lib1/libgreet.so.1", "usr/lib/x86_64-linux-gnu/libgreet.so.1");
	ck_assert(check_fixture("hello", "usr/bin/hello", NULL, &err) ==
	    PF_ERR_DEPENDENCY);
	ck_assert_str_eq(err.msg, "'usr/bin/hello' needs VERS_2 from "
	    "libgreet.so.1; '/usr/lib/x86_64-linux-gnu/libgreet.so.1' under "
	    "the root defines up to VERS_1");
}
END_TEST

START_TEST(check_symlink_out)
{
	char outside[700];
	pf_err err;

	/* The real file is next to the root, not in it. */
	snprintf(outside, sizeof outside, "%s.outside", root);
	sh("mkdir -p '%s' && cp lib2/libgreet.so.1 '%s/'", outside, outside);
	sh("mkdir -p '%s/usr/lib' && ln -s '%s/libgreet.so.1' "
	    "'%s/usr/lib/libgreet.so.1'", root, outside, root);
	sh("mkdir -p '%s/usr/lib/x86_64-linux-gnu' && "
	    "ln -s ../../../../../../../../../../..%s/libgreet.so.1 "
	    "'%s/usr/lib/x86_64-linux-gnu/'", root, outside, root);
	sh("ln -s . '%s/lib64' && ln -s loop '%s/lib' && ln -s lib '%s/loop'",
	    root, root, root);
	ck_assert(check_fixture("hello", "usr/bin/hello", NULL, &err) ==
	    PF_ERR_DEPENDENCY);
	ck_assert_str_eq(err.msg, "'usr/bin/hello' needs libgreet.so.1, "
	    "which is not under the root");
	sh("rm -rf '%s'", outside);
}
END_TEST

START_TEST(check_symlink_inside)
{
	pf_err err;

	/* Absolute targets are taken from the root, as in a chroot. */
	put("lib2/libgreet.so.1", "opt/greet/libgreet.so.1.0");
	sh("mkdir -p '%s/usr' && ln -s /opt/greet '%s/usr/lib' && "
	    "ln -s ../../../../../opt/greet/../greet/libgreet.so.1.0 "
	    "'%s/opt/greet/libgreet.so.1'", root, root, root);
	ck_assert_msg(check_fixture("hello", "usr/bin/hello", NULL, &err) ==
	    PF_OK, "%s", err.msg);
}
END_TEST

START_TEST(check_origin)
{
	pf_err err;

	put("lib2/libgreet.so.1", "usr/lib/greet/libgreet.so.1");
	put("hello_origin", "usr/bin/hello");
	ck_assert_msg(check_fixture("hello_origin", "usr/bin/hello", NULL,
	    &err) == PF_OK, "%s", err.msg);
	/* Elsewhere, $ORIGIN/../lib/greet is another directory. */
	ck_assert(check_fixture("hello_origin", "opt/bin/hello", NULL, &err) ==
	    PF_ERR_DEPENDENCY);
	ck_assert(check_fixture("hello", "usr/bin/hello", NULL, &err) ==
	    PF_ERR_DEPENDENCY);
}
END_TEST

START_TEST(check_ldconf)
{
	pf_err err;

	put("lib2/libgreet.so.1", "opt/greet/lib/libgreet.so.1");
	ck_assert(check_fixture("hello", "usr/bin/hello", NULL, &err) ==
	    PF_ERR_DEPENDENCY);
	sh("mkdir -p '%s/etc/ld.so.conf.d' && "
	    "printf '# comment\\ninclude ld.so.conf.d/*.conf\\n' "
	    ">'%s/etc/ld.so.conf' && "
	    "printf '/nowhere\\n  /opt/greet/lib/  # greet\\n' "
	    ">'%s/etc/ld.so.conf.d/greet.conf' && "
	    "printf 'include /etc/ld.so.conf\\n' "
	    ">'%s/etc/ld.so.conf.d/loop.conf'", root, root, root, root);
	ck_assert_msg(check_fixture("hello", "usr/bin/hello", NULL, &err) ==
	    PF_OK, "%s", err.msg);
}
END_TEST

START_TEST(check_extra)
{
	static char *both[] = { "VERS_1", "VERS_2" };
	static pf_elf_lib own = { "libgreet.so.1", both, 2 };
	static pf_elf_lib old = { "libgreet.so.1", both, 1 };
	pf_elf_provided extra = { &own, 1 };
	pf_err err;

	ck_assert_msg(check_fixture("hello", "usr/bin/hello", &extra, &err) ==
	    PF_OK, "%s", err.msg);
	/* The package's own library wins over the one in the tree. */
	put("lib2/libgreet.so.1", "usr/lib/libgreet.so.1");
	extra.libs = &old;
	ck_assert(check_fixture("hello", "usr/bin/hello", &extra, &err) ==
	    PF_ERR_DEPENDENCY);
	ck_assert_str_eq(err.msg, "'usr/bin/hello' needs VERS_2 from "
	    "libgreet.so.1; the package's libgreet.so.1 defines up to VERS_1");
}
END_TEST

START_TEST(check_every_line)
{
	static char *v[] = { "VERS_2", "VERS_3" };
	static pf_elf_lib libs[] = { { "liba.so.1", NULL, 0 },
	    { "libgreet.so.1", v, 2 }, { "libz.so.9", NULL, 0 } };
	pf_elf_needs needs = { libs, 3, NULL, 0 };
	pf_err err;

	put("lib1/libgreet.so.1", "lib/libgreet.so.1");
	ck_assert(pf_elf_needs_check(root_fd, "bin/x", &needs, NULL, &err) ==
	    PF_ERR_DEPENDENCY);
	ck_assert_str_eq(err.msg,
	    "'bin/x' needs liba.so.1, which is not under the root\n"
	    "'bin/x' needs VERS_2 from libgreet.so.1; '/lib/libgreet.so.1' "
	    "under the root defines up to VERS_1\n"
	    "'bin/x' needs VERS_3 from libgreet.so.1; '/lib/libgreet.so.1' "
	    "under the root defines up to VERS_1\n"
	    "'bin/x' needs libz.so.9, which is not under the root");
}
END_TEST

/* the system this runs on */

static const pf_elf_lib *
find(const pf_elf_needs *needs, const char *soname)
{
	size_t i;

	for (i = 0; i < needs->n_libs; i++)
		if (strcmp(needs->libs[i].soname, soname) == 0)
			return &needs->libs[i];
	return NULL;
}

START_TEST(system_ls)
{
	pf_elf_needs needs;
	pf_elf_lib *libc;
	char **nv;
	pf_err err;
	int fd = open("/", O_RDONLY | O_DIRECTORY);

	read_needs("/bin/ls", &needs);
	ck_assert_msg(pf_elf_needs_check(fd, "usr/bin/ls", &needs, NULL,
	    &err) == PF_OK, "%s", err.msg);
	libc = (pf_elf_lib *)find(&needs, "libc.so.6");
	ck_assert(libc != NULL && libc->n_versions > 0);
	/* A version from the future is missing, and said to be. */
	nv = realloc(libc->versions, (libc->n_versions + 1) * sizeof *nv);
	ck_assert(nv != NULL);
	libc->versions = nv;
	nv[libc->n_versions++] = strdup("GLIBC_2.99");
	ck_assert(pf_elf_needs_check(fd, "usr/bin/ls", &needs, NULL, &err) ==
	    PF_ERR_DEPENDENCY);
	ck_assert_msg(strstr(err.msg, "'usr/bin/ls' needs GLIBC_2.99 from "
	    "libc.so.6; '/lib/x86_64-linux-gnu/libc.so.6' under the root "
	    "defines up to GLIBC_2.") == err.msg, "%s", err.msg);
	pf_elf_needs_free(&needs);
	close(fd);
}
END_TEST

START_TEST(system_corpus_libcurl)
{
	const char *corpus = getenv("PF_CORPUS");
	pf_elf_needs needs;
	const pf_elf_lib *libc;
	char path[1024];
	pf_err err;
	pf_ret r;
	int fd;

	snprintf(path, sizeof path, "%s/pairs/libcurl/new",
	    corpus != NULL ? corpus : "/nonexistent");
	if (access(path, R_OK) != 0)
		return;         /* no corpus here: nothing to check */
	read_needs(path, &needs);
	libc = find(&needs, "libc.so.6");
	ck_assert(libc != NULL && libc->n_versions > 0);
	ck_assert(find(&needs, "libssl.so.3") != NULL);
	round_trip(&needs);
	fd = open("/", O_RDONLY | O_DIRECTORY);
	r = pf_elf_needs_check(fd, "usr/lib/x86_64-linux-gnu/libcurl.so.4",
	    &needs, NULL, &err);
	/* Its libraries may be missing here; anything else is a failure. */
	ck_assert_msg(r == PF_OK || (r == PF_ERR_DEPENDENCY && strncmp(err.msg,
	    "'usr/lib/x86_64-linux-gnu/libcurl.so.4' needs ", 46) == 0),
	    "%s", err.msg);
	if (r != PF_OK)
		fprintf(stderr, "libcurl on this system: %s\n", err.msg);
	close(fd);
	pf_elf_needs_free(&needs);
}
END_TEST

static Suite *
elfneeds_suite(void)
{
	Suite *s = suite_create("elfneeds");
	TCase *tc = tcase_create("read");

	tcase_add_test(tc, read_program);
	tcase_add_test(tc, read_not_elf);
	tcase_add_test(tc, read_provides);
	tcase_add_test(tc, read_damaged);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("codec");
	tcase_add_test(tc, codec_round_trip);
	tcase_add_test(tc, codec_damaged);
	tcase_add_test(tc, codec_rules);
	tcase_add_test(tc, encoder_refuses);
	suite_add_tcase(s, tc);
	tc = tcase_create("check");
	tcase_add_checked_fixture(tc, make_root, drop_root);
	tcase_add_test(tc, check_present);
	tcase_add_test(tc, check_missing);
	tcase_add_test(tc, check_old_version);
	tcase_add_test(tc, check_symlink_out);
	tcase_add_test(tc, check_symlink_inside);
	tcase_add_test(tc, check_origin);
	tcase_add_test(tc, check_ldconf);
	tcase_add_test(tc, check_extra);
	tcase_add_test(tc, check_every_line);
	suite_add_tcase(s, tc);
	tc = tcase_create("system");
	tcase_add_test(tc, system_ls);
	tcase_add_test(tc, system_corpus_libcurl);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int rc;

	build_fixtures();
	rc = pf_check_run(elfneeds_suite());
	remove_fixtures();
	return rc;
}
