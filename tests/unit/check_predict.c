/*
 * Unit tests of the prediction of spec/delta.md section 10
 * (libpatchfmt/delta/predict.c, predict_a64.c, exec_enc.c): the x86-64
 * and AArch64 finders and the table kinds on hand-made bytes, the page
 * rule, hostile sections refused, deltas with a prediction made by hand
 * and by the encoder, and round trips of every corpus pair with the
 * prediction forced on.
 */
#include <config.h>

#include <check.h>
#include <dirent.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/bytes.h"
#include "common/hash.h"
#include "delta/delta.h"
#include "delta/format.h"
#include "compress/lz.h"
#include "delta/predict.h"
#include "delta/exec.h"
#include "delta/match.h"
#include "files.h"
#include "run.h"

/* The image of the tests: [0x1000, 0x10000); 0x1100 on moves by 0x20. */
#define LO 0x1000
#define HI 0x10000

static const pf_pred_break test_breaks[] = {
	{ 0x1100, 0x20 }, { 0x1200, 0x40 }
};

/*
 * Parses the body written for regions and breaks, as a decoder of the
 * section of finder would.
 */
static void
make_pred_finder(pf_pred *out, uint8_t finder, pf_pred_region *regions,
    size_t nregions, const pf_pred_break *breaks, size_t nbreaks,
    uint64_t old_size, pf_buf *body)
{
	pf_pred p = { .lo = LO, .hi = HI, .regions = regions,
		.nregions = nregions, .breaks = (pf_pred_break *)breaks,
		.nbreaks = nbreaks, .finder = finder };
	pf_err err;

	pf_buf_init(body);
	pf_pred_write(&p, body);
	ck_assert(!body->failed);
	ck_assert_int_eq(pf_pred_parse_finder(out, finder, body->data,
	    body->len, old_size, &err), PF_OK);
}

/* The same for finder 1. */
static void
make_pred(pf_pred *out, pf_pred_region *regions, size_t nregions,
    const pf_pred_break *breaks, size_t nbreaks, uint64_t old_size,
    pf_buf *body)
{
	make_pred_finder(out, PF_PRED_FINDER_X86_64, regions, nregions, breaks,
	    nbreaks, old_size, body);
}

static void
put32(uint8_t *p, uint32_t v)
{
	pf_store_le32(p, v);
}

START_TEST(test_code)
{
	pf_pred_region r = { PF_PRED_CODE, 0, 64, 0x1000, 0 };
	uint8_t b[64];
	pf_pred p;
	pf_buf body;

	memset(b, 0x90, sizeof b);
	/* call 0x1180 */
	b[0] = 0xe8; put32(b + 1, 0x1180 - 0x1005);
	/* mov rax, [rip + to 0x1280] */
	b[5] = 0x48; b[6] = 0x8b; b[7] = 0x05; put32(b + 8, 0x1280 - 0x100c);
	/* mov dword [rip + to 0x1180], 0x12345678: the anchor is after imm */
	b[12] = 0xc7; b[13] = 0x05; put32(b + 14, 0x1180 - 0x1016);
	put32(b + 18, 0x12345678);
	/* call far outside the image: not a reference */
	b[22] = 0xe8; put32(b + 23, 0x7f000000);
	/* jne 0x1280 */
	b[27] = 0x0f; b[28] = 0x85; put32(b + 29, 0x1280 - 0x1021);
	/* mov word [rip + to 0x1180], 0xbeef (o16: a 2-byte immediate) */
	b[33] = 0x66; b[34] = 0xc7; b[35] = 0x05; put32(b + 36, 0x1180 - 0x102a);
	b[40] = 0xef; b[41] = 0xbe;
	/* vmovdqa xmm0, [rip + to 0x1180] (VEX, map 1) */
	b[44] = 0xc5; b[45] = 0xf9; b[46] = 0x6f; b[47] = 0x05;
	put32(b + 48, 0x1180 - 0x1034);

	make_pred(&p, &r, 1, test_breaks, 2, sizeof b, &body);
	pf_pred_page(&p, 0, b, sizeof b);
	ck_assert_uint_eq(pf_load_le32(b + 1), 0x11a0 - 0x1005);
	ck_assert_uint_eq(pf_load_le32(b + 8), 0x12c0 - 0x100c);
	ck_assert_uint_eq(pf_load_le32(b + 14), 0x11a0 - 0x1016);
	ck_assert_uint_eq(pf_load_le32(b + 18), 0x12345678);
	ck_assert_uint_eq(pf_load_le32(b + 23), 0x7f000000);
	ck_assert_uint_eq(pf_load_le32(b + 29), 0x12c0 - 0x1021);
	ck_assert_uint_eq(pf_load_le32(b + 36), 0x11a0 - 0x102a);
	ck_assert_uint_eq(pf_load_le16(b + 40), 0xbeef);
	ck_assert_uint_eq(pf_load_le32(b + 48), 0x11a0 - 0x1034);
	ck_assert_uint_eq(b[52], 0x90);
	pf_pred_free(&p);
	pf_buf_free(&body);
}
END_TEST

START_TEST(test_map)
{
	pf_pred_region r = { PF_PRED_PTR64, 0, 8, 0x1000, 0 };
	pf_pred p;
	pf_buf body;

	make_pred(&p, &r, 1, test_breaks, 2, 8, &body);
	ck_assert_uint_eq(pf_pred_map(&p, 0x10ff), 0x10ff);
	ck_assert_uint_eq(pf_pred_map(&p, 0x1100), 0x1120);
	ck_assert_uint_eq(pf_pred_map(&p, 0x11ff), 0x121f);
	ck_assert_uint_eq(pf_pred_map(&p, 0x1200), 0x1240);
	ck_assert_uint_eq(pf_pred_map(&p, 0xffff), 0x1003f);
	pf_pred_free(&p);
	pf_buf_free(&body);
}
END_TEST

/* Section 10.3 by a plain walk over the breaks: what the index must give. */
static uint64_t
map_walk(const pf_pred *p, uint64_t addr)
{
	uint64_t out = addr;
	size_t i;

	for (i = 0; i < p->nbreaks && p->breaks[i].addr <= addr; i++)
		out = addr + p->breaks[i].delta;
	return out;
}

/*
 * The index of the breaks (pf_pred_parse) gives what the walk gives: at
 * and beside every break, at bucket edges and the image's, outside it,
 * for breaks clustered in one bucket, spread, and outside the image, and
 * for an image spanning nearly all addresses.
 */
START_TEST(test_map_index)
{
	static const struct {
		uint64_t lo, hi;
	} images[] = {
		{ 0x1000, 0x10000 }, { 0, 0x7000000 }, { 0x400000, 0x400100 },
		{ 0x10, UINT64_MAX - 5 }
	};
	pf_pred_break br[300];
	pf_pred_region r = { PF_PRED_PTR64, 0, 8, 0, 0 };
	uint64_t seed = 12345, a, probe[8];
	size_t im, n, i, j, k;
	pf_err err;
	pf_buf body;
	pf_pred q, p;

	for (im = 0; im < sizeof images / sizeof images[0]; im++) {
		for (n = 1; n <= 300; n += n < 20 ? 1 : 47) {
			uint64_t span = images[im].hi - images[im].lo;

			/* Strictly increasing; some below lo or past hi. */
			a = images[im].lo - (im % 2 ? 0 : 0x40);
			for (i = 0; i < n; i++) {
				seed = seed * 6364136223846793005u +
				    1442695040888963407u;
				if (n % 3 == 0)
					a += 1 + (seed >> 60);  /* clustered */
				else
					a += 1 + (seed >> 33) % (span / n + 1);
				br[i] = (pf_pred_break){ a, seed >> 20 };
			}
			p = (pf_pred){ .lo = images[im].lo,
				.hi = images[im].hi, .regions = &r,
				.nregions = 1, .breaks = br, .nbreaks = n,
				.finder = PF_PRED_FINDER_X86_64 };
			pf_buf_init(&body);
			pf_pred_write(&p, &body);
			ck_assert(!body.failed);
			ck_assert_int_eq(pf_pred_parse_finder(&q,
			    PF_PRED_FINDER_X86_64, body.data, body.len, 8,
			    &err), PF_OK);
			ck_assert(n < 8 || q.bucket != NULL);
			for (i = 0; i < n; i++) {
				probe[0] = br[i].addr - 1;
				probe[1] = br[i].addr;
				probe[2] = br[i].addr + 1;
				k = (q.nbuckets ? i % q.nbuckets : 0);
				probe[3] = q.lo + ((uint64_t)k << q.bucket_shift);
				probe[4] = probe[3] - 1;
				probe[5] = q.lo - 1;
				probe[6] = q.hi;
				probe[7] = q.hi - 1;
				for (j = 0; j < 8; j++)
					ck_assert_uint_eq(pf_pred_map(&q,
					    probe[j]), map_walk(&q, probe[j]));
			}
			ck_assert_uint_eq(pf_pred_map(&q, 0), map_walk(&q, 0));
			ck_assert_uint_eq(pf_pred_map(&q, UINT64_MAX),
			    map_walk(&q, UINT64_MAX));
			pf_pred_free(&q);
			pf_buf_free(&body);
		}
	}
}
END_TEST

/*
 * Section 10.6: an FDE's pc_begin moves with the code it covers, and in
 * an EHFRAME_LSDA region its LSDA pointer (4 bytes of augmentation data)
 * with the table it points to, and its CIE pointer with what lies
 * between it and its CIE; EHFRAME leaves both as they are, and
 * EHFRAME_LSDA the LSDA pointer where the augmentation data is not 4
 * bytes long.
 */
