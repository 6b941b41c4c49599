#include <config.h>

#include <string.h>

#include "common/bytes.h"
#include "delta/delta.h"
#include "delta/lz.h"

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
	if (p[PF_DELTA_OFF_VERSION] != PF_DELTA_VERSION)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "delta format version %u is not supported (only %u)",
		    p[PF_DELTA_OFF_VERSION], PF_DELTA_VERSION);
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
