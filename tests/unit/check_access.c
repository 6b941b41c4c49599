/*
 * Unit tests of the public accessors of the opaque manifest types and
 * of pf_trust (issue 11): every accessor, on a real package made by the
 * builder and read back by the reader, answers what the structure
 * behind it holds; the parts a plain tree cannot give (dpkg origin,
 * hot-patch notes, xattrs, extents) on a manifest filled in by hand;
 * and an index past its count gives NULL or 0, never a read outside.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libpatchfmt.h"
#include "run.h"
#include "format/dpkg.h"
#include "format/manifest.h"
#include "format/types.h"

static char base[256];

static void
put(const char *path, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", base, path);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
}

static void
mk(const char *path)
{
	char p[512];

	snprintf(p, sizeof p, "%s/%s", base, path);
	ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void
setup(void)
{
	char p[512];

	strcpy(base, "/tmp/pf-access-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	mk("old");
	mk("new");
	mk("new/d");
	put("old/changed", "one\n");
	put("old/gone", "bye\n");
	put("new/changed", "one and two\n");
	put("new/d/added", "new\n");
	snprintf(p, sizeof p, "%s/new/link", base);
	ck_assert_int_eq(symlink("d/added", p), 0);
}

static void
teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}

static const uint8_t hook[] = "#!/bin/sh\nexit 0\n";

/* A package with every manifest field a tree can give, read back. */
static pf_reader *
package(pf_trust *trust)
{
	char o[512], n[512];
	pf_builder *b;
	pf_reader *r;
	int fd = memfd_create("pkg", 0);

	snprintf(o, sizeof o, "%s/old", base);
	snprintf(n, sizeof n, "%s/new", base);
	ck_assert_int_eq(pf_builder_new(&b), PF_OK);
	ck_assert_int_eq(pf_builder_set_info(b, "acc-fix", "1.2",
	    "accessors"), PF_OK);
	ck_assert_int_eq(pf_builder_set_created(b, 1700000000), PF_OK);
	ck_assert_int_eq(pf_builder_set_expires(b, 4000000000u), PF_OK);
	ck_assert_int_eq(pf_builder_set_target(b, "prod", "2.0"), PF_OK);
	ck_assert_int_eq(pf_builder_add_from_version(b, "1.0"), PF_OK);
	ck_assert_int_eq(pf_builder_add_from_version(b, "1.1"), PF_OK);
	ck_assert_int_eq(pf_builder_set_release(b, "fam", 7), PF_OK);
	ck_assert_int_eq(pf_builder_set_provenance(b, "BUG-1", "abc123",
	    "https://example.org/src"), PF_OK);
	ck_assert_int_eq(pf_builder_add_hook(b, PF_HOOK_HEALTH, 30, hook,
	    sizeof hook - 1), PF_OK);
	ck_assert_int_eq(pf_builder_set_phase(b, 2500, "seed"), PF_OK);
	ck_assert_int_eq(pf_builder_add_dep(b, PF_DEP_REQUIRES, "base",
	    "1.0"), PF_OK);
	ck_assert_int_eq(pf_builder_add_dep(b, PF_DEP_CONFLICTS, "other",
	    NULL), PF_OK);
	ck_assert_int_eq(pf_builder_set_keep_mtime(b, true), PF_OK);
	ck_assert_int_eq(pf_builder_diff(b, o, n), PF_OK);
	ck_assert_int_eq(pf_builder_write(b, fd), PF_OK);
	pf_builder_free(b);
	lseek(fd, 0, SEEK_SET);
	ck_assert_int_eq(pf_reader_open_trusted(&r, fd, trust), PF_OK);
	return r;
}

static pf_reader *
unsigned_package(void)
{
	pf_keyring *k;
	pf_trust *t;
	pf_reader *r;

	ck_assert_int_eq(pf_keyring_new(&k), PF_OK);
	ck_assert_int_eq(pf_trust_new(&t), PF_OK);
	pf_trust_set_keyring(t, k);
	pf_trust_set_allow_unsigned(t, true);
	r = package(t);
	pf_trust_free(t);
	pf_keyring_free(k);
	return r;
}