START_TEST(test_ehframe_lsda)
{
	uint8_t kinds[] = { PF_PRED_EHFRAME, PF_PRED_EHFRAME_LSDA };
	pf_pred_region r[2] = {
		{ PF_PRED_EHFRAME, 0, 0x60, 0x1000, 0 },
		{ PF_PRED_CODE, 0x100, 0x100, 0x1100, 0 }
	};
	uint8_t b[0x200];
	uint32_t pc = 0x1150 - 0x101c, lsda = 0x1280 - 0x1025;
	pf_pred p;
	pf_buf body;
	size_t k;

	for (k = 0; k < 2; k++) {
		memset(b, 0, sizeof b);
		put32(b, 16);                   /* CIE: len, id 0, version 1 */
		b[8] = 1;
		put32(b + 20, 28);              /* FDE at 20, its CIE 24 back */
		put32(b + 24, 24);
		put32(b + 28, pc);              /* pc_begin */
		put32(b + 32, 0x40);            /* pc_range */
		b[36] = 4;                      /* augmentation length */
		put32(b + 37, lsda);            /* LSDA pointer */
		put32(b + 52, 28);              /* FDE at 52: no LSDA */
		put32(b + 56, 56);
		put32(b + 60, 0x1150 - 0x103c);
		put32(b + 69, lsda);            /* not a field: length 0 */
		r[0].kind = kinds[k];
		make_pred(&p, r, 2, test_breaks, 2, sizeof b, &body);
		pf_pred_page(&p, 0, b, sizeof b);
		ck_assert_uint_eq(pf_load_le32(b + 28), pc + 0x20);
		ck_assert_uint_eq(pf_load_le32(b + 60), 0x1150 - 0x103c + 0x20);
		ck_assert_uint_eq(pf_load_le32(b + 37),
		    k == 1 ? lsda + 0x40 : lsda);
		ck_assert_uint_eq(pf_load_le32(b + 69), lsda);
		ck_assert_uint_eq(pf_load_le32(b + 24), 24);
		ck_assert_uint_eq(pf_load_le32(b + 56), 56);
		pf_pred_free(&p);
		pf_buf_free(&body);
		/*
		 * The same records where a break (0x1100: +0x20) falls
		 * between the CIE and the FDE: in EHFRAME_LSDA the CIE
		 * pointer grows by what the map puts between them.
		 */
		memset(b, 0, sizeof b);
		put32(b, 16);
		b[8] = 1;
		put32(b + 20, 28);
		put32(b + 24, 24);
		put32(b + 28, 0x1150 - (0x10f0 + 28));
		r[0].vaddr = 0x10f0;
		make_pred(&p, r, 2, test_breaks, 2, sizeof b, &body);
		pf_pred_page(&p, 0, b, sizeof b);
		ck_assert_uint_eq(pf_load_le32(b + 24), k == 1 ? 24 + 0x20 : 24);
		ck_assert_uint_eq(pf_load_le32(b + 28), 0x1150 - (0x10f0 + 28));
		r[0].vaddr = 0x1000;
		pf_pred_free(&p);
		pf_buf_free(&body);
	}
}
END_TEST

START_TEST(test_tables)
{
	pf_pred_region r[] = {
		{ PF_PRED_PTR64, 0, 16, 0x3000, 0 },
		{ PF_PRED_RELA, 16, 48, 0x3010, 0 },
		{ PF_PRED_DYN, 64, 32, 0x3040, 0 },
		{ PF_PRED_SYM, 96, 48, 0, 0 },
		{ PF_PRED_EHTAB, 144, 8, 0x1008, -8 },
	};
	uint8_t b[152] = { 0 };
	pf_pred p;
	pf_buf body;

	pf_store_le64(b + 0, 0x1180);           /* moves */
	pf_store_le64(b + 8, 0x50);             /* outside the image */
	pf_store_le64(b + 16, 0x1180);          /* RELATIVE: both move */
	pf_store_le64(b + 24, 8);
	pf_store_le64(b + 32, 0x1280);
	pf_store_le64(b + 40, 0x1180);          /* GLOB_DAT: offset only */
	pf_store_le64(b + 48, 6 | (UINT64_C(3) << 32));
	pf_store_le64(b + 56, 0x1280);
	pf_store_le64(b + 64, 5);               /* DT_STRTAB: an address */
	pf_store_le64(b + 72, 0x1180);
	pf_store_le64(b + 80, 10);              /* DT_STRSZ: a size */
	pf_store_le64(b + 88, 0x1180);
	pf_store_le16(b + 96 + 6, 12);          /* defined symbol */
	pf_store_le64(b + 96 + 8, 0x1280);
	pf_store_le16(b + 120 + 6, 0);          /* undefined symbol */
	pf_store_le64(b + 120 + 8, 0x1280);
	put32(b + 144, 0x1180 - 0x1000);        /* from the base 0x1000 */
	put32(b + 148, 0x1280 - 0x1000);

	make_pred(&p, r, 5, test_breaks, 2, sizeof b, &body);
	pf_pred_page(&p, 0, b, sizeof b);
	ck_assert_uint_eq(pf_load_le64(b + 0), 0x11a0);
	ck_assert_uint_eq(pf_load_le64(b + 8), 0x50);
	ck_assert_uint_eq(pf_load_le64(b + 16), 0x11a0);
	ck_assert_uint_eq(pf_load_le64(b + 32), 0x12c0);
	ck_assert_uint_eq(pf_load_le64(b + 40), 0x11a0);
	ck_assert_uint_eq(pf_load_le64(b + 56), 0x1280);
	ck_assert_uint_eq(pf_load_le64(b + 72), 0x11a0);
	ck_assert_uint_eq(pf_load_le64(b + 88), 0x1180);
	ck_assert_uint_eq(pf_load_le64(b + 104), 0x12c0);
	ck_assert_uint_eq(pf_load_le64(b + 128), 0x1280);
	ck_assert_uint_eq(pf_load_le32(b + 144), 0x11a0 - 0x1000);
	ck_assert_uint_eq(pf_load_le32(b + 148), 0x12c0 - 0x1000);
	pf_pred_free(&p);
	pf_buf_free(&body);
}
END_TEST

/* "lea r64, [rip + disp32]" at b[at], naming target from vaddr va. */
static void
put_lea(uint8_t *b, size_t at, uint8_t rex, uint8_t modrm, uint64_t va,
    uint64_t target)
{
	b[at] = rex;
	b[at + 1] = 0x8d;
	b[at + 2] = modrm;
	put32(b + at + 3, (uint32_t)(target - (va + at + 7)));
}

/*
 * Section 10.5.1: jump tables found from the code's lea, their entries
 * moved as their targets and their start; a table ends at the first
 * entry whose target is not code, at the next table, at its region's
 * end; a lea to an address not 4-aligned, or outside every JUMPTAB
 * region, names no table.
 */
START_TEST(test_jump_tables)
{
	pf_pred_region r[] = {
		{ PF_PRED_CODE, 0, 0x800, 0x1000, 0 },
		{ PF_PRED_JUMPTAB, 0x1000, 0x100, 0x2000, 0 },
	};
	static uint8_t old[0x1200], b[0x1200];
	static const uint32_t targets[] = { 0x1050, 0x1150, 0x1250, 0x1150 };
	pf_source src;
	pf_pred p;
	pf_buf body;
	pf_err err;
	size_t i, off;

	memset(old, 0x90, 0x800);
	memset(old + 0x800, 0, sizeof old - 0x800);
	put_lea(old, 0x10, 0x48, 0x05, 0x1000, 0x2000);  /* rax: table A */
	put_lea(old, 0x30, 0x4c, 0x0d, 0x1000, 0x2010);  /* r9: table B */
	put_lea(old, 0x50, 0x48, 0x15, 0x1000, 0x2031);  /* not aligned */
	put_lea(old, 0x70, 0x48, 0x1d, 0x1000, 0x2080);  /* data, not code */
	put_lea(old, 0x90, 0x48, 0x35, 0x1000, 0x20f8);  /* table C */
	put_lea(old, 0xb0, 0x48, 0x05, 0x1000, 0x1100);  /* code itself */
	put_lea(old, 0xd0, 0x48, 0x05, 0x1000, 0x2000);  /* A again */
	for (i = 0; i < 4; i++)                         /* A: 4 entries */
		put32(old + 0x1000 + 4 * i, targets[i] - 0x2000);
	put32(old + 0x1010, 0x1250 - 0x2010);           /* B: 1 entry */
	put32(old + 0x1014, 0x5000 - 0x2010);           /* B ends here */
	put32(old + 0x1018, 0x1250 - 0x2010);           /* after B */
	put32(old + 0x1030, 0x1050 - 0x2031);
	put32(old + 0x1080, 0x2000 - 0x2080);           /* a target in data */
	put32(old + 0x10f8, 0x1150 - 0x20f8);           /* C: 2 entries */
	put32(old + 0x10fc, 0x1250 - 0x20f8);
	put32(old + 0x1100, 0x1250 - 0x20f8);           /* past the region */

	make_pred(&p, r, 2, test_breaks, 2, sizeof old, &body);
	pf_source_from_mem(&src, old, sizeof old);
	ck_assert_int_eq(pf_pred_find_tables(&p, &src, &err), PF_OK);
	ck_assert_uint_eq(p.ntables, 3);
	ck_assert_uint_eq(p.tables[0].vaddr, 0x2000);
	ck_assert_uint_eq(p.tables[0].count, 4);
	ck_assert_uint_eq(p.tables[1].vaddr, 0x2010);
	ck_assert_uint_eq(p.tables[1].count, 1);
	ck_assert_uint_eq(p.tables[2].vaddr, 0x20f8);
	ck_assert_uint_eq(p.tables[2].count, 2);
	memcpy(b, old, sizeof b);
	for (off = 0; off < sizeof b; off += PF_PRED_PAGE)
		pf_pred_page(&p, off, b + off, sizeof b - off < PF_PRED_PAGE ?
		    sizeof b - off : PF_PRED_PAGE);
	/* The tables move by 0x40; targets by 0, 0x20 and 0x40. */
	ck_assert_uint_eq(pf_load_le32(b + 0x1000), (uint32_t)(0x1050 - 0x2040));
	ck_assert_uint_eq(pf_load_le32(b + 0x1004), (uint32_t)(0x1170 - 0x2040));
	ck_assert_uint_eq(pf_load_le32(b + 0x1008), (uint32_t)(0x1290 - 0x2040));
	ck_assert_uint_eq(pf_load_le32(b + 0x100c), (uint32_t)(0x1170 - 0x2040));
	ck_assert_uint_eq(pf_load_le32(b + 0x1010), (uint32_t)(0x1290 - 0x2050));
	ck_assert(memcmp(b + 0x1014, old + 0x1014, 0x10f8 - 0x1014) == 0);
	ck_assert_uint_eq(pf_load_le32(b + 0x10f8), (uint32_t)(0x1170 - 0x2138));
	ck_assert_uint_eq(pf_load_le32(b + 0x10fc), (uint32_t)(0x1290 - 0x2138));
	ck_assert(memcmp(b + 0x1100, old + 0x1100, 0x100) == 0);
	pf_pred_free(&p);
	pf_buf_free(&body);
}
END_TEST

