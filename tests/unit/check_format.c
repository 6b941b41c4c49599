/*
 * Unit tests of the container format: integer encodings, fields, paths,
 * manifest rules, the header, and whole packages read back.
 */
#include <config.h>

#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/escape.h"
#include "common/json.h"
#include "common/hash.h"
#include "format/container.h"
#include "format/field.h"
#include "format/format.h"
#include "format/manifest.h"
#include "format/writer.h"
#include "run.h"

/* uvarint */

START_TEST(uvarint_round_trip)
{
	static const uint64_t v[] = { 0, 1, 127, 128, 300, 16383, 16384,
	    UINT32_MAX, (uint64_t)1 << 56, UINT64_MAX - 1, UINT64_MAX };
	pf_buf b;
	pf_cur c;
	uint64_t got;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		pf_buf_init(&b);
		pf_buf_put_uvarint(&b, v[i]);
		ck_assert(b.len <= PF_UVARINT_MAX);
		pf_cur_init(&c, b.data, b.len);
		ck_assert(pf_cur_get_uvarint(&c, &got));
		ck_assert_uint_eq(got, v[i]);
		ck_assert_uint_eq(pf_cur_left(&c), 0);
		pf_buf_free(&b);
	}
}
END_TEST

START_TEST(uvarint_refuses_bad_forms)
{
	static const uint8_t overlong[] = { 0x80, 0x00 };
	static const uint8_t truncated[] = { 0x80, 0x80 };
	static const uint8_t too_big[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0x02 };
	static const uint8_t eleven[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	    0x80, 0x80, 0x80, 0x80, 0x01 };
	pf_cur c;
	uint64_t v;

	pf_cur_init(&c, overlong, sizeof overlong);
	ck_assert(!pf_cur_get_uvarint(&c, &v) && c.bad);
	pf_cur_init(&c, truncated, sizeof truncated);
	ck_assert(!pf_cur_get_uvarint(&c, &v) && c.bad);
	pf_cur_init(&c, too_big, sizeof too_big);
	ck_assert(!pf_cur_get_uvarint(&c, &v) && c.bad);
	pf_cur_init(&c, eleven, sizeof eleven);
	ck_assert(!pf_cur_get_uvarint(&c, &v) && c.bad);
}
END_TEST

START_TEST(cursor_never_reads_past_end)
{
	static const uint8_t three[] = { 1, 2, 3 };
	const uint8_t *p;
	uint32_t v;
	pf_cur c;

	pf_cur_init(&c, three, sizeof three);
	ck_assert(!pf_cur_get_le32(&c, &v));
	ck_assert(c.bad);
	/* Failure is sticky: nothing succeeds after it. */
	ck_assert(!pf_cur_get_bytes(&c, &p, 1));
}
END_TEST

/* paths */

START_TEST(paths)
{
	static const char *good[] = { "a", "a/b", "usr/lib/x.so", ".hidden",
	    "..a", "a..", "a/.b/c" };
	static const char *bad[] = { "", "/", "/a", "a/", "a//b", ".", "..",
	    "a/./b", "a/../b", "../a", "a/.." };
	size_t i;
	char longname[300];

	for (i = 0; i < sizeof good / sizeof *good; i++)
		ck_assert_msg(pf_path_valid(good[i], strlen(good[i])), "%s",
		    good[i]);
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(!pf_path_valid(bad[i], strlen(bad[i])), "%s",
		    bad[i]);
	memset(longname, 'x', sizeof longname);
	ck_assert(!pf_path_valid(longname, 256));
	ck_assert(pf_path_valid(longname, 255));
	ck_assert(!pf_path_valid("a\0b", 3));
}
END_TEST

/* manifests built by hand */

static uint8_t content[] = "new content";

