/* Pages of the prediction computed ahead by a second thread (pageq.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "delta/format.h"
#include "delta/pageq.h"

/* The index: open addressing over twice as many entries as slots. */
#define INDEX_SIZE (2u * PF_PAGEQ_SLOTS)

enum { FREE, WANTED, BUSY, READY, FAILED };

struct pf_pageq {
	const pf_pred *pred;
	const pf_source *old;
	const pf_source *fallback;
	pthread_mutex_t *mu;
	pthread_cond_t *cv;
	uint64_t page[PF_PAGEQ_SLOTS];
	uint8_t state[PF_PAGEQ_SLOTS];  /* with mu held */
	uint8_t seen[PF_PAGEQ_SLOTS];   /* the reader's: READY or FAILED seen */
	uint32_t queue[PF_PAGEQ_SLOTS]; /* slots to compute, in order */
	size_t qhead, qlen;
	size_t busy;                    /* slots the thread works on */
	bool abandoned;                 /* no thread computes pages */
	uint32_t index[INDEX_SIZE];     /* slot + 1 by page; 0: none */
	uint8_t (*buf)[PF_PRED_PAGE];
	pf_err err;                     /* the thread's, thrown away */
};

static size_t
hash_page(uint64_t page)
{
	return (size_t)((page * 0x9e3779b97f4a7c15u) >> 40) % INDEX_SIZE;
}

/* The slot of page, or -1. */
static long
lookup(const pf_pageq *q, uint64_t page)
{
	size_t h = hash_page(page);

	while (q->index[h] != 0) {
		if (q->page[q->index[h] - 1] == page)
			return (long)q->index[h] - 1;
		h = (h + 1) % INDEX_SIZE;
	}
	return -1;
}

static size_t
page_len(const pf_pageq *q, uint64_t page)
{
	uint64_t off = page * PF_PRED_PAGE;

	return q->old->size - off < PF_PRED_PAGE ?
	    (size_t)(q->old->size - off) : PF_PRED_PAGE;
}

/*
 * Waits until the thread is done with the slot; once seen, a slot stays
 * as it is until the next announcement, so the lock is taken once.
 */
static unsigned
wait_slot(pf_pageq *q, size_t s)
{
	if (q->seen[s] != FREE)
		return q->seen[s];
	pthread_mutex_lock(q->mu);
	while (q->state[s] == WANTED || q->state[s] == BUSY)
		pthread_cond_wait(q->cv, q->mu);
	q->seen[s] = q->state[s];
	pthread_mutex_unlock(q->mu);
	return q->seen[s];
}

static pf_ret
read_at(void *opaque, uint64_t off, void *buf, size_t n, pf_err *err)
{
	pf_pageq *q = opaque;
	uint8_t *dst = buf;
	uint64_t page;
	size_t at, k;
	pf_ret r;
	long s;

	while (n > 0) {
		page = off / PF_PRED_PAGE;
		at = (size_t)(off % PF_PRED_PAGE);
		k = PF_PRED_PAGE - at < n ? PF_PRED_PAGE - at : n;
		if ((s = lookup(q, page)) >= 0 && wait_slot(q, (size_t)s) ==
		    READY)
			memcpy(dst, q->buf[s] + at, k);
		else if ((r = q->fallback->read_at(q->fallback->opaque, off,
		    dst, k, err)) != PF_OK)
			return r;
		dst += k;
		off += k;
		n -= k;
	}
	return PF_OK;
}

pf_ret
pf_pageq_new(pf_pageq **out, const pf_pred *p, const pf_source *old,
    const pf_source *fallback, pthread_mutex_t *mu, pthread_cond_t *cv,
    pf_source *src, pf_err *err)
{
	pf_pageq *q = calloc(1, sizeof *q);

	*out = q;
	if (q == NULL || (q->buf = malloc(PF_PAGEQ_SLOTS *
	    sizeof *q->buf)) == NULL) {
		free(q);
		*out = NULL;
		return pf_err_nomem(err);
	}
	q->pred = p;
	q->old = old;
	q->fallback = fallback;
	q->mu = mu;
	q->cv = cv;
	*src = (pf_source){ read_at, q, old->size };
	return PF_OK;
}

void
pf_pageq_free(pf_pageq *q)
{
	if (q == NULL)
		return;
	free(q->buf);
	free(q);
}

void
pf_pageq_announce(pf_pageq *q, const uint64_t *pages, size_t n)
{
	size_t i, used = 0, h;

	pthread_mutex_lock(q->mu);
	while (q->busy > 0)
		pthread_cond_wait(q->cv, q->mu);
	memset(q->index, 0, sizeof q->index);
	memset(q->state, FREE, sizeof q->state);
	memset(q->seen, FREE, sizeof q->seen);
	q->qhead = q->qlen = 0;
	for (i = 0; i < n && used < PF_PAGEQ_SLOTS && !q->abandoned; i++) {
		if (pages[i] * PF_PRED_PAGE >= q->old->size ||
		    lookup(q, pages[i]) >= 0)
			continue;
		q->page[used] = pages[i];
		q->state[used] = WANTED;
		for (h = hash_page(pages[i]); q->index[h] != 0;
		    h = (h + 1) % INDEX_SIZE)
			;
		q->index[h] = (uint32_t)used + 1;
		q->queue[q->qlen++] = (uint32_t)used++;
	}
	pthread_cond_broadcast(q->cv);
	pthread_mutex_unlock(q->mu);
}

bool
pf_pageq_pending(const pf_pageq *q)
{
	return q->qhead < q->qlen;
}

void
pf_pageq_compute(pf_pageq *q)
{
	size_t s = q->queue[q->qhead++], len = page_len(q, q->page[s]);
	uint64_t off = q->page[s] * PF_PRED_PAGE;
	pf_ret r;

	q->state[s] = BUSY;
	q->busy++;
	pthread_mutex_unlock(q->mu);
	/* A failed read is the reader's to meet and report, on the spot. */
	r = q->old->read_at(q->old->opaque, off, q->buf[s], len, &q->err);
	if (r == PF_OK)
		pf_pred_page(q->pred, off, q->buf[s], len);
	pthread_mutex_lock(q->mu);
	q->busy--;
	q->state[s] = r == PF_OK ? READY : FAILED;
	pthread_cond_broadcast(q->cv);
}

void
pf_pageq_abandon(pf_pageq *q)
{
	while (q->qhead < q->qlen)
		q->state[q->queue[q->qhead++]] = FAILED;
	q->abandoned = true;
	pthread_cond_broadcast(q->cv);
}
