/*
 * The pfdelta encoder: matches (match.c), then the three streams cut into
 * blocks (spec/delta.md section 5), each stream compressed as one LZMA2
 * stream flushed at block ends (lz_enc.c), then the blocks interleaved.
 */
#include <config.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "delta/delta.h"
#include "delta/denc.h"
#include "delta/diffcoder.h"
#include "delta/exec.h"
#include "compress/lz.h"
#include "delta/match.h"
#include "common/hash.h"

/*
 * LZMA properties per stream (section 4), as (pb * 5 + lp) * 9 + lc.
 * Control entries and diff bytes gain nothing from literal context;
 * extra bytes are fresh code and data, where the previous byte helps.
 */
static const uint8_t stream_props[PF_DELTA_NSTREAMS] = {
	[PF_DELTA_CTRL] = 0, [PF_DELTA_EXTRA] = 3
};

/* Control entries rarely need a long history. */
#define CTRL_DICT_MAX (1u << 20)

/*
 * One copy: its diff bytes apply to old[old_pos, +len), where old is the
 * plan's bytes of OLD (all of it, or a window's regions); ctx is the OLD
 * byte before the first one, the context of its diff byte (section 4.2.3).
 */
typedef struct copy_run {
	uint64_t old_pos;
	uint64_t len;
	uint8_t ctx;
} copy_run;

/*
 * The raw streams cut into blocks: block i is off[s][i] to off[s][i+1] of
 * stream s before compression, and poff[s][i] to poff[s][i+1] after.
 */
typedef struct plan {
	const uint8_t *old;
	pf_buf raw[PF_DELTA_NSTREAMS];
	copy_run *copies;
	size_t ncopies;
	size_t copies_cap;
	size_t *coff;           /* block i has copies coff[i] to coff[i+1] */
	size_t *off[PF_DELTA_NSTREAMS];
	uint64_t *new_len;
	size_t nblocks;
	size_t cap;
	uint64_t fill;          /* new bytes in the open block */
	uint64_t xfill;         /* extra bytes in the open block */
	uint64_t old_at;        /* the decoder's old position */
	uint64_t self_at;       /* its NEW position (section 5.3) */
	bool self;              /* the header flag SELF */
	pf_buf packed[PF_DELTA_NSTREAMS];
	size_t *poff[PF_DELTA_NSTREAMS];
	uint32_t block_size;
	bool sparse;            /* the header flag SPARSE */
	bool v2;                /* version 2 blocks (sections 4.2.4, 5.1) */
	bool failed;
	/* Streaming (pf_denc): coders kept from one window to the next. */
	pf_lz_enc *enc[PF_DELTA_NSTREAMS];
	pf_diff_model *model;
} plan;

typedef struct lz_job {
	plan *p;
	int stream;
	uint32_t dict;
	pf_err err;
	pf_ret ret;
} lz_job;

struct pf_denc {
	plan p;
	pf_cpus *cpus;
};

static bool
plan_grow(plan *p)
{
	size_t cap = p->cap ? 2 * p->cap : 16, *o;
	uint64_t *nl;
	int s;

	for (s = 0; s < PF_DELTA_NSTREAMS; s++) {
		if ((o = realloc(p->off[s], (cap + 1) * sizeof *o)) == NULL)
			return false;
		p->off[s] = o;
	}
	if ((o = realloc(p->coff, (cap + 1) * sizeof *o)) == NULL)
		return false;
	p->coff = o;
	if ((nl = realloc(p->new_len, cap * sizeof *nl)) == NULL)
		return false;
	p->new_len = nl;
	p->cap = cap;
	return true;
}

/* Ends the open block; the next one starts where the streams are now. */
static void
close_block(plan *p)
{
	int s;

	if (p->fill == 0)
		return;
	if (p->nblocks + 1 >= p->cap && !plan_grow(p)) {
		p->failed = true;
		return;
	}
	p->new_len[p->nblocks++] = p->fill;
	for (s = 0; s < PF_DELTA_NSTREAMS; s++)
		p->off[s][p->nblocks] = p->raw[s].len;
	p->coff[p->nblocks] = p->ncopies;
	p->fill = 0;
	p->xfill = 0;
}

/*
 * Section 5.2: seek as zigzag, then the copy and extra lengths; with
 * SELF (section 5.3), the seek's low bit says which position it moves.
 */
