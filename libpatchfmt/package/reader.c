/*
 * pf_reader: reads a package front to back, as spec/patchfmt.md section
 * 2.5 orders it, and verifies every byte before anyone may act on it.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/ckd.h"
#include "common/fileio.h"
#include "common/hash.h"
#include "compress/lzma.h"
#include "delta/delta.h"
#include "package/vcdiff_blob.h"
#include "format/manifest.h"
#include "package/reader.h"
#include "package/trust.h"
#include "trust/keyring.h"

_Static_assert(PF_LZMA_MAX_DICT == PF_MAX_LZMA_DICT,
    "the LZMA decoder's bound is the format's limit");

#define CHUNK 65536

struct pf_reader {
	pf_err err;
	int in;                 /* the caller's descriptor */
	int fd;                 /* where blobs are read again: in, or spool */
	bool spooled;
	bool own_in;            /* close in when freed */
	uint64_t pos;           /* bytes consumed from the front */
	pf_sha256_ctx whole;    /* SHA-256 of every byte consumed */
	uint8_t whole_sha[32];  /* its value once the package is verified */
	const uint8_t *expect;  /* an installed copy: the recorded digest */
	pf_header hdr;
	pf_manifest m;
	pf_sigblock sig;
	uint8_t digest[32];
	pf_trust trust;
	bool has_trust;
	bool trusted;
	pf_sig_status status[PF_MAX_SIGNATURES];
	uint64_t payload_off;
	uint64_t rollback_off;
	char id[32];
};

/* A pipe is copied to an unlinked file so blobs can be read again. */
static pf_ret
open_spool(pf_reader *r)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(path, sizeof path, "%s/patchfmt-XXXXXX", dir);
		fd = mkstemp(path);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0)
		return pf_err_errno(&r->err, PF_ERR_IO, errno,
		    "cannot create a spool file in '%s'", dir);
	r->fd = fd;
	r->spooled = true;
	return PF_OK;
}

/* Reads the next n bytes of the package (fewer only at its end). */
static pf_ret
next_bytes(pf_reader *r, void *buf, size_t n, size_t *got)
{
	pf_ret ret;

	if (!r->spooled) {
		ret = pf_read_full(r->in, buf, n, got, &r->err, "package");
	} else {
		ret = pf_read_full(r->in, buf, n, got, &r->err, "package");
		if (ret == PF_OK && *got > 0)
			ret = pf_write_full(r->fd, buf, *got, &r->err,
			    "spool file");
	}
	if (ret == PF_OK) {
		r->pos += *got;
		pf_sha256_update(&r->whole, buf, *got);
	}
	return ret;
}

static pf_ret
read_section(pf_reader *r, uint64_t size, uint8_t **out, const char *what,
    pf_sha256_ctx *h)
{
	uint8_t *p;
	size_t got;
	pf_ret ret;

	/* Sizes were bounded by pf_header_decode(). */
	p = malloc(size ? (size_t)size : 1);
	if (p == NULL)
		return pf_err_nomem(&r->err);
	ret = next_bytes(r, p, (size_t)size, &got);
	if (ret == PF_OK && got != size)
		ret = pf_err_set(&r->err, PF_ERR_CORRUPT,
		    "package is truncated in the %s", what);
	if (ret != PF_OK) {
		free(p);
		return ret;
	}
	if (h != NULL)
		pf_sha256_update(h, p, (size_t)size);
	*out = p;
	return PF_OK;
}

static pf_ret
read_header(pf_reader *r, pf_sha256_ctx *h)
{
	uint8_t buf[PF_HEADER_SIZE];
	size_t got;
	pf_ret ret;

	if ((ret = next_bytes(r, buf, sizeof buf, &got)) != PF_OK)
		return ret;
	if (got == 0)
		return pf_err_set(&r->err, PF_ERR_NOT_PACKAGE,
		    "empty input: not a patch package");
	if ((ret = pf_header_decode(&r->hdr, buf, got, &r->err)) != PF_OK)
		return ret;
	pf_sha256_update(h, buf, sizeof buf);
	return PF_OK;
}