/*
 * Section 10.5.1: the finder reads the code 64 KiB at a time, each chunk
 * after the first starting 6 bytes before the last one's end: an
 * instruction that ends its chunk, one that starts the next (across
 * the boundary) and the last of the region are found.  More than
 * PF_PRED_TABLES_MAX candidates, and none is a table.
 */
START_TEST(test_jump_tables_chunks)
{
	const size_t code = 0x80000, tab = 0x50000;
	pf_pred_region r[] = {
		{ PF_PRED_CODE, 0, 0, 0x100000, 0 },
		{ PF_PRED_JUMPTAB, 0, 0, 0x200000, 0 },
	};
	pf_pred_break br[] = { { 0x100000, 0x10 } };
	uint8_t *old = malloc(code + tab);
	size_t at[] = { 0, 0x8000, 0x10000 - 7, 0x1fff4, code - 7 }, i;
	pf_pred q = { .lo = 0x100000, .hi = 0x300000, .regions = r,
		.nregions = 2, .breaks = br, .nbreaks = 1,
		.finder = PF_PRED_FINDER_X86_64 };
	pf_source src;
	pf_pred p;
	pf_buf body;
	pf_err err;

	ck_assert_ptr_nonnull(old);
	r[0].size = code;
	r[1].off = code;
	r[1].size = tab;
	memset(old, 0x90, code);
	/* Every entry names code, whichever table it is read from. */
	for (i = 0; i < tab; i += 4)
		put32(old + code + i, (uint32_t)(0x100100 - 0x200000));
	for (i = 0; i < sizeof at / sizeof at[0]; i++)
		put_lea(old, at[i], 0x48, 0x05, 0x100000, 0x200000 + 8 * i);
	pf_buf_init(&body);
	pf_pred_write(&q, &body);
	ck_assert_int_eq(pf_pred_parse_finder(&p, PF_PRED_FINDER_X86_64,
	    body.data, body.len, code + tab, &err), PF_OK);
	pf_source_from_mem(&src, old, code + tab);
	ck_assert_int_eq(pf_pred_find_tables(&p, &src, &err), PF_OK);
	ck_assert_uint_eq(p.ntables, sizeof at / sizeof at[0]);
	for (i = 0; i < p.ntables; i++) {
		ck_assert_uint_eq(p.tables[i].vaddr, 0x200000 + 8 * i);
		/* Up to the next table; the last one to its region's end. */
		ck_assert_uint_eq(p.tables[i].count, i + 1 < p.ntables ? 2 :
		    (tab - 8 * i) / 4);
	}
	pf_pred_free(&p);
	/*
	 * A lea every 7 bytes, 74,898 of them, naming 1024 addresses: made
	 * distinct when 65,537 have gathered, they are 1024 tables.
	 */
	for (i = 0; i + 7 <= code; i += 7)
		put_lea(old, i, 0x48, 0x05, 0x100000,
		    0x200000 + 4 * (i / 7 % 1024));
	ck_assert_int_eq(pf_pred_parse_finder(&p, PF_PRED_FINDER_X86_64,
	    body.data, body.len, code + tab, &err), PF_OK);
	ck_assert_int_eq(pf_pred_find_tables(&p, &src, &err), PF_OK);
	ck_assert_uint_eq(p.ntables, 1024);
	ck_assert_uint_eq(p.tables[1023].vaddr, 0x200000 + 4 * 1023);
	pf_pred_free(&p);
	/* A lea every 7 bytes: 74,898 addresses, 65,536 at most. */
	for (i = 0; i + 7 <= code; i += 7)
		put_lea(old, i, 0x48, 0x05, 0x100000, 0x200000 + 4 * (i / 7));
	ck_assert_int_eq(pf_pred_parse_finder(&p, PF_PRED_FINDER_X86_64,
	    body.data, body.len, code + tab, &err), PF_OK);
	ck_assert_int_eq(pf_pred_find_tables(&p, &src, &err), PF_OK);
	ck_assert_uint_eq(p.ntables, 0);
	pf_pred_free(&p);
	pf_buf_free(&body);
	free(old);
}
END_TEST

/* An instruction across a page boundary is left; the source agrees. */
START_TEST(test_pages)
{
	pf_pred_region r = { PF_PRED_CODE, 0, 3 * PF_PRED_PAGE, 0x1000, 0 };
	size_t n = 3 * PF_PRED_PAGE, off, k;
	uint8_t *b = calloc(1, n), *want = malloc(n), *got = malloc(n);
	pf_source old, src;
	pf_pred_src *ps;
	pf_pred p;
	pf_buf body;
	pf_err err;

	ck_assert(b && want && got);
	memset(b, 0x90, n);
	/* Calls from 0x1ffe and 0x2004 (moved by 0x40) to 0x1180 (0x20). */
	b[4094] = 0xe8; put32(b + 4095, 0x1180 - 0x2003);
	b[4100] = 0xe8; put32(b + 4101, 0x1180 - 0x2009);
	make_pred(&p, &r, 1, test_breaks, 2, n, &body);
	memcpy(want, b, n);
	for (off = 0; off < n; off += PF_PRED_PAGE)
		pf_pred_page(&p, off, want + off, PF_PRED_PAGE);
	ck_assert_uint_eq(pf_load_le32(want + 4095), (uint32_t)(0x1180 - 0x2003));
	ck_assert_uint_eq(pf_load_le32(want + 4101), (uint32_t)(0x11a0 - 0x2049));
	pf_source_from_mem(&old, b, n);
	ck_assert_int_eq(pf_pred_src_new(&ps, &p, &old, &src, &err), PF_OK);
	/* Odd pieces, backwards, so pages are computed again and again. */
	for (off = n; off > 0; off -= k) {
		k = off < 777 ? off : 777;
		ck_assert_int_eq(src.read_at(src.opaque, off - k,
		    got + off - k, k, &err), PF_OK);
	}
	ck_assert(memcmp(got, want, n) == 0);
	pf_pred_src_free(ps);
	pf_pred_free(&p);
	pf_buf_free(&body);
	free(b);
	free(want);
	free(got);
}
END_TEST

/* A source over memory that counts its reads and can be told to fail. */
typedef struct counted {
	const uint8_t *b;
	size_t reads;
	uint64_t fail_at;       /* a read at this offset fails; 0: none */
} counted;

static pf_ret
counted_read_at(void *opaque, uint64_t off, void *p, size_t n, pf_err *err)
{
	counted *c = opaque;

	c->reads++;
	if (c->fail_at != 0 && off <= c->fail_at && c->fail_at < off + n)
		return pf_err_set(err, PF_ERR_IO, "injected read failure");
	memcpy(p, c->b + off, n);
	return PF_OK;
}

/*
 * More pages than the source keeps, with a short last page: read in
 * order (pages come 16 to a read), backwards, at random, and in order
 * again over pages it still keeps, the prediction is the same; a failed
 * read is reported and leaves nothing half read behind.
 */
START_TEST(test_pages_order)
{
	size_t np = 700, n = np * PF_PRED_PAGE - 1000, off, k, i;
	pf_pred_region r = { PF_PRED_CODE, 0, n, 0x1000, 0 };
	uint8_t *b = malloc(n), *want = malloc(n), *got = malloc(n);
	counted c = { 0 };
	pf_source old, src;
	pf_pred_src *ps;
	pf_pred p;
	pf_buf body;
	pf_err err;
	uint64_t x = 12345;

	ck_assert(b && want && got);
	/* Calls everywhere, to targets across the map's breaks. */
	for (i = 0; i + 5 <= n; i += 5) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		b[i] = 0xe8;
		put32(b + i + 1, (uint32_t)(0x1180 - (0x1000 + i + 5) +
		    (x >> 40) % 64));
	}
	memset(b + i, 0x90, n - i);
	make_pred(&p, &r, 1, test_breaks, 2, n, &body);
	memcpy(want, b, n);
	for (off = 0; off < n; off += PF_PRED_PAGE)
		pf_pred_page(&p, off, want + off, n - off < PF_PRED_PAGE ?
		    n - off : PF_PRED_PAGE);
	ck_assert(memcmp(want, b, n) != 0);
	c.b = b;
	old = (pf_source){ counted_read_at, &c, n };
	ck_assert_int_eq(pf_pred_src_new(&ps, &p, &old, &src, &err), PF_OK);
	/* In order, in odd pieces: about one read per 16 pages. */
	memset(got, 0, n);
	for (off = 0; off < n; off += k) {
		k = n - off < 3000 ? n - off : 3000;
		ck_assert_int_eq(src.read_at(src.opaque, off, got + off, k,
		    &err), PF_OK);
	}
	ck_assert(memcmp(got, want, n) == 0);
	ck_assert_uint_le(c.reads, np / 16 + 2 * (np / 512 + 1));
	/* Backwards and at random. */
	memset(got, 0, n);
	for (off = n; off > 0; off -= k) {
		k = off < 5000 ? off : 5000;
		ck_assert_int_eq(src.read_at(src.opaque, off - k,
		    got + off - k, k, &err), PF_OK);
	}
	ck_assert(memcmp(got, want, n) == 0);
	for (i = 0; i < 2000; i++) {
		uint8_t one[700];

		x = x * 6364136223846793005u + 1442695040888963407u;
		off = (size_t)((x >> 20) % n);
		k = n - off < sizeof one ? n - off : sizeof one;
		ck_assert_int_eq(src.read_at(src.opaque, off, one, k, &err),
		    PF_OK);
		ck_assert(memcmp(one, want + off, k) == 0);
	}
	/* A failed read, then the same bytes again once it succeeds. */
	c.fail_at = 100 * PF_PRED_PAGE + 7;
	ck_assert_int_eq(src.read_at(src.opaque, 100 * PF_PRED_PAGE - 10,
	    got, 100, &err), PF_ERR_IO);
	c.fail_at = 0;
	ck_assert_int_eq(src.read_at(src.opaque, 100 * PF_PRED_PAGE - 10,
	    got, 100, &err), PF_OK);
	ck_assert(memcmp(got, want + 100 * PF_PRED_PAGE - 10, 100) == 0);
	pf_pred_src_free(ps);
	pf_pred_free(&p);
	pf_buf_free(&body);
	free(b);
	free(want);
	free(got);
}
END_TEST

