/*
 * SHA-256 on a helper thread, so that hashing new overlaps decoding it.
 * One job at a time: pf_bg_hash_submit() waits for the previous job, so
 * a caller that alternates two buffers may refill the one not submitted
 * last.  Without a thread (pthread_create failed) it hashes inline.
 */
#ifndef PF_DELTA_BGHASH_H
#define PF_DELTA_BGHASH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"

typedef struct pf_bg_hash {
	pf_sha256_ctx ctx;
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const uint8_t *p;
	size_t n;
	bool pending;           /* a job is queued or running */
	bool quit;
	bool threaded;
} pf_bg_hash;

void pf_bg_hash_start(pf_bg_hash *h);
void pf_bg_hash_submit(pf_bg_hash *h, const uint8_t *p, size_t n);
/* Waits for the last job and stops the thread; digest may be NULL. */
void pf_bg_hash_end(pf_bg_hash *h, uint8_t digest[PF_SHA256_LEN]);

#endif