static void
make_manifest(pf_manifest *m)
{
	pf_manifest_init(m);
	m->name = strdup("demo");
	m->version = strdup("1");
	m->created = 42;
	m->n_entries = 3;
	m->entries = calloc(3, sizeof *m->entries);
	m->n_blobs = 1;
	m->blobs = calloc(1, sizeof *m->blobs);
	m->entries[0] = (pf_entry){ .path = strdup("d"), .op = PF_OP_ADD,
	    .after = { .type = PF_TYPE_DIR, .mode = 0755 },
	    .payload = PF_NO_BLOB, .rollback = PF_NO_BLOB, .live = PF_NO_BLOB };
	m->entries[1] = (pf_entry){ .path = strdup("d/f"), .op = PF_OP_ADD,
	    .after = { .type = PF_TYPE_FILE, .mode = 0644,
	    .size = sizeof content }, .payload = 0, .rollback = PF_NO_BLOB,
	    .live = PF_NO_BLOB };
	if (pf_sha256(m->entries[1].after.sha256, content, sizeof content) != 0)
		abort();
	m->entries[2] = (pf_entry){ .path = strdup("d/l"), .op = PF_OP_ADD,
	    .after = { .type = PF_TYPE_SYMLINK, .mode = 0777, .size = 1,
	    .link = strdup("f") }, .payload = PF_NO_BLOB,
	    .rollback = PF_NO_BLOB, .live = PF_NO_BLOB };
	m->blobs[0] = (pf_blob){ PF_SECTION_PAYLOAD, PF_CODEC_STORED, 0, 0,
	    sizeof content, sizeof content, { 0 }, 0 };
	if (pf_sha256(m->blobs[0].sha256, content, sizeof content) != 0)
		abort();
}

START_TEST(manifest_round_trip)
{
	pf_manifest m, back;
	pf_buf b, b2;
	pf_err err;

	make_manifest(&m);
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_OK);
	pf_buf_init(&b);
	ck_assert_int_eq(pf_manifest_encode(&m, &b, &err), PF_OK);
	ck_assert_int_eq(pf_manifest_decode(&back, b.data, b.len, &err), PF_OK);
	ck_assert_str_eq(back.name, "demo");
	ck_assert_uint_eq(back.created, 42);
	ck_assert_uint_eq(back.n_entries, 3);
	ck_assert_str_eq(back.entries[2].after.link, "f");
	ck_assert_uint_eq(back.payload_size, sizeof content);
	/* Encoding is canonical: decoding and encoding again is identity. */
	pf_buf_init(&b2);
	ck_assert_int_eq(pf_manifest_encode(&back, &b2, &err), PF_OK);
	ck_assert_uint_eq(b.len, b2.len);
	ck_assert(memcmp(b.data, b2.data, b.len) == 0);
	pf_buf_free(&b);
	pf_buf_free(&b2);
	pf_manifest_clear(&m);
	pf_manifest_clear(&back);
}
END_TEST

/* Each breaks one rule of section 5.6; validation must refuse it. */
START_TEST(manifest_rules)
{
	pf_manifest m;
	pf_err err;

	make_manifest(&m);
	m.entries[1].op = PF_OP_CHANGE;         /* no before state */
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_CORRUPT);
	pf_manifest_clear(&m);

	make_manifest(&m);
	m.entries[1].payload = PF_NO_BLOB;      /* content with no blob */
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_CORRUPT);
	pf_manifest_clear(&m);

	make_manifest(&m);
	m.blobs[0].decoded_size++;              /* sizes disagree */
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_CORRUPT);
	pf_manifest_clear(&m);

	make_manifest(&m);
	m.entries[0].after.type = PF_TYPE_SYMLINK;   /* d/f under a symlink */
	m.entries[0].after.link = strdup("/etc");
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_UNSAFE);
	pf_manifest_clear(&m);

	make_manifest(&m);
	free(m.entries[2].path);
	m.entries[2].path = strdup("d/../../x");
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_UNSAFE);
	pf_manifest_clear(&m);

	make_manifest(&m);
	free(m.entries[2].path);
	m.entries[2].path = strdup("a");        /* out of order */
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_CORRUPT);
	pf_manifest_clear(&m);
}
END_TEST

