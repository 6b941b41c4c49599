/*
 * VCDIFF (RFC 3284) as spec/vcdiff.md profiles it: the decoder accepts
 * what xdelta3 3.x writes, the encoder writes plain RFC 3284 from the
 * matches of match.c, or xdelta3's LZMA secondary when asked.  Section
 * numbers in comments are RFC 3284's unless they name spec/vcdiff.md.
 */
#ifndef PF_DELTA_VCDIFF_H
#define PF_DELTA_VCDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/buf.h"
#include "common/cpus.h"
#include "common/err.h"
#include "common/stream.h"

/* Section 4.1: the header. */
#define PF_VCD_MAGIC "\xd6\xc3\xc4"
#define PF_VCD_MAGIC_LEN 3
#define PF_VCD_VERSION 0

/* Hdr_Indicator bits (section 4.1; bit 2 is xdelta3's). */
#define PF_VCD_DECOMPRESS 0x01
#define PF_VCD_CODETABLE 0x02
#define PF_VCD_APPHEADER 0x04

/* Secondary compressor identifiers as xdelta3 writes them. */
#define PF_VCD_SEC_DJW 1
#define PF_VCD_SEC_LZMA 2
#define PF_VCD_SEC_FGK 16

/* Win_Indicator bits (section 4.2; bit 2 is xdelta3's Adler-32). */
#define PF_VCD_SOURCE 0x01
#define PF_VCD_TARGET 0x02
#define PF_VCD_ADLER32 0x04

/* Delta_Indicator bits (section 4.3): which sections are compressed. */
#define PF_VCD_DATACOMP 0x01
#define PF_VCD_INSTCOMP 0x02
#define PF_VCD_ADDRCOMP 0x04

/* Section 5: instruction types and the default address cache. */
enum { PF_VCD_NOOP = 0, PF_VCD_ADD = 1, PF_VCD_RUN = 2, PF_VCD_COPY = 3 };
#define PF_VCD_NEAR 4
#define PF_VCD_SAME 3
#define PF_VCD_MODES (2 + PF_VCD_NEAR + PF_VCD_SAME)

/* spec/vcdiff.md section 4: the limits that bound the decoder's memory. */
#define PF_VCD_WINDOW_MAX (16u << 20)
#define PF_VCD_ENCODED_MAX (3u * PF_VCD_WINDOW_MAX)
#define PF_VCD_HISTORY_MAX PF_VCD_WINDOW_MAX
#define PF_VCD_LZMA_MEMLIMIT (80u << 20)

/* The window the encoder cuts new into. */
#define PF_VCD_ENC_WINDOW (8u << 20)

/* One half of a code table entry (section 5.4). */
typedef struct pf_vcd_inst {
	uint8_t type;
	uint8_t size;
	uint8_t mode;
} pf_vcd_inst;

/* The address caches of section 5.1, reset at each window. */
typedef struct pf_vcd_cache {
	uint64_t near[PF_VCD_NEAR];
	uint64_t same[PF_VCD_SAME * 256];
	unsigned next;
} pf_vcd_cache;

typedef struct pf_vcdiff_opts {
	unsigned threads;       /* as pf_delta_opts; the output never changes */
	bool xdelta3;           /* LZMA secondary and Adler-32 checksums */
	uint32_t window;        /* target window; 0: PF_VCD_ENC_WINDOW */
	pf_cpus *cpus;          /* shared helpers' CPUs; NULL: of threads */
} pf_vcdiff_opts;

/* Fills table with the default code table of section 5.6. */
void pf_vcd_default_table(pf_vcd_inst table[256][2]);
void pf_vcd_cache_reset(pf_vcd_cache *c);
void pf_vcd_cache_update(pf_vcd_cache *c, uint64_t addr);
/* Adler-32 as xdelta3 computes it, starting from 1. */
uint32_t pf_vcd_adler32(const uint8_t *p, size_t n);
/* Appends v as a section 2 integer (big-endian base 128). */
void pf_vcd_put_int(pf_buf *b, uint64_t v);
/* Whether p starts with the VCDIFF magic (n may be short). */
bool pf_vcd_is_vcdiff(const uint8_t *p, size_t n);

/*
 * The walk of spec/vcdiff.md section 6 over a package's blob: fed the
 * blob in pieces, it checks every header field without decoding.
 */
typedef struct pf_vcd_check {
	uint64_t base_size;
	uint64_t new_size;
	uint64_t produced;      /* target lengths so far */
	int field;              /* the field being read */
	unsigned got;           /* bytes of it so far */
	uint64_t acc;
	uint8_t hdr_ind;
	uint8_t win_ind;
	uint64_t seg_len;
	uint64_t seg_pos;
	uint64_t enc_len;
	uint64_t enc_seen;      /* bytes of the encoding read as fields */
	uint64_t body;          /* the three section lengths added */
	uint64_t skip;          /* bytes to pass over */
} pf_vcd_check;

void pf_vcd_check_init(pf_vcd_check *c, uint64_t base_size,
    uint64_t new_size);
pf_ret pf_vcd_check_feed(pf_vcd_check *c, const uint8_t *p, size_t n,
    pf_err *err);
/* The blob has ended: it must end between windows, at new_size. */
pf_ret pf_vcd_check_end(pf_vcd_check *c, pf_err *err);

/* Prints what the first n bytes of a VCDIFF header state. */
pf_ret pf_vcd_print_info(const uint8_t *p, size_t n, FILE *f, pf_err *err);

/*
 * Decodes the delta front to back, reading old through read_at and
 * writing new front to back.  On failure what was written must be
 * thrown away.  Memory is bounded by spec/vcdiff.md section 4.
 */
pf_ret pf_vcdiff_decode(pf_istream *delta, const pf_source *old,
    pf_ostream *out, uint64_t max_new_size, pf_err *err);

/* Encodes new against old; the output is a function of the inputs. */
pf_ret pf_vcdiff_encode(const uint8_t *old, size_t old_len,
    const uint8_t *new_data, size_t new_len, const pf_vcdiff_opts *opts,
    pf_buf *out, pf_err *err);

#endif