/*
 * Finder 2 (section 10.9): the words w, rewritten as a decoder would,
 * with the map br.  With va NULL they are one CODE region from 0x1000;
 * otherwise each word is its own region, at address va[i].
 */
static void
a64_run(uint32_t *w, const uint64_t *va, size_t n, const pf_pred_break *br,
    size_t nbr)
{
	pf_pred_region r[64];
	uint8_t b[64 * 4];
	pf_pred p;
	pf_buf body;
	size_t i, nr = va ? n : 1;

	ck_assert(n <= 64);
	for (i = 0; i < n; i++)
		put32(b + 4 * i, w[i]);
	for (i = 0; i < nr; i++)
		r[i] = (pf_pred_region){ PF_PRED_CODE, va ? 4 * i : 0,
			va ? 4 : 4 * n, va ? va[i] : 0x1000, 0 };
	make_pred_finder(&p, PF_PRED_FINDER_AARCH64, r, nr, br, nbr, 4 * n,
	    &body);
	pf_pred_page(&p, 0, b, 4 * n);
	for (i = 0; i < n; i++)
		w[i] = pf_load_le32(b + 4 * i);
	pf_pred_free(&p);
	pf_buf_free(&body);
}

/* A field of bits bits at bit lsb set to v (two's complement). */
static uint32_t
a64_field(uint32_t op, unsigned lsb, unsigned bits, int64_t v)
{
	return op | (uint32_t)(((uint64_t)v & ((UINT64_C(1) << bits) - 1)) <<
	    lsb);
}

/* ADR or ADRP (op) with the 21-bit immhi:immlo v. */
static uint32_t
a64_adr(uint32_t op, int64_t v)
{
	uint32_t u = (uint32_t)((uint64_t)v & 0x1fffff);

	return op | ((u & 3) << 29) | ((u >> 2) << 5);
}

#define A64_NOP 0xd503201fu
#define A64_BL 0x94000000u
#define A64_B 0x14000000u
#define A64_BNE 0x54000001u
#define A64_CBZ_X3 0xb4000003u
#define A64_TBNZ_W2_5 0x37280002u
#define A64_LDR_X1_LIT 0x58000001u
#define A64_ADR_X0 0x10000000u
#define A64_ADRP 0x90000000u

/* Each branch and literal form, forwards and backwards, with the map of
 * the other tests (0x1100 on moves by 0x20, 0x1200 on by 0x40). */
START_TEST(test_a64_forms)
{
	static const uint64_t va[] = { 0x1000, 0x1210, 0x1008, 0x100c,
		0x1010, 0x1014, 0x1018, 0x101c, 0x1220, 0x1224, 0x1228 };
	uint32_t w[] = {
		a64_field(A64_BL, 0, 26, (0x1180 - 0x1000) / 4),
		a64_field(A64_B, 0, 26, (0x1180 - 0x1210) / 4),
		a64_field(A64_BNE, 5, 19, (0x1280 - 0x1008) / 4),
		a64_field(A64_CBZ_X3, 5, 19, (0x1180 - 0x100c) / 4),
		a64_field(A64_TBNZ_W2_5, 5, 14, (0x1180 - 0x1010) / 4),
		a64_field(A64_LDR_X1_LIT, 5, 19, (0x1280 - 0x1014) / 4),
		a64_adr(A64_ADR_X0, 0x1181 - 0x1018),
		/* BL below the image: not a reference. */
		a64_field(A64_BL, 0, 26, -(0x101c - 0x800) / 4),
		/* Backwards across the moves: B.cond, CBZ, ADR. */
		a64_field(A64_BNE, 5, 19, (0x1004 - 0x1220) / 4),
		a64_field(A64_CBZ_X3, 5, 19, (0x1104 - 0x1224) / 4),
		a64_adr(A64_ADR_X0, 0x1103 - 0x1228),
	};

	a64_run(w, va, 11, test_breaks, 2);
	ck_assert_uint_eq(w[0], a64_field(A64_BL, 0, 26, (0x11a0 - 0x1000) / 4));
	ck_assert_uint_eq(w[1], a64_field(A64_B, 0, 26, (0x11a0 - 0x1250) / 4));
	ck_assert_uint_eq(w[2], a64_field(A64_BNE, 5, 19,
	    (0x12c0 - 0x1008) / 4));
	ck_assert_uint_eq(w[3], a64_field(A64_CBZ_X3, 5, 19,
	    (0x11a0 - 0x100c) / 4));
	ck_assert_uint_eq(w[4], a64_field(A64_TBNZ_W2_5, 5, 14,
	    (0x11a0 - 0x1010) / 4));
	ck_assert_uint_eq(w[5], a64_field(A64_LDR_X1_LIT, 5, 19,
	    (0x12c0 - 0x1014) / 4));
	ck_assert_uint_eq(w[6], a64_adr(A64_ADR_X0, 0x11a1 - 0x1018));
	ck_assert_uint_eq(w[7], a64_field(A64_BL, 0, 26,
	    -(0x101c - 0x800) / 4));
	ck_assert_uint_eq(w[8], a64_field(A64_BNE, 5, 19,
	    (0x1004 - 0x1260) / 4));
	ck_assert_uint_eq(w[9], a64_field(A64_CBZ_X3, 5, 19,
	    (0x1124 - 0x1264) / 4));
	ck_assert_uint_eq(w[10], a64_adr(A64_ADR_X0, 0x1123 - 0x1268));
}
END_TEST

/*
 * Each field at its limits: from 0x1000 forwards to 0x8000 and from
 * 0x8004 backwards to 0x1000 the new offset is the largest and the
 * smallest that fits; one word further it does not fit, and the word is
 * left as it was.
 */
static void
a64_limit(uint32_t op, unsigned lsb, unsigned bits)
{
	uint64_t d = 0x1000 + ((UINT64_C(1) << (bits - 1)) - 1) * 4 - 0x8000;
	const pf_pred_break br[] = { { 0x8000, d } };
	static const uint64_t va[] = { 0x1000, 0x1000, 0x8004, 0x8008 };
	uint32_t w[] = {
		a64_field(op, lsb, bits, (0x8000 - 0x1000) / 4),
		a64_field(op, lsb, bits, (0x8004 - 0x1000) / 4),
		a64_field(op, lsb, bits, -(0x8004 - 0x1000) / 4),
		a64_field(op, lsb, bits, -(0x8008 - 0x1000) / 4),
	};
	uint32_t want[] = {
		a64_field(op, lsb, bits, (INT64_C(1) << (bits - 1)) - 1),
		w[1],
		a64_field(op, lsb, bits, -(INT64_C(1) << (bits - 1))),
		w[3],
	};

	a64_run(w, va, 4, br, 1);
	ck_assert_uint_eq(w[0], want[0]);
	ck_assert_uint_eq(w[1], want[1]);
	ck_assert_uint_eq(w[2], want[2]);
	ck_assert_uint_eq(w[3], want[3]);
}

START_TEST(test_a64_limits)
{
	/* ADR counts bytes: 2^20 - 1 forwards, -2^20 backwards. */
	const pf_pred_break br[] = { { 0x8000, 0xf8fff } };
	static const uint64_t va[] = { 0x1000, 0x1000, 0x8004, 0x8004 };
	uint32_t w[] = {
		a64_adr(A64_ADR_X0, 0x8000 - 0x1000),
		a64_adr(A64_ADR_X0, 0x8001 - 0x1000),
		a64_adr(A64_ADR_X0, 0x1003 - 0x8004),
		a64_adr(A64_ADR_X0, 0x1002 - 0x8004),
	};
	/* A map that moves by 2: no branch can follow it. */
	const pf_pred_break odd[] = { { 0x1100, 2 } };
	uint32_t b = a64_field(A64_BL, 0, 26, (0x1180 - 0x1000) / 4), b0 = b;

	a64_limit(A64_BL, 0, 26);
	a64_limit(A64_B, 0, 26);
	a64_limit(A64_BNE, 5, 19);
	a64_limit(A64_CBZ_X3, 5, 19);
	a64_limit(A64_LDR_X1_LIT, 5, 19);
	a64_limit(A64_TBNZ_W2_5, 5, 14);
	a64_run(w, va, 4, br, 1);
	ck_assert_uint_eq(w[0], a64_adr(A64_ADR_X0, 0xfffff));
	ck_assert_uint_eq(w[1], a64_adr(A64_ADR_X0, 0x8001 - 0x1000));
	ck_assert_uint_eq(w[2], a64_adr(A64_ADR_X0, -0x100000));
	ck_assert_uint_eq(w[3], a64_adr(A64_ADR_X0, 0x1002 - 0x8004));
	a64_run(&b, NULL, 1, odd, 1);
	ck_assert_uint_eq(b, b0);
}
END_TEST

/*
 * ADRP at its limits: 0x3000 on moves by 0xffffd000, so that from 0x1000
 * the page 0x3000 becomes 2^20 - 1 pages on and 0x4000 2^20 (no fit);
 * from 0x4000 the page 0x1000 is -2^20 pages off, from 0x5000 -2^20 - 1.
 */
START_TEST(test_a64_adrp_limits)
{
	const pf_pred_break br[] = { { 0x3000, 0xffffd000 } };
	static const uint64_t va[] = { 0x1000, 0x1000, 0x4000, 0x5000 };
	uint32_t w[] = {
		a64_adr(A64_ADRP, 2), a64_adr(A64_ADRP, 3),
		a64_adr(A64_ADRP, -3), a64_adr(A64_ADRP, -4),
	};

	a64_run(w, va, 4, br, 1);
	ck_assert_uint_eq(w[0], a64_adr(A64_ADRP, (1 << 20) - 1));
	ck_assert_uint_eq(w[1], a64_adr(A64_ADRP, 3));
	ck_assert_uint_eq(w[2], a64_adr(A64_ADRP, -(1 << 20)));
	ck_assert_uint_eq(w[3], a64_adr(A64_ADRP, -4));
}
END_TEST

/* ADD Xd, Xn, #imm12 and LDR/STR (unsigned offset): Rt, Rn, imm12. */
static uint32_t
a64_lo12(uint32_t op, unsigned t, unsigned n, unsigned imm12)
{
	return op | imm12 << 10 | n << 5 | t;
}