/* Gives every state of make_manifest() metadata (section 5.4.1). */
static void
add_meta(pf_manifest *m)
{
	pf_state *f = &m->entries[1].after;
	size_t i;

	for (i = 0; i < m->n_entries; i++) {
		m->entries[i].after.has_meta = true;
		m->entries[i].after.uid = 1234;
		m->entries[i].after.gid = 4321;
	}
	f->user = strdup("alice");
	f->n_xattrs = 2;
	f->xattrs = calloc(2, sizeof *f->xattrs);
	f->xattrs[0] = (pf_xattr){ strdup("security.capability"),
	    (uint8_t *)strdup("\1\2"), 2 };
	f->xattrs[1] = (pf_xattr){ strdup("user.empty"),
	    (uint8_t *)strdup(""), 0 };
	f->has_mtime = true;
	f->mtime_sec = 1700000000;
	f->mtime_nsec = 5;
}

START_TEST(manifest_meta_round_trip)
{
	pf_manifest m, back;
	pf_buf b, b2;
	pf_err err;
	const pf_state *s;

	make_manifest(&m);
	add_meta(&m);
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_OK);
	ck_assert(pf_manifest_has_meta(&m));
	pf_buf_init(&b);
	ck_assert_int_eq(pf_manifest_encode(&m, &b, &err), PF_OK);
	ck_assert_int_eq(pf_manifest_decode(&back, b.data, b.len, &err), PF_OK);
	s = &back.entries[1].after;
	ck_assert(s->has_meta && s->has_mtime);
	ck_assert_uint_eq(s->uid, 1234);
	ck_assert_uint_eq(s->gid, 4321);
	ck_assert_str_eq(s->user, "alice");
	ck_assert_ptr_null(s->group);
	ck_assert_uint_eq(s->n_xattrs, 2);
	ck_assert_str_eq(s->xattrs[0].name, "security.capability");
	ck_assert_uint_eq(s->xattrs[0].len, 2);
	ck_assert_uint_eq(s->xattrs[1].len, 0);
	ck_assert_uint_eq(s->mtime_nsec, 5);
	ck_assert(pf_state_meta_equal(s, &m.entries[1].after));
	pf_buf_init(&b2);
	ck_assert_int_eq(pf_manifest_encode(&back, &b2, &err), PF_OK);
	ck_assert(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
	pf_buf_free(&b);
	pf_buf_free(&b2);
	pf_manifest_clear(&m);
	pf_manifest_clear(&back);
}
END_TEST

/* A sparse file: its blob holds the data extents only (5.4.2). */
START_TEST(manifest_sparse_and_links)
{
	pf_manifest m;
	pf_state *f;
	pf_err err;

	make_manifest(&m);
	add_meta(&m);
	f = &m.entries[1].after;
	f->size = 1 << 20;
	f->sparse = true;
	f->n_extents = 1;
	f->extents = calloc(2, sizeof *f->extents);
	f->extents[0] = (pf_extent){ 4096, sizeof content };
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_OK);
	f->extents[0].offset = (1 << 20) - 1;   /* beyond the size */
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_CORRUPT);
	f->extents[0] = (pf_extent){ 0, 3 };
	f->extents[1] = (pf_extent){ 3, sizeof content - 3 };  /* touching */
	f->n_extents = 2;
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_CORRUPT);
	pf_manifest_clear(&m);

	/* xattrs out of order, an unknown namespace. */
	make_manifest(&m);
	add_meta(&m);
	f = &m.entries[1].after;
	free(f->xattrs[1].name);
	f->xattrs[1].name = strdup("security.a");
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_CORRUPT);
	free(f->xattrs[1].name);
	f->xattrs[1].name = strdup("zzz.a");
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_CORRUPT);
	pf_manifest_clear(&m);

	/* Metadata on some states only. */
	make_manifest(&m);
	add_meta(&m);
	m.entries[0].after.has_meta = false;
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_CORRUPT);
	pf_manifest_clear(&m);

	/* d/l as a link-group member must name an earlier file entry. */
	make_manifest(&m);
	add_meta(&m);
	m.entries[1].after.hardlink = strdup("d/z");
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_CORRUPT);
	free(m.entries[1].after.hardlink);
	m.entries[1].after.hardlink = strdup("d");  /* a directory */
	m.entries[1].payload = PF_NO_BLOB;
	m.n_blobs = 0;
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_ERR_CORRUPT);
	pf_manifest_clear(&m);
}
END_TEST

