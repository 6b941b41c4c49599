/*
 * Little-endian loads and stores (spec/patchfmt.md section 2.2: every
 * fixed-width integer in a package is little-endian).
 */
#ifndef PF_COMMON_BYTES_H
#define PF_COMMON_BYTES_H

#include <stdint.h>

static inline uint16_t
pf_load_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t
pf_load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
pf_load_le64(const uint8_t *p)
{
	return (uint64_t)pf_load_le32(p) | (uint64_t)pf_load_le32(p + 4) << 32;
}

static inline void
pf_store_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
pf_store_le32(uint8_t *p, uint32_t v)
{
	pf_store_le16(p, (uint16_t)v);
	pf_store_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void
pf_store_le64(uint8_t *p, uint64_t v)
{
	pf_store_le32(p, (uint32_t)v);
	pf_store_le32(p + 4, (uint32_t)(v >> 32));
}

#endif