#define A64_ADD 0x91000000u
#define A64_LDR_X 0xf9400000u           /* scale 3 */
#define A64_LDR_W 0xb9400000u           /* scale 2 */
#define A64_STRB 0x39000000u            /* scale 0 */
#define A64_LDR_Q 0x3dc00000u           /* scale 4 */

/*
 * Section 10.9.2: an ADRP and its partners.  Old 0x3000 on moved to
 * 0x5014: the page by 2 pages, the low 12 bits by 0x14.
 */
START_TEST(test_a64_adrp)
{
	const pf_pred_break br[] = { { 0x3000, 0x2014 },
		{ 0x7000, UINT64_C(1) << 33 } };
	uint32_t w[] = {
		/* 0x1000 */ a64_adr(A64_ADRP, 2),      /* x2 = 0x3000 */
		a64_lo12(A64_LDR_X, 3, 2, 0x18 / 8),    /* 0x502c: misaligned */
		a64_lo12(A64_LDR_W, 3, 2, 0x18 / 4),
		A64_NOP,
		a64_lo12(A64_ADD, 4, 2, 0x7f0),
		a64_lo12(A64_ADD, 6, 2, 0xff8),         /* 0x600c: no reach */
		a64_lo12(A64_STRB, 5, 2, 0x21),
		a64_lo12(A64_LDR_Q, 0, 2, 0x40 / 16),   /* 0x5054: misaligned */
		a64_lo12(A64_ADD, 2, 2, 0x10),          /* x2 changes: the end */
		/* 0x1024 */ a64_lo12(A64_LDR_X, 9, 2, 1),
		/* 0x1028: the partner is the ninth word after: none. */
		a64_adr(A64_ADRP, 2), A64_NOP, A64_NOP, A64_NOP, A64_NOP,
		A64_NOP, A64_NOP, A64_NOP, A64_NOP,
		a64_lo12(A64_ADD, 1, 10, 0x20),
		/* 0x1050: another ADRP of x11 ends the first one's search. */
		a64_adr(A64_ADRP, 2), a64_adr(A64_ADRP, 2),
		a64_lo12(A64_ADD, 11, 11, 0x30),
		/* 0x105c: a page 8 GiB away: out of reach, left alone. */
		a64_adr(A64_ADRP, 6), a64_lo12(A64_ADD, 12, 12, 0x30),
	};

	w[0] |= 2;
	w[10] |= 10;
	w[20] |= 11;
	w[21] |= 11;
	w[23] |= 12;
	a64_run(w, NULL, 25, br, 2);
	ck_assert_uint_eq(w[0], a64_adr(A64_ADRP, 4) | 2);
	ck_assert_uint_eq(w[1], a64_lo12(A64_LDR_X, 3, 2, 0x18 / 8));
	ck_assert_uint_eq(w[2], a64_lo12(A64_LDR_W, 3, 2, 0x2c / 4));
	ck_assert_uint_eq(w[4], a64_lo12(A64_ADD, 4, 2, 0x804));
	ck_assert_uint_eq(w[5], a64_lo12(A64_ADD, 6, 2, 0xff8));
	ck_assert_uint_eq(w[6], a64_lo12(A64_STRB, 5, 2, 0x35));
	ck_assert_uint_eq(w[7], a64_lo12(A64_LDR_Q, 0, 2, 0x40 / 16));
	ck_assert_uint_eq(w[8], a64_lo12(A64_ADD, 2, 2, 0x24));
	ck_assert_uint_eq(w[9], a64_lo12(A64_LDR_X, 9, 2, 1));
	/* Alone, by its page 0x3000 (now 0x5014): two pages further. */
	ck_assert_uint_eq(w[10], a64_adr(A64_ADRP, 4) | 10);
	ck_assert_uint_eq(w[19], a64_lo12(A64_ADD, 1, 10, 0x20));
	ck_assert_uint_eq(w[20], a64_adr(A64_ADRP, 4) | 11);
	ck_assert_uint_eq(w[21], a64_adr(A64_ADRP, 4) | 11);
	ck_assert_uint_eq(w[22], a64_lo12(A64_ADD, 11, 11, 0x44));
	ck_assert_uint_eq(w[23], a64_adr(A64_ADRP, 6) | 12);
	ck_assert_uint_eq(w[24], a64_lo12(A64_ADD, 12, 12, 0x30));
}
END_TEST

/*
 * Section 10.4 for finder 2: an ADRP in the last word of a page is
 * predicted alone, by its page, though its partner follows; a RELA
 * record names the AArch64 types.
 */
START_TEST(test_a64_page)
{
	const pf_pred_break br[] = { { 0x3000, 0x2014 } };
	pf_pred_region r[] = {
		{ PF_PRED_CODE, 0, 2 * PF_PRED_PAGE, 0x1000, 0 },
		{ PF_PRED_RELA, 2 * PF_PRED_PAGE, 48, 0x4000, 0 },
	};
	size_t n = 2 * PF_PRED_PAGE + 48, off;
	uint8_t *b = malloc(n);
	pf_pred p;
	pf_buf body;

	ck_assert(b != NULL);
	for (off = 0; off < 2 * PF_PRED_PAGE; off += 4)
		put32(b + off, A64_NOP);
	/* At 0x1ffc (page 0x1000): adrp x2, 0x3000; add x2, x2, #0x18. */
	put32(b + 4092, a64_adr(A64_ADRP, 2) | 2);
	put32(b + 4096, a64_lo12(A64_ADD, 2, 2, 0x18));
	pf_store_le64(b + n - 48, 0x3000);      /* R_AARCH64_RELATIVE */
	pf_store_le64(b + n - 40, 1027);
	pf_store_le64(b + n - 32, 0x3018);
	pf_store_le64(b + n - 24, 0x3000);      /* R_X86_64_RELATIVE */
	pf_store_le64(b + n - 16, 8);
	pf_store_le64(b + n - 8, 0x3018);
	make_pred_finder(&p, PF_PRED_FINDER_AARCH64, r, 2, br, 1, n, &body);
	pf_pred_page(&p, 0, b, PF_PRED_PAGE);
	pf_pred_page(&p, PF_PRED_PAGE, b + PF_PRED_PAGE, PF_PRED_PAGE);
	pf_pred_page(&p, 2 * PF_PRED_PAGE, b + 2 * PF_PRED_PAGE, 48);
	ck_assert_uint_eq(pf_load_le32(b + 4092), a64_adr(A64_ADRP, 4) | 2);
	ck_assert_uint_eq(pf_load_le32(b + 4096),
	    a64_lo12(A64_ADD, 2, 2, 0x18));
	ck_assert_uint_eq(pf_load_le64(b + n - 48), 0x5014);
	ck_assert_uint_eq(pf_load_le64(b + n - 32), 0x502c);
	ck_assert_uint_eq(pf_load_le64(b + n - 24), 0x5014);
	ck_assert_uint_eq(pf_load_le64(b + n - 8), 0x3018);
	pf_pred_free(&p);
	pf_buf_free(&body);
	free(b);
}
END_TEST

/*
 * Finder 2 over hostile regions: unaligned, shorter than a word, an
 * ADRP in the last whole word of a region, random words; whatever the
 * bytes, a word is rewritten only inside its region, and the finder
 * numbers other than 1 and 2 are unsupported.
 */
START_TEST(test_a64_hostile)
{
	pf_pred_region r[] = {
		{ PF_PRED_CODE, 1, 3, 0x1001, 0 },
		{ PF_PRED_CODE, 5, 8, 0x1005, 0 },
		{ PF_PRED_CODE, 13, 4, 0x100d, 0 },
		{ PF_PRED_CODE, 100, PF_PRED_PAGE - 98, 0x1064, 0 },
	};
	size_t n = PF_PRED_PAGE + 100, i;
	uint8_t *b = malloc(n), *keep = malloc(n);
	uint64_t x = 88172645463325252u;
	static const uint8_t body[] = { 0, 0x10, 0, 0 };
	pf_pred p;
	pf_buf pb;
	pf_err err;

	ck_assert(b && keep);
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b[i] = (uint8_t)x;
	}
	/*
	 * ADRPs of x0 in the last words of regions 2 and 4, their partners
	 * just after, outside the region or in the next page.
	 */
	put32(b + 9, a64_adr(A64_ADRP, 2));
	put32(b + 13, a64_lo12(A64_ADD, 0, 0, 8));
	put32(b + PF_PRED_PAGE - 4, a64_adr(A64_ADRP, 2));
	put32(b + PF_PRED_PAGE, a64_lo12(A64_ADD, 0, 0, 8));
	memcpy(keep, b, n);
	make_pred_finder(&p, PF_PRED_FINDER_AARCH64, r, 4, test_breaks, 2, n,
	    &pb);
	pf_pred_page(&p, 0, b, PF_PRED_PAGE);
	pf_pred_page(&p, PF_PRED_PAGE, b + PF_PRED_PAGE, 100);
	/* Outside the regions nothing changed; no partner was taken. */
	ck_assert(b[0] == keep[0] && b[4] == keep[4]);
	ck_assert(memcmp(b + 13, keep + 13, 100 - 13) == 0);
	ck_assert(memcmp(b + PF_PRED_PAGE, keep + PF_PRED_PAGE, 100) == 0);
	/*
	 * Each ADRP alone, by its page 0x3000 (which stays): from 0x1009
	 * still two pages on; from 0x1ffc, now 0x203c, one.
	 */
	ck_assert_uint_eq(pf_load_le32(b + 9), a64_adr(A64_ADRP, 2));
	ck_assert_uint_eq(pf_load_le32(b + PF_PRED_PAGE - 4),
	    a64_adr(A64_ADRP, 1));
	pf_pred_free(&p);
	pf_buf_free(&pb);
	ck_assert_int_eq(pf_pred_parse_finder(&p, 0, body, sizeof body, 8,
	    &err), PF_ERR_UNSUPPORTED);
	ck_assert_int_eq(pf_pred_parse_finder(&p, 3, body, sizeof body, 8,
	    &err), PF_ERR_UNSUPPORTED);
	ck_assert_int_eq(pf_pred_parse_finder(&p, 255, body, sizeof body, 8,
	    &err), PF_ERR_UNSUPPORTED);
	ck_assert_int_eq(pf_pred_parse_finder(&p, 2, body, sizeof body, 8,
	    &err), PF_OK);
	pf_pred_free(&p);
	ck_assert_int_eq(pf_pred_parse_finder(&p, 2, body, sizeof body - 1, 8,
	    &err), PF_ERR_CORRUPT);
	pf_pred_free(&p);
	free(b);
	free(keep);
}
END_TEST

