/*
 * Diffing the paths of a tree on several threads.  Each path is a job
 * with a builder of its own (its entry, blobs and notes, its blobs in its
 * worker's spool); the calling thread takes the jobs' results in path
 * order and renumbers their blobs, so the package is the same whatever
 * the number of threads.  A shared budget keeps the jobs' estimated
 * memory, together, within the builder's limit.
 */
#include <config.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "create/builder_int.h"

typedef struct job {
	const pf_node *on, *nn;
	pf_builder *sub;        /* its results, until they are collected */
	uint64_t need;          /* estimated memory */
	uint64_t bytes;         /* file bytes, for progress */
	pf_ret r;
	bool done;
} job;

typedef struct pool {
	pf_builder *b;
	const char *old_root, *new_root;
	job *jobs;
	size_t n, next;
	uint64_t budget;        /* memory not taken by running jobs */
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} pool;

typedef struct worker {
	pool *pl;
	pf_spool *spool;        /* one of b->wspools */
} worker;

/*
 * What diffing a pair holds: about twelve bytes per byte of the larger
 * file in memory (the suffix array, both files, the streams), or the
 * whole limit for files diffed in windows.
 */
static uint64_t
estimate(const pf_builder *b, const job *j)
{
	uint64_t o = j->on && j->on->type == PF_TYPE_FILE ? j->on->size : 0;
	uint64_t n = j->nn && j->nn->type == PF_TYPE_FILE ? j->nn->size : 0;
	uint64_t m = o > n ? o : n;

	if (m > pf_builder_big_min(b))
		return b->memory;
	return m * 12 < b->memory ? m * 12 : b->memory;
}

static void
sub_init(pf_builder *sub, const pf_builder *b, pf_spool *sp)
{
	memset(sub, 0, sizeof *sub);
	pf_manifest_init(&sub->m);
	sub->memory = b->memory;
	sub->no_live = b->no_live;
	sub->keep_mtime = b->keep_mtime;
	sub->delta_codec = b->delta_codec;
	sub->helpers = b->helpers;
	/* Borrowed, read only: the builder outlives its jobs. */
	memcpy(sub->live_sel, b->live_sel, sizeof sub->live_sel);
	memcpy(sub->n_live_sel, b->n_live_sel, sizeof sub->n_live_sel);
	sub->debug_dirs = b->debug_dirs;
	sub->n_debug_dirs = b->n_debug_dirs;
	sub->debug_used = b->debug_used;
	memcpy(sub->roots, b->roots, sizeof sub->roots);
	sub->spool.fd = -1;
	sub->sp = sp;
}

static void
sub_free(pf_builder *sub)
{
	size_t i;

	if (sub == NULL)
		return;
	for (i = 0; i < sub->n_notes; i++)
		free(sub->notes[i]);
	free(sub->notes);
	free(sub->loc);
	pf_manifest_clear(&sub->m);
	free(sub);
}

/* Takes the next job and its memory; NULL when there is none or a stop. */
static job *
take(pool *pl)
{
	job *j = NULL;

	pthread_mutex_lock(&pl->mu);
	while (!pl->stop && pl->next < pl->n &&
	    pl->budget < pl->jobs[pl->next].need)
		pthread_cond_wait(&pl->cv, &pl->mu);
	if (!pl->stop && pl->next < pl->n) {
		j = &pl->jobs[pl->next++];
		pl->budget -= j->need;
		pf_cpus_add(pl->b->helpers, -1);
	}
	pthread_mutex_unlock(&pl->mu);
	return j;
}

static void
finish(pool *pl, job *j, pf_ret r)
{
	pthread_mutex_lock(&pl->mu);
	j->r = r;
	j->done = true;
	pl->budget += j->need;
	pf_cpus_add(pl->b->helpers, 1);
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
}

static void *
work(void *arg)
{
	worker *w = arg;
	pool *pl = w->pl;
	job *j;
	pf_ret r;

	while ((j = take(pl)) != NULL) {
		if ((j->sub = malloc(sizeof *j->sub)) == NULL) {
			finish(pl, j, PF_ERR_NOMEM);
			continue;
		}
		sub_init(j->sub, pl->b, w->spool);
		r = pf_builder_diff_one(j->sub, pl->old_root, pl->new_root,
		    j->on ? j->on->path : j->nn->path, j->on, j->nn);
		finish(pl, j, r);
	}
	return NULL;
}

/* Moves a job's results into b, its blobs numbered after b's. */
static pf_ret
merge(pf_builder *b, pf_builder *sub)
{
	size_t base = b->m.n_blobs, i, ne = sub->m.n_entries;
	size_t nb = sub->m.n_blobs, nn = sub->n_notes;
	size_t nl = sub->m.n_live_notes;
	pf_entry *e;
	pf_blob *bl;
	pf_blob_loc *loc;
	pf_live_note *ln;
	char **notes;

	e = realloc(b->m.entries, (b->m.n_entries + ne + 1) * sizeof *e);
	if (e != NULL)
		b->m.entries = e;
	bl = realloc(b->m.blobs, (base + nb + 1) * sizeof *bl);
	if (bl != NULL)
		b->m.blobs = bl;
	loc = realloc(b->loc, (base + nb + 1) * sizeof *loc);
	if (loc != NULL)
		b->loc = loc;
	notes = realloc(b->notes, (b->n_notes + nn + 1) * sizeof *notes);
	if (notes != NULL)
		b->notes = notes;
	ln = realloc(b->m.live_notes, (b->m.n_live_notes + nl + 1) *
	    sizeof *ln);
	if (ln != NULL)
		b->m.live_notes = ln;
	if (e == NULL || bl == NULL || loc == NULL || notes == NULL ||
	    ln == NULL)
		return pf_err_nomem(&b->err);
	for (i = 0; i < ne; i++) {
		e = &sub->m.entries[i];
		if (e->payload != PF_NO_BLOB)
			e->payload += (uint32_t)base;
		if (e->rollback != PF_NO_BLOB)
			e->rollback += (uint32_t)base;
		if (e->live != PF_NO_BLOB)
			e->live += (uint32_t)base;
		b->m.entries[b->m.n_entries++] = *e;
	}
	if (nb > 0) {
		memcpy(b->m.blobs + base, sub->m.blobs, nb * sizeof *bl);
		memcpy(b->loc + base, sub->loc, nb * sizeof *loc);
	}
	b->m.n_blobs += nb;
	if (nn > 0)
		memcpy(b->notes + b->n_notes, sub->notes, nn * sizeof *notes);
	b->n_notes += nn;
	if (nl > 0)
		memcpy(b->m.live_notes + b->m.n_live_notes, sub->m.live_notes,
		    nl * sizeof *ln);
	b->m.n_live_notes += nl;
	b->required |= sub->required;
	/* Everything moved: only the arrays are left to free. */
	sub->m.n_entries = sub->m.n_blobs = sub->n_notes = 0;
	sub->m.n_live_notes = 0;
	return PF_OK;
}