START_TEST(manifest_fields)
{
	pf_reader *r = unsigned_package();
	const pf_manifest *m = pf_reader_manifest(r);
	const char *name, *version;
	const uint8_t *script;
	uint32_t timeout;
	size_t len;

	ck_assert_str_eq(pf_manifest_string(m, PF_MANIFEST_NAME), "acc-fix");
	ck_assert_str_eq(pf_manifest_string(m, PF_MANIFEST_VERSION), "1.2");
	ck_assert_str_eq(pf_manifest_string(m, PF_MANIFEST_DESCRIPTION),
	    "accessors");
	ck_assert_str_eq(pf_manifest_string(m, PF_MANIFEST_PRODUCT), "prod");
	ck_assert_str_eq(pf_manifest_string(m, PF_MANIFEST_TO_VERSION), "2.0");
	ck_assert_str_eq(pf_manifest_string(m, PF_MANIFEST_FAMILY), "fam");
	ck_assert_str_eq(pf_manifest_string(m, PF_MANIFEST_ISSUE), "BUG-1");
	ck_assert_str_eq(pf_manifest_string(m, PF_MANIFEST_SOURCE_REV),
	    "abc123");
	ck_assert_str_eq(pf_manifest_string(m, PF_MANIFEST_SOURCE_URL),
	    "https://example.org/src");
	ck_assert_str_eq(pf_manifest_string(m, PF_MANIFEST_PHASE_SEED),
	    "seed");
	/* No dpkg origin in a package of plain trees. */
	ck_assert_ptr_null(pf_manifest_string(m, PF_MANIFEST_DPKG_PACKAGE));
	ck_assert_ptr_null(pf_manifest_string(m, PF_MANIFEST_DPKG_FROM));
	ck_assert_ptr_null(pf_manifest_string(m, (pf_manifest_str_id)999));

	ck_assert_uint_eq(pf_manifest_number(m, PF_MANIFEST_CREATED),
	    1700000000);
	ck_assert_uint_eq(pf_manifest_number(m, PF_MANIFEST_EXPIRES),
	    4000000000u);
	ck_assert_uint_eq(pf_manifest_number(m, PF_MANIFEST_RELEASE), 7);
	ck_assert_uint_eq(pf_manifest_number(m, PF_MANIFEST_PAYLOAD_SIZE),
	    m->payload_size);
	ck_assert_uint_gt(m->payload_size, 0);
	ck_assert_uint_eq(pf_manifest_number(m, PF_MANIFEST_ROLLBACK_SIZE),
	    m->rollback_size);
	ck_assert_uint_eq(pf_manifest_number(m, PF_MANIFEST_HAS_PHASE), 1);
	ck_assert_uint_eq(pf_manifest_number(m, PF_MANIFEST_PHASE), 2500);
	ck_assert_uint_eq(pf_manifest_number(m, (pf_manifest_num_id)999), 0);

	ck_assert_uint_eq(pf_manifest_from_count(m), 2);
	ck_assert_str_eq(pf_manifest_from_version(m, 0), "1.0");
	ck_assert_str_eq(pf_manifest_from_version(m, 1), "1.1");
	ck_assert_ptr_null(pf_manifest_from_version(m, 2));

	ck_assert_uint_eq(pf_manifest_dep_count(m), 2);
	ck_assert_int_eq(pf_manifest_dep(m, 0, &name, &version),
	    PF_DEP_REQUIRES);
	ck_assert_str_eq(name, "base");
	ck_assert_str_eq(version, "1.0");
	ck_assert_int_eq(pf_manifest_dep(m, 1, &name, &version),
	    PF_DEP_CONFLICTS);
	ck_assert_str_eq(name, "other");
	ck_assert_ptr_null(version);
	ck_assert_int_eq(pf_manifest_dep(m, 2, &name, NULL), 0);
	ck_assert_ptr_null(name);

	ck_assert_uint_eq(pf_manifest_hook_count(m), 1);
	ck_assert_int_eq(pf_manifest_hook_info(m, 0, &timeout, &script, &len),
	    PF_HOOK_HEALTH);
	ck_assert_uint_eq(timeout, 30);
	ck_assert_uint_eq(len, sizeof hook - 1);
	ck_assert_mem_eq(script, hook, len);
	ck_assert_int_eq(pf_manifest_hook_info(m, 1, &timeout, &script, &len),
	    0);
	ck_assert_ptr_null(script);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(pf_manifest_live_note_count(m), 0);
	ck_assert_uint_eq(pf_manifest_live_note(m, 0, &name, NULL, NULL), 0);
	ck_assert_ptr_null(name);
	pf_reader_free(r);
}
END_TEST

