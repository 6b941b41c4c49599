/*
 * Checking a VCDIFF blob of a package without decoding it (spec/vcdiff.md
 * section 6): the header and every window header are walked as the bytes
 * go by, in constant memory, so the reader can refuse a blob that cannot
 * make the entry's state before the tree is looked at.
 */
#include <config.h>

#include <string.h>

#include "common/ckd.h"
#include "delta/vcdiff.h"

/* The fields in the order they come (RFC 3284 sections 4.1 to 4.3). */
enum {
	F_MAGIC, F_HDR_IND, F_SEC_ID, F_APP_LEN, F_APP_SKIP, F_WIN_IND,
	F_SEG_LEN, F_SEG_POS, F_ENC_LEN, F_TGT_LEN, F_DEL_IND, F_DATA_LEN,
	F_INST_LEN, F_ADDR_LEN, F_BODY
};

void
pf_vcd_check_init(pf_vcd_check *c, uint64_t base_size, uint64_t new_size)
{
	memset(c, 0, sizeof *c);
	c->base_size = base_size;
	c->new_size = new_size;
}

static pf_ret
bad(pf_err *err, const char *what)
{
	return pf_err_set(err, PF_ERR_CORRUPT, "vcdiff delta: %s", what);
}

static pf_ret
header_byte(pf_vcd_check *c, uint8_t b, pf_err *err)
{
	if (c->field == F_MAGIC) {
		if (b != (uint8_t)(c->got < PF_VCD_MAGIC_LEN ?
		    PF_VCD_MAGIC[c->got] : PF_VCD_VERSION))
			return c->got < PF_VCD_MAGIC_LEN ?
			    bad(err, "no magic bytes d6 c3 c4") :
			    pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "vcdiff delta: version %u is not supported", b);
		if (++c->got == PF_VCD_MAGIC_LEN + 1)
			c->field = F_HDR_IND;
		return PF_OK;
	}
	if (c->field == F_SEC_ID) {
		if (b != PF_VCD_SEC_LZMA)
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "vcdiff delta: secondary compressor %u (only lzma "
			    "is allowed in a package)", b);
		c->field = c->hdr_ind & PF_VCD_APPHEADER ? F_APP_LEN : F_WIN_IND;
		return PF_OK;
	}
	c->hdr_ind = b;
	if (b & ~(PF_VCD_DECOMPRESS | PF_VCD_APPHEADER))
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "vcdiff delta: header indicator 0x%02x (custom code "
		    "tables and unknown bits are not supported)", b);
	c->field = b & PF_VCD_DECOMPRESS ? F_SEC_ID :
	    b & PF_VCD_APPHEADER ? F_APP_LEN : F_WIN_IND;
	return PF_OK;
}

/* A window's source segment, once both its fields are known. */
static pf_ret
check_segment(pf_vcd_check *c, pf_err *err)
{
	uint64_t end;

	if (pf_add_overflow_u64(c->seg_pos, c->seg_len, &end))
		return bad(err, "a source segment overflows");
	if ((c->win_ind & PF_VCD_SOURCE) && end > c->base_size)
		return bad(err, "a window reads past the end of the base");
	if ((c->win_ind & PF_VCD_TARGET) && end > c->produced)
		return bad(err, "a VCD_TARGET segment reaches past the target "
		    "made before it");
	if ((c->win_ind & PF_VCD_TARGET) &&
	    c->produced - c->seg_pos > PF_VCD_HISTORY_MAX)
		return pf_err_set(err, PF_ERR_UNSUPPORTED,
		    "vcdiff delta: a VCD_TARGET segment starts too far back");
	return PF_OK;
}

