/*
 * Pages of the prediction (spec/delta.md section 10) computed ahead by
 * the decoder's second thread.  The decoder knows, from the control
 * entries, which pages of OLD its copies will read and in what order: a
 * walker hands them out one by one, and the second thread computes them,
 * in that order, into a ring of slots while the decoder decodes.  A read
 * of a page the ring does not hold (the walk and the reads parted, or
 * the thread stopped) is served by the fallback source, as without the
 * thread: the bytes are the same.
 *
 * Locking: the lock is the caller's pf_sync, shared with its other work.
 * The decoder's thread reads the source without holding it; the second
 * thread calls pf_pageq_pending and pf_pageq_compute with it held.
 */
#ifndef PF_DELTA_PAGEQ_H
#define PF_DELTA_PAGEQ_H

#include <pthread.h>
#include <stdbool.h>

#include "common/err.h"
#include "common/stream.h"
#include "delta/predict.h"

/*
 * The lock of the decoder's two threads, and who is waiting: each side
 * wakes the other only when it waits, so that most changes cost no
 * system call.  The fields are read and written with mu held.
 */
typedef struct pf_sync {
	pthread_mutex_t mu;
	pthread_cond_t work;    /* the second thread waits here for work */
	pthread_cond_t ready;   /* the decoder's thread waits here */
	bool idle;              /* the second thread waits */
	bool waiting;           /* the decoder's thread waits */
} pf_sync;

static inline void
pf_sync_wait_worker(pf_sync *s)
{
	s->idle = true;
	pthread_cond_wait(&s->work, &s->mu);
	s->idle = false;
}

static inline void
pf_sync_wait_decoder(pf_sync *s)
{
	s->waiting = true;
	pthread_cond_wait(&s->ready, &s->mu);
	s->waiting = false;
}

static inline void
pf_sync_wake_worker(pf_sync *s)
{
	if (s->idle)
		pthread_cond_signal(&s->work);
}

static inline void
pf_sync_wake_decoder(pf_sync *s)
{
	if (s->waiting)
		pthread_cond_signal(&s->ready);
}

/* Pages in the ring: 1 MiB. */
#define PF_PAGEQ_SLOTS 256u

/* The next page the decoder will read, or false when none is known. */
typedef bool (*pf_pageq_walk)(void *opaque, uint64_t *page);

typedef struct pf_pageq pf_pageq;

/*
 * The prediction p of old as *out, with the pages the walk does not
 * foresee read from fallback (the prediction computed on the spot).
 */
pf_ret pf_pageq_new(pf_pageq **q, const pf_pred *p, const pf_source *old,
    const pf_source *fallback, pf_pageq_walk walk, void *walk_opaque,
    pf_sync *sync, pf_source *out, pf_err *err);
void pf_pageq_free(pf_pageq *q);

/* The walk has more pages (a new block): takes them (no lock held). */
void pf_pageq_refill(pf_pageq *q);

/* Whether a page waits to be computed (the lock held). */
bool pf_pageq_pending(const pf_pageq *q);

/* Computes the next page (the lock held; released while it works). */
void pf_pageq_compute(pf_pageq *q);

/*
 * The thread stops (the lock held): every page from now on is read from the
 * fallback.
 */
void pf_pageq_abandon(pf_pageq *q);

#endif
