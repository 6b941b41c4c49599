/*
 * Applying a hot patch to a running process and reverting it
 * (spec/hotpatch.md section 7).
 *
 * Everything that can be done while the process runs is done first: the
 * module is found by build ID, the old code is checked byte for byte, the
 * new code is relocated and written into memory mapped near the module
 * (only the main thread is stopped for that, for two system calls).  Then
 * every thread is stopped, their stacks are checked, the jumps are
 * written, and every thread resumes: that window is kept short.  Any
 * failure leaves the process as it was.
 */
#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/ckd.h"
#include "common/hash.h"
#include "live/hotpatch.h"
#include "live/proc.h"
#include "live/stop.h"
#include "live/unwind.h"

#define DEFAULT_WAIT_MS 2000
#define PAGE 4096u
#define GAP_TRIES 8
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* Where each function and data blob goes in the mapped region: code and
 * read-only data first (mapped read and execute), writable data in the
 * pages after them (read and write). */
typedef struct layout {
	uint64_t *func_off;
	uint64_t *data_off;
	uint64_t rx_len, rw_len;
} layout;

typedef struct actx {
	const pf_hotpatch *hp;
	const pf_live_opts *opts;
	lv_proc p;
	const lv_module *m;
	layout l;
	pf_live_undo *undo;
	pf_err *err;
	uint64_t t_start;
} actx;

static unsigned
wait_ms(const pf_live_opts *o)
{
	return o != NULL && o->wait_ms != 0 ? o->wait_ms : DEFAULT_WAIT_MS;
}

static uint64_t
align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static pf_ret
plan_layout(actx *a)
{
	const pf_hotpatch *hp = a->hp;
	uint64_t off = 0, rw = 0;
	size_t i;

	a->l.func_off = calloc(hp->n_funcs + 1, sizeof *a->l.func_off);
	a->l.data_off = calloc(hp->n_data + 1, sizeof *a->l.data_off);
	if (a->l.func_off == NULL || a->l.data_off == NULL)
		return pf_err_nomem(a->err);
	/* Sizes are bounded by the decoder (section 6), so these sums of
	 * at most 2^16 items of at most 2^24 bytes cannot overflow. */
	for (i = 0; i < hp->n_funcs; i++) {
		a->l.func_off[i] = off = align_up(off, 16);
		off += hp->funcs[i].code_len;
	}
	for (i = 0; i < hp->n_data; i++)
		if (!(hp->data[i].flags & PF_HP_DATA_WRITABLE)) {
			a->l.data_off[i] = off = align_up(off, hp->data[i].align);
			off += hp->data[i].len;
		}
	a->l.rx_len = align_up(off ? off : 1, PAGE);
	for (i = 0; i < hp->n_data; i++)
		if (hp->data[i].flags & PF_HP_DATA_WRITABLE) {
			rw = align_up(rw, hp->data[i].align);
			a->l.data_off[i] = a->l.rx_len + rw;
			rw += hp->data[i].len;
		}
	a->l.rw_len = rw ? align_up(rw, PAGE) : 0;
	return PF_OK;
}

static const char *
hexid(char *out, const uint8_t *id, size_t n)
{
	pf_hex(out, id, n);
	return out;
}

/* Ksplice's "run-pre matching": the code in memory must be the code the
 * patch was made against, byte for byte. */
static pf_ret
verify_func(actx *a, const pf_hp_func *f)
{
	uint8_t got[PF_SHA256_LEN], *buf = NULL;
	char he[PF_SHA256_HEX_LEN], hg[PF_SHA256_HEX_LEN];
	uint64_t end;
	pf_ret r;

	if (pf_add_overflow_u64(a->m->base, f->old_offset, &end) ||
	    pf_add_overflow_u64(end, f->old_len, &end) || end > a->m->hi)
		return pf_err_set(a->err, PF_ERR_MISMATCH, "function '%s' lies "
		    "outside module '%s'", f->name, a->m->path);
	if ((buf = malloc(f->old_len ? f->old_len : 1)) == NULL)
		return pf_err_nomem(a->err);
	r = lv_proc_read(&a->p, a->m->base + f->old_offset, buf, f->old_len);
	if (r == PF_OK) {
		pf_sha256(got, buf, f->old_len);
		if (memcmp(got, f->old_sha256, sizeof got) != 0)
			r = pf_err_set(a->err, PF_ERR_MISMATCH, "function '%s' "
			    "in memory does not match: expected sha256 %s, "
			    "found %s%s", f->name, pf_sha256_hex(he,
			    f->old_sha256), pf_sha256_hex(hg, got),
			    buf[f->entry_skip] == 0xe9 ? " (already patched?)" :
			    "");
	}
	free(buf);
	return r;
}