static bool
uses_delta(const pf_manifest *m)
{
	size_t i;

	for (i = 0; i < m->n_blobs; i++)
		if (m->blobs[i].codec == PF_CODEC_DELTA)
			return true;
	return false;
}

static bool
uses_live(const pf_manifest *m)
{
	size_t i;

	for (i = 0; i < m->n_entries; i++)
		if (m->entries[i].live != PF_NO_BLOB)
			return true;
	return false;
}

/*
 * Sections 5 to 7.  The metadata is read whole and checked against its
 * digest (and, where present, signatures) before a byte of it is parsed.
 */
static pf_ret
read_metadata(pf_reader *r, pf_sha256_ctx *h, uint8_t **man, uint8_t **deps)
{
	pf_ret ret;

	ret = read_section(r, r->hdr.manifest_size, man, "manifest", h);
	if (ret == PF_OK)
		ret = read_section(r, r->hdr.deps_size, deps,
		    "dependency list", h);
	return ret;
}

static pf_ret
read_signatures(pf_reader *r, pf_sha256_ctx *h)
{
	uint8_t *p = NULL;
	pf_ret ret;

	pf_sha256_final(h, r->digest);
	ret = read_section(r, r->hdr.signature_size, &p, "signature block",
	    NULL);
	if (ret == PF_OK)
		ret = pf_sigblock_decode(&r->sig, p,
		    (size_t)r->hdr.signature_size, &r->err);
	/* Section 7: the stored digest guards unsigned packages too. */
	if (ret == PF_OK && sodium_memcmp(r->sig.digest, r->digest, 32) != 0)
		ret = pf_err_set(&r->err, PF_ERR_CORRUPT,
		    "package metadata does not match its digest: the package "
		    "is damaged");
	free(p);
	return ret;
}

static pf_ret
parse_metadata(pf_reader *r, const uint8_t *man, const uint8_t *deps)
{
	pf_ret ret;

	ret = pf_manifest_decode(&r->m, man, (size_t)r->hdr.manifest_size,
	    &r->err);
	if (ret == PF_OK)
		ret = pf_deps_decode(&r->m, deps, (size_t)r->hdr.deps_size,
		    &r->err);
	if (ret == PF_OK)       /* Rule 11, once both parts are decoded. */
		ret = pf_manifest_check_words(&r->m, &r->err);
	if (ret == PF_OK && (r->m.payload_size != r->hdr.payload_size ||
	    r->m.rollback_size != r->hdr.rollback_size))
		ret = pf_err_set(&r->err, PF_ERR_CORRUPT,
		    "section sizes in the header disagree with the manifest");
	if (ret == PF_OK && uses_delta(&r->m) &&
	    !(r->hdr.required & PF_FEAT_DELTA))
		ret = pf_err_set(&r->err, PF_ERR_CORRUPT,
		    "delta blobs without the delta feature bit");
	if (ret == PF_OK && uses_live(&r->m) && !(r->hdr.required & PF_FEAT_LIVE))
		ret = pf_err_set(&r->err, PF_ERR_CORRUPT,
		    "hot-patch records without the live feature bit");
	/* Issue 9, section 3.1 bit 2: metadata states need the bit. */
	if (ret == PF_OK && r->m.n_entries > 0 &&
	    pf_manifest_has_meta(&r->m) !=
	    ((r->hdr.required & PF_FEAT_META) != 0))
		ret = pf_err_set(&r->err, PF_ERR_CORRUPT,
		    "metadata states disagree with the metadata feature bit");
	return ret;
}

