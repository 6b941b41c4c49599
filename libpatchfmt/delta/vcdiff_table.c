/*
 * What the VCDIFF encoder and decoder share: the default code table and
 * address caches of RFC 3284 section 5, its integers (section 2), and
 * xdelta3's Adler-32 window checksum.
 */
#include <config.h>

#include <string.h>

#include "delta/vcdiff.h"

static void
set(pf_vcd_inst e[2], uint8_t t1, uint8_t s1, uint8_t m1, uint8_t t2,
    uint8_t s2, uint8_t m2)
{
	e[0] = (pf_vcd_inst){ t1, s1, m1 };
	e[1] = (pf_vcd_inst){ t2, s2, m2 };
}

/* Section 5.6, row by row. */
void
pf_vcd_default_table(pf_vcd_inst table[256][2])
{
	unsigned i = 0, s, m, a, c;

	set(table[i++], PF_VCD_RUN, 0, 0, PF_VCD_NOOP, 0, 0);
	for (s = 0; s <= 17; s++)
		set(table[i++], PF_VCD_ADD, (uint8_t)s, 0, PF_VCD_NOOP, 0, 0);
	for (m = 0; m < PF_VCD_MODES; m++) {
		set(table[i++], PF_VCD_COPY, 0, (uint8_t)m, PF_VCD_NOOP, 0, 0);
		for (s = 4; s <= 18; s++)
			set(table[i++], PF_VCD_COPY, (uint8_t)s, (uint8_t)m,
			    PF_VCD_NOOP, 0, 0);
	}
	for (m = 0; m < PF_VCD_MODES; m++)
		for (a = 1; a <= 4; a++)
			for (c = 4; c <= (m < 6 ? 6u : 4u); c++)
				set(table[i++], PF_VCD_ADD, (uint8_t)a, 0,
				    PF_VCD_COPY, (uint8_t)c, (uint8_t)m);
	for (m = 0; m < PF_VCD_MODES; m++)
		set(table[i++], PF_VCD_COPY, 4, (uint8_t)m, PF_VCD_ADD, 1, 0);
}

void
pf_vcd_cache_reset(pf_vcd_cache *c)
{
	memset(c, 0, sizeof *c);
}

/* Section 5.1: both caches learn every address, found or not. */
void
pf_vcd_cache_update(pf_vcd_cache *c, uint64_t addr)
{
	c->near[c->next] = addr;
	c->next = (c->next + 1) % PF_VCD_NEAR;
	c->same[addr % (PF_VCD_SAME * 256)] = addr;
}

uint32_t
pf_vcd_adler32(const uint8_t *p, size_t n)
{
	uint32_t a = 1, b = 0;
	size_t k;

	/* 5552 bytes is the most that cannot overflow b before reducing. */
	while (n > 0) {
		k = n < 5552 ? n : 5552;
		n -= k;
		while (k-- > 0) {
			a += *p++;
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return b << 16 | a;
}

void
pf_vcd_put_int(pf_buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t i = sizeof tmp;

	tmp[--i] = v & 0x7f;
	while ((v >>= 7) != 0)
		tmp[--i] = 0x80 | (v & 0x7f);
	pf_buf_append(b, tmp + i, sizeof tmp - i);
}

bool
pf_vcd_is_vcdiff(const uint8_t *p, size_t n)
{
	return n >= PF_VCD_MAGIC_LEN &&
	    memcmp(p, PF_VCD_MAGIC, PF_VCD_MAGIC_LEN) == 0;
}

/* Section 4.1: the version, and xdelta3's secondary compressor by name. */
pf_ret
pf_vcd_print_info(const uint8_t *p, size_t n, FILE *f, pf_err *err)
{
	uint8_t id;

	if (n < 5)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "vcdiff delta: truncated header");
	fprintf(f, "format: vcdiff %u\n", p[3]);
	if (!(p[4] & PF_VCD_DECOMPRESS)) {
		fprintf(f, "secondary compression: none\n");
		return PF_OK;
	}
	if (n < 6)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "vcdiff delta: truncated header");
	id = p[5];
	if (id == PF_VCD_SEC_LZMA || id == PF_VCD_SEC_DJW ||
	    id == PF_VCD_SEC_FGK)
		fprintf(f, "secondary compression: %s\n",
		    id == PF_VCD_SEC_LZMA ? "lzma" :
		    id == PF_VCD_SEC_DJW ? "djw" : "fgk");
	else
		fprintf(f, "secondary compression: %u\n", id);
	return PF_OK;
}
