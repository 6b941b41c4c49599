/* Pages of the prediction computed ahead by a second thread (pageq.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "delta/format.h"
#include "delta/pageq.h"

#define SLOTS PF_PAGEQ_SLOTS

/*
 * Request i (the i-th page the walk gave) lives in slot i % SLOTS.  The
 * decoder's thread alone writes req, head, cur and keep (head and keep
 * with the lock held); the second thread alone writes the slots, held,
 * failed and done (done with the lock held).  Requests below keep may be overwritten: the
 * reader is at cur and may still read cur - 1 (the byte before a copy).
 */
struct pf_pageq {
	const pf_pred *pred;
	const pf_source *old;
	const pf_source *fallback;
	pf_pageq_walk walk;
	void *walk_opaque;
	pf_sync *sync;
	uint64_t req[SLOTS];
	bool failed[SLOTS];     /* its read of OLD failed: use the fallback */
	uint64_t held[SLOTS];   /* the thread's: page + 1 a slot holds */
	uint64_t head;          /* requests made */
	uint64_t done;          /* requests computed, in order */
	uint64_t cur;           /* the request the reader is at */
	uint64_t keep;
	uint64_t seen_done;     /* the reader's copy of done */
	bool abandoned;         /* no thread computes pages any more */
	uint8_t (*buf)[PF_PRED_PAGE];
	pf_err err;             /* the thread's, thrown away */
};

static size_t
page_len(const pf_pageq *q, uint64_t page)
{
	uint64_t off = page * PF_PRED_PAGE;

	return q->old->size - off < PF_PRED_PAGE ?
	    (size_t)(q->old->size - off) : PF_PRED_PAGE;
}

/* Makes requests while the ring has room and the walk has pages (lock). */
static void
fill(pf_pageq *q)
{
	uint64_t page;

	while (!q->abandoned && q->head < q->keep + SLOTS &&
	    q->walk(q->walk_opaque, &page)) {
		if (page * PF_PRED_PAGE >= q->old->size)
			continue;
		q->req[q->head % SLOTS] = page;
		q->head++;
	}
	pf_sync_wake_worker(q->sync);
}

/* The reader moves on to request i. */
static void
advance(pf_pageq *q, uint64_t i)
{
	pthread_mutex_lock(&q->sync->mu);
	q->cur = i;
	q->keep = i > 0 ? i - 1 : 0;
	fill(q);
	pthread_mutex_unlock(&q->sync->mu);
}

/* Waits until request i is computed; false if it never will be. */
static bool
wait_done(pf_pageq *q, uint64_t i)
{
	if (i < q->seen_done)
		return !q->failed[i % SLOTS];
	pthread_mutex_lock(&q->sync->mu);
	while (q->done <= i && !q->abandoned)
		pf_sync_wait_decoder(q->sync);
	q->seen_done = q->done;
	pthread_mutex_unlock(&q->sync->mu);
	return i < q->seen_done && !q->failed[i % SLOTS];
}

/*
 * The request that holds page, where the reader is or just ahead of it;
 * the reader moves on to it.  -1 if the walk did not foresee this read.
 */
static int64_t
find(pf_pageq *q, uint64_t page)
{
	uint64_t c = q->cur, j;

	if (c < q->head && q->req[c % SLOTS] == page)
		return (int64_t)c;
	if (c > 0 && c - 1 >= q->keep && q->req[(c - 1) % SLOTS] == page)
		return (int64_t)c - 1;
	for (j = c + 1; j < q->head && j < c + SLOTS - 1; j++)
		if (q->req[j % SLOTS] == page) {
			advance(q, j);
			return (int64_t)j;
		}
	return -1;
}

static pf_ret
read_at(void *opaque, uint64_t off, void *buf, size_t n, pf_err *err)
{
	pf_pageq *q = opaque;
	uint8_t *dst = buf;
	size_t at, k;
	int64_t i;
	pf_ret r;

	while (n > 0) {
		at = (size_t)(off % PF_PRED_PAGE);
		k = PF_PRED_PAGE - at < n ? PF_PRED_PAGE - at : n;
		if ((i = find(q, off / PF_PRED_PAGE)) >= 0 &&
		    wait_done(q, (uint64_t)i))
			memcpy(dst, q->buf[i % SLOTS] + at, k);
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
    const pf_source *fallback, pf_pageq_walk walk, void *walk_opaque,
    pf_sync *sync, pf_source *src, pf_err *err)
{
	pf_pageq *q = calloc(1, sizeof *q);

	*out = q;
	if (q == NULL || (q->buf = malloc(SLOTS * sizeof *q->buf)) == NULL) {
		free(q);
		*out = NULL;
		return pf_err_nomem(err);
	}
	q->pred = p;
	q->old = old;
	q->fallback = fallback;
	q->walk = walk;
	q->walk_opaque = walk_opaque;
	q->sync = sync;
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
pf_pageq_refill(pf_pageq *q)
{
	pthread_mutex_lock(&q->sync->mu);
	fill(q);
	pthread_mutex_unlock(&q->sync->mu);
}

bool
pf_pageq_pending(const pf_pageq *q)
{
	return !q->abandoned && q->done < q->head &&
	    q->done < q->keep + SLOTS;
}

void
pf_pageq_compute(pf_pageq *q)
{
	uint64_t i = q->done, page = q->req[i % SLOTS];
	uint64_t off = page * PF_PRED_PAGE;
	size_t len = page_len(q, page), s = (size_t)(i % SLOTS), k;
	uint8_t *dst = q->buf[s];
	pf_ret r = PF_OK;

	pthread_mutex_unlock(&q->sync->mu);
	/*
	 * A page still held in some slot is copied, not computed again: a
	 * decoder's short copies come back to the same pages often.
	 */
	for (k = 0; k < SLOTS && q->held[k] != page + 1; k++)
		;
	if (k == SLOTS) {
		/* A failed read is the reader's to meet, on the spot. */
		if ((r = q->old->read_at(q->old->opaque, off, dst, len,
		    &q->err)) == PF_OK)
			pf_pred_page(q->pred, off, dst, len);
	} else if (k != s)
		memcpy(dst, q->buf[k], len);
	q->held[s] = r == PF_OK ? page + 1 : 0;
	pthread_mutex_lock(&q->sync->mu);
	q->failed[s] = r != PF_OK;
	q->done++;
	pf_sync_wake_decoder(q->sync);
}

void
pf_pageq_abandon(pf_pageq *q)
{
	q->abandoned = true;
	pf_sync_wake_decoder(q->sync);
}
