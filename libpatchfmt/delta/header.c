#include <config.h>

#include <string.h>

#include "common/bytes.h"
#include "delta/delta.h"
#include "compress/lz.h"

static pf_ret check_params(const pf_delta_info *info, pf_err *err);

/* Sections 3.2 and 3.3: the fields version 1 fixes, after the CRC. */
static pf_ret
check_fields(const uint8_t *p, pf_delta_info *info, pf_err *err)
{
	int i;

	if (p[PF_DELTA_OFF_FLAGS] & ~PF_DELTA_FLAGS_KNOWN)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "delta uses unknown flags 0x%02x", p[PF_DELTA_OFF_FLAGS]);
	for (i = 0; i < 3; i++)
		if (p[PF_DELTA_OFF_RESERVED + i] != 0)
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "delta header has reserved bytes set");
	return check_params(info, err);
}

/* Section 3.2: the block size and the coders' parameters. */
static pf_ret
check_params(const pf_delta_info *info, pf_err *err)
{
	int i;

	if (info->block_size == 0 || info->block_size > PF_DELTA_BLOCK_MAX)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "delta block size %u is outside 1 to %u", info->block_size,
		    PF_DELTA_BLOCK_MAX);
	/* Section 4.2: the diff stream has its own coder, not LZMA2. */
	if (info->props[PF_DELTA_DIFF] != 0 || info->dict[PF_DELTA_DIFF] != 0)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "delta diff stream has lzma2 parameters");
	for (i = 0; i < PF_DELTA_NSTREAMS; i++) {
		if (i == PF_DELTA_DIFF)
			continue;
		if (!pf_lz_props_valid(info->props[i]))
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "delta stream %d has invalid lzma2 properties 0x%02x",
			    i, info->props[i]);
		if (info->dict[i] < PF_DELTA_DICT_MIN ||
		    info->dict[i] > PF_DELTA_DICT_MAX)
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "delta stream %d has a dictionary of %u bytes, "
			    "outside %u to %u", i, info->dict[i],
			    PF_DELTA_DICT_MIN, PF_DELTA_DICT_MAX);
	}
	return PF_OK;
}

static void
load_fields(const uint8_t *p, pf_delta_info *info)
{
	int i;

	info->version = p[PF_DELTA_OFF_VERSION];
	info->flags = p[PF_DELTA_OFF_FLAGS];
	info->block_size = pf_load_le32(p + PF_DELTA_OFF_BLOCK_SIZE);
	for (i = 0; i < PF_DELTA_NSTREAMS; i++) {
		info->props[i] = p[PF_DELTA_OFF_PROPS + i];
		info->dict[i] = pf_load_le32(p + PF_DELTA_OFF_DICT + 4 * i);
	}
	info->old_size = pf_load_le64(p + PF_DELTA_OFF_OLD_SIZE);
	info->new_size = pf_load_le64(p + PF_DELTA_OFF_NEW_SIZE);
	memcpy(info->old_sha256, p + PF_DELTA_OFF_OLD_SHA256, PF_SHA256_LEN);
	memcpy(info->new_sha256, p + PF_DELTA_OFF_NEW_SHA256, PF_SHA256_LEN);
	info->has_sha256 = true;
	info->header_len = PF_DELTA_HEADER_LEN;
}

/*
 * Section 3.4: the five uvarints of a version 2 header; a value a
 * version 2 decoder cannot use is unsupported, as in version 1.
 */
static pf_ret
load_v2_ints(pf_cur *c, pf_delta_info *info, pf_err *err)
{
	uint64_t v[5];
	int i;

	for (i = 0; i < 5; i++)
		if (!pf_cur_get_uvarint(c, &v[i]))
			return pf_err_set(err, PF_ERR_CORRUPT, pf_cur_left(c) ?
			    "delta header has a bad integer" :
			    "delta header is truncated");
	for (i = 0; i < 3; i++)
		if (v[i] > UINT32_MAX)
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "delta header field %d of %llu is above the limit",
			    i, (unsigned long long)v[i]);
	info->block_size = (uint32_t)v[0];
	info->dict[PF_DELTA_CTRL] = (uint32_t)v[1];
	info->dict[PF_DELTA_EXTRA] = (uint32_t)v[2];
	info->old_size = v[3];
	info->new_size = v[4];
	return PF_OK;
}

