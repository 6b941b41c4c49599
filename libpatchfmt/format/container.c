#include <config.h>

#include <string.h>

#include "common/bytes.h"
#include "format/container.h"

void
pf_header_encode(const pf_header *h, uint8_t out[PF_HEADER_SIZE])
{
	memset(out, 0, PF_HEADER_SIZE);
	memcpy(out + PF_HDR_MAGIC, PF_MAGIC, PF_MAGIC_LEN);
	pf_store_le16(out + PF_HDR_VERSION_MAJOR, h->version_major);
	pf_store_le16(out + PF_HDR_VERSION_MINOR, h->version_minor);
	pf_store_le32(out + PF_HDR_HEADER_SIZE, PF_HEADER_SIZE);
	pf_store_le64(out + PF_HDR_REQUIRED, h->required);
	pf_store_le64(out + PF_HDR_OPTIONAL, h->optional);
	pf_store_le64(out + PF_HDR_MANIFEST_SIZE, h->manifest_size);
	pf_store_le64(out + PF_HDR_DEPS_SIZE, h->deps_size);
	pf_store_le64(out + PF_HDR_SIGNATURE_SIZE, h->signature_size);
	pf_store_le64(out + PF_HDR_PAYLOAD_SIZE, h->payload_size);
	pf_store_le64(out + PF_HDR_ROLLBACK_SIZE, h->rollback_size);
}

static pf_ret
check_sizes(const pf_header *h, pf_err *err)
{
	if (h->manifest_size == 0 || h->manifest_size > PF_MAX_MANIFEST)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "manifest size %llu is out of range",
		    (unsigned long long)h->manifest_size);
	if (h->deps_size > PF_MAX_DEPS)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "dependency list size %llu is out of range",
		    (unsigned long long)h->deps_size);
	if (h->signature_size < PF_SIG_FIXED ||
	    h->signature_size > pf_sigblock_size(PF_MAX_SIGNATURES) ||
	    (h->signature_size - PF_SIG_FIXED) % PF_SIG_ENTRY_SIZE != 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "signature block size %llu is invalid",
		    (unsigned long long)h->signature_size);
	if (h->payload_size > PF_MAX_SECTION ||
	    h->rollback_size > PF_MAX_SECTION)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "section size is out of range");
	return PF_OK;
}

pf_ret
pf_header_decode(pf_header *h, const uint8_t *in, size_t n, pf_err *err)
{
	/* Section 3: the magic tells a package from anything else. */
	if (n < PF_MAGIC_LEN || memcmp(in, PF_MAGIC, PF_MAGIC_LEN) != 0)
		return pf_err_set(err, PF_ERR_NOT_PACKAGE,
		    "not a patch package (bad magic)");
	if (n < PF_HEADER_SIZE)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "package is truncated in its header");
	h->version_major = pf_load_le16(in + PF_HDR_VERSION_MAJOR);
	h->version_minor = pf_load_le16(in + PF_HDR_VERSION_MINOR);
	if (h->version_major != PF_VERSION_MAJOR)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "package format version %u.%u is not supported (this is "
		    "%u.%u)", h->version_major, h->version_minor,
		    PF_VERSION_MAJOR, PF_VERSION_MINOR);
	if (pf_load_le32(in + PF_HDR_HEADER_SIZE) != PF_HEADER_SIZE)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "header size field is wrong");
	h->required = pf_load_le64(in + PF_HDR_REQUIRED);
	h->optional = pf_load_le64(in + PF_HDR_OPTIONAL);
	if (h->required & ~PF_FEAT_KNOWN)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "package requires unknown features 0x%llx",
		    (unsigned long long)(h->required & ~PF_FEAT_KNOWN));
	h->manifest_size = pf_load_le64(in + PF_HDR_MANIFEST_SIZE);
	h->deps_size = pf_load_le64(in + PF_HDR_DEPS_SIZE);
	h->signature_size = pf_load_le64(in + PF_HDR_SIGNATURE_SIZE);
	h->payload_size = pf_load_le64(in + PF_HDR_PAYLOAD_SIZE);
	h->rollback_size = pf_load_le64(in + PF_HDR_ROLLBACK_SIZE);
	if (pf_load_le64(in + PF_HDR_RESERVED) != 0)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "reserved header field is not zero");
	return check_sizes(h, err);
}

uint64_t
pf_sigblock_size(uint32_t count)
{
	return PF_SIG_FIXED + (uint64_t)count * PF_SIG_ENTRY_SIZE;
}

void
pf_sigblock_encode(const pf_sigblock *s, pf_buf *out)
{
	uint32_t i;

	pf_buf_append(out, s->digest, PF_SIG_DIGEST_LEN);
	pf_buf_put_le32(out, s->count);
	for (i = 0; i < s->count; i++) {
		pf_buf_put_le32(out, s->sigs[i].algorithm);
		pf_buf_append(out, s->sigs[i].key_id, PF_SIG_KEY_ID_LEN);
		pf_buf_append(out, s->sigs[i].sig, PF_SIG_LEN);
	}
}

pf_ret
pf_sigblock_decode(pf_sigblock *s, const uint8_t *p, size_t n, pf_err *err)
{
	const uint8_t *b;
	pf_cur c;
	uint32_t i;

	memset(s, 0, sizeof *s);
	pf_cur_init(&c, p, n);
	if (!pf_cur_get_bytes(&c, &b, PF_SIG_DIGEST_LEN) ||
	    !pf_cur_get_le32(&c, &s->count))
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "signature block is truncated");
	memcpy(s->digest, b, PF_SIG_DIGEST_LEN);
	if (s->count > PF_MAX_SIGNATURES ||
	    pf_sigblock_size(s->count) != n)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "signature count %u disagrees with the block size",
		    s->count);
	for (i = 0; i < s->count; i++) {
		pf_cur_get_le32(&c, &s->sigs[i].algorithm);
		if (pf_cur_get_bytes(&c, &b, PF_SIG_KEY_ID_LEN))
			memcpy(s->sigs[i].key_id, b, PF_SIG_KEY_ID_LEN);
		if (pf_cur_get_bytes(&c, &b, PF_SIG_LEN))
			memcpy(s->sigs[i].sig, b, PF_SIG_LEN);
	}
	return c.bad ? pf_err_set(err, PF_ERR_CORRUPT,
	    "signature block is truncated") : PF_OK;
}