static pf_ret
verify_blob(pf_reader *r, size_t idx, uint8_t *buf)
{
	const pf_blob *b = &r->m.blobs[idx];
	uint64_t left = b->stored_size;
	uint8_t d[32], head[PF_DELTA_HEADER_LEN];   /* finding 12 */
	pf_vcd_check vc;
	size_t headlen = 0;
	char want[PF_SHA256_HEX_LEN], got_hex[PF_SHA256_HEX_LEN];
	pf_sha256_ctx h;
	size_t n, got;
	pf_ret ret;

	pf_vcdiff_blob_begin(&r->m, idx, &vc);
	if (pf_sha256_init(&h) != 0)
		return pf_err_nomem(&r->err);
	while (left > 0) {
		n = left > CHUNK ? CHUNK : (size_t)left;
		if ((ret = next_bytes(r, buf, n, &got)) == PF_OK && got != n)
			ret = pf_err_set(&r->err, PF_ERR_CORRUPT,
			    "package is truncated in %s blob %zu",
			    b->section == PF_SECTION_PAYLOAD ? "payload" :
			    "rollback", idx);
		if (ret != PF_OK) {
			pf_sha256_discard(&h);
			return ret;
		}
		pf_sha256_update(&h, buf, n);
		if ((ret = pf_vcdiff_blob_feed(&r->m, idx, &vc, buf, n,
		    &r->err)) != PF_OK) {
			pf_sha256_discard(&h);
			return ret;
		}
		if (left == b->stored_size) {   /* the delta header, if any */
			headlen = n < sizeof head ? n : sizeof head;
			memcpy(head, buf, headlen);
		}
		left -= n;
	}
	pf_sha256_final(&h, d);
	if (sodium_memcmp(d, b->sha256, 32) != 0)
		return pf_err_set(&r->err, PF_ERR_CORRUPT,
		    "blob %zu is damaged: expected sha256 %s, found %s", idx,
		    pf_sha256_hex(want, b->sha256), pf_sha256_hex(got_hex, d));
	if ((ret = pf_vcdiff_blob_end(&r->m, idx, &vc, &r->err)) != PF_OK)
		return ret;
	return pf_manifest_check_delta(&r->m, idx, head, headlen, &r->err);
}

/* Blobs come in manifest order within each section (section 5.2). */
static pf_ret
read_blobs(pf_reader *r)
{
	uint8_t *buf, extra;
	size_t i, got;
	pf_section sec;
	pf_ret ret = PF_OK;

	if ((buf = malloc(CHUNK)) == NULL)
		return pf_err_nomem(&r->err);
	r->payload_off = r->pos;
	r->rollback_off = r->pos + r->hdr.payload_size;
	for (sec = PF_SECTION_PAYLOAD; sec <= PF_SECTION_ROLLBACK; sec++)
		for (i = 0; i < r->m.n_blobs && ret == PF_OK; i++)
			if (r->m.blobs[i].section == sec)
				ret = verify_blob(r, i, buf);
	free(buf);
	if (ret != PF_OK)
		return ret;
	/* Endless data: nothing may follow the rollback section. */
	if ((ret = next_bytes(r, &extra, 1, &got)) != PF_OK)
		return ret;
	if (got != 0)
		return pf_err_set(&r->err, PF_ERR_CORRUPT,
		    "unexpected data after the end of the package");
	return PF_OK;
}

/*
 * Section 11.3: every signature by a known key must verify, and enough
 * distinct known keys must have signed.  Done before parsing, so that an
 * untrusted manifest is never interpreted.
 */
