/*
 * Constants of the pfdelta format (spec/delta.md).  Section numbers in
 * comments refer to that document.
 */
#ifndef PF_DELTA_FORMAT_H
#define PF_DELTA_FORMAT_H

/* Section 3: the header, 116 bytes at offset 0. */
#define PF_DELTA_MAGIC "\x89PFDELTA"
#define PF_DELTA_MAGIC_LEN 8
#define PF_DELTA_VERSION 1
/* Section 3.4: the compact header of version 2, which the encoder writes. */
#define PF_DELTA_VERSION2 2

#define PF_DELTA_OFF_VERSION 8          /* u8 */
#define PF_DELTA_OFF_FLAGS 9            /* u8, section 3.3 */
#define PF_DELTA_OFF_PROPS 10           /* u8[3]: ctrl, extra, diff */
#define PF_DELTA_OFF_RESERVED 13        /* u8[3], all 0 */
#define PF_DELTA_OFF_BLOCK_SIZE 16      /* le32 */
#define PF_DELTA_OFF_DICT 20            /* le32[3]: ctrl, extra, diff */
#define PF_DELTA_OFF_OLD_SIZE 32        /* le64 */
#define PF_DELTA_OFF_NEW_SIZE 40        /* le64 */
#define PF_DELTA_OFF_OLD_SHA256 48      /* u8[32] */
#define PF_DELTA_OFF_NEW_SHA256 80      /* u8[32] */
#define PF_DELTA_OFF_HEADER_CRC32 112   /* le32 over bytes 0 to 111 */
#define PF_DELTA_HEADER_LEN 116

/*
 * Section 3.4: version 2 keeps magic, version, flags and the two LZMA
 * properties bytes at these offsets, then uvarints, the optional hashes
 * and the CRC-32.  Its longest header is shorter than version 1's.
 */
#define PF_DELTA2_OFF_PROPS 10          /* u8[2]: ctrl, extra */
#define PF_DELTA2_OFF_VARINTS 12
#define PF_DELTA2_MIN_LEN 21            /* 5 one-byte uvarints, no hashes */
#define PF_DELTA2_MAX_LEN (12 + 3 * 5 + 2 * 10 + 64 + 4)
#define PF_DELTA_HEADER_MAX PF_DELTA_HEADER_LEN

/* Section 3.3: flags; a prediction section follows the header. */
#define PF_DELTA_FLAG_PREDICT 0x01
/* Section 3.3: the diff model of section 4.2 with its SPARSE changes. */
#define PF_DELTA_FLAG_SPARSE 0x02
/* Section 3.3: copies may read NEW's earlier bytes (section 5.3). */
#define PF_DELTA_FLAG_SELF 0x04
/* Section 3.3: skip decisions in the diff stream (section 4.2.5). */
#define PF_DELTA_FLAG_SKIP 0x08
#define PF_DELTA_FLAGS_KNOWN (PF_DELTA_FLAG_PREDICT | PF_DELTA_FLAG_SPARSE | \
	PF_DELTA_FLAG_SELF | PF_DELTA_FLAG_SKIP)
/* Section 3.4: version 2 only: the header holds old_sha256, new_sha256. */
#define PF_DELTA_FLAG_SHA256 0x80
/* Version 2 knows SHA256 and not SELF (the windowed encoder writes 1). */
#define PF_DELTA2_FLAGS_KNOWN (PF_DELTA_FLAG_PREDICT | PF_DELTA_FLAG_SPARSE | \
	PF_DELTA_FLAG_SKIP | PF_DELTA_FLAG_SHA256)

/*
 * Section 2: the three streams, in the order they appear in a block.  The
 * diff stream comes last so that a decoder can decode it while it writes
 * new, having the control entries and extra bytes already.
 */
enum {
	PF_DELTA_CTRL = 0,
	PF_DELTA_EXTRA = 1,
	PF_DELTA_DIFF = 2,
	PF_DELTA_NSTREAMS = 3
};

/* Section 6: limits that bound the decoder's memory. */
#define PF_DELTA_DICT_MIN 4096u
#define PF_DELTA_DICT_MAX (4u << 20)
#define PF_DELTA_BLOCK_MAX (1u << 20)
#define PF_DELTA_CTRL_MAX (256u << 10)

/* Section 5: one control entry is at most three 10-byte uvarints. */
#define PF_DELTA_ENTRY_MAX 30

/*
 * Section 10: the prediction section: its finder
 * versions, region kinds, record sizes and limits.
 */
#define PF_PRED_FINDER_X86_64 1         /* section 10.5 */
#define PF_PRED_FINDER_AARCH64 2        /* section 10.9 */
#define PF_PRED_PAGE 4096u              /* OLD is predicted page by page */
#define PF_PRED_BODY_MAX (4u << 20)
#define PF_PRED_REGIONS_MAX 1024u
#define PF_PRED_BREAKS_MAX (1u << 17)
/* Section 10.5.1: more candidate jump tables than this, and none. */
#define PF_PRED_TABLES_MAX (1u << 16)

enum {
	PF_PRED_CODE = 1,       /* x86-64 instructions */
	PF_PRED_PTR64 = 2,      /* 8-byte absolute addresses */
	PF_PRED_RELA = 3,       /* Elf64_Rela records */
	PF_PRED_DYN = 4,        /* Elf64_Dyn records */
	PF_PRED_EHTAB = 5,      /* .eh_frame_hdr table: pairs of sdata4 */
	PF_PRED_SYM = 6,        /* Elf64_Sym records */
	PF_PRED_EHFRAME = 7,    /* .eh_frame: CIE and FDE records */
	PF_PRED_EHFRAME_LSDA = 8,       /* the same, and FDEs' LSDA pointers */
	PF_PRED_JUMPTAB = 9,    /* data where finder 1 finds jump tables */
	PF_PRED_KIND_MAX = 9
};

#endif