static void
put_entry(plan *p, uint64_t pos, uint64_t copy, uint64_t extra,
    bool from_new)
{
	uint64_t *at = p->self && from_new && copy > 0 ? &p->self_at :
	    &p->old_at, zz;

	if (copy == 0)
		pos = *at;
	zz = pos >= *at ? (pos - *at) << 1 : ((*at - pos - 1) << 1) | 1;
	if (p->self)
		zz = zz << 1 | (at == &p->self_at);
	pf_buf_put_uvarint(&p->raw[PF_DELTA_CTRL], zz);
	pf_buf_put_uvarint(&p->raw[PF_DELTA_CTRL], copy);
	pf_buf_put_uvarint(&p->raw[PF_DELTA_CTRL], extra);
	*at = pos + copy;
}

static void
put_diff(plan *p, uint64_t old_pos, const uint8_t *nw, size_t n, uint8_t ctx)
{
	pf_buf *b = &p->raw[PF_DELTA_DIFF];
	const uint8_t *old = p->old + old_pos;
	copy_run *v;
	size_t i, cap;

	if (n == 0 || !pf_buf_reserve(b, n))
		return;
	if (p->ncopies == p->copies_cap) {
		cap = p->copies_cap ? 2 * p->copies_cap : 256;
		if ((v = realloc(p->copies, cap * sizeof *v)) == NULL) {
			p->failed = true;
			return;
		}
		p->copies = v;
		p->copies_cap = cap;
	}
	p->copies[p->ncopies++] = (copy_run){ old_pos, n, ctx };
	for (i = 0; i < n; i++)
		b->data[b->len + i] = (uint8_t)(nw[i] - old[i]);
	b->len += n;
}

/*
 * Cuts one segment into entries that never cross a block boundary.  Its
 * copy reads p->old at sg->old_pos, which is OLD's position sg->old_pos +
 * shift; ctx is the OLD byte before it.
 */
static void
plan_segment(plan *p, const pf_seg *sg, const uint8_t *nw, int64_t shift,
    uint8_t ctx)
{
	uint64_t copy = sg->copy_len, extra = sg->extra_len, room, c, e;
	uint64_t old_pos = sg->old_pos, new_pos = sg->new_pos;
	size_t ctrl_start;
	bool first = true;

	while ((copy > 0 || extra > 0) && !p->failed) {
		/* Version 2 bounds a block's extra bytes, not its size. */
		room = p->block_size - (p->v2 ? p->xfill : p->fill);
		c = p->v2 || copy < room ? copy : room;
		room -= p->v2 ? 0 : c;
		e = extra < room ? extra : room;
		ctrl_start = p->off[PF_DELTA_CTRL][p->nblocks];
		put_entry(p, (uint64_t)((int64_t)old_pos + shift), c, e,
		    sg->from_new);
		/* A segment with nothing to copy may name any old_pos. */
		put_diff(p, old_pos, nw + new_pos, (size_t)c,
		    c == 0 ? 0 : first ? ctx : p->old[old_pos - 1]);
		first = false;
		pf_buf_append(&p->raw[PF_DELTA_EXTRA], nw + new_pos + c,
		    (size_t)e);
		old_pos += c;
		new_pos += c + e;
		copy -= c;
		extra -= e;
		p->fill += c + e;
		p->xfill += e;
		if ((p->v2 ? p->xfill : p->fill) == p->block_size ||
		    p->raw[PF_DELTA_CTRL].len -
		    ctrl_start + PF_DELTA_ENTRY_MAX > PF_DELTA_CTRL_MAX)
			close_block(p);
	}
}

static pf_ret
plan_build(plan *p, const pf_seg_list *segs, const uint8_t *nw, pf_err *err)
{
	size_t i;
	int s;

	if (!plan_grow(p))
		return pf_err_nomem(err);
	for (s = 0; s < PF_DELTA_NSTREAMS; s++)
		p->off[s][0] = 0;
	p->coff[0] = 0;
	for (i = 0; i < segs->n && !p->failed; i++)
		plan_segment(p, &segs->v[i], nw, 0, segs->v[i].copy_len > 0 &&
		    segs->v[i].old_pos > 0 ? p->old[segs->v[i].old_pos - 1] : 0);
	close_block(p);
	for (s = 0; s < PF_DELTA_NSTREAMS; s++)
		p->failed |= p->raw[s].failed;
	return p->failed ? pf_err_nomem(err) : PF_OK;
}