static pf_ret
check_signatures(pf_reader *r)
{
	const pf_keyring *kr = r->trust.keyring;
	char hex[2 * PF_SIG_KEY_ID_LEN + 1], first[2 * PF_SIG_KEY_ID_LEN + 1];
	unsigned need = r->trust.threshold ? r->trust.threshold : 1;
	unsigned valid = 0, unknown = 0;
	const char *why = NULL;
	const pf_pubkey *k;
	uint32_t i, j;
	bool dup;

	if (!r->has_trust)
		return PF_OK;
	/*
	 * The applier's own copy carries no trust of its own: it is the
	 * package that was verified at install time only if its digest is
	 * the one recorded then.
	 */
	if (r->trust.installed_copy) {
		if (r->expect == NULL ||
		    sodium_memcmp(r->expect, r->digest, 32) != 0)
			return pf_err_set(&r->err, PF_ERR_TRUST,
			    "the stored package is not the one that was "
			    "installed: its digest differs from the record");
		r->trusted = true;
		return PF_OK;
	}
	if (kr == NULL)
		return pf_err_set(&r->err, PF_ERR_TRUST, "no keyring given");
	/* Root metadata's signing threshold is a floor (spec/keyring.md). */
	if (pf_keyring_threshold(kr) > need)
		need = pf_keyring_threshold(kr);
	for (i = 0; i < r->sig.count; i++) {
		const pf_signature *s = &r->sig.sigs[i];

		pf_hex(hex, s->key_id, sizeof s->key_id);
		if ((k = pf_keyring_find(kr, s->key_id)) == NULL) {
			r->status[i] = PF_SIG_UNKNOWN_KEY;
			if (unknown++ == 0)
				memcpy(first, hex, sizeof first);
			/* Revoked or expired (spec/keyring.md section 5). */
			if (why == NULL)
				why = pf_keyring_distrust(kr, s->key_id);
			continue;
		}
		if (!pf_sig_verify(k, s, r->digest)) {
			r->status[i] = PF_SIG_INVALID;
			return pf_err_set(&r->err, PF_ERR_TRUST,
			    "signature by key %s ('%s') does not verify: the "
			    "package or its signature was altered", hex, k->file);
		}
		r->status[i] = PF_SIG_VALID;
		for (dup = false, j = 0; j < i; j++)
			dup |= memcmp(r->sig.sigs[j].key_id, s->key_id,
			    sizeof s->key_id) == 0;
		valid += !dup;
	}
	if (r->sig.count == 0 && r->trust.allow_unsigned) {
		r->trusted = true;
		return PF_OK;
	}
	if (r->sig.count == 0)
		return pf_err_set(&r->err, PF_ERR_TRUST,
		    "package is not signed: refusing to trust it");
	if (valid < need && why != NULL)
		return pf_err_set(&r->err, PF_ERR_TRUST, "%s; the package is "
		    "signed by %u trusted keys, %u required", why, valid, need);
	if (valid == 0 && unknown > 0)
		return pf_err_set(&r->err, PF_ERR_TRUST,
		    "package is signed only by keys not in the keyring "
		    "(first: %s)", first);
	if (valid < need)
		return pf_err_set(&r->err, PF_ERR_TRUST,
		    "package is signed by %u trusted keys, %u required", valid,
		    need);
	r->trusted = true;
	return PF_OK;
}

static pf_ret
check_expiry(pf_reader *r)
{
	uint64_t now = r->trust.now ? r->trust.now : (uint64_t)time(NULL);

	/* An installed package must stay undoable after it expires. */
	if (!r->has_trust || r->trust.installed_copy || r->m.expires == 0 ||
	    now <= r->m.expires)
		return PF_OK;
	return pf_err_set(&r->err, PF_ERR_EXPIRED,
	    "package expired at %llu (%llu seconds ago)",
	    (unsigned long long)r->m.expires,
	    (unsigned long long)(now - r->m.expires));
}