static pf_ret
parse_bytes(const uint8_t *p, size_t n, uint64_t old_size)
{
	pf_pred pred;
	pf_err err;
	pf_ret r;

	r = pf_pred_parse(&pred, p, n, old_size, &err);
	pf_pred_free(&pred);
	return r;
}

/* Section 10.1: each malformed body is corrupt, never a crash. */
START_TEST(test_hostile)
{
	/* lo, span, nregions, (kind, gap, size, vaddr, param), nbreaks */
	static const uint8_t good[] = { 0, 0x10, 1, 1, 0, 8, 0, 0, 0 };
	static const uint8_t kind0[] = { 0, 0x10, 1, 0, 0, 8, 0, 0, 0 };
	static const uint8_t kind9[] = { 0, 0x10, 1, 9, 0, 8, 0, 0, 0 };
	static const uint8_t kind10[] = { 0, 0x10, 1, 10, 0, 8, 0, 0, 0 };
	/* Two JUMPTAB regions, the second at lower addresses. */
	static const uint8_t jt_order[] = { 0, 0x10, 2, 9, 0, 4, 8, 0,
		9, 0, 4, 0, 0, 0 };
	/* A JUMPTAB region at 2^64 - 4, of 8 bytes. */
	static const uint8_t jt_wrap[] = { 0, 0x10, 1, 9, 0, 8, 0xfc, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0 };
	pf_pred p;
	pf_err err;
	static const uint8_t size0[] = { 0, 0x10, 1, 1, 0, 0, 0, 0, 0 };
	static const uint8_t past[] = { 0, 0x10, 1, 1, 4, 8, 0, 0, 0 };
	static const uint8_t many[] = { 0, 0x10, 0x81, 0x08 };
	static const uint8_t trail[] = { 0, 0x10, 0, 0, 0 };
	static const uint8_t order[] = { 0, 0x10, 0, 2, 5, 2, 0, 2 };
	static const uint8_t longvar[] = { 0x80, 0x00, 0x10, 0, 0 };
	static const uint8_t wrap[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0x01, 2, 0, 0 };

	ck_assert_int_eq(parse_bytes(good, sizeof good, 8), PF_OK);
	ck_assert_int_eq(parse_bytes(good, sizeof good, 7), PF_ERR_CORRUPT);
	ck_assert_int_eq(parse_bytes(good, sizeof good - 1, 8), PF_ERR_CORRUPT);
	ck_assert_int_eq(parse_bytes(kind0, sizeof kind0, 8), PF_ERR_CORRUPT);
	ck_assert_int_eq(parse_bytes(kind9, sizeof kind9, 8), PF_OK);
	ck_assert_int_eq(parse_bytes(kind10, sizeof kind10, 8), PF_ERR_CORRUPT);
	ck_assert_int_eq(parse_bytes(jt_order, sizeof jt_order, 8),
	    PF_ERR_CORRUPT);
	ck_assert_int_eq(parse_bytes(jt_wrap, sizeof jt_wrap, 8),
	    PF_ERR_CORRUPT);
	/* Section 10.5.1: finder 1's alone. */
	ck_assert_int_eq(pf_pred_parse_finder(&p, PF_PRED_FINDER_AARCH64,
	    kind9, sizeof kind9, 8, &err), PF_ERR_CORRUPT);
	pf_pred_free(&p);
	ck_assert_int_eq(parse_bytes(size0, sizeof size0, 8), PF_ERR_CORRUPT);
	ck_assert_int_eq(parse_bytes(past, sizeof past, 8), PF_ERR_CORRUPT);
	ck_assert_int_eq(parse_bytes(many, sizeof many, 8), PF_ERR_CORRUPT);
	ck_assert_int_eq(parse_bytes(trail, sizeof trail, 8), PF_ERR_CORRUPT);
	ck_assert_int_eq(parse_bytes(order, sizeof order, 8), PF_ERR_CORRUPT);
	ck_assert_int_eq(parse_bytes(longvar, sizeof longvar, 8),
	    PF_ERR_CORRUPT);
	ck_assert_int_eq(parse_bytes(wrap, sizeof wrap, 8), PF_ERR_CORRUPT);
}
END_TEST

static pf_ret
decode(const pf_buf *delta, const uint8_t *old, size_t on, pf_buf *out,
    pf_err *err)
{
	pf_istream in;
	pf_mem_in m;
	pf_source src;
	pf_ostream os;

	pf_buf_init(out);
	pf_istream_from_mem(&in, &m, delta->data, delta->len);
	pf_source_from_mem(&src, old, on);
	pf_ostream_to_buf(&os, out);
	return pf_delta_decode(&in, &src, &os, UINT64_MAX, err);
}

/*
 * A delta with a prediction made by hand: NEW encoded against P without
 * prediction, then the header made to name OLD, the flag set and the
 * section put after the header.  No ELF is needed to decode one.
 */
/* The length of the header hand_delta() wrote last. */
static size_t hand_hlen;

static void
hand_delta(const uint8_t *old, size_t on, const uint8_t *nw, size_t nn,
    const pf_buf *body, uint8_t finder, pf_buf *out)
{
	pf_delta_opts o = { 1, 0, 0, PF_DELTA_PREDICT_NEVER, false, NULL };
	uint8_t *img = malloc(on);
	pf_delta_info info;
	pf_buf gen;
	pf_pred p;
	pf_err err;
	size_t off;

	ck_assert(img != NULL);
	memcpy(img, old, on);
	ck_assert_int_eq(pf_pred_parse(&p, body->data, body->len, on, &err),
	    PF_OK);
	for (off = 0; off < on; off += PF_PRED_PAGE)
		pf_pred_page(&p, off, img + off, on - off < PF_PRED_PAGE ?
		    on - off : PF_PRED_PAGE);
	pf_pred_free(&p);
	pf_buf_init(&gen);
	ck_assert_int_eq(pf_delta_encode(img, on, nw, nn, &o, &gen, &err),
	    PF_OK);
	ck_assert_int_eq(pf_delta_read_info(gen.data, gen.len, &info, &err),
	    PF_OK);
	ck_assert_int_eq(pf_sha256(info.old_sha256, old, on), 0);
	info.flags |= PF_DELTA_FLAG_PREDICT;
	pf_buf_init(out);
	pf_delta_put_header(&info, out);
	hand_hlen = out->len;
	pf_buf_put_u8(out, finder);
	pf_buf_put_uvarint(out, body->len);
	pf_buf_append(out, body->data, body->len);
	pf_buf_append(out, gen.data + info.header_len,
	    gen.len - info.header_len);
	ck_assert(!out->failed);
	pf_buf_free(&gen);
	free(img);
}

/* Random "code" whose calls all moved: the prediction makes NEW. */
START_TEST(test_hand_delta)
{
	pf_pred_region r = { PF_PRED_CODE, 0, 20000, 0x1000, 0 };
	static const pf_pred_break wrong[] = { { 0x1100, 0x24 },
		{ 0x1200, 0x40 } };
	size_t on = 20000, i;
	uint8_t *old = malloc(on), *nw = malloc(on);
	pf_pred p;
	pf_buf body, d, out, bad_body;
	pf_err err;

	ck_assert(old && nw);
	for (i = 0; i < on; i++)
		old[i] = (uint8_t)(i * 2654435761u >> 13);
	for (i = 0; i + 5 <= on; i += 10) {
		old[i] = 0xe8;
		put32(old + i + 1, 0x1180 - (uint32_t)(0x1000 + i + 5));
	}
	make_pred(&p, &r, 1, test_breaks, 2, on, &body);
	memcpy(nw, old, on);
	for (i = 0; i < on; i += PF_PRED_PAGE)
		pf_pred_page(&p, i, nw + i, on - i < PF_PRED_PAGE ? on - i :
		    PF_PRED_PAGE);
	ck_assert(memcmp(nw, old, on) != 0);
	hand_delta(old, on, nw, on, &body, PF_PRED_FINDER_X86_64, &d);
	ck_assert_int_eq(decode(&d, old, on, &out, &err), PF_OK);
	ck_assert(out.len == on && memcmp(out.data, nw, on) == 0);
	pf_buf_free(&out);

	/* Another flag bit: unsupported. */
	d.data[PF_DELTA_OFF_FLAGS] |= 0x04;
	pf_store_le32(d.data + hand_hlen - 4,
	    pf_delta_crc32(d.data, hand_hlen - 4));
	ck_assert_int_eq(decode(&d, old, on, &out, &err), PF_ERR_UNSUPPORTED);
	pf_buf_free(&out);
	pf_buf_free(&d);

	/* An unknown finder: unsupported, named in the message. */
	hand_delta(old, on, nw, on, &body, 3, &d);
	ck_assert_int_eq(decode(&d, old, on, &out, &err), PF_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err.msg, "finder 3"));
	pf_buf_free(&out);

	/* A damaged section: corrupt, named in the message. */
	d.data[hand_hlen + 2 + 5] = 0x7f;       /* nregions */
	d.data[hand_hlen] = PF_PRED_FINDER_X86_64;
	ck_assert_int_eq(decode(&d, old, on, &out, &err), PF_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "prediction section"));
	pf_buf_free(&out);
	pf_buf_free(&d);

	/* A well-formed map that disagrees: NEW's hash refuses it. */
	hand_delta(old, on, nw, on, &body, PF_PRED_FINDER_X86_64, &d);
	pf_pred_free(&p);
	make_pred(&p, &r, 1, wrong, 2, on, &bad_body);
	ck_assert_uint_eq(bad_body.len, body.len);
	memcpy(d.data + hand_hlen + 2, bad_body.data, body.len);
	ck_assert_int_eq(decode(&d, old, on, &out, &err), PF_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "prediction section"));
	pf_buf_free(&out);
	pf_buf_free(&d);
	pf_buf_free(&bad_body);
	pf_buf_free(&body);
	pf_pred_free(&p);
	free(old);
	free(nw);
}
END_TEST

/*
 * Section 3.3, SPARSE: a few changed bytes in 4 MiB cost little, where
 * the first revision's diff model spent about 100 bytes per MiB of
 * unchanged copy and about 400 learning that zero is likely.
 */