/*
 * Section 3.4: version 2.  Magic, version, flags and the properties sit
 * where version 1 has them; the CRC-32 covers every byte before it.
 */
static pf_ret
read_v2(const uint8_t *p, size_t n, pf_delta_info *info, pf_err *err)
{
	const uint8_t *sha;
	uint32_t crc;
	size_t at;
	pf_cur c;
	pf_ret r;

	memset(info, 0, sizeof *info);
	if (n < PF_DELTA2_MIN_LEN)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta header is truncated");
	info->version = PF_DELTA_VERSION2;
	info->flags = p[PF_DELTA_OFF_FLAGS];
	info->props[PF_DELTA_CTRL] = p[PF_DELTA2_OFF_PROPS];
	info->props[PF_DELTA_EXTRA] = p[PF_DELTA2_OFF_PROPS + 1];
	info->has_sha256 = (info->flags & PF_DELTA_FLAG_SHA256) != 0;
	pf_cur_init(&c, p + PF_DELTA2_OFF_VARINTS, n - PF_DELTA2_OFF_VARINTS);
	if ((r = load_v2_ints(&c, info, err)) != PF_OK)
		return r;
	if (info->has_sha256) {
		if (!pf_cur_get_bytes(&c, &sha, 2 * PF_SHA256_LEN))
			return pf_err_set(err, PF_ERR_CORRUPT,
			    "delta header is truncated");
		memcpy(info->old_sha256, sha, PF_SHA256_LEN);
		memcpy(info->new_sha256, sha + PF_SHA256_LEN, PF_SHA256_LEN);
	}
	at = n - pf_cur_left(&c);
	if (!pf_cur_get_le32(&c, &crc))
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta header is truncated");
	if (pf_delta_crc32(p, at) != crc)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta header is corrupt (crc32 mismatch)");
	info->header_len = at + 4;
	if (info->flags & ~PF_DELTA2_FLAGS_KNOWN)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "delta uses unknown flags 0x%02x", info->flags);
	return check_params(info, err);
}

size_t
pf_delta_header_need(const uint8_t *p, size_t n)
{
	size_t at = PF_DELTA2_OFF_VARINTS;
	int i;

	if (n < PF_DELTA2_OFF_VARINTS)
		return PF_DELTA2_OFF_VARINTS;
	if (p[PF_DELTA_OFF_VERSION] != PF_DELTA_VERSION2)
		return PF_DELTA_HEADER_LEN;
	/* Each uvarint ends at a byte below 0x80; a bad one stops here. */
	for (i = 0; i < 5; i++) {
		do {
			if (at >= n)
				return n + 1;
			if (at - PF_DELTA2_OFF_VARINTS >= 5 * PF_UVARINT_MAX)
				return n;
		} while (p[at++] & 0x80);
	}
	if (p[PF_DELTA_OFF_FLAGS] & PF_DELTA_FLAG_SHA256)
		at += 2 * PF_SHA256_LEN;
	return at + 4;
}

pf_ret
pf_delta_read_info(const uint8_t *p, size_t n, pf_delta_info *info,
    pf_err *err)
{
	size_t m = n < PF_DELTA_MAGIC_LEN ? n : PF_DELTA_MAGIC_LEN;

	/* Section 3.1: magic first, then version, then everything else. */
	if (n == 0 || memcmp(p, PF_DELTA_MAGIC, m) != 0)
		return pf_err_set(err, PF_ERR_NOT_PACKAGE,
		    "not a pfdelta delta (bad magic)");
	if (n <= PF_DELTA_OFF_VERSION)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta header is truncated");
	if (p[PF_DELTA_OFF_VERSION] == PF_DELTA_VERSION2)
		return read_v2(p, n, info, err);
	if (p[PF_DELTA_OFF_VERSION] != PF_DELTA_VERSION)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "delta format version %u is not supported (only 1 and 2)",
		    p[PF_DELTA_OFF_VERSION]);
	if (n < PF_DELTA_HEADER_LEN)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta header is truncated");
	if (pf_delta_crc32(p, PF_DELTA_OFF_HEADER_CRC32) !=
	    pf_load_le32(p + PF_DELTA_OFF_HEADER_CRC32))
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "delta header is corrupt (crc32 mismatch)");
	load_fields(p, info);
	return check_fields(p, info, err);
}