static pf_ret
reader_load(pf_reader *r)
{
	uint8_t *man = NULL, *deps = NULL;
	struct stat st;
	pf_sha256_ctx h;
	pf_ret ret;

	if (fstat(r->in, &st) < 0)
		return pf_err_errno(&r->err, PF_ERR_IO, errno,
		    "cannot stat the package");
	if (S_ISREG(st.st_mode) && lseek(r->in, 0, SEEK_CUR) == 0)
		r->fd = r->in;
	else if ((ret = open_spool(r)) != PF_OK)
		return ret;
	if (pf_sha256_init(&h) != 0)
		return pf_err_nomem(&r->err);
	if (pf_sha256_init(&r->whole) != 0) {
		pf_sha256_discard(&h);
		return pf_err_nomem(&r->err);
	}
	if ((ret = read_header(r, &h)) == PF_OK &&
	    (ret = read_metadata(r, &h, &man, &deps)) == PF_OK &&
	    (ret = read_signatures(r, &h)) == PF_OK &&
	    (ret = check_signatures(r)) == PF_OK &&
	    (ret = parse_metadata(r, man, deps)) == PF_OK &&
	    (ret = check_expiry(r)) == PF_OK)
		ret = read_blobs(r);
	if (ret == PF_OK)
		pf_sha256_final(&r->whole, r->whole_sha);
	pf_sha256_discard(&r->whole);
	pf_sha256_discard(&h);
	free(man);
	free(deps);
	return ret;
}

pf_ret
pf_reader_open(pf_reader **out, int fd)
{
	return pf_reader_open_trusted(out, fd, NULL);
}

static pf_ret
reader_open(pf_reader **out, int fd, const pf_trust *trust,
    const uint8_t *expect)
{
	pf_reader *r;

	*out = NULL;
	if (pf_crypto_init() < 0)
		return PF_ERR_NOMEM;
	if ((r = calloc(1, sizeof *r)) == NULL)
		return PF_ERR_NOMEM;
	r->in = fd;
	r->fd = -1;
	r->expect = expect;
	if (trust != NULL) {
		r->trust = *trust;
		r->has_trust = true;
	}
	pf_manifest_init(&r->m);
	*out = r;
	return reader_load(r);
}

pf_ret
pf_reader_open_trusted(pf_reader **out, int fd, const pf_trust *trust)
{
	pf_trust t;

	/* A copy is trusted only through pf_reader_open_installed(). */
	if (trust != NULL && trust->installed_copy) {
		t = *trust;
		t.installed_copy = false;
		t.keyring = NULL;
		return reader_open(out, fd, &t, NULL);
	}
	return reader_open(out, fd, trust, NULL);
}

pf_ret
pf_reader_open_installed(pf_reader **out, int fd, const uint8_t digest[32])
{
	pf_trust t = { .installed_copy = true };

	return reader_open(out, fd, &t, digest);
}

void
pf_reader_free(pf_reader *r)
{
	if (r == NULL)
		return;
	if (r->spooled && r->fd >= 0)
		close(r->fd);
	if (r->own_in && r->in >= 0)
		close(r->in);
	pf_manifest_clear(&r->m);
	free(r);
}

pf_err *
pf_reader_err(pf_reader *r)
{
	return &r->err;
}

void
pf_reader_own_fd(pf_reader *r)
{
	r->own_in = true;
}

bool
pf_reader_trusted(const pf_reader *r)
{
	return r->trusted && r->err.code == PF_OK;
}

size_t
pf_reader_signature_count(const pf_reader *r)
{
	return r->sig.count;
}

pf_sig_status
pf_reader_signature(const pf_reader *r, size_t i, uint8_t key_id[8])
{
	if (i >= r->sig.count)
		return PF_SIG_UNCHECKED;
	memcpy(key_id, r->sig.sigs[i].key_id, 8);
	return r->status[i];
}

const char *
pf_reader_error(const pf_reader *r)
{
	return r->err.msg;
}

const char *
pf_reader_error_detail(const pf_reader *r, pf_detail which)
{
	return pf_err_part(&r->err, which);
}

pf_ret
pf_reader_status(const pf_reader *r)
{
	return r->err.code;
}

const pf_manifest *
pf_reader_manifest(const pf_reader *r)
{
	return &r->m;
}