START_TEST(unknown_fields)
{
	pf_manifest m;
	pf_buf b;
	pf_err err;

	/* An unknown even tag is skipped, an unknown odd tag refused. */
	pf_buf_init(&b);
	pf_buf_put_uvarint(&b, 8);
	pf_buf_put_uvarint(&b, 1);
	pf_buf_put_u8(&b, 5);
	pf_buf_put_uvarint(&b, 100);
	pf_buf_put_uvarint(&b, 2);
	pf_buf_put_u8(&b, 0xaa);
	pf_buf_put_u8(&b, 0xbb);
	ck_assert_int_eq(pf_manifest_decode(&m, b.data, b.len, &err), PF_OK);
	ck_assert_uint_eq(m.created, 5);
	pf_manifest_clear(&m);
	b.data[b.len - 4] = 101;
	ck_assert_int_eq(pf_manifest_decode(&m, b.data, b.len, &err),
	    PF_ERR_UNSUPPORTED);
	/* A field length beyond the buffer. */
	b.data[b.len - 3] = 9;
	ck_assert_int_eq(pf_manifest_decode(&m, b.data, b.len, &err),
	    PF_ERR_CORRUPT);
	pf_buf_free(&b);
}
END_TEST

/* header */

static void
good_header(uint8_t out[PF_HEADER_SIZE])
{
	pf_header h = { .version_major = 1, .manifest_size = 10,
	    .signature_size = PF_SIG_FIXED };

	pf_header_encode(&h, out);
}

START_TEST(header_checks)
{
	uint8_t b[PF_HEADER_SIZE];
	pf_header h;
	pf_err err;

	good_header(b);
	ck_assert_int_eq(pf_header_decode(&h, b, sizeof b, &err), PF_OK);
	ck_assert_int_eq(pf_header_decode(&h, b, 20, &err), PF_ERR_CORRUPT);
	ck_assert_int_eq(pf_header_decode(&h, b, 4, &err), PF_ERR_NOT_PACKAGE);
	b[0] = 'X';
	ck_assert_int_eq(pf_header_decode(&h, b, sizeof b, &err),
	    PF_ERR_NOT_PACKAGE);
	good_header(b);
	b[8] = 2;                               /* major version 2 */
	ck_assert_int_eq(pf_header_decode(&h, b, sizeof b, &err),
	    PF_ERR_UNSUPPORTED);
	good_header(b);
	b[16 + 3] = 1;                          /* unknown required feature */
	ck_assert_int_eq(pf_header_decode(&h, b, sizeof b, &err),
	    PF_ERR_UNSUPPORTED);
	good_header(b);
	b[24 + 3] = 1;                          /* optional features are fine */
	ck_assert_int_eq(pf_header_decode(&h, b, sizeof b, &err), PF_OK);
	good_header(b);
	b[72] = 1;                              /* reserved */
	ck_assert_int_eq(pf_header_decode(&h, b, sizeof b, &err),
	    PF_ERR_CORRUPT);
	good_header(b);
	b[32 + 7] = 1;                          /* huge manifest */
	ck_assert_int_eq(pf_header_decode(&h, b, sizeof b, &err),
	    PF_ERR_CORRUPT);
	good_header(b);
	b[48] = PF_SIG_FIXED + 1;               /* ragged signature block */
	ck_assert_int_eq(pf_header_decode(&h, b, sizeof b, &err),
	    PF_ERR_CORRUPT);
}
END_TEST

/* whole packages */