/* Waits for job k, merges it, and reports progress. */
static pf_ret
collect(pool *pl, size_t k, pf_build_progress *pr)
{
	job *j = &pl->jobs[k];
	pf_builder *b = pl->b;
	pf_ret r;

	pthread_mutex_lock(&pl->mu);
	while (!j->done)
		pthread_cond_wait(&pl->cv, &pl->mu);
	pthread_mutex_unlock(&pl->mu);
	if (j->sub == NULL)
		r = pf_err_nomem(&b->err);
	else if ((r = j->r) != PF_OK)
		pf_err_copy(&b->err, &j->sub->err);
	else
		r = merge(b, j->sub);
	sub_free(j->sub);
	j->sub = NULL;
	pr->files_done++;
	pr->bytes_done += j->bytes;
	if (b->progress != NULL)
		b->progress(b->progress_opaque, pr);
	return r;
}

/* The jobs of two sorted node lists, one per path, in path order. */
static pf_ret
make_jobs(pool *pl, const pf_nodelist *ol, const pf_nodelist *nl,
    pf_build_progress *pr)
{
	size_t i = 0, j = 0;
	job *jb;
	int c;

	if ((pl->jobs = calloc(ol->n + nl->n + 1, sizeof *pl->jobs)) == NULL)
		return pf_err_nomem(&pl->b->err);
	while (i < ol->n || j < nl->n) {
		if (i == ol->n)
			c = 1;
		else if (j == nl->n)
			c = -1;
		else
			c = strcmp(ol->v[i].path, nl->v[j].path);
		jb = &pl->jobs[pl->n++];
		jb->on = c <= 0 ? &ol->v[i++] : NULL;
		jb->nn = c >= 0 ? &nl->v[j++] : NULL;
		jb->need = estimate(pl->b, jb);
		jb->bytes = (jb->on && jb->on->type == PF_TYPE_FILE ?
		    jb->on->size : 0) + (jb->nn && jb->nn->type ==
		    PF_TYPE_FILE ? jb->nn->size : 0);
		pr->bytes_total += jb->bytes;
	}
	pr->files_total = pl->n;
	return PF_OK;
}

/* Spools for the workers, kept by b until the package is written. */
static pf_ret
add_spools(pf_builder *b, size_t n)
{
	size_t i;

	if ((b->wspools = calloc(n, sizeof *b->wspools)) == NULL)
		return pf_err_nomem(&b->err);
	for (i = 0; i < n; i++)
		b->wspools[i].fd = -1;
	b->n_wspools = n;
	return PF_OK;
}

static void
stop_all(pool *pl)
{
	pthread_mutex_lock(&pl->mu);
	pl->stop = true;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
}

pf_ret
pf_build_tree(pf_builder *b, const char *old_root, const char *new_root,
    const pf_nodelist *ol, const pf_nodelist *nl)
{
	pool pl = { .b = b, .old_root = old_root, .new_root = new_root,
		.budget = b->memory };
	pf_build_progress pr = { .size = sizeof pr };
	size_t nw = b->jobs ? b->jobs : 1, started = 0, k;
	worker *ws = NULL;
	pthread_t *tid = NULL;
	pf_ret r;

	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.cv, NULL);
	if ((r = make_jobs(&pl, ol, nl, &pr)) != PF_OK)
		goto out;
	if (nw > pl.n)
		nw = pl.n ? pl.n : 1;
	if ((r = add_spools(b, nw)) != PF_OK)
		goto out;
	ws = calloc(nw, sizeof *ws);
	tid = calloc(nw, sizeof *tid);
	if (ws == NULL || tid == NULL) {
		r = pf_err_nomem(&b->err);
		goto out;
	}
	for (; started < nw; started++) {
		ws[started] = (worker){ &pl, &b->wspools[started] };
		if (pthread_create(&tid[started], NULL, work, &ws[started]))
			break;
	}
	if (started == 0) {
		r = pf_err_set(&b->err, PF_ERR_NOMEM, "cannot start a thread");
		goto out;
	}
	for (k = 0; k < pl.n && r == PF_OK; k++)
		r = collect(&pl, k, &pr);
	stop_all(&pl);
	for (k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
out:
	for (k = 0; k < pl.n; k++)
		sub_free(pl.jobs[k].sub);
	free(pl.jobs);
	free(ws);
	free(tid);
	pthread_mutex_destroy(&pl.mu);
	pthread_cond_destroy(&pl.cv);
	return r;
}