/* Every state accessor answers what the structure holds. */
static void
same_state(const pf_state *s)
{
	const uint8_t *p;
	const char *user, *group;
	uint32_t uid, gid, nsec;
	uint64_t sec, off, length;
	size_t len, n, i;

	ck_assert_int_eq(pf_state_type(s), s->type);
	ck_assert_uint_eq(pf_state_mode(s), s->mode);
	ck_assert_uint_eq(pf_state_size(s), s->size);
	ck_assert_ptr_eq(pf_state_sha256(s), s->sha256);
	ck_assert_ptr_eq(pf_state_link(s), s->link);
	p = pf_state_build_id(s, &len);
	ck_assert_uint_eq(len, s->build_id_len);
	ck_assert_ptr_eq(p, len ? s->build_id : NULL);
	ck_assert(pf_state_owner(s, &uid, &gid, &user, &group) == s->has_meta);
	ck_assert_uint_eq(uid, s->has_meta ? s->uid : 0);
	ck_assert_uint_eq(gid, s->has_meta ? s->gid : 0);
	ck_assert_ptr_eq(user, s->user);
	ck_assert_ptr_eq(group, s->group);
	ck_assert_uint_eq(pf_state_xattr_count(s), s->n_xattrs);
	for (i = 0; i < s->n_xattrs; i++) {
		ck_assert_ptr_eq(pf_state_xattr(s, i, &p, &len),
		    s->xattrs[i].name);
		ck_assert_ptr_eq(p, s->xattrs[i].value);
		ck_assert_uint_eq(len, s->xattrs[i].len);
	}
	ck_assert_ptr_null(pf_state_xattr(s, i, &p, &len));
	ck_assert_ptr_null(p);
	ck_assert_ptr_eq(pf_state_hardlink(s), s->hardlink);
	ck_assert(pf_state_mtime(s, &sec, &nsec) == s->has_mtime);
	ck_assert_uint_eq(sec, s->has_mtime ? s->mtime_sec : 0);
	ck_assert_uint_eq(nsec, s->has_mtime ? s->mtime_nsec : 0);
	ck_assert(pf_state_sparse(s, &n) == s->sparse);
	ck_assert_uint_eq(n, s->sparse ? s->n_extents : 0);
	for (i = 0; i < n; i++) {
		ck_assert(pf_state_extent(s, i, &off, &length));
		ck_assert_uint_eq(off, s->extents[i].offset);
		ck_assert_uint_eq(length, s->extents[i].length);
	}
	ck_assert(!pf_state_extent(s, n, &off, &length));
	ck_assert_uint_eq(length, 0);
}