static void
plan_free(plan *p)
{
	int s;

	for (s = 0; s < PF_DELTA_NSTREAMS; s++) {
		pf_buf_free(&p->raw[s]);
		pf_buf_free(&p->packed[s]);
		free(p->off[s]);
		free(p->poff[s]);
	}
	free(p->new_len);
	free(p->coff);
	free(p->copies);
}

static uint32_t
pick_dict(size_t len, uint32_t max)
{
	if (len > max)
		return max;
	len = (len + PF_DELTA_DICT_MIN - 1) / PF_DELTA_DICT_MIN *
	    PF_DELTA_DICT_MIN;
	return len < PF_DELTA_DICT_MIN ? PF_DELTA_DICT_MIN : (uint32_t)len;
}

/* Section 4.2: the diff bytes of each block's copies, one chunk a block. */
static void
diff_encode_block(plan *p, size_t b, pf_diff_model *m, size_t *at)
{
	const uint8_t *diff = p->raw[PF_DELTA_DIFF].data;
	pf_buf *out = &p->packed[PF_DELTA_DIFF];
	pf_diff_enc e;
	size_t c;

	if (p->coff[b] == p->coff[b + 1])
		return;
	pf_diff_enc_start(&e, out, p->v2);
	for (c = p->coff[b]; c < p->coff[b + 1]; c++) {
		pf_diff_enc_copy(&e, m, p->copies[c].ctx,
		    p->old + p->copies[c].old_pos, diff + *at,
		    p->copies[c].len);
		*at += p->copies[c].len;
	}
	pf_diff_enc_finish(&e);
}

static pf_ret
diff_encode(plan *p, pf_err *err)
{
	pf_diff_model *m = p->model ? p->model : malloc(sizeof *m);
	size_t b, at = 0;
	pf_ret r = PF_OK;

	if (m == NULL)
		return pf_err_nomem(err);
	if (p->model == NULL)
		pf_diff_model_init(m, p->sparse, true);
	p->poff[PF_DELTA_DIFF][0] = 0;
	for (b = 0; b < p->nblocks; b++) {
		diff_encode_block(p, b, m, &at);
		p->poff[PF_DELTA_DIFF][b + 1] = p->packed[PF_DELTA_DIFF].len;
	}
	if (p->packed[PF_DELTA_DIFF].failed)
		r = pf_err_nomem(err);
	if (p->model == NULL)
		free(m);
	return r;
}

static void *
lz_run(void *arg)
{
	lz_job *j = arg;
	plan *p = j->p;
	int s = j->stream;

	p->poff[s] = malloc((p->nblocks + 1) * sizeof *p->poff[s]);
	if (p->poff[s] == NULL) {
		j->ret = pf_err_nomem(&j->err);
		return NULL;
	}
	if (s == PF_DELTA_DIFF) {
		j->ret = diff_encode(p, &j->err);
		return NULL;
	}
	if (p->enc[s] != NULL)
		j->ret = pf_lz_enc_blocks(p->enc[s], p->raw[s].data, p->off[s],
		    p->nblocks, &p->packed[s], p->poff[s], &j->err);
	else
		j->ret = pf_lz_encode_blocks(p->raw[s].data, p->off[s],
		    p->nblocks, stream_props[s], j->dict, &p->packed[s],
		    p->poff[s], &j->err);
	return NULL;
}

/* The diff stream is the largest: it gets a thread of its own. */
static pf_ret
compress_streams(lz_job jobs[PF_DELTA_NSTREAMS], pf_cpus *cpus, pf_err *err)
{
	pthread_t tid;
	bool spawned;
	int s;

	spawned = pf_cpus_spawn(cpus, &tid, lz_run, &jobs[PF_DELTA_DIFF]);
	for (s = 0; s < PF_DELTA_NSTREAMS; s++)
		if (s != PF_DELTA_DIFF || !spawned)
			lz_run(&jobs[s]);
	if (spawned)
		pf_cpus_join(cpus, tid);
	for (s = 0; s < PF_DELTA_NSTREAMS; s++)
		if (jobs[s].ret != PF_OK)
			return pf_err_copy(err, &jobs[s].err);
	return PF_OK;
}

