#include <config.h>

#include "delta/bghash.h"

static void *
worker(void *arg)
{
	pf_bg_hash *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (!h->pending && !h->quit)
			pthread_cond_wait(&h->cv, &h->mu);
		if (!h->pending)
			break;
		pthread_mutex_unlock(&h->mu);
		pf_sha256_update(&h->ctx, h->p, h->n);
		pthread_mutex_lock(&h->mu);
		h->pending = false;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

void
pf_bg_hash_start(pf_bg_hash *h)
{
	pf_sha256_init(&h->ctx);
	h->pending = h->quit = false;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->threaded = pthread_create(&h->tid, NULL, worker, h) == 0;
}

static void
wait_idle(pf_bg_hash *h)
{
	while (h->pending)
		pthread_cond_wait(&h->cv, &h->mu);
}

void
pf_bg_hash_submit(pf_bg_hash *h, const uint8_t *p, size_t n)
{
	if (!h->threaded) {
		pf_sha256_update(&h->ctx, p, n);
		return;
	}
	pthread_mutex_lock(&h->mu);
	wait_idle(h);
	h->p = p;
	h->n = n;
	h->pending = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

void
pf_bg_hash_end(pf_bg_hash *h, uint8_t digest[PF_SHA256_LEN])
{
	if (h->threaded) {
		pthread_mutex_lock(&h->mu);
		wait_idle(h);
		h->quit = true;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->tid, NULL);
		h->threaded = false;
	}
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	if (digest != NULL)
		pf_sha256_final(&h->ctx, digest);
}