START_TEST(entries_states_blobs)
{
	pf_reader *r = unsigned_package();
	const pf_manifest *m = pf_reader_manifest(r);
	const pf_entry *e;
	const pf_blob *bl;
	uint64_t param, off, stored;
	size_t i, len, files = 0, links = 0, timed = 0;

	ck_assert_uint_eq(pf_manifest_entry_count(m), m->n_entries);
	ck_assert_uint_eq(m->n_entries, 5);     /* changed d d/added gone link */
	for (i = 0; i < m->n_entries; i++) {
		e = pf_manifest_entry(m, i);
		ck_assert_ptr_eq(e, &m->entries[i]);
		ck_assert_ptr_eq(pf_entry_path(e), e->path);
		ck_assert_ptr_eq(pf_manifest_find(m, e->path, strlen(e->path)),
		    e);
		ck_assert_int_eq(pf_entry_op(e), e->op);
		ck_assert_ptr_eq(pf_entry_state(e, PF_BEFORE), &e->before);
		ck_assert_ptr_eq(pf_entry_state(e, PF_AFTER), &e->after);
		ck_assert_uint_eq(pf_entry_blob(e, PF_BLOB_PAYLOAD), e->payload);
		ck_assert_uint_eq(pf_entry_blob(e, PF_BLOB_ROLLBACK),
		    e->rollback);
		ck_assert_uint_eq(pf_entry_blob(e, PF_BLOB_LIVE), e->live);
		ck_assert_uint_eq(pf_entry_blob(e, (pf_blob_role)9), PF_NO_BLOB);
		ck_assert_ptr_eq(pf_entry_needs(e, &len), e->needs);
		ck_assert_uint_eq(len, e->needs_len);
		ck_assert_ptr_eq(pf_entry_provides(e, &len), e->provides);
		ck_assert_uint_eq(len, e->provides_len);
		same_state(&e->before);
		same_state(&e->after);
		files += e->after.type == PF_TYPE_FILE;
		links += pf_state_link(&e->after) != NULL;
		timed += pf_state_mtime(&e->after, NULL, NULL);
	}
	ck_assert_ptr_null(pf_manifest_entry(m, i));
	ck_assert_ptr_null(pf_manifest_find(m, "nothing", 7));
	/* The values, not only the mapping. */
	e = pf_manifest_find(m, "changed", 7);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(pf_entry_op(e), PF_OP_CHANGE);
	ck_assert_uint_eq(pf_state_size(pf_entry_state(e, PF_BEFORE)), 4);
	ck_assert_uint_eq(pf_state_size(pf_entry_state(e, PF_AFTER)), 12);
	ck_assert_int_eq(pf_entry_op(pf_manifest_find(m, "gone", 4)),
	    PF_OP_REMOVE);
	ck_assert_int_eq(pf_state_type(pf_entry_state(pf_manifest_find(m,
	    "gone", 4), PF_AFTER)), PF_TYPE_NONE);
	ck_assert_int_eq(pf_state_type(pf_entry_state(pf_manifest_find(m,
	    "d", 1), PF_AFTER)), PF_TYPE_DIR);
	ck_assert_str_eq(pf_state_link(pf_entry_state(pf_manifest_find(m,
	    "link", 4), PF_AFTER)), "d/added");
	ck_assert_uint_eq(files, 2);
	ck_assert_uint_eq(links, 1);
	ck_assert_uint_gt(timed, 0);

	ck_assert_uint_eq(pf_manifest_blob_count(m), m->n_blobs);
	ck_assert_uint_gt(m->n_blobs, 0);
	for (i = 0; i < m->n_blobs; i++) {
		bl = pf_manifest_blob(m, i);
		ck_assert_ptr_eq(bl, &m->blobs[i]);
		ck_assert_int_eq(pf_blob_codec(bl, &param), bl->codec);
		ck_assert_uint_eq(param, bl->param);
		ck_assert_int_eq(pf_blob_section(bl, &off, &stored),
		    bl->section);
		ck_assert_uint_eq(off, bl->offset);
		ck_assert_uint_eq(stored, bl->stored_size);
		ck_assert_uint_eq(pf_blob_decoded_size(bl), bl->decoded_size);
		ck_assert_ptr_eq(pf_blob_sha256(bl), bl->sha256);
		ck_assert_uint_eq(pf_blob_entry(bl), bl->entry);
		ck_assert_uint_lt(pf_blob_entry(bl), m->n_entries);
	}
	ck_assert_ptr_null(pf_manifest_blob(m, i));
	pf_reader_free(r);
}
END_TEST