void
pf_delta_write_header(const pf_delta_info *info,
    uint8_t hdr[PF_DELTA_HEADER_LEN])
{
	int i;

	memset(hdr, 0, PF_DELTA_HEADER_LEN);
	memcpy(hdr, PF_DELTA_MAGIC, PF_DELTA_MAGIC_LEN);
	hdr[PF_DELTA_OFF_VERSION] = PF_DELTA_VERSION;
	hdr[PF_DELTA_OFF_FLAGS] = info->flags;
	pf_store_le32(hdr + PF_DELTA_OFF_BLOCK_SIZE, info->block_size);
	for (i = 0; i < PF_DELTA_NSTREAMS; i++) {
		hdr[PF_DELTA_OFF_PROPS + i] = info->props[i];
		pf_store_le32(hdr + PF_DELTA_OFF_DICT + 4 * i, info->dict[i]);
	}
	pf_store_le64(hdr + PF_DELTA_OFF_OLD_SIZE, info->old_size);
	pf_store_le64(hdr + PF_DELTA_OFF_NEW_SIZE, info->new_size);
	memcpy(hdr + PF_DELTA_OFF_OLD_SHA256, info->old_sha256, PF_SHA256_LEN);
	memcpy(hdr + PF_DELTA_OFF_NEW_SHA256, info->new_sha256, PF_SHA256_LEN);
	pf_store_le32(hdr + PF_DELTA_OFF_HEADER_CRC32,
	    pf_delta_crc32(hdr, PF_DELTA_OFF_HEADER_CRC32));
}

/* Section 3.4: the version 2 header of info. */
static void
put_header_v2(const pf_delta_info *info, pf_buf *out)
{
	size_t start = out->len;
	uint8_t flags = info->flags & ~PF_DELTA_FLAG_SHA256;

	if (info->has_sha256)
		flags |= PF_DELTA_FLAG_SHA256;
	pf_buf_append(out, PF_DELTA_MAGIC, PF_DELTA_MAGIC_LEN);
	pf_buf_put_u8(out, PF_DELTA_VERSION2);
	pf_buf_put_u8(out, flags);
	pf_buf_put_u8(out, info->props[PF_DELTA_CTRL]);
	pf_buf_put_u8(out, info->props[PF_DELTA_EXTRA]);
	pf_buf_put_uvarint(out, info->block_size);
	pf_buf_put_uvarint(out, info->dict[PF_DELTA_CTRL]);
	pf_buf_put_uvarint(out, info->dict[PF_DELTA_EXTRA]);
	pf_buf_put_uvarint(out, info->old_size);
	pf_buf_put_uvarint(out, info->new_size);
	if (info->has_sha256) {
		pf_buf_append(out, info->old_sha256, PF_SHA256_LEN);
		pf_buf_append(out, info->new_sha256, PF_SHA256_LEN);
	}
	if (!out->failed)
		pf_buf_put_le32(out, pf_delta_crc32(out->data + start,
		    out->len - start));
}

void
pf_delta_put_header(const pf_delta_info *info, pf_buf *out)
{
	uint8_t hdr[PF_DELTA_HEADER_LEN];

	if (info->version == PF_DELTA_VERSION2) {
		put_header_v2(info, out);
		return;
	}
	pf_delta_write_header(info, hdr);
	pf_buf_append(out, hdr, sizeof hdr);
}
