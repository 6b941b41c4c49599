/* Big arrays on transparent huge pages (bigmem.h). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "common/bigmem.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)

void *
pf_bigmem_alloc(size_t n)
{
	void *p;

	if (n < PF_BIGMEM_MIN)
		return malloc(n ? n : 1);
	/* Whole huge pages: n rounded up, aligned to one. */
	if (n > SIZE_MAX - HUGE_PAGE)
		return NULL;
	n = (n + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	p = aligned_alloc(HUGE_PAGE, n);
#ifdef MADV_HUGEPAGE
	/* A refusal (no THP, an old kernel) leaves ordinary pages. */
	if (p != NULL)
		(void)madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

void *
pf_bigmem_alloc_full(size_t n)
{
	const uintptr_t page = 4096;
	uint8_t *p = pf_bigmem_alloc(n);
	uintptr_t s, e;

#ifdef MADV_POPULATE_WRITE
	/*
	 * The whole pages inside [p, p + n): the first and last may hold
	 * malloc's own data.  Without the call (before Linux 5.14, or
	 * refused), the pages come by faults as before.
	 */
	if (p != NULL && n >= 16 * page) {
		s = ((uintptr_t)p + page - 1) & ~(page - 1);
		e = ((uintptr_t)p + n) & ~(page - 1);
		if (e > s)
			(void)madvise((void *)s, e - s, MADV_POPULATE_WRITE);
	}
#endif
	return p;
}

void *
pf_bigmem_lzma_alloc(void *opaque, size_t nmemb, size_t size)
{
	(void)opaque;
	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	return pf_bigmem_alloc(nmemb * size);
}

void
pf_bigmem_lzma_free(void *opaque, void *p)
{
	(void)opaque;
	free(p);
}
