#include <config.h>

#include <string.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "format/manifest.h"
#include "format/writer.h"

static pf_ret
write_blobs(int fd, const pf_manifest *m, uint8_t *const *data,
    const pf_write_opts *o, pf_err *err)
{
	pf_section sec;
	size_t i;
	pf_ret r;

	for (sec = PF_SECTION_PAYLOAD; sec <= PF_SECTION_ROLLBACK; sec++)
		for (i = 0; i < m->n_blobs; i++) {
			if (m->blobs[i].section != sec)
				continue;
			if (o->write_blob != NULL)
				r = o->write_blob(o->blob_opaque, i, fd, err);
			else
				r = pf_write_full(fd, data[i],
				    (size_t)m->blobs[i].stored_size, err,
				    "package");
			if (r != PF_OK)
				return r;
		}
	return PF_OK;
}

static pf_ret
sign_block(const pf_write_opts *o, const uint8_t digest[32], pf_sigblock *sb,
    pf_err *err)
{
	pf_ret r;

	memset(sb, 0, sizeof *sb);
	memcpy(sb->digest, digest, 32);
	if (o->sign == NULL)
		return PF_OK;
	if ((r = o->sign(o->sign_opaque, digest, sb, err)) != PF_OK)
		return r;
	if (sb->count != o->n_signatures)
		return pf_err_set(err, PF_ERR_USAGE,
		    "signer made %u signatures, %u announced", sb->count,
		    o->n_signatures);
	return PF_OK;
}

pf_ret
pf_package_write(int fd, pf_manifest *m, uint8_t *const *data,
    const pf_write_opts *o, pf_err *err)
{
	uint8_t hdr[PF_HEADER_SIZE], digest[32];
	pf_buf man, deps, sig;
	pf_header h = { 0 };
	pf_sigblock sb;
	pf_sha256_ctx hc;
	pf_ret r;

	pf_buf_init(&man);
	pf_buf_init(&deps);
	pf_buf_init(&sig);
	if ((r = pf_manifest_validate(m, err)) != PF_OK ||
	    (r = pf_manifest_check_words(m, err)) != PF_OK ||
	    (r = pf_manifest_encode(m, &man, err)) != PF_OK ||
	    (r = pf_deps_encode(m, &deps, err)) != PF_OK)
		goto out;
	h.version_major = PF_VERSION_MAJOR;
	h.version_minor = PF_VERSION_MINOR;
	h.required = o->required;
	h.manifest_size = man.len;
	h.deps_size = deps.len;
	h.signature_size = pf_sigblock_size(o->n_signatures);
	h.payload_size = m->payload_size;
	h.rollback_size = m->rollback_size;
	pf_header_encode(&h, hdr);
	if (pf_sha256_init(&hc) != 0) {
		r = pf_err_nomem(err);
		goto out;
	}
	pf_sha256_update(&hc, hdr, sizeof hdr);
	pf_sha256_update(&hc, man.data, man.len);
	pf_sha256_update(&hc, deps.data, deps.len);
	pf_sha256_final(&hc, digest);
	if ((r = sign_block(o, digest, &sb, err)) != PF_OK)
		goto out;
	pf_sigblock_encode(&sb, &sig);
	if (sig.failed) {
		r = pf_err_nomem(err);
		goto out;
	}
	if ((r = pf_write_full(fd, hdr, sizeof hdr, err, "package")) != PF_OK ||
	    (r = pf_write_full(fd, man.data, man.len, err, "package")) != PF_OK ||
	    (r = pf_write_full(fd, deps.data, deps.len, err, "package")) != PF_OK ||
	    (r = pf_write_full(fd, sig.data, sig.len, err, "package")) != PF_OK)
		goto out;
	r = write_blobs(fd, m, data, o, err);
out:
	pf_buf_free(&man);
	pf_buf_free(&deps);
	pf_buf_free(&sig);
	return r;
}