START_TEST(test_sparse)
{
	size_t n = 4u << 20, i;
	uint8_t *old = malloc(n), *nw = malloc(n);
	uint64_t x = 88172645463325252u;
	pf_buf d, out;
	pf_err err;

	ck_assert(old && nw);
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		old[i] = (uint8_t)x;
	}
	memcpy(nw, old, n);
	nw[1000] ^= 1;
	nw[n / 2] ^= 0x40;
	nw[n - 10] ^= 0x80;
	pf_buf_init(&d);
	ck_assert_int_eq(pf_delta_encode(old, n, nw, n, NULL, &d, &err), PF_OK);
	ck_assert(d.data[PF_DELTA_OFF_FLAGS] & PF_DELTA_FLAG_SPARSE);
	ck_assert_msg(d.len < 400, "a 3-byte change costs %zu bytes", d.len);
	ck_assert_int_eq(decode(&d, old, n, &out, &err), PF_OK);
	ck_assert(out.len == n && memcmp(out.data, nw, n) == 0);
	pf_buf_free(&d);
	pf_buf_free(&out);
	free(old);
	free(nw);
}
END_TEST

/* A delta of the first revision (no SPARSE) still decodes. */
START_TEST(test_first_revision)
{
	/* fuzz/corpus/delta/make-seeds.sh: the fuzz target's old file. */
	static const char old[] =
	    "the quick brown fox jumps over the lazy dog 0123456789\n"
	    "\x7f" "ELF\x02\x01\x01\x00 a few bytes of pretend machine "
	    "code \xe8\x10";
	const char *srcdir = getenv("top_srcdir");
	char path[4096], want[sizeof old + 8];
	const char *at;
	pf_buf d, out;
	pf_err err;
	uint8_t *p;
	size_t n, k;

	if (srcdir == NULL)
		srcdir = ".";
	snprintf(path, sizeof path, "%s/fuzz/corpus/delta/v1-good-edit", srcdir);
	p = pf_test_slurp(path, &n);
	ck_assert_msg(p != NULL, "cannot read %s", path);
	ck_assert_int_eq(p[PF_DELTA_OFF_FLAGS], 0);
	pf_buf_init(&d);
	pf_buf_append(&d, p, n);
	ck_assert_int_eq(decode(&d, (const uint8_t *)old, sizeof old - 1,
	    &out, &err), PF_OK);
	/* make-seeds.sh: sed 's/lazy/sleepy/'. */
	at = strstr(old, "lazy");
	k = (size_t)(at - old);
	memcpy(want, old, k);
	memcpy(want + k, "sleepy", 6);
	memcpy(want + k + 6, at + 4, sizeof old - 1 - k - 4);
	ck_assert_uint_eq(out.len, sizeof old - 1 + 2);
	ck_assert(memcmp(out.data, want, out.len) == 0);
	pf_buf_free(&d);
	pf_buf_free(&out);
	free(p);
}
END_TEST

/* Encodes with the prediction forced on, decodes, compares. */
static void
roundtrip_forced(const uint8_t *old, size_t on, const uint8_t *nw,
    size_t nn)
{
	pf_delta_opts o = { 0, 0, 0, PF_DELTA_PREDICT_ALWAYS, false, NULL };
	pf_buf d, out;
	pf_err err;

	pf_buf_init(&d);
	ck_assert_msg(pf_delta_encode(old, on, nw, nn, &o, &d, &err) == PF_OK,
	    "%s", err.msg);
	/* AArch64 ELF (e_machine 183) gets finder 2 (section 10.9). */
	if (on > 20 && nn > 20 && pf_load_le16(old + 18) == 183 &&
	    pf_load_le16(nw + 18) == 183) {
		pf_delta_info info;

		ck_assert_int_eq(pf_delta_read_info(d.data, d.len, &info,
		    &err), PF_OK);
		ck_assert(info.flags & PF_DELTA_FLAG_PREDICT &&
		    d.data[info.header_len] == PF_PRED_FINDER_AARCH64);
	}
	ck_assert_msg(decode(&d, old, on, &out, &err) == PF_OK, "%s", err.msg);
	ck_assert(out.len == nn && memcmp(out.data, nw, nn) == 0);
	pf_buf_free(&d);
	pf_buf_free(&out);
}

/*
 * Every pair of the corpus, x86-64 or not, with the prediction forced:
 * in make check the pairs of at most PF_CORPUS_LIMIT bytes (default 3
 * MiB: five x86-64 pairs and one AArch64 pair, in seconds even under the
 * sanitizers), in make check-long all of them (PF_CORPUS_LIMIT=0).
 */
/* A GLOB_DAT slot of a file: its symbol's name and its address. */
typedef struct got_slot {
	char name[256];
	uint64_t off;
} got_slot;

/* The GLOB_DAT relocations of f whose symbol has a name; their count. */
static size_t
got_slots(const uint8_t *f, size_t n, got_slot **out)
{
	Elf *e = elf_memory((char *)f, n);
	Elf_Scn *scn = NULL;
	size_t k = 0, i, cap = 0;
	GElf_Shdr sh, ssh;
	GElf_Rela r;
	GElf_Sym sym;
	Elf_Data *d, *sd;
	const char *name;

	*out = NULL;
	ck_assert_ptr_nonnull(e);
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_RELA ||
		    (d = elf_getdata(scn, NULL)) == NULL)
			continue;
		sd = elf_getdata(elf_getscn(e, sh.sh_link), NULL);
		gelf_getshdr(elf_getscn(e, sh.sh_link), &ssh);
		for (i = 0; gelf_getrela(d, (int)i, &r) != NULL; i++) {
			if (GELF_R_TYPE(r.r_info) != R_X86_64_GLOB_DAT ||
			    gelf_getsym(sd, (int)GELF_R_SYM(r.r_info), &sym) ==
			    NULL || (name = elf_strptr(e, ssh.sh_link,
			    sym.st_name)) == NULL || *name == 0)
				continue;
			if (k == cap) {
				cap = cap ? 2 * cap : 256;
				*out = realloc(*out, cap * sizeof **out);
				ck_assert_ptr_nonnull(*out);
			}
			snprintf((*out)[k].name, sizeof (*out)[k].name, "%s", name);
			(*out)[k++].off = r.r_offset;
		}
	}
	elf_end(e);
	return k;
}

/*
 * The map of the encoder (exec_enc.c) moves GOT slots as their
 * relocations say, also where a slot came or went between them (the
 * librsvg pair: one slot fewer, every later slot 8 bytes closer), even
 * without any copy from the matcher: of the GLOB_DAT slots whose symbol
 * both files have once, the map sends all but a few to the new slot.
 */
START_TEST(test_map_got)
{
	const char *corpus = getenv("PF_CORPUS");
	char path[2400];
	uint8_t *old, *nw, *img = NULL;
	size_t on, nn, no, nnw, i, j, paired = 0, right = 0;
	got_slot *so, *sn;
	pf_seg_list segs = { 0 };
	pf_buf sec;
	pf_pred p;
	pf_cur c;
	uint64_t len;
	uint8_t finder;
	pf_err err;

	if (corpus == NULL)
		return;
	snprintf(path, sizeof path, "%s/pairs2/librsvg/old", corpus);
	if ((old = pf_test_slurp(path, &on)) == NULL)
		return;
	snprintf(path, sizeof path, "%s/pairs2/librsvg/new", corpus);
	nw = pf_test_slurp(path, &nn);
	ck_assert_ptr_nonnull(nw);
	elf_version(EV_CURRENT);
	pf_buf_init(&sec);
	ck_assert_int_eq(pf_exec_predict(old, on, nw, nn, &segs, &sec, &img,
	    &err), PF_OK);
	ck_assert_ptr_nonnull(img);
	pf_cur_init(&c, sec.data, sec.len);
	ck_assert(pf_cur_get_u8(&c, &finder) && pf_cur_get_uvarint(&c, &len));
	ck_assert_int_eq(pf_pred_parse_finder(&p, finder, c.p, (size_t)len,
	    on, &err), PF_OK);
	no = got_slots(old, on, &so);
	nnw = got_slots(nw, nn, &sn);
	for (i = 0; i < no; i++)
		for (j = 0; j < nnw; j++)
			if (strcmp(so[i].name, sn[j].name) == 0) {
				paired++;
				right += pf_pred_map(&p, so[i].off) == sn[j].off;
				break;
			}
	ck_assert_uint_gt(paired, 1000);
	ck_assert_uint_ge(right * 100, paired * 99);
	pf_pred_free(&p);
	free(img);
	pf_buf_free(&sec);
	free(so);
	free(sn);
	free(old);
	free(nw);
}
END_TEST