static int
write_package(pf_manifest *m)
{
	uint8_t *data[1] = { content };
	pf_write_opts o = { 0 };
	pf_err err;
	int fd = memfd_create("pkg", 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pf_package_write(fd, m, data, &o, &err), PF_OK);
	return fd;
}

static pf_ret
read_bytes(const uint8_t *p, size_t n)
{
	pf_reader *r = NULL;
	pf_ret ret;
	int fd = memfd_create("pkg", 0);

	ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
	lseek(fd, 0, SEEK_SET);
	ret = pf_reader_open(&r, fd);
	pf_reader_free(r);
	close(fd);
	return ret;
}

START_TEST(package_every_byte_matters)
{
	pf_manifest m;
	uint8_t buf[4096];
	ssize_t n;
	int fd, i;

	make_manifest(&m);
	fd = write_package(&m);
	n = pread(fd, buf, sizeof buf, 0);
	ck_assert_int_gt(n, PF_HEADER_SIZE);
	ck_assert_int_eq(read_bytes(buf, (size_t)n), PF_OK);
	for (i = 0; i < n; i++) {
		buf[i] ^= 0x01;
		ck_assert_msg(read_bytes(buf, (size_t)n) != PF_OK,
		    "flipped byte %d accepted", i);
		buf[i] ^= 0x01;
		ck_assert_msg(read_bytes(buf, (size_t)i) != PF_OK,
		    "truncation at %d accepted", i);
	}
	close(fd);
	pf_manifest_clear(&m);
}
END_TEST

/* Section 3.1 bit 2: metadata states and the feature bit agree. */
START_TEST(package_meta_bit)
{
	pf_manifest m;
	pf_write_opts o = { 0 };
	uint8_t *data[1] = { content };
	uint8_t buf[4096];
	pf_err err;
	ssize_t n;
	int fd, pass;

	make_manifest(&m);
	add_meta(&m);
	for (pass = 0; pass < 2; pass++) {
		o.required = pass ? PF_FEAT_META : 0;
		fd = memfd_create("pkg", 0);
		ck_assert_int_eq(pf_package_write(fd, &m, data, &o, &err), PF_OK);
		n = pread(fd, buf, sizeof buf, 0);
		ck_assert_int_eq(read_bytes(buf, (size_t)n),
		    pass ? PF_OK : PF_ERR_CORRUPT);
		close(fd);
	}
	pf_manifest_clear(&m);
	/* A package without metadata and with the bit is refused too. */
	make_manifest(&m);
	fd = memfd_create("pkg", 0);
	ck_assert_int_eq(pf_package_write(fd, &m, data, &o, &err), PF_OK);
	n = pread(fd, buf, sizeof buf, 0);
	ck_assert_int_eq(read_bytes(buf, (size_t)n), PF_ERR_CORRUPT);
	close(fd);
	pf_manifest_clear(&m);
}
END_TEST

START_TEST(package_from_pipe)
{
	pf_manifest m;
	pf_reader *r = NULL;
	uint8_t buf[4096];
	ssize_t n;
	int fd, p[2];

	make_manifest(&m);
	fd = write_package(&m);
	n = pread(fd, buf, sizeof buf, 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], buf, (size_t)n), n);
	close(p[1]);
	ck_assert_int_eq(pf_reader_open(&r, p[0]), PF_OK);
	ck_assert_uint_eq(pf_reader_package_size(r), (uint64_t)n);
	ck_assert_str_eq(pf_reader_manifest(r)->entries[1].path, "d/f");
	pf_reader_free(r);
	close(p[0]);
	close(fd);
	pf_manifest_clear(&m);
}
END_TEST

/*
 * Rule 11 covers the dependency list, and is its own step: the structural
 * rules pass a manifest whose dependency name forges a record line.
 */