const char *
pf_reader_id(const pf_reader *r)
{
	pf_reader *w = (pf_reader *)(uintptr_t)r;

	if (r->m.name != NULL)
		return r->m.name;
	if (w->id[0] == '\0') {
		memcpy(w->id, "pkg-", 4);
		pf_hex(w->id + 4, r->digest, 8);
	}
	return w->id;
}

/*
 * The copy is hashed as it is written and must be the very bytes that were
 * verified: a package file rewritten since it was read is refused, and the
 * caller throws the copy away.
 */
pf_ret
pf_reader_copy(pf_reader *r, int fd)
{
	uint8_t buf[CHUNK], d[32];
	uint64_t off = 0;
	pf_sha256_ctx h;
	size_t n;
	pf_ret ret;

	if (r->err.code != PF_OK)
		return pf_err_set(&r->err, PF_ERR_USAGE,
		    "the package was not verified");
	if (pf_sha256_init(&h) != 0)
		return pf_err_nomem(&r->err);
	while (off < r->pos) {
		n = r->pos - off > CHUNK ? CHUNK : (size_t)(r->pos - off);
		ret = pf_pread_full(r->fd, buf, n, off, &r->err, "package");
		if (ret == PF_OK)
			pf_sha256_update(&h, buf, n);
		if (ret == PF_OK)
			ret = pf_write_full(fd, buf, n, &r->err, "package copy");
		if (ret != PF_OK) {
			pf_sha256_discard(&h);
			return ret;
		}
		off += n;
	}
	pf_sha256_final(&h, d);
	if (sodium_memcmp(d, r->whole_sha, 32) != 0)
		return pf_err_set(&r->err, PF_ERR_CORRUPT,
		    "the package file changed after it was verified");
	return PF_OK;
}

const uint8_t *
pf_reader_file_sha256(const pf_reader *r)
{
	return r->whole_sha;
}

uint64_t
pf_reader_package_size(const pf_reader *r)
{
	return r->pos;
}

const uint8_t *
pf_reader_digest(const pf_reader *r)
{
	return r->digest;
}

const pf_header *
pf_reader_header(const pf_reader *r)
{
	return &r->hdr;
}

const pf_sigblock *
pf_reader_sigblock(const pf_reader *r)
{
	return &r->sig;
}

/*
 * Reads one stored blob back, bounded by its size, and hashes it again:
 * the file may have been rewritten since it was verified (NFS, FUSE, a
 * download directory).  The last bytes are handed out only once the whole
 * blob matches its hash, and decode_blob() reads to the end even when a
 * codec stops early, so whatever is used was verified.
 */
typedef struct blob_in {
	pf_reader *r;
	uint32_t idx;
	uint64_t off;
	uint64_t left;
	pf_sha256_ctx h;
} blob_in;

static pf_ret
blob_check(blob_in *b, pf_err *err)
{
	uint8_t d[32];

	pf_sha256_final(&b->h, d);
	if (sodium_memcmp(d, b->r->m.blobs[b->idx].sha256, 32) != 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "blob %u of the package changed after it was verified",
		    b->idx);
	return PF_OK;
}

static pf_ret
blob_read(void *opaque, void *buf, size_t n, size_t *got, pf_err *err)
{
	blob_in *b = opaque;
	pf_ret ret;

	*got = 0;
	if (n > b->left)
		n = (size_t)b->left;
	if (n == 0)
		return PF_OK;
	ret = pf_pread_full(b->r->fd, buf, n, b->off, err, "package");
	if (ret != PF_OK)
		return ret;
	pf_sha256_update(&b->h, buf, n);
	b->off += n;
	b->left -= n;
	if (b->left == 0 && (ret = blob_check(b, err)) != PF_OK)
		return ret;
	*got = n;
	return PF_OK;
}

/* Reads what a codec left unread, so that the blob's hash is checked. */
static pf_ret
blob_drain(blob_in *b, pf_err *err)
{
	uint8_t buf[4096];
	size_t got;
	pf_ret ret;

	while (b->left > 0)
		if ((ret = blob_read(b, buf, sizeof buf, &got, err)) != PF_OK)
			return ret;
	return PF_OK;
}

