/*
 * Pages of the prediction (spec/delta.md section 10) computed ahead by
 * the decoder's second thread.  Block by block, the decoder announces the
 * pages of OLD that the block's copies will read, in the order they read
 * them; the second thread computes them into slots while the decoder
 * decodes.  A page that was not announced (or did not fit) is read from
 * the fallback source, as without the thread: the bytes are the same.
 *
 * Locking: mu and cv are the caller's, shared with its other work.  The
 * decoder's thread calls pf_pageq_announce and reads the source without
 * holding mu; the second thread calls pf_pageq_pending and
 * pf_pageq_compute with mu held.
 */
#ifndef PF_DELTA_PAGEQ_H
#define PF_DELTA_PAGEQ_H

#include <pthread.h>
#include <stdbool.h>

#include "common/err.h"
#include "common/stream.h"
#include "delta/predict.h"

/* Pages computed ahead at most: 1 MiB. */
#define PF_PAGEQ_SLOTS 256u

typedef struct pf_pageq pf_pageq;

/*
 * The prediction p of old as *out, with the pages that are not computed
 * ahead read from fallback (the prediction computed on the spot).
 */
pf_ret pf_pageq_new(pf_pageq **q, const pf_pred *p, const pf_source *old,
    const pf_source *fallback, pthread_mutex_t *mu, pthread_cond_t *cv,
    pf_source *out, pf_err *err);
void pf_pageq_free(pf_pageq *q);

/*
 * The pages (numbers of PF_PRED_PAGE bytes) the next block reads, in
 * order; repeats are allowed.  What was computed for the block before is
 * dropped.
 */
void pf_pageq_announce(pf_pageq *q, const uint64_t *pages, size_t n);

/* Whether a page waits to be computed (mu held). */
bool pf_pageq_pending(const pf_pageq *q);

/* Computes the next page (mu held; released while it works). */
void pf_pageq_compute(pf_pageq *q);

/*
 * The thread stops (mu held): the pages it was to compute, and those
 * announced later, are read from the fallback.
 */
void pf_pageq_abandon(pf_pageq *q);

#endif