START_TEST(words_of_dependencies)
{
	pf_manifest m;
	pf_err err;

	make_manifest(&m);
	m.deps = calloc(1, sizeof *m.deps);
	m.n_deps = 1;
	m.deps[0].kind = PF_DEP_REQUIRES;
	m.deps[0].name = strdup("base\nfamily x");
	ck_assert_int_eq(pf_manifest_validate(&m, &err), PF_OK);
	ck_assert_int_eq(pf_manifest_check_words(&m, &err), PF_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "dependency name"));
	free(m.deps[0].name);
	m.deps[0].name = strdup("base");
	m.deps[0].version = strdup("1 2");
	ck_assert_int_eq(pf_manifest_check_words(&m, &err), PF_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "dependency version"));
	free(m.deps[0].version);
	m.deps[0].version = strdup("1.2~rc1");
	ck_assert_int_eq(pf_manifest_check_words(&m, &err), PF_OK);
	pf_manifest_clear(&m);
}
END_TEST

/* A manifest of one release structure: family "f", then counters. */
static pf_ret
decode_release(const uint64_t *counters, size_t n)
{
	pf_manifest m;
	pf_buf rel, man;
	pf_err err;
	pf_ret r;
	size_t i;

	pf_buf_init(&rel);
	pf_buf_init(&man);
	pf_put_string(&rel, PF_R_FAMILY, "f");
	for (i = 0; i < n; i++)
		pf_put_uint(&rel, PF_R_COUNTER, counters[i]);
	pf_put_bytes(&man, PF_M_RELEASE, rel.data, rel.len);
	r = pf_manifest_decode(&m, man.data, man.len, &err);
	if (r == PF_OK)
		pf_manifest_clear(&m);
	pf_buf_free(&rel);
	pf_buf_free(&man);
	return r;
}

/* Section 5.1.2: a repeated counter is corrupt, even after a 0. */
START_TEST(release_counter_repeated)
{
	static const uint64_t one[] = { 5 }, zero_five[] = { 0, 5 },
	    five_three[] = { 5, 3 }, zero_zero[] = { 0, 0 };

	ck_assert_int_eq(decode_release(one, 1), PF_OK);
	ck_assert_int_eq(decode_release(zero_five, 2), PF_ERR_CORRUPT);
	ck_assert_int_eq(decode_release(five_three, 2), PF_ERR_CORRUPT);
	ck_assert_int_eq(decode_release(zero_zero, 2), PF_ERR_CORRUPT);
}
END_TEST

/* Section 5.1.3: live notes survive encoding; one lacking a field, or
 * with one repeated, is corrupt. */
static pf_ret
decode_note(int drop, int twice)
{
	static const uint64_t tags[] = { PF_LN_PATH, PF_LN_KIND, PF_LN_NAME,
	    PF_LN_TEXT };
	pf_buf man, ln;
	pf_manifest m;
	pf_err err;
	pf_ret r;
	int i;

	pf_buf_init(&man);
	pf_buf_init(&ln);
	for (i = 0; i < 4; i++) {
		if (i == drop)
			continue;
		if (tags[i] == PF_LN_KIND)
			pf_put_uint(&ln, tags[i], PF_LIVE_NOTE_LEFT_OUT);
		else
			pf_put_string(&ln, tags[i], "x");
		if (i == twice)
			pf_put_string(&ln, tags[i], "y");
	}
	pf_put_bytes(&man, PF_M_LIVE_NOTE, ln.data, ln.len);
	r = pf_manifest_decode(&m, man.data, man.len, &err);
	if (r == PF_OK) {
		ck_assert_uint_eq(m.n_live_notes, 1);
		ck_assert_str_eq(m.live_notes[0].text, "x");
		ck_assert_uint_eq(m.live_notes[0].kind, PF_LIVE_NOTE_LEFT_OUT);
		pf_manifest_clear(&m);
	}
	pf_buf_free(&man);
	pf_buf_free(&ln);
	return r;
}