pf_ret
pf_reader_blob_to_buf(pf_reader *r, uint32_t idx, pf_buf *out, pf_err *err)
{
	pf_ostream o;

	if (idx >= r->m.n_blobs ||
	    pf_codec_needs_base(r->m.blobs[idx].codec))
		return pf_err_set(err, PF_ERR_USAGE, "blob %u has no content of "
		    "its own", idx);
	pf_ostream_to_buf(&o, out);
	return pf_reader_decode_blob(r, idx, NULL, &o, err);
}

static pf_ret decode(pf_reader *r, uint32_t idx, pf_istream *in,
    const pf_source *base, pf_ostream *out, const pf_readback *rb,
    pf_err *err);

pf_ret
pf_reader_decode_blob(pf_reader *r, uint32_t idx, const pf_source *base,
    pf_ostream *out, pf_err *err)
{
	return pf_reader_decode_blob_rb(r, idx, base, out, NULL, err);
}

pf_ret
pf_reader_decode_blob_rb(pf_reader *r, uint32_t idx, const pf_source *base,
    pf_ostream *out, const pf_readback *rb, pf_err *err)
{
	const pf_blob *b;
	pf_istream in;
	pf_err changed;
	blob_in bi;
	pf_ret ret;

	if (r->err.code != PF_OK)
		return pf_err_set(err, PF_ERR_USAGE,
		    "the package was not verified");
	if (idx >= r->m.n_blobs)
		return pf_err_set(err, PF_ERR_USAGE, "no blob %u", idx);
	b = &r->m.blobs[idx];
	bi.r = r;
	bi.idx = idx;
	bi.off = (b->section == PF_SECTION_PAYLOAD ? r->payload_off :
	    r->rollback_off) + b->offset;
	bi.left = b->stored_size;
	if (pf_sha256_init(&bi.h) != 0)
		return pf_err_nomem(err);
	in.read = blob_read;
	in.opaque = &bi;
	ret = decode(r, idx, &in, base, out, rb, err);
	if (ret == PF_OK) {
		ret = blob_drain(&bi, err);
	} else {
		/* A changed blob explains a decoding failure better. */
		pf_err_clear(&changed);
		if (blob_drain(&bi, &changed) == PF_ERR_CORRUPT)
			ret = pf_err_copy(err, &changed);
	}
	pf_sha256_discard(&bi.h);   /* when the drain stopped early */
	return ret;
}

static pf_ret
decode(pf_reader *r, uint32_t idx, pf_istream *in, const pf_source *base,
    pf_ostream *out, const pf_readback *rb, pf_err *err)
{
	const pf_blob *b = &r->m.blobs[idx];

	switch (b->codec) {
	case PF_CODEC_STORED:
		return pf_stream_copy(in, out, b->decoded_size, err);
	case PF_CODEC_LZMA2:
	case PF_CODEC_X86_LZMA2:
		return pf_lzma_decode(in, b->param,
		    b->codec == PF_CODEC_X86_LZMA2, out, b->decoded_size, err);
	case PF_CODEC_DELTA:
		/* Section 5.5: a delta is decoded against the other state. */
		if (base == NULL)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "delta blob %u has no base to apply to", idx);
		return pf_delta_decode_rb(in, base, NULL, out, rb,
		    b->decoded_size, err);
	case PF_CODEC_VCDIFF:
		if (base == NULL)
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "vcdiff blob %u has no base to apply to", idx);
		return pf_vcdiff_decode_exact(in, base, out, b->decoded_size,
		    err);
	}
	return pf_err_set(err, PF_ERR_UNSUPPORTED,
	    "blob %u uses codec %u, which this build cannot decode", idx,
	    (unsigned)b->codec);
}