/* An integer field is complete: check it, and say what comes next. */
static pf_ret
int_done(pf_vcd_check *c, uint64_t v, pf_err *err)
{
	switch (c->field) {
	case F_APP_LEN:
		c->skip = v;
		c->field = F_APP_SKIP;
		return PF_OK;
	case F_SEG_LEN:
		c->seg_len = v;
		c->field = F_SEG_POS;
		return PF_OK;
	case F_SEG_POS:
		c->seg_pos = v;
		c->field = F_ENC_LEN;
		return check_segment(c, err);
	case F_ENC_LEN:
		if (v > PF_VCD_ENCODED_MAX)
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "vcdiff delta: a window's encoding is above the "
			    "limit of %u bytes", PF_VCD_ENCODED_MAX);
		c->enc_len = v;
		c->enc_seen = 0;
		c->field = F_TGT_LEN;
		return PF_OK;
	case F_TGT_LEN:
		if (v > PF_VCD_WINDOW_MAX)
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "vcdiff delta: a target window is above the limit "
			    "of %u bytes", PF_VCD_WINDOW_MAX);
		if (v > c->new_size - c->produced)
			return bad(err, "the windows make more than the "
			    "entry's size");
		c->produced += v;
		c->field = F_DEL_IND;
		return PF_OK;
	default:
		c->body += v;
		if (c->body > c->enc_len)
			return bad(err, "a window's sections overrun its "
			    "encoding");
		if (++c->field <= F_ADDR_LEN)
			return PF_OK;
		/* Section lengths, checksum and fields must fill enc_len. */
		if (c->enc_seen + c->body + (c->win_ind & PF_VCD_ADLER32 ? 4 :
		    0) != c->enc_len)
			return bad(err, "a window's encoding length is wrong");
		c->skip = c->enc_len - c->enc_seen;
		c->field = F_BODY;
		return PF_OK;
	}
}

static pf_ret
window_byte(pf_vcd_check *c, uint8_t b, pf_err *err)
{
	if (c->field == F_WIN_IND) {
		c->win_ind = b;
		c->seg_len = c->seg_pos = 0;
		if (b & ~(PF_VCD_SOURCE | PF_VCD_TARGET | PF_VCD_ADLER32))
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "vcdiff delta: unknown window indicator bits");
		if ((b & PF_VCD_SOURCE) && (b & PF_VCD_TARGET))
			return bad(err, "a window is both VCD_SOURCE and "
			    "VCD_TARGET");
		c->field = b & (PF_VCD_SOURCE | PF_VCD_TARGET) ? F_SEG_LEN :
		    F_ENC_LEN;
		return PF_OK;
	}
	/* F_DEL_IND. */
	if (b & ~(PF_VCD_DATACOMP | PF_VCD_INSTCOMP | PF_VCD_ADDRCOMP))
		return bad(err, "unknown delta indicator bits");
	if (b != 0 && !(c->hdr_ind & PF_VCD_DECOMPRESS))
		return bad(err, "a section is compressed, but the header names "
		    "no secondary compressor");
	c->body = 0;
	c->field = F_DATA_LEN;
	return PF_OK;
}

static pf_ret
one_byte(pf_vcd_check *c, uint8_t b, pf_err *err)
{
	uint64_t v;
	pf_ret r;

	if (c->field >= F_TGT_LEN)
		c->enc_seen++;
	if (c->field <= F_SEC_ID)
		return header_byte(c, b, err);
	if (c->field == F_WIN_IND || c->field == F_DEL_IND)
		return window_byte(c, b, err);
	/* An integer of section 2, at most 10 bytes. */
	if (c->acc > (UINT64_MAX >> 7) || ++c->got > 10)
		return bad(err, "an integer is too large");
	c->acc = c->acc << 7 | (b & 0x7f);
	if (b & 0x80)
		return PF_OK;
	v = c->acc;
	c->acc = 0;
	c->got = 0;
	if ((r = int_done(c, v, err)) != PF_OK)
		return r;
	/* Nothing to skip: the next window starts at once. */
	if ((c->field == F_APP_SKIP || c->field == F_BODY) && c->skip == 0)
		c->field = F_WIN_IND;
	return PF_OK;
}

pf_ret
pf_vcd_check_feed(pf_vcd_check *c, const uint8_t *p, size_t n, pf_err *err)
{
	size_t k;
	pf_ret r;

	while (n > 0) {
		if (c->field == F_APP_SKIP || c->field == F_BODY) {
			k = c->skip < n ? (size_t)c->skip : n;
			c->skip -= k;
			p += k;
			n -= k;
			if (c->skip == 0)
				c->field = F_WIN_IND;
			continue;
		}
		if ((r = one_byte(c, *p++, err)) != PF_OK)
			return r;
		n--;
	}
	return PF_OK;
}

pf_ret
pf_vcd_check_end(pf_vcd_check *c, pf_err *err)
{
	if (c->field != F_WIN_IND)
		return bad(err, "truncated");
	if (c->produced != c->new_size)
		return bad(err, "the windows make less than the entry's size");
	return PF_OK;
}