/* What a plain tree cannot give, on a manifest filled in by hand. */
START_TEST(by_hand)
{
	pf_manifest m;
	pf_dpkg_origin d = { .package = "hello", .from_version = "1-1",
	    .to_version = "1-2", .arch = "amd64", .depends = "libc6" };
	pf_live_note note = { .path = "usr/bin/x", .kind = 2,
	    .name = "f", .text = "why" };
	uint8_t v[] = { 1, 2, 3 };
	pf_xattr x = { .name = "user.a", .value = v, .len = sizeof v };
	pf_extent ext[2] = { { 0, 4096 }, { 65536, 10 } };
	pf_state s = { .type = PF_TYPE_FILE, .has_meta = true, .uid = 7,
	    .gid = 8, .user = "u", .group = "g", .xattrs = &x, .n_xattrs = 1,
	    .hardlink = "a/first", .sparse = true, .extents = ext,
	    .n_extents = 2, .has_mtime = true, .mtime_sec = 5,
	    .mtime_nsec = 6, .build_id_len = 2 };
	const char *path, *name, *text, *user, *group;
	const uint8_t *p;
	uint32_t uid, gid, nsec;
	uint64_t sec, off, length;
	size_t len, n;

	pf_manifest_init(&m);
	m.dpkg = &d;
	m.live_notes = &note;
	m.n_live_notes = 1;
	ck_assert_str_eq(pf_manifest_string(&m, PF_MANIFEST_DPKG_PACKAGE),
	    "hello");
	ck_assert_str_eq(pf_manifest_string(&m, PF_MANIFEST_DPKG_FROM), "1-1");
	ck_assert_str_eq(pf_manifest_string(&m, PF_MANIFEST_DPKG_TO), "1-2");
	ck_assert_str_eq(pf_manifest_string(&m, PF_MANIFEST_DPKG_ARCH),
	    "amd64");
	ck_assert_str_eq(pf_manifest_string(&m, PF_MANIFEST_DPKG_DEPENDS),
	    "libc6");
	ck_assert_uint_eq(pf_manifest_number(&m, PF_MANIFEST_HAS_PHASE), 0);
	ck_assert_uint_eq(pf_manifest_live_note_count(&m), 1);
	ck_assert_uint_eq(pf_manifest_live_note(&m, 0, &path, &name, &text),
	    PF_LIVE_NOTE_REFUSED);
	ck_assert_str_eq(path, "usr/bin/x");
	ck_assert_str_eq(name, "f");
	ck_assert_str_eq(text, "why");

	ck_assert(pf_state_owner(&s, &uid, &gid, &user, &group));
	ck_assert_uint_eq(uid, 7);
	ck_assert_uint_eq(gid, 8);
	ck_assert_str_eq(user, "u");
	ck_assert_str_eq(group, "g");
	ck_assert_uint_eq(pf_state_xattr_count(&s), 1);
	ck_assert_str_eq(pf_state_xattr(&s, 0, &p, &len), "user.a");
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(p, v, 3);
	ck_assert_str_eq(pf_state_hardlink(&s), "a/first");
	ck_assert(pf_state_mtime(&s, &sec, &nsec));
	ck_assert_uint_eq(sec, 5);
	ck_assert_uint_eq(nsec, 6);
	ck_assert(pf_state_sparse(&s, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert(pf_state_extent(&s, 1, &off, &length));
	ck_assert_uint_eq(off, 65536);
	ck_assert_uint_eq(length, 10);
	ck_assert_ptr_eq(pf_state_build_id(&s, &len), s.build_id);
	ck_assert_uint_eq(len, 2);
	same_state(&s);
	/* Without metadata, the owner is not told. */
	s.has_meta = false;
	ck_assert(!pf_state_owner(&s, &uid, NULL, NULL, NULL));
	ck_assert_uint_eq(uid, 0);
}
END_TEST

/* pf_trust: its demands reach the reader. */
START_TEST(trust_handle)
{
	pf_keyring *k;
	pf_trust *t;
	pf_reader *r;
	int fd = memfd_create("pkg", 0);
	pf_builder *b;
	char o[512], n[512];

	snprintf(o, sizeof o, "%s/old", base);
	snprintf(n, sizeof n, "%s/new", base);
	ck_assert_int_eq(pf_builder_new(&b), PF_OK);
	ck_assert_int_eq(pf_builder_set_created(b, 1000), PF_OK);
	ck_assert_int_eq(pf_builder_set_expires(b, 2000), PF_OK);
	ck_assert_int_eq(pf_builder_diff(b, o, n), PF_OK);
	ck_assert_int_eq(pf_builder_write(b, fd), PF_OK);
	pf_builder_free(b);

	ck_assert_int_eq(pf_keyring_new(&k), PF_OK);
	ck_assert_int_eq(pf_trust_new(&t), PF_OK);
	/* No keyring: refused. */
	lseek(fd, 0, SEEK_SET);
	ck_assert_int_eq(pf_reader_open_trusted(&r, fd, t), PF_ERR_TRUST);
	pf_reader_free(r);
	/* A keyring, but unsigned packages not allowed: refused. */
	pf_trust_set_keyring(t, k);
	lseek(fd, 0, SEEK_SET);
	ck_assert_int_eq(pf_reader_open_trusted(&r, fd, t), PF_ERR_TRUST);
	pf_reader_free(r);
	/* Allowed, before its expiry time. */
	pf_trust_set_allow_unsigned(t, true);
	pf_trust_set_threshold(t, 1);
	pf_trust_set_now(t, 1500);
	lseek(fd, 0, SEEK_SET);
	ck_assert_int_eq(pf_reader_open_trusted(&r, fd, t), PF_OK);
	pf_reader_free(r);
	/* After it: expired. */
	pf_trust_set_now(t, 2500);
	lseek(fd, 0, SEEK_SET);
	ck_assert_int_eq(pf_reader_open_trusted(&r, fd, t), PF_ERR_EXPIRED);
	pf_reader_free(r);
	pf_trust_free(t);
	pf_trust_free(NULL);
	pf_keyring_free(k);
	close(fd);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("access");
	TCase *tc = tcase_create("manifest");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, manifest_fields);
	tcase_add_test(tc, entries_states_blobs);
	tcase_add_test(tc, by_hand);
	tcase_add_test(tc, trust_handle);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_check_run(suite());
}