static pf_ret
find_target(actx *a)
{
	char id[2 * sizeof a->hp->build_id + 1];
	size_t i;
	pf_ret r;

	a->m = lv_proc_module(&a->p, a->hp->build_id, a->hp->build_id_len);
	if (a->m == NULL)
		return pf_err_set(a->err, PF_ERR_MISMATCH, "process %d has no "
		    "module with build id %s%s%s", (int)a->p.pid, hexid(id,
		    a->hp->build_id, a->hp->build_id_len),
		    a->hp->module && a->hp->module[0] ? " for " : "",
		    a->hp->module ? a->hp->module : "");
	for (i = 0; i < a->hp->n_funcs; i++)
		if (!(a->hp->funcs[i].flags & PF_HP_FUNC_NEW) &&
		    (r = verify_func(a, &a->hp->funcs[i])) != PF_OK)
			return r;
	return PF_OK;
}

/* The value of one relocation, checked to fit its field. */
static pf_ret
reloc_value(actx *a, const pf_hp_func *f, const pf_hp_reloc *rl,
    uint64_t region, uint64_t p, uint8_t *field)
{
	uint64_t s;
	int64_t v;

	switch (rl->kind) {
	case PF_HP_REL32_OLD:
	case PF_HP_ABS64_OLD:
		if (rl->target >= a->m->hi - a->m->base)
			return pf_err_set(a->err, PF_ERR_CORRUPT, "function "
			    "'%s' refers outside module '%s'", f->name,
			    a->m->path);
		s = a->m->base + rl->target;
		break;
	case PF_HP_REL32_FUNC:
		s = region + a->l.func_off[rl->target];
		break;
	default:
		s = region + a->l.data_off[rl->target];
		break;
	}
	if (rl->kind == PF_HP_ABS64_OLD) {
		pf_store_le64(field, s + (uint64_t)rl->addend);
		return PF_OK;
	}
	v = (int64_t)(s + (uint64_t)rl->addend - p);
	if (v < INT32_MIN || v > INT32_MAX)
		return pf_err_set(a->err, PF_ERR_UNSUPPORTED, "function '%s': "
		    "a reference does not reach from the patch memory",
		    f->name);
	pf_store_le32(field, (uint32_t)(int32_t)v);
	return PF_OK;
}

/* The whole region as it must be in the process, in local memory. */
static pf_ret
build_image(actx *a, uint64_t region, uint8_t *img)
{
	const pf_hotpatch *hp = a->hp;
	size_t i, j;
	pf_ret r;

	for (i = 0; i < hp->n_data; i++) {
		const pf_hp_data *d = &hp->data[i];
		uint64_t addr;

		memcpy(img + a->l.data_off[i], d->bytes, d->len);
		/* Section 4.2: the import slot holds the symbol's address. */
		if (d->flags & PF_HP_DATA_IMPORT) {
			if ((r = lv_proc_symbol(&a->p, d->name, &addr)) != PF_OK)
				return r;
			pf_store_le64(img + a->l.data_off[i], addr);
		}
	}
	for (i = 0; i < hp->n_funcs; i++) {
		const pf_hp_func *f = &hp->funcs[i];
		uint8_t *code = img + a->l.func_off[i];

		memcpy(code, f->code, f->code_len);
		for (j = 0; j < f->n_relocs; j++) {
			const pf_hp_reloc *rl = &f->relocs[j];
			uint64_t p = region + a->l.func_off[i] + rl->offset;

			if ((r = reloc_value(a, f, rl, region, p,
			    code + rl->offset)) != PF_OK)
				return r;
		}
	}
	return PF_OK;
}