/* Section 5.1: each block's header, then its three chunks. */
static void
write_blocks(const plan *p, pf_buf *out)
{
	size_t i;
	int s;

	for (i = 0; i < p->nblocks; i++) {
		pf_buf_put_uvarint(out, p->new_len[i]);
		for (s = 0; s < PF_DELTA_NSTREAMS; s++) {
			/* Version 2: diff_raw is new_len less extra_raw. */
			if (!p->v2 || s != PF_DELTA_DIFF)
				pf_buf_put_uvarint(out,
				    p->off[s][i + 1] - p->off[s][i]);
			pf_buf_put_uvarint(out,
			    p->poff[s][i + 1] - p->poff[s][i]);
		}
		for (s = 0; s < PF_DELTA_NSTREAMS; s++)
			if (p->poff[s][i + 1] > p->poff[s][i])
				pf_buf_append(out,
				    p->packed[s].data + p->poff[s][i],
				    p->poff[s][i + 1] - p->poff[s][i]);
	}
}

static void
fill_info(pf_delta_info *info, const plan *p, const lz_job *jobs)
{
	int s;

	info->block_size = p->block_size;
	for (s = 0; s < PF_DELTA_NSTREAMS; s++) {
		info->props[s] = s == PF_DELTA_DIFF ? 0 : stream_props[s];
		info->dict[s] = s == PF_DELTA_DIFF ? 0 : jobs[s].dict;
	}
}

static pf_ret
check_opts(const pf_delta_opts *opts, pf_delta_opts *o, pf_err *err)
{
	static const pf_delta_opts defaults = { 0, PF_DELTA_BLOCK_MAX,
		PF_DELTA_DICT_MAX, PF_DELTA_PREDICT_AUTO, false, NULL };

	*o = opts ? *opts : defaults;
	if (o->block_size == 0)
		o->block_size = PF_DELTA_BLOCK_MAX;
	if (o->dict_max == 0)
		o->dict_max = PF_DELTA_DICT_MAX;
	if (o->block_size > PF_DELTA_BLOCK_MAX)
		return pf_err_set(err, PF_ERR_USAGE,
		    "block size %u is above the limit of %u", o->block_size,
		    PF_DELTA_BLOCK_MAX);
	if (o->dict_max < PF_DELTA_DICT_MIN || o->dict_max > PF_DELTA_DICT_MAX)
		return pf_err_set(err, PF_ERR_USAGE,
		    "dictionary size %u is outside %u to %u", o->dict_max,
		    PF_DELTA_DICT_MIN, PF_DELTA_DICT_MAX);
	return PF_OK;
}

/*
 * One delta of new against base, OLD itself or its prediction (section
 * 10): the segments' blocks, after the header of info and, with a
 * prediction, its section.
 */
static pf_ret
encode_against(const uint8_t *base, const uint8_t *new_data,
    const pf_seg_list *segs, const pf_delta_opts *o, pf_delta_info *info,
    const pf_buf *pred, pf_buf *out, pf_err *err)
{
	lz_job jobs[PF_DELTA_NSTREAMS];
	plan p;
	pf_ret r;
	int s;

	memset(&p, 0, sizeof p);
	p.block_size = o->block_size;
	p.sparse = true;
	p.v2 = info->version == PF_DELTA_VERSION2;
	p.old = base;
	if ((r = plan_build(&p, segs, new_data, err)) != PF_OK)
		goto out;
	for (s = 0; s < PF_DELTA_NSTREAMS; s++) {
		jobs[s] = (lz_job){ .p = &p, .stream = s, .ret = PF_OK,
		    .dict = pick_dict(p.raw[s].len, s == PF_DELTA_CTRL &&
			o->dict_max > CTRL_DICT_MAX ? CTRL_DICT_MAX : o->dict_max) };
	}
	if ((r = compress_streams(jobs, o->cpus, err)) != PF_OK)
		goto out;
	fill_info(info, &p, jobs);
	info->flags = PF_DELTA_FLAG_SPARSE | PF_DELTA_FLAG_SKIP |
	    (pred != NULL ? PF_DELTA_FLAG_PREDICT : 0);
	pf_delta_put_header(info, out);
	if (pred != NULL)
		pf_buf_append(out, pred->data, pred->len);
	write_blocks(&p, out);
	if (out->failed)
		r = pf_err_nomem(err);
out:
	plan_free(&p);
	return r;
}

/*
 * Section 10: new against OLD's prediction, into cand; cand stays empty
 * when the files allow no prediction.
 */
