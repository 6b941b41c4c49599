/*
 * Neither libcap nor libacl reads the kernel's xattr forms directly (their
 * cap_copy_int() and acl_copy_int() take their own external forms), so the
 * two small fixed layouts are taken apart here and handed to the libraries
 * entry by entry; the libraries do the naming, which is what people know
 * from getcap(8) and getfacl(1).
 */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acl.h>
#include <acl/libacl.h>
#include <sys/capability.h>

#include "common/bytes.h"
#include "package/xattr_text.h"

/*
 * The VFS_CAP_* revisions of struct vfs_cap_data (12, 20 or 24 bytes)
 * come from linux/capability.h, through sys/capability.h.
 */

/* linux/posix_acl_xattr.h: a version word, then 8-byte entries. */
#define ACL_XATTR_VERSION       2
#define ACL_XATTR_ENTRY         8

static char *
hex(const uint8_t *v, size_t n)
{
	char *s = malloc(2 * n + 5), *p;
	size_t i;

	if (s == NULL)
		return NULL;
	p = s + sprintf(s, "0x");
	for (i = 0; i < n; i++)
		p += sprintf(p, "%02x", v[i]);
	if (n == 0)
		sprintf(p, "(empty)");
	return s;
}

/* Text the way people wrote it: printable, maybe NUL-terminated. */
static char *
text(const uint8_t *v, size_t n)
{
	size_t i, k = n > 0 && v[n - 1] == '\0' ? n - 1 : n;
	char *s;

	if (k == 0)
		return NULL;
	for (i = 0; i < k; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return NULL;
	if ((s = malloc(k + 3)) == NULL)
		return NULL;
	s[0] = '"';
	memcpy(s + 1, v, k);
	s[k + 1] = '"';
	s[k + 2] = '\0';
	return s;
}

static bool
cap_bits(cap_t c, cap_flag_t flag, uint64_t bits)
{
	cap_value_t v;

	for (v = 0; v < 64; v++)
		if ((bits >> v & 1) && cap_set_flag(c, flag, 1, &v, CAP_SET) < 0)
			return false;
	return true;
}

static char *
library_string(char *s, int (*release)(void *))
{
	char *copy = s ? strdup(s) : NULL;

	if (s != NULL)
		release(s);
	return copy;
}

static int
cap_release(void *p)
{
	return cap_free(p);
}

static int
acl_release(void *p)
{
	return acl_free(p);
}

static char *
capability_text(const uint8_t *v, size_t n)
{
	uint32_t magic, rev;
	uint64_t perm, inh;
	cap_t c;
	char *s = NULL;

	if (n < 12)
		return NULL;
	magic = pf_load_le32(v);
	rev = magic & VFS_CAP_REVISION_MASK;
	if (!((rev == VFS_CAP_REVISION_1 && n == 12) ||
	    (rev == VFS_CAP_REVISION_2 && n == 20) ||
	    (rev == VFS_CAP_REVISION_3 && n == 24)))
		return NULL;
	perm = pf_load_le32(v + 4);
	inh = pf_load_le32(v + 8);
	if (rev != VFS_CAP_REVISION_1) {
		perm |= (uint64_t)pf_load_le32(v + 12) << 32;
		inh |= (uint64_t)pf_load_le32(v + 16) << 32;
	}
	if ((c = cap_init()) == NULL)
		return NULL;
	if (cap_bits(c, CAP_PERMITTED, perm) &&
	    cap_bits(c, CAP_INHERITABLE, inh) &&
	    (!(magic & VFS_CAP_FLAGS_EFFECTIVE) ||
	    cap_bits(c, CAP_EFFECTIVE, perm | inh)))
		s = library_string(cap_to_text(c, NULL), cap_release);
	cap_free(c);
	if (s != NULL && rev == VFS_CAP_REVISION_3) {
		char *t;

		if (asprintf(&t, "%s [rootid=%u]", s, pf_load_le32(v + 20)) < 0)
			t = NULL;
		free(s);
		s = t;
	}
	return s;
}

static bool
acl_add(acl_t *acl, unsigned tag, unsigned perm, uint32_t id)
{
	acl_entry_t e;
	acl_permset_t ps;

	if (acl_create_entry(acl, &e) < 0 || acl_set_tag_type(e, (int)tag) < 0 ||
	    acl_get_permset(e, &ps) < 0 || acl_clear_perms(ps) < 0)
		return false;
	if ((tag == ACL_USER || tag == ACL_GROUP) &&
	    acl_set_qualifier(e, &id) < 0)
		return false;
	if (((perm & 4) && acl_add_perm(ps, ACL_READ) < 0) ||
	    ((perm & 2) && acl_add_perm(ps, ACL_WRITE) < 0) ||
	    ((perm & 1) && acl_add_perm(ps, ACL_EXECUTE) < 0))
		return false;
	return acl_set_permset(e, ps) == 0;
}

static char *
acl_text(const uint8_t *v, size_t n)
{
	size_t i, count;
	acl_t acl;
	char *s = NULL;
	bool ok = true;

	if (n < 4 || (n - 4) % ACL_XATTR_ENTRY != 0 ||
	    pf_load_le32(v) != ACL_XATTR_VERSION)
		return NULL;
	count = (n - 4) / ACL_XATTR_ENTRY;
	if ((acl = acl_init((int)count)) == NULL)
		return NULL;
	for (i = 0; ok && i < count; i++) {
		const uint8_t *p = v + 4 + i * ACL_XATTR_ENTRY;

		ok = acl_add(&acl, pf_load_le16(p), pf_load_le16(p + 2),
		    pf_load_le32(p + 4));
	}
	if (ok)
		s = library_string(acl_to_any_text(acl, NULL, ',',
		    TEXT_ABBREVIATE | TEXT_NUMERIC_IDS), acl_release);
	acl_free(acl);
	return s;
}

char *
pf_xattr_text(const char *name, const uint8_t *v, size_t n)
{
	char *s = NULL;

	if (strcmp(name, "security.capability") == 0)
		s = capability_text(v, n);
	else if (strcmp(name, "system.posix_acl_access") == 0 ||
	    strcmp(name, "system.posix_acl_default") == 0)
		s = acl_text(v, n);
	if (s == NULL)
		s = text(v, n);
	return s != NULL ? s : hex(v, n);
}
