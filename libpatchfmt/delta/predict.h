/*
 * The prediction of spec/delta.md section 10: OLD with its references
 * rewritten as NEW's layout would have them, computed page by page from
 * OLD, the regions and the address map that the delta carries.  Encoder
 * and decoder run this same code, so the image is the same bit for bit.
 */
#ifndef PF_DELTA_PREDICT_H
#define PF_DELTA_PREDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/stream.h"

/* Section 10.2: one region of OLD and how its bytes are read. */
typedef struct pf_pred_region {
	uint8_t kind;           /* PF_PRED_CODE ... */
	uint64_t off;           /* file offset in OLD */
	uint64_t size;
	uint64_t vaddr;         /* the address of its first byte */
	int64_t param;          /* PF_PRED_EHTAB: base address - vaddr */
} pf_pred_region;

/*
 * Section 10.5.1: a jump table of OLD, at file offset off and address
 * vaddr: count 4-byte entries, each the distance from vaddr to a target.
 */
typedef struct pf_pred_table {
	uint64_t off;
	uint64_t vaddr;
	uint64_t count;
} pf_pred_table;

/* Section 10.3: from addr on, old addresses move by delta. */
typedef struct pf_pred_break {
	uint64_t addr;
	uint64_t delta;         /* added modulo 2^64 */
} pf_pred_break;

typedef struct pf_pred {
	uint64_t lo, hi;        /* the image: only targets in [lo, hi) move */
	uint64_t code_lo, code_hi;      /* the CODE regions' addresses */
	size_t ncode;
	pf_pred_region *regions;
	size_t nregions;
	pf_pred_break *breaks;
	size_t nbreaks;
	/*
	 * An index of the breaks, built by pf_pred_parse (NULL: none):
	 * bucket[k] is how many breaks lie at or below lo + (k <<
	 * bucket_shift), for k up to nbuckets.
	 */
	uint32_t *bucket;
	size_t nbuckets;
	unsigned bucket_shift;
	uint8_t finder;         /* section 10.1: PF_PRED_FINDER_... */
	size_t *jt;             /* the JUMPTAB regions' indexes */
	size_t njt;
	/* Found by pf_pred_find_tables, in file order. */
	pf_pred_table *tables;
	size_t ntables;
} pf_pred;

/*
 * Parses a section body (section 10.1, after finder and body_len) and
 * checks it against old_size; PF_ERR_CORRUPT with a message if it is not
 * well formed.  Free with pf_pred_free.
 */
pf_ret pf_pred_parse(pf_pred *p, const uint8_t *body, size_t len,
    uint64_t old_size, pf_err *err);
/*
 * The same for the section of finder finder (section 10.1): an unknown
 * finder is PF_ERR_UNSUPPORTED.
 */
pf_ret pf_pred_parse_finder(pf_pred *p, uint8_t finder, const uint8_t *body,
    size_t len, uint64_t old_size, pf_err *err);
/* Whether finder is one this decoder knows (section 10.1). */
bool pf_pred_finder_known(uint8_t finder);
/* Writes the body of p (encoder side). */
void pf_pred_write(const pf_pred *p, pf_buf *out);
void pf_pred_free(pf_pred *p);

/* Section 10.3: whether addr is in the image, [lo, hi). */
static inline bool
pf_pred_in_image(const pf_pred *p, uint64_t addr)
{
	return addr >= p->lo && addr < p->hi;
}

/*
 * Section 10.3: addr moved by the map: plus the delta of the last break
 * at or below addr, if any.
 * The index narrows the breaks to those that can be it: from the last
 * one at or below the start of addr's bucket to the last one below the
 * next bucket.  The search halves [b, b + n), which holds that break if
 * there is one, without a branch on the data: the finder calls this for
 * every reference, and the outcomes of its comparisons are random.
 */
static inline uint64_t
pf_pred_map(const pf_pred *p, uint64_t addr)
{
	const pf_pred_break *b = p->breaks;
	size_t n = p->nbreaks, half, k, first, last;

	if (n == 0)
		return addr;
	if (p->bucket != NULL && addr >= p->lo &&
	    (k = (size_t)((addr - p->lo) >> p->bucket_shift)) < p->nbuckets) {
		first = p->bucket[k];
		last = p->bucket[k + 1];
		if (last == 0)
			return addr;
		first -= first > 0;
		b += first;
		n = last - first;
	}
	while (n > 1) {
		half = n / 2;
		b = b[half].addr <= addr ? b + half : b;
		n -= half;
	}
	return b->addr <= addr ? addr + b->delta : addr;
}

/*
 * Section 10.5.1: finds OLD's jump tables, where p has a JUMPTAB region.
 * Encoder and decoder call it once, after parsing and before the first
 * page is predicted: the tables are part of the prediction.
 */
pf_ret pf_pred_find_tables(pf_pred *p, const pf_source *old, pf_err *err);

/*
 * Section 10.4: rewrites buf, OLD's bytes of the page at page_off (len
 * bytes, PF_PRED_PAGE or fewer at the end), into the prediction.
 */
void pf_pred_page(const pf_pred *p, uint64_t page_off, uint8_t *buf,
    size_t len);

/*
 * Section 10.9: finder 2's rewriting of the part [s, e) of the CODE
 * region r (file offsets) in buf, the page at page_off.
 */
void pf_pred_scan_a64(const pf_pred *p, const pf_pred_region *r,
    uint8_t *buf, uint64_t page_off, uint64_t s, uint64_t e);

/*
 * The prediction as a pf_source over OLD, computing pages as they are
 * read and keeping a few (the decoder's random reads of OLD).
 */
typedef struct pf_pred_src pf_pred_src;
pf_ret pf_pred_src_new(pf_pred_src **s, const pf_pred *p,
    const pf_source *old, pf_source *out, pf_err *err);
void pf_pred_src_free(pf_pred_src *s);

#endif
