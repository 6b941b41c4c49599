/*
 * Reading the FDEs of .eh_frame: the Linux Standard Base Core
 * specification, section "Exception Frames" (the format of DWARF's
 * .debug_frame with GCC's augmentations and pointer encodings).  Only
 * pc_begin and pc_range are wanted; the call frame instructions are
 * passed over.
 */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/ckd.h"
#include "disasm/ehframe.h"

/* DW_EH_PE_*: the low four bits say how a pointer is stored, the next
 * three what it is relative to. */
#define PE_OMIT     0xff
#define PE_FORMAT   0x0f
#define PE_ABSPTR   0x00
#define PE_ULEB128  0x01
#define PE_UDATA2   0x02
#define PE_UDATA4   0x03
#define PE_UDATA8   0x04
#define PE_SLEB128  0x09
#define PE_SDATA2   0x0a
#define PE_SDATA4   0x0b
#define PE_SDATA8   0x0c
#define PE_APPLY    0x70
#define PE_PCREL    0x10
#define PE_INDIRECT 0x80

/* A cursor over one record: reading past end fails. */
typedef struct cur {
	const uint8_t *p;
	size_t at, end;
} cur;

static bool
get_u8(cur *c, uint8_t *v)
{
	if (c->at >= c->end)
		return false;
	*v = c->p[c->at++];
	return true;
}

static bool
get_leb(cur *c, uint64_t *v, bool sign)
{
	unsigned shift = 0;
	uint8_t b;

	*v = 0;
	do {
		if (!get_u8(c, &b) || shift >= 64)
			return false;
		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (sign && shift < 64 && (b & 0x40))
		*v |= ~UINT64_C(0) << shift;
	return true;
}

static bool
skip(cur *c, size_t n)
{
	if (n > c->end - c->at)
		return false;
	c->at += n;
	return true;
}

/* A pointer in encoding enc at the cursor; field_addr is its link-time
 * address, for pc-relative ones.  False for encodings this reader does
 * not resolve (datarel, textrel, funcrel, aligned, indirect). */
static bool
get_ptr(cur *c, uint8_t enc, uint64_t field_addr, uint64_t *v)
{
	const uint8_t *q = c->p + c->at;

	switch (enc & PE_FORMAT) {
	case PE_ABSPTR:
	case PE_UDATA8:
	case PE_SDATA8:
		if (!skip(c, 8))
			return false;
		*v = pf_load_le64(q);
		break;
	case PE_UDATA4:
	case PE_SDATA4:
		if (!skip(c, 4))
			return false;
		*v = pf_load_le32(q);
		if ((enc & PE_FORMAT) == PE_SDATA4)
			*v = (uint64_t)(int64_t)(int32_t)*v;
		break;
	case PE_UDATA2:
	case PE_SDATA2:
		if (!skip(c, 2))
			return false;
		*v = pf_load_le16(q);
		if ((enc & PE_FORMAT) == PE_SDATA2)
			*v = (uint64_t)(int64_t)(int16_t)*v;
		break;
	case PE_ULEB128:
	case PE_SLEB128:
		if (!get_leb(c, v, (enc & PE_FORMAT) == PE_SLEB128))
			return false;
		break;
	default:
		return false;
	}
	if ((enc & PE_INDIRECT) != 0)
		return false;
	if ((enc & PE_APPLY) == PE_PCREL)
		*v += field_addr;
	else if ((enc & PE_APPLY) != 0)
		return false;
	return true;
}

/* The FDE pointer encoding of the CIE at cie (its length field): the
 * 'R' entry of its augmentation data, or absptr without one. */
static bool
cie_encoding(const uint8_t *p, size_t len, size_t cie, uint8_t *enc)
{
	cur c = { p, cie, len };
	const char *aug;
	uint64_t v, aug_len;
	uint8_t version, b, penc;
	size_t i, auglen;

	if (!skip(&c, 4) || pf_load_le32(p + cie) == 0xffffffff ||
	    pf_load_le32(p + cie) > len - cie - 4)
		return false;
	c.end = cie + 4 + pf_load_le32(p + cie);
	/* CIE_id is 0 in .eh_frame. */
	if (!skip(&c, 4) || pf_load_le32(p + cie + 4) != 0 ||
	    !get_u8(&c, &version))
		return false;
	aug = (const char *)p + c.at;
	auglen = strnlen(aug, c.end - c.at);
	if (!skip(&c, auglen + 1))
		return false;
	*enc = PE_ABSPTR;
	if (strstr(aug, "eh") != NULL || !get_leb(&c, &v, false) ||
	    !get_leb(&c, &v, true))
		return false;
	if (version == 1 ? !get_u8(&c, &b) : !get_leb(&c, &v, false))
		return false;
	if (auglen == 0 || aug[0] != 'z')
		return true;
	if (!get_leb(&c, &aug_len, false))
		return false;
	for (i = 1; i < auglen; i++) {
		switch (aug[i]) {
		case 'R':
			return get_u8(&c, enc);
		case 'P':
			/* The personality routine's pointer: only its
			 * size matters here. */
			if (!get_u8(&c, &penc) ||
			    !get_ptr(&c, penc & PE_FORMAT, 0, &v))
				return false;
			break;
		case 'L':
			if (!get_u8(&c, &b))
				return false;
			break;
		case 'S':
		case 'B':
			break;
		default:
			return false;
		}
	}
	return true;
}

static pf_ret
push(hp_range **v, size_t *n, uint64_t addr, uint64_t size)
{
	hp_range *q;

	if (*n % 256 == 0) {
		q = realloc(*v, (*n + 256) * sizeof **v);
		if (q == NULL)
			return PF_ERR_NOMEM;
		*v = q;
	}
	(*v)[*n].addr = addr;
	(*v)[*n].size = size;
	(*n)++;
	return PF_OK;
}

/* One FDE at off (its length field), body of blen bytes. */
static pf_ret
one_fde(const uint8_t *p, size_t len, size_t off, size_t blen,
    uint64_t sect_addr, hp_range **v, size_t *n)
{
	uint32_t cie_ptr = pf_load_le32(p + off + 4);
	cur c = { p, off + 8, off + 4 + blen };
	uint64_t begin, range;
	uint8_t enc;

	/* CIE_pointer counts back from its own field to the CIE. */
	if (cie_ptr > off + 4 || !cie_encoding(p, len, off + 4 - cie_ptr,
	    &enc))
		return PF_OK;
	if (enc == PE_OMIT || !get_ptr(&c, enc, sect_addr + c.at, &begin) ||
	    !get_ptr(&c, enc & PE_FORMAT, 0, &range) || range == 0)
		return PF_OK;
	return push(v, n, begin, range);
}

pf_ret
hp_ehframe_ranges(const uint8_t *p, size_t len, uint64_t sect_addr,
    hp_range **out, size_t *n)
{
	size_t off = 0, blen;
	pf_ret r = PF_OK;

	*out = NULL;
	*n = 0;
	while (len - off >= 4 && r == PF_OK) {
		blen = pf_load_le32(p + off);
		/* A zero length ends the section (crtend's terminator); the
		 * 64-bit form is not emitted for x86-64 user code. */
		if (blen == 0)
			break;
		if (blen == 0xffffffff || blen > len - off - 4 || blen < 4) {
			r = PF_ERR_CORRUPT;
			break;
		}
		if (pf_load_le32(p + off + 4) != 0)
			r = one_fde(p, len, off, blen, sect_addr, out, n);
		off += 4 + blen;
	}
	if (r != PF_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}