START_TEST(live_notes)
{
	pf_live_note n = { .path = "usr/bin/x", .kind = PF_LIVE_NOTE_CHANGED,
	    .name = "main", .text = "first difference" };
	pf_manifest m, back;
	pf_buf b, b2;
	pf_err err;
	int i;

	pf_manifest_init(&m);
	m.live_notes = &n;
	m.n_live_notes = 1;
	pf_buf_init(&b);
	pf_buf_init(&b2);
	ck_assert_int_eq(pf_manifest_encode(&m, &b, &err), PF_OK);
	ck_assert_int_eq(pf_manifest_decode(&back, b.data, b.len, &err), PF_OK);
	ck_assert_uint_eq(back.n_live_notes, 1);
	ck_assert_str_eq(back.live_notes[0].name, "main");
	ck_assert_int_eq(pf_manifest_encode(&back, &b2, &err), PF_OK);
	ck_assert_mem_eq(b.data, b2.data, b.len);
	pf_manifest_clear(&back);
	pf_buf_free(&b);
	pf_buf_free(&b2);
	ck_assert_int_eq(decode_note(-1, -1), PF_OK);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(decode_note(i, -1), PF_ERR_CORRUPT);
		if (i != 1)
			ck_assert_int_eq(decode_note(-1, i), PF_ERR_CORRUPT);
	}
}
END_TEST

/* Runs f over s into a string, for the printers below. */
static char *
printed(void (*f)(FILE *, const char *), const char *s)
{
	char *out = NULL;
	size_t n = 0;
	FILE *mf = open_memstream(&out, &n);

	ck_assert_ptr_nonnull(mf);
	f(mf, s);
	fclose(mf);
	return out;
}

START_TEST(text_and_json_escapes)
{
	static const char in[] = "a\x1b[2J\\\n\t\r\x7f\xc3\xa9\xc2\x9b"
	    "\xe2\x80\xae\xff\"";
	char buf[16], *t;

	t = printed(pf_text_str, in);
	ck_assert_str_eq(t, "a\\x1b[2J\\\\\\n\\t\\r\\x7f\xc3\xa9"
	    "\\xc2\\x9b\\xe2\\x80\\xae\\xff\"");
	free(t);
	t = printed(pf_json_str, in);
	ck_assert_str_eq(t, "\"a\\u001b[2J\\\\\\n\\t\\u000d\\u007f"
	    "\xc3\xa9\\u009b\\u202e\\udcff\\\"\"");
	free(t);
	/* Every control byte from 0x01 to 0x1f is escaped in JSON. */
	for (int c = 1; c < 0x20; c++) {
		char one[2] = { (char)c, 0 };

		t = printed(pf_json_str, one);
		ck_assert_msg(t[1] == '\\', "byte 0x%02x written raw", c);
		free(t);
	}
	/* Cut to fit, never in the middle of an escape. */
	ck_assert_str_eq(pf_text_escape(buf, 8, "ab\x1b\x1b"), "ab\\x1b");
	ck_assert_str_eq(pf_text_escape(buf, sizeof buf, "plain"), "plain");
}
END_TEST

static Suite *
format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *tc;

	tc = tcase_create("integers");
	tcase_add_test(tc, uvarint_round_trip);
	tcase_add_test(tc, uvarint_refuses_bad_forms);
	tcase_add_test(tc, cursor_never_reads_past_end);
	suite_add_tcase(s, tc);
	tc = tcase_create("manifest");
	tcase_add_test(tc, paths);
	tcase_add_test(tc, manifest_round_trip);
	tcase_add_test(tc, manifest_rules);
	tcase_add_test(tc, unknown_fields);
	tcase_add_test(tc, words_of_dependencies);
	tcase_add_test(tc, release_counter_repeated);
	tcase_add_test(tc, live_notes);
	tcase_add_test(tc, text_and_json_escapes);
	tcase_add_test(tc, manifest_meta_round_trip);
	tcase_add_test(tc, manifest_sparse_and_links);
	suite_add_tcase(s, tc);
	tc = tcase_create("container");
	tcase_add_test(tc, header_checks);
	tcase_add_test(tc, package_every_byte_matters);
	tcase_add_test(tc, package_meta_bit);
	tcase_add_test(tc, package_from_pipe);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_check_run(format_suite());
}
