/*
 * Big arrays the encoders fill (suffix arrays, the predicted image,
 * liblzma's match finders) and the decoder's cache of predicted pages:
 * backed by transparent huge pages where the
 * kernel offers them on request (THP "madvise" mode, Debian's default),
 * so that filling them costs a page fault per 2 MiB instead of per
 * 4 KiB.  Freed with free().
 */
#ifndef PF_COMMON_BIGMEM_H
#define PF_COMMON_BIGMEM_H

#include <stddef.h>

/* From this size on (one huge page), an allocation asks for huge pages. */
#define PF_BIGMEM_MIN (2u << 20)

/*
 * malloc(n); for n of PF_BIGMEM_MIN or more, rounded up to whole huge
 * pages, aligned on one, and huge pages asked for.
 */
void *pf_bigmem_alloc(size_t n);
/*
 * The same for an array the caller writes whole: its pages are mapped at
 * once, by one call into the kernel, instead of by a page fault each.
 * On this project's VM a fault costs about 6 us: a third of the suffix
 * sort of a 268 KB library was its faults (bench/RESULTS.md,
 * "Thirteenth session").
 */
void *pf_bigmem_alloc_full(size_t n);

/* The same for liblzma's allocator (opaque unused). */
void *pf_bigmem_lzma_alloc(void *opaque, size_t nmemb, size_t size);
void pf_bigmem_lzma_free(void *opaque, void *p);

#endif