/* Runs mmap (and mprotect for writable data) in the main thread. */
static pf_ret
remote_map(actx *a, lv_stop *s, uint64_t insn, uint64_t hint, bool *taken)
{
	uint64_t len = a->l.rx_len + a->l.rw_len;
	uint64_t mm[6] = { hint, len, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, (uint64_t)-1, 0 };
	uint64_t mp[6] = { hint + a->l.rx_len, a->l.rw_len,
	    PROT_READ | PROT_WRITE, 0, 0, 0 };
	int64_t ret;
	pf_ret r;

	*taken = false;
	if ((r = lv_remote_syscall(s, &s->t[0], insn, SYS_mmap, mm,
	    &ret)) != PF_OK)
		return r;
	if (ret < 0 || (uint64_t)ret != hint) {
		/* Taken, or an old kernel that treats the flag as a hint. */
		*taken = true;
		if (ret >= 0) {
			uint64_t um[6] = { (uint64_t)ret, len, 0, 0, 0, 0 };

			lv_remote_syscall(s, &s->t[0], insn, SYS_munmap, um,
			    &ret);
		}
		return PF_OK;
	}
	if (a->l.rw_len && ((r = lv_remote_syscall(s, &s->t[0], insn,
	    SYS_mprotect, mp, &ret)) != PF_OK || ret != 0)) {
		uint64_t um[6] = { hint, len, 0, 0, 0, 0 };

		if (r == PF_OK)
			r = pf_err_set(a->err, PF_ERR_IO, "process %d: mprotect "
			    "of the patch memory failed", (int)a->p.pid);
		lv_remote_syscall(s, &s->t[0], insn, SYS_munmap, um, &ret);
	}
	return r;
}

static pf_ret
remote_unmap(lv_proc *p, uint64_t region, uint64_t len, pf_err *err)
{
	uint64_t um[6] = { region, len, 0, 0, 0, 0 };
	uint64_t insn;
	int64_t ret;
	lv_stop s;
	pf_ret r;

	if ((r = lv_proc_syscall_insn(p, &insn)) != PF_OK ||
	    (r = lv_stop_threads(&s, p->pid, false, DEFAULT_WAIT_MS,
	    err)) != PF_OK)
		return r;
	r = lv_remote_syscall(&s, &s.t[0], insn, SYS_munmap, um, &ret);
	lv_stop_resume(&s);
	return r;
}

/* Maps the region near the module and writes the relocated code. */
static pf_ret
map_region(actx *a, uint64_t *region)
{
	uint64_t len = a->l.rx_len + a->l.rw_len, insn, hint = 0;
	uint8_t *img = calloc(1, len);
	bool taken = true;
	unsigned n;
	lv_stop s = {0};
	pf_ret r;

	if (img == NULL)
		return pf_err_nomem(a->err);
	if ((r = lv_proc_syscall_insn(&a->p, &insn)) != PF_OK ||
	    (r = lv_stop_threads(&s, a->p.pid, false, wait_ms(a->opts),
	    a->err)) != PF_OK)
		goto out;
	for (n = 0; taken && n < GAP_TRIES; n++) {
		if (!lv_proc_near_gap(&a->p, a->m->lo, a->m->hi, len, n, &hint))
			break;
		if ((r = remote_map(a, &s, insn, hint, &taken)) != PF_OK)
			goto out;
	}
	if (taken) {
		r = pf_err_set(a->err, PF_ERR_IO, "process %d: no free memory "
		    "within 2 GiB of module '%s'", (int)a->p.pid, a->m->path);
		goto out;
	}
	*region = hint;
	if ((r = build_image(a, hint, img)) != PF_OK ||
	    (r = lv_proc_write(&a->p, s.t[0].tid, hint, img, len)) != PF_OK) {
		uint64_t um[6] = { hint, len, 0, 0, 0, 0 };
		int64_t ret;

		lv_remote_syscall(&s, &s.t[0], insn, SYS_munmap, um, &ret);
	}
out:
	if (s.t != NULL)
		lv_stop_resume(&s);
	free(img);
	return r;
}

static pf_ret
make_undo(actx *a, uint64_t region)
{
	const pf_hotpatch *hp = a->hp;
	pf_live_undo *u;
	size_t i;

	if ((u = a->undo = calloc(1, sizeof *u)) == NULL ||
	    (u->sites = calloc(hp->n_funcs + 1, sizeof *u->sites)) == NULL)
		return pf_err_nomem(a->err);
	memcpy(u->build_id, hp->build_id, hp->build_id_len);
	u->build_id_len = hp->build_id_len;
	u->base = a->m->base;
	u->region = region;
	u->region_len = a->l.rx_len + a->l.rw_len;
	for (i = 0; i < hp->n_funcs; i++) {
		const pf_hp_func *f = &hp->funcs[i];
		pf_live_site *st = &u->sites[u->n_sites];
		uint64_t to = region + a->l.func_off[i];

		if (f->flags & (PF_HP_FUNC_NEW | PF_HP_FUNC_NOJUMP))
			continue;
		st->addr = a->m->base + f->old_offset + f->entry_skip;
		st->len = PF_HP_JMP_LEN;
		memcpy(st->old, f->head + f->entry_skip, PF_HP_JMP_LEN);
		st->new[0] = 0xe9;
		pf_store_le32(st->new + 1, (uint32_t)(to - (st->addr + 5)));
		u->n_sites++;
	}
	return PF_OK;
}