START_TEST(test_corpus)
{
	static const char *const sets[] = { "pairs", "pairs2", "pairs-arm64" };
	const char *corpus = getenv("PF_CORPUS");
	const char *lim = getenv("PF_CORPUS_LIMIT");
	unsigned long long limit = lim ? strtoull(lim, NULL, 10) : 3u << 20;
	char dir[2048], path[2400];
	struct dirent *e;
	uint8_t *old, *nw;
	size_t on, nn, i;
	DIR *d;

	if (corpus == NULL)
		return;
	for (i = 0; i < 3; i++) {
		snprintf(dir, sizeof dir, "%s/%s", corpus, sets[i]);
		if ((d = opendir(dir)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s/old", dir, e->d_name);
			old = pf_test_slurp(path, &on);
			snprintf(path, sizeof path, "%s/%s/new", dir, e->d_name);
			nw = old ? pf_test_slurp(path, &nn) : NULL;
			if (old && nw && (limit == 0 || (on <= limit &&
			    nn <= limit)))
				roundtrip_forced(old, on, nw, nn);
			free(old);
			free(nw);
		}
		closedir(d);
	}
}
END_TEST

/*
 * Section 10.5 as written, position by position: the oracle that the
 * library's finder, which passes over most bytes by table, must agree
 * with byte for byte.
 */
static bool
in_list(uint8_t v, const uint8_t (*r)[2], size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (v >= r[k][0] && v <= r[k][1])
			return true;
	return false;
}

static int
spec_imm1(uint8_t op, bool o16, uint8_t modrm)
{
	static const uint8_t zero[][2] = { { 0x00, 0x03 }, { 0x08, 0x0b },
		{ 0x10, 0x13 }, { 0x18, 0x1b }, { 0x20, 0x23 }, { 0x28, 0x2b },
		{ 0x30, 0x33 }, { 0x38, 0x3b }, { 0x63, 0x63 }, { 0x84, 0x8b },
		{ 0x8d, 0x8d }, { 0x8f, 0x8f }, { 0xd0, 0xd3 }, { 0xd8, 0xdf },
		{ 0xfe, 0xff } };
	static const uint8_t one[][2] = { { 0x6b, 0x6b }, { 0x80, 0x80 },
		{ 0x83, 0x83 }, { 0xc0, 0xc1 }, { 0xc6, 0xc6 } };
	unsigned reg = modrm >> 3 & 7, z = o16 ? 2 : 4;

	if (in_list(op, zero, sizeof zero / sizeof zero[0]))
		return 0;
	if (in_list(op, one, sizeof one / sizeof one[0]))
		return 1;
	if (op == 0x69 || op == 0x81 || op == 0xc7)
		return (int)z;
	if (op == 0xf6)
		return reg < 2;
	if (op == 0xf7)
		return reg < 2 ? (int)z : 0;
	return -1;
}

static int
spec_imm2(uint8_t op)
{
	static const uint8_t one[][2] = { { 0x70, 0x73 }, { 0xa4, 0xa4 },
		{ 0xac, 0xac }, { 0xba, 0xba }, { 0xc2, 0xc2 }, { 0xc4, 0xc6 } };
	static const uint8_t zero[][2] = { { 0x10, 0x1f }, { 0x28, 0x2f },
		{ 0x40, 0x6f }, { 0x74, 0x76 }, { 0x7e, 0x7f }, { 0x90, 0x9f },
		{ 0xa3, 0xa3 }, { 0xab, 0xab }, { 0xaf, 0xb1 }, { 0xb3, 0xb3 },
		{ 0xb6, 0xbf }, { 0xc0, 0xc1 }, { 0xc3, 0xc3 }, { 0xc7, 0xc7 },
		{ 0xd0, 0xff } };

	if (in_list(op, one, sizeof one / sizeof one[0]))
		return 1;
	return in_list(op, zero, sizeof zero / sizeof zero[0]) ? 0 : -1;
}

static int
spec_vex(unsigned map, uint8_t op)
{
	return map == 3 || (map == 1 && ((op >= 0x70 && op <= 0x73) ||
	    op == 0xc2 || (op >= 0xc4 && op <= 0xc6)));
}

/* Steps 1 to 4 of a candidate at i; false when there is none. */
static bool
spec_candidate(const uint8_t *b, size_t i, size_t e, size_t *field,
    unsigned *dist)
{
	size_t j = i, m;
	bool o16 = false;
	int imm;

	while (j < e && j - i < 3 && (b[j] == 0x66 || b[j] == 0xf2 ||
	    b[j] == 0xf3))
		o16 |= b[j++] == 0x66;
	if (j < e && b[j] >= 0x40 && b[j] <= 0x4f)
		j++;
	if (j >= e)
		return false;
	if (j == i && (b[j] == 0xe8 || b[j] == 0xe9)) {
		m = j;
		imm = 0;
	} else if (j == i && j + 1 < e && b[j] == 0x0f &&
	    b[j + 1] >= 0x80 && b[j + 1] <= 0x8f) {
		m = j + 1;
		imm = 0;
	} else {
		if (b[j] == 0x0f) {
			if (j + 2 >= e)
				return false;
			m = b[j + 1] == 0x38 || b[j + 1] == 0x3a ? j + 3 : j + 2;
			imm = b[j + 1] == 0x38 ? 0 : b[j + 1] == 0x3a ? 1 :
			    spec_imm2(b[j + 1]);
		} else if (j == i && b[j] == 0xc5 && j + 3 < e) {
			m = j + 3;
			imm = spec_vex(1, b[j + 2]);
		} else if (j == i && b[j] == 0xc4 && j + 4 < e) {
			if ((b[j + 1] & 0x1f) < 1 || (b[j + 1] & 0x1f) > 3)
				return false;
			m = j + 4;
			imm = spec_vex(b[j + 1] & 0x1f, b[j + 3]);
		} else {
			if (j + 1 >= e)
				return false;
			m = j + 1;
			imm = spec_imm1(b[j], o16, b[j + 1]);
		}
		if (imm < 0 || m >= e || (b[m] & 0xc7) != 0x05)
			return false;
	}
	*field = m + 1;
	*dist = 4 + (unsigned)imm;
	return *field + *dist <= e;
}

/*
 * Section 10.5's walk over one page of a CODE region at vaddr 0, the
 * page's first byte being at address base.
 */
static void
spec_scan_at(const pf_pred *p, uint8_t *b, size_t e, uint64_t base)
{
	size_t i = 0, field;
	unsigned dist;
	uint64_t a, t;
	int64_t nv;

	while (i < e) {
		if (!spec_candidate(b, i, e, &field, &dist)) {
			i++;
			continue;
		}
		a = base + field;
		t = a + dist + (uint64_t)(int64_t)(int32_t)pf_load_le32(b + field);
		if (t < p->lo || t >= p->hi) {
			i++;
			continue;
		}
		nv = (int64_t)(pf_pred_map(p, t) - (pf_pred_map(p, a) + dist));
		if (nv >= INT32_MIN && nv <= INT32_MAX)
			pf_store_le32(b + field, (uint32_t)nv);
		i = field + dist;
	}
}

/* Compares the finder with the oracle on each page of code. */
static void
check_scan_agrees(const uint8_t *code, size_t len)
{
	static const pf_pred_break br[] = { { 0x100, 0x10 }, { 0x2000, -0x30 },
		{ 0x9000, 0x1000 }, { 0x40000, 0x7 } };
	pf_pred_region r = { PF_PRED_CODE, 0, len, 0, 0 };
	pf_pred p = { .lo = 0, .hi = len, .regions = &r, .nregions = 1,
		.breaks = (pf_pred_break *)br, .nbreaks = 4,
		.finder = PF_PRED_FINDER_X86_64 };
	uint8_t *got = malloc(len), *want = malloc(len);
	size_t off, n;

	ck_assert(got != NULL && want != NULL);
	memcpy(got, code, len);
	memcpy(want, code, len);
	for (off = 0; off < len; off += PF_PRED_PAGE) {
		n = len - off < PF_PRED_PAGE ? len - off : PF_PRED_PAGE;
		pf_pred_page(&p, off, got + off, n);
		spec_scan_at(&p, want + off, n, off);
	}
	ck_assert_mem_eq(got, want, len);
	free(got);
	free(want);
}

/*
 * The finder passes over bytes by table (predict.c): it must find what
 * section 10.5 finds, on real code (this program's own bytes) and on
 * bytes that are mostly opcodes, prefixes and RIP-relative ModRMs.
 */
START_TEST(test_code_oracle)
{
	static const uint8_t pick[] = { 0xe8, 0xe9, 0x0f, 0x85, 0x05, 0x0d,
		0x15, 0x3d, 0x48, 0x4c, 0x40, 0x66, 0xf2, 0xf3, 0xc4, 0xc5,
		0x89, 0x8b, 0x8d, 0xc7, 0xf7, 0x81, 0x38, 0x3a, 0x01, 0x69,
		0xf6, 0x6b, 0x80, 0x83, 0xc1, 0xc6, 0x10, 0x70, 0xba, 0xe1,
		0x62, 0xd3, 0x00 };
	size_t len = 1 << 20, k;
	uint8_t *b = malloc(len);
	uint32_t x = 12345;
	FILE *f;

	ck_assert(b != NULL);
	/*
	 * Opcode-like bytes, with small 32-bit values among them so that
	 * many fields hold targets in the image.
	 */
	for (k = 0; k < len; k++) {
		x = x * 1103515245u + 12345u;
		if ((x >> 16) % 16 == 1 && k + 3 <= len) {
			/* An o16 form, whose immediate the prefix shortens. */
			b[k++] = 0x66;
			b[k++] = pick[19 + (x >> 4) % 3];
			b[k] = 0x05;
		} else if ((x >> 16) % 4 == 0 && k + 4 <= len) {
			pf_store_le32(b + k, (uint32_t)((int32_t)(x >> 8 & 0xffff) -
			    0x8000));
			k += 3;
		} else
			b[k] = (x >> 16) % 4 == 3 ? (uint8_t)(x >> 20) :
			    pick[(x >> 8) % sizeof pick];
	}
	check_scan_agrees(b, len);
	if ((f = fopen("/proc/self/exe", "rb")) != NULL) {
		len = fread(b, 1, len, f);
		fclose(f);
		ck_assert_uint_gt(len, 4096);
		check_scan_agrees(b, len);
	}
	free(b);
}
END_TEST

static Suite *
predict_suite(void)
{
	Suite *s = suite_create("predict");
	TCase *t = tcase_create("finder");

	tcase_add_test(t, test_code);
	tcase_add_test(t, test_code_oracle);
	tcase_add_test(t, test_map);
	tcase_add_test(t, test_map_index);
	tcase_add_test(t, test_tables);
	tcase_add_test(t, test_jump_tables);
	tcase_add_test(t, test_jump_tables_chunks);
	tcase_add_test(t, test_ehframe_lsda);
	tcase_add_test(t, test_pages);
	tcase_add_test(t, test_pages_order);
	suite_add_tcase(s, t);
	t = tcase_create("aarch64");
	tcase_add_test(t, test_a64_forms);
	tcase_add_test(t, test_a64_limits);
	tcase_add_test(t, test_a64_adrp);
	tcase_add_test(t, test_a64_adrp_limits);
	tcase_add_test(t, test_a64_page);
	tcase_add_test(t, test_a64_hostile);
	suite_add_tcase(s, t);
	t = tcase_create("refuse");
	tcase_add_test(t, test_hostile);
	tcase_add_test(t, test_hand_delta);
	suite_add_tcase(s, t);
	t = tcase_create("sparse");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, test_sparse);
	tcase_add_test(t, test_first_revision);
	suite_add_tcase(s, t);
	t = tcase_create("corpus");
	tcase_set_timeout(t, 900);
	tcase_add_test(t, test_corpus);
	tcase_add_test(t, test_map_got);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return pf_check_run(predict_suite());
}