static pf_ret
encode_predicted(const uint8_t *old, size_t old_len, const uint8_t *new_data,
    size_t new_len, const pf_seg_list *segs, const pf_delta_opts *o,
    pf_delta_info *info, pf_buf *cand, pf_err *err)
{
	pf_seg_list psegs = { 0 };
	uint8_t *img = NULL;
	pf_buf sec;
	pf_ret r;

	pf_buf_init(&sec);
	r = pf_exec_predict(old, old_len, new_data, new_len, segs, &sec, &img,
	    err);
	if (r != PF_OK || img == NULL)
		goto out;
	r = pf_delta_match(img, old_len, new_data, new_len, o->cpus, &psegs,
	    err);
	if (r == PF_OK)
		r = encode_against(img, new_data, &psegs, o, info, &sec, cand,
		    err);
out:
	free(psegs.v);
	free(img);
	pf_buf_free(&sec);
	return r;
}

/* The generic delta, made on a thread while the prediction is tried. */
typedef struct gen_job {
	const uint8_t *old;
	const uint8_t *new_data;
	const pf_seg_list *segs;
	const pf_delta_opts *o;
	pf_delta_info info;
	pf_buf *out;
	pf_err err;
	pf_ret ret;
} gen_job;

static void *
gen_run(void *arg)
{
	gen_job *j = arg;

	j->ret = encode_against(j->old, j->new_data, j->segs, j->o, &j->info,
	    NULL, j->out, &j->err);
	return NULL;
}

/*
 * Both candidates of PF_DELTA_PREDICT_AUTO: the generic one on a thread
 * of its own when a CPU is free, so that it costs no time while the
 * prediction is made, sorted and matched.  Each is a function of the
 * inputs alone, so the output does not depend on the threads.
 */
static pf_ret
encode_both(const uint8_t *old, size_t old_len, const uint8_t *new_data,
    size_t new_len, const pf_seg_list *segs, const pf_delta_opts *o,
    pf_delta_info *info, pf_buf *gen, pf_buf *pred, pf_err *err)
{
	gen_job j = { old, new_data, segs, o, *info, gen, { 0 }, PF_OK };
	pthread_t tid;
	bool spawned;
	pf_ret r;

	spawned = pf_cpus_spawn(o->cpus, &tid, gen_run, &j);
	if (!spawned)
		gen_run(&j);
	r = encode_predicted(old, old_len, new_data, new_len, segs, o, info,
	    pred, err);
	if (spawned)
		pf_cpus_join(o->cpus, tid);
	if (r == PF_OK && j.ret != PF_OK)
		r = pf_err_copy(err, &j.err);
	return r;
}

pf_ret
pf_delta_encode(const uint8_t *old, size_t old_len, const uint8_t *new_data,
    size_t new_len, const pf_delta_opts *opts, pf_buf *out, pf_err *err)
{
	pf_seg_list segs = { 0 };
	pf_delta_info info;
	pf_delta_opts o;
	pf_cpus own;
	pf_buf gen, pred;
	const pf_buf *best;
	pf_ret r;

	pf_buf_init(&gen);
	pf_buf_init(&pred);
	memset(&info, 0, sizeof info);
	if ((r = check_opts(opts, &o, err)) != PF_OK)
		goto out;
	if (o.cpus == NULL) {
		pf_cpus_init_threads(&own, o.threads);
		o.cpus = &own;
	}
	/* Section 3.4: version 2, with the hashes unless told otherwise. */
	info.version = PF_DELTA_VERSION2;
	info.old_size = old_len;
	info.new_size = new_len;
	info.has_sha256 = !o.no_sha256;
	if (info.has_sha256 && (pf_sha256(info.old_sha256, old, old_len) != 0 ||
	    pf_sha256(info.new_sha256, new_data, new_len) != 0)) {
		r = pf_err_nomem(err);
		goto out;
	}
	r = pf_delta_match(old, old_len, new_data, new_len, o.cpus, &segs,
	    err);
	if (r != PF_OK)
		goto out;
	if (o.predict == PF_DELTA_PREDICT_AUTO)
		r = encode_both(old, old_len, new_data, new_len, &segs, &o,
		    &info, &gen, &pred, err);
	else if (o.predict == PF_DELTA_PREDICT_NEVER)
		r = encode_against(old, new_data, &segs, &o, &info, NULL, &gen,
		    err);
	else
		r = encode_predicted(old, old_len, new_data, new_len, &segs,
		    &o, &info, &pred, err);
	if (r != PF_OK)
		goto out;
	/* The generic delta unless the prediction made a smaller one. */
	best = pred.len > 0 && (gen.len == 0 || pred.len < gen.len) ?
	    &pred : &gen;
	if (best->len == 0 && (r = encode_against(old, new_data, &segs, &o,
	    &info, NULL, &gen, err)) != PF_OK)
		goto out;
	pf_buf_append(out, best->data, best->len);
	if (out->failed)
		r = pf_err_nomem(err);
out:
	free(segs.v);
	pf_buf_free(&gen);
	pf_buf_free(&pred);
	return r;
}