/*
 * The stop window, shared by apply and revert: stop every thread, make
 * sure none is in (or will return to) the given ranges, check that each
 * site holds `from`, write `to`, resume.
 */
typedef struct window {
	const lv_range *ranges;
	size_t n_ranges;
	const pf_live_undo *u;
	bool revert;
} window;

static pf_ret
write_sites(lv_proc *p, const lv_stop *s, const window *w, pf_err *err)
{
	uint8_t cur[PF_HP_HEAD_MAX];
	size_t i, done;
	pf_ret r = PF_OK;

	for (i = 0; i < w->u->n_sites; i++) {
		const pf_live_site *st = &w->u->sites[i];

		if ((r = lv_proc_read(p, st->addr, cur, st->len)) != PF_OK)
			return r;
		if (memcmp(cur, w->revert ? st->new : st->old, st->len) != 0)
			return pf_err_set(err, PF_ERR_MISMATCH, "the code at "
			    "0x%" PRIx64 " changed under the patcher: %s", st->addr,
			    w->revert ? "the patch is no longer in place" :
			    "something else patched it");
	}
	for (done = 0; r == PF_OK && done < w->u->n_sites; done++) {
		const pf_live_site *st = &w->u->sites[done];

		r = lv_proc_write(p, s->t[0].tid, st->addr, w->revert ?
		    st->old : st->new, st->len);
	}
	/* A failed write undoes the ones before it. */
	while (r != PF_OK && done-- > 0) {
		const pf_live_site *st = &w->u->sites[done];

		lv_proc_write(p, s->t[0].tid, st->addr, w->revert ? st->new :
		    st->old, st->len);
	}
	return r;
}

static void
pause_ms(unsigned ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };

	nanosleep(&ts, NULL);
}

static pf_ret
run_window(lv_proc *p, const window *w, const pf_live_opts *opts,
    pf_err *err)
{
	uint64_t deadline = lv_now_ns() + (uint64_t)wait_ms(opts) * 1000000u;
	struct pf_live_stats *st = opts != NULL ? opts->stats : NULL;
	unsigned attempts = 0, nap = 1;
	lv_busy busy = {0};
	lv_stop s;
	lv_rt rt;
	uint64_t t0;
	pf_ret r;

	for (;;) {
		attempts++;
		t0 = lv_now_ns();
		if ((r = lv_stop_threads(&s, p->pid, true, wait_ms(opts),
		    err)) != PF_OK)
			return r;
		/* From here to the last resume nothing waits for the
		 * stopped threads: no reason to let others run first. */
		lv_rt_begin(&rt);
		r = lv_threads_in(p, &s, w->ranges, w->n_ranges, &busy);
		if (r == PF_OK && busy.tid == 0)
			r = write_sites(p, &s, w, err);
		if (st != NULL) {
			st->threads = (unsigned)s.n;
			st->attempts = attempts;
		}
		lv_stop_resume(&s);
		lv_rt_end(&rt);
		if (st != NULL)
			st->stop_ns = lv_now_ns() - t0;
		if (r != PF_OK || busy.tid == 0)
			return r;
		if (lv_now_ns() > deadline)
			break;
		/* Let the busy thread run on, a little longer each time. */
		pause_ms(nap);
		nap = nap < 32 ? 2 * nap : nap;
	}
	return pf_err_set(err, PF_ERR_BUSY, "thread %d is inside '%s' "
	    "(frame %u) and did not leave it within %u ms: try again later",
	    (int)busy.tid, busy.name, busy.frame, wait_ms(opts));
}

