/* Big arrays on transparent huge pages (bigmem.h). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "common/bigmem.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Asks for huge pages for the n bytes at p, if n is big enough. */
static void
advise(void *p, size_t n)
{
	uintptr_t a, e;

	if (p == NULL || n < HUGE_PAGE)
		return;
#ifdef MADV_HUGEPAGE
	/*
	 * The whole huge pages inside the block; a refusal (no THP, an old
	 * kernel) leaves ordinary pages, which work the same.
	 */
	a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	e = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)a;
	(void)e;
#endif
}

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
	if ((p = aligned_alloc(HUGE_PAGE, n)) != NULL)
		advise(p, n);
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