/* Streaming (delta/denc.h): the same plan, compressed window by window. */

pf_ret
pf_denc_new(pf_denc **out, const pf_delta_info *info, pf_cpus *cpus,
    pf_err *err)
{
	pf_denc *e = calloc(1, sizeof *e);
	pf_ret r = PF_OK;
	int s;

	*out = NULL;
	if (e == NULL || (e->p.model = malloc(sizeof *e->p.model)) == NULL) {
		free(e);
		return pf_err_nomem(err);
	}
	*out = e;
	pf_diff_model_init(e->p.model, info->flags & PF_DELTA_FLAG_SPARSE,
	    info->flags & PF_DELTA_FLAG_SKIP);
	e->p.block_size = info->block_size;
	e->p.self = info->flags & PF_DELTA_FLAG_SELF;
	e->p.v2 = info->version == PF_DELTA_VERSION2;
	e->cpus = cpus;
	for (s = 0; s < PF_DELTA_NSTREAMS && r == PF_OK; s++)
		if (s != PF_DELTA_DIFF)
			r = pf_lz_enc_new(&e->p.enc[s], info->props[s],
			    info->dict[s], err);
	if (r == PF_OK && !plan_grow(&e->p))
		r = pf_err_nomem(err);
	for (s = 0; s < PF_DELTA_NSTREAMS && r == PF_OK; s++)
		e->p.off[s][0] = 0;
	if (r == PF_OK)
		e->p.coff[0] = 0;
	return r;
}

/* The LZMA properties the streaming encoder uses (section 4). */
uint8_t
pf_denc_props(int stream)
{
	return stream == PF_DELTA_DIFF ? 0 : stream_props[stream];
}

void
pf_denc_segment(pf_denc *e, const uint8_t *old, const pf_seg *sg,
    const uint8_t *nw, int64_t shift, uint8_t ctx)
{
	e->p.old = old;
	plan_segment(&e->p, sg, nw, shift, ctx);
}

/* Empties the plan for the next window; the coders and old_at stay. */
static void
plan_reset(plan *p)
{
	int s;

	for (s = 0; s < PF_DELTA_NSTREAMS; s++) {
		p->raw[s].len = 0;
		p->packed[s].len = 0;
		p->off[s][0] = 0;
		free(p->poff[s]);
		p->poff[s] = NULL;
	}
	p->ncopies = 0;
	p->coff[0] = 0;
	p->nblocks = 0;
}

pf_ret
pf_denc_flush(pf_denc *e, pf_ostream *out, pf_err *err)
{
	lz_job jobs[PF_DELTA_NSTREAMS];
	plan *p = &e->p;
	pf_buf blocks;
	pf_ret r;
	int s;

	close_block(p);
	for (s = 0; s < PF_DELTA_NSTREAMS; s++)
		p->failed |= p->raw[s].failed;
	if (p->failed)
		return pf_err_nomem(err);
	for (s = 0; s < PF_DELTA_NSTREAMS; s++)
		jobs[s] = (lz_job){ .p = p, .stream = s, .ret = PF_OK };
	if ((r = compress_streams(jobs, e->cpus, err)) != PF_OK)
		return r;
	pf_buf_init(&blocks);
	write_blocks(p, &blocks);
	r = blocks.failed ? pf_err_nomem(err) :
	    out->write(out->opaque, blocks.data, blocks.len, err);
	pf_buf_free(&blocks);
	plan_reset(p);
	return r;
}

void
pf_denc_free(pf_denc *e)
{
	int s;

	if (e == NULL)
		return;
	for (s = 0; s < PF_DELTA_NSTREAMS; s++)
		pf_lz_enc_free(e->p.enc[s]);
	free(e->p.model);
	plan_free(&e->p);
	free(e);
}