static pf_ret
apply_window(actx *a)
{
	const pf_hotpatch *hp = a->hp;
	lv_range *rg = calloc(hp->n_funcs + 1, sizeof *rg);
	window w = { .ranges = rg, .u = a->undo };
	size_t i;
	pf_ret r;

	if (rg == NULL)
		return pf_err_nomem(a->err);
	for (i = 0; i < hp->n_funcs; i++) {
		const pf_hp_func *f = &hp->funcs[i];

		if (f->flags & PF_HP_FUNC_NEW)
			continue;
		rg[w.n_ranges].lo = a->m->base + f->old_offset;
		rg[w.n_ranges].hi = rg[w.n_ranges].lo + f->old_len;
		rg[w.n_ranges++].name = f->name;
	}
	r = run_window(&a->p, &w, a->opts, a->err);
	free(rg);
	return r;
}

static pf_ret
check_record(pid_t pid, const pf_hotpatch *hp, const pf_live_opts *opts,
    pf_err *err)
{
	pf_ret r;

	/* A process cannot trace itself. */
	if (pid <= 0 || pid == getpid())
		return pf_err_set(err, PF_ERR_USAGE, "cannot hot-patch process "
		    "%d", (int)pid);
	if ((r = pf_hotpatch_validate(hp, err)) != PF_OK)
		return r;
	if (hp->n_refused != 0 && (opts == NULL || !opts->allow_refused))
		return pf_err_set(err, PF_ERR_UNSUPPORTED, "the hot patch lists "
		    "%zu refused changes (first: '%s': %s)", hp->n_refused,
		    hp->refused[0].name, hp->refused[0].reason);
	if (hp->n_funcs == 0)
		return pf_err_set(err, PF_ERR_USAGE, "the hot patch replaces "
		    "no function");
	return PF_OK;
}

pf_ret
pf_live_apply(pid_t pid, const pf_hotpatch *hp, const pf_live_opts *opts,
    pf_live_undo **undo, pf_err *err)
{
	actx a = { .hp = hp, .opts = opts, .err = err };
	pf_err scratch;
	uint64_t region = 0;
	bool mapped = false;
	pf_ret r;

	a.t_start = lv_now_ns();
	a.p.memfd = -1;
	*undo = NULL;
	if ((r = check_record(pid, hp, opts, err)) != PF_OK ||
	    (r = lv_proc_open(&a.p, pid, err)) != PF_OK ||
	    (r = find_target(&a)) != PF_OK || (r = plan_layout(&a)) != PF_OK ||
	    (r = map_region(&a, &region)) != PF_OK)
		goto out;
	mapped = true;
	if ((r = make_undo(&a, region)) != PF_OK ||
	    (r = apply_window(&a)) != PF_OK)
		goto out;
	*undo = a.undo;
	a.undo = NULL;
out:
	/* The caller wants to know why apply failed, not how the clean-up
	 * went: the memory is unused either way. */
	if (r != PF_OK && mapped)
		remote_unmap(&a.p, region, a.l.rx_len + a.l.rw_len, &scratch);
	if (opts != NULL && opts->stats != NULL)
		opts->stats->total_ns = lv_now_ns() - a.t_start;
	pf_live_undo_free(a.undo);
	free(a.l.func_off);
	free(a.l.data_off);
	lv_proc_close(&a.p);
	return r;
}

pf_ret
pf_live_revert(pid_t pid, const pf_live_undo *u, const pf_live_opts *opts,
    pf_err *err)
{
	lv_range rg = { u->region, u->region + u->region_len, "hot patch" };
	window w = { .ranges = &rg, .n_ranges = 1, .u = u, .revert = true };
	const lv_module *m;
	uint64_t t0 = lv_now_ns();
	lv_proc p;
	pf_ret r;

	p.memfd = -1;
	if ((r = lv_proc_open(&p, pid, err)) != PF_OK)
		goto out;
	m = lv_proc_module(&p, u->build_id, u->build_id_len);
	if (m == NULL || m->base != u->base) {
		r = pf_err_set(err, PF_ERR_MISMATCH, "process %d no longer has "
		    "the patched module at 0x%" PRIx64, (int)pid, u->base);
		goto out;
	}
	if ((r = run_window(&p, &w, opts, err)) != PF_OK)
		goto out;
	/* The jumps are gone and no thread is in the patch: its memory can
	 * go.  Should that fail, the process only keeps some unused pages. */
	remote_unmap(&p, u->region, u->region_len, err);
	pf_err_clear(err);
out:
	if (opts != NULL && opts->stats != NULL)
		opts->stats->total_ns = lv_now_ns() - t0;
	lv_proc_close(&p);
	return r;
}
