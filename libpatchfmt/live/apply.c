/*
 * Applying a hot patch to a running process and reverting it
 * (spec/hotpatch.md section 7).
 *
 * The module is found by build ID, the old code is checked byte for
 * byte, the new code is relocated and written into memory mapped near
 * the module (only the main thread is stopped for that, for two system
 * calls).  Then every thread is stopped, their stacks are checked, the
 * jumps of every module are written, and every thread resumes.  Any
 * failure leaves the process as it was.
 *
 * With a journal whose save callback makes it durable (the state
 * directory's undo file), every change is recorded before it is made,
 * and the process is frozen with SIGSTOP from the first change to the
 * last: an applier killed at any point leaves a stopped process and a
 * journal that says exactly what to take out (pf_live_recover).
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/ckd.h"
#include "common/hash.h"
#include "live/hotpatch.h"
#include "live/proc.h"
#include "live/stack.h"
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
	pf_live_site *plan;         /* per function: where its jump goes */
	const pf_live_undo **over;  /* per function: the layer it goes on */
	pf_live_undo *undo;         /* owned by the journal */
	pf_live_journal *j;
	pf_err *err;
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
		/* Room for the jump of a later layer (section 7.2). */
		off += hp->funcs[i].code_len < PF_HP_JMP_LEN ? PF_HP_JMP_LEN :
		    hp->funcs[i].code_len;
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
	/* The code as it was before the patches live in the process. */
	if (r == PF_OK)
		lv_stack_unpatch(a->opts, a->m->base + f->old_offset, buf,
		    f->old_len);
	if (r == PF_OK && pf_sha256(got, buf, f->old_len) != 0)
		r = pf_err_nomem(a->err);
	if (r == PF_OK) {
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

/* Where each jump goes: the entry, or, for a function a live patch
 * replaced already, the start of its copy (section 7.2). */
static pf_ret
plan_sites(actx *a)
{
	const pf_hotpatch *hp = a->hp;
	size_t i;
	pf_ret r;

	a->plan = calloc(hp->n_funcs + 1, sizeof *a->plan);
	a->over = calloc(hp->n_funcs + 1, sizeof *a->over);
	if (a->plan == NULL || a->over == NULL)
		return pf_err_nomem(a->err);
	for (i = 0; i < hp->n_funcs; i++) {
		const pf_hp_func *f = &hp->funcs[i];
		pf_live_site *st = &a->plan[i];

		if (f->flags & (PF_HP_FUNC_NEW | PF_HP_FUNC_NOJUMP))
			continue;
		st->addr = a->m->base + f->old_offset + f->entry_skip;
		st->len = PF_HP_JMP_LEN;
		memcpy(st->old, f->head + f->entry_skip, PF_HP_JMP_LEN);
		if ((r = lv_stack_top(&a->p, a->opts, f->name, st,
		    &a->over[i], a->err)) != PF_OK)
			return r;
	}
	return PF_OK;
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
	return plan_sites(a);
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
		/* The record is verified: a target past what the process
		 * maps of the module says the process differs from the
		 * build the record was made for, not that it is corrupt. */
		if (rl->target >= a->m->hi - a->m->base)
			return pf_err_set(a->err, PF_ERR_MISMATCH, "function "
			    "'%s' refers to offset 0x%" PRIx64 ", past the "
			    "end of module '%s' as process %d maps it "
			    "(0x%" PRIx64 " bytes)", f->name, rl->target,
			    a->m->path, (int)a->p.pid, a->m->hi - a->m->base);
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

/*
 * Records the journal, when it is kept.  durable: synced to disk too.
 * The journal is synced before the process is frozen and after it is let
 * go; the records made while it is frozen only need to reach the next
 * tool should this one be killed (a crash of the system ends the process
 * as well), so they are renamed into place without a sync, which keeps
 * the process stopped for milliseconds instead of tens of them.
 */
static pf_ret
jsave(pf_live_journal *j, bool durable)
{
	if (j == NULL || j->save == NULL)
		return PF_OK;
	j->durable = durable;
	return j->save(j->save_arg, j);
}

/* Records, before the main thread is made to run system call nr, which
 * thread it is, its registers, and the call: a recovery that finds the
 * thread still in that call gives it its registers back. */
static pf_ret
hijack(pf_live_journal *j, const lv_stop *s, uint64_t insn, long nr,
    const uint64_t args[6])
{
	pf_live_hijack *h;

	if (j == NULL || j->save == NULL)
		return PF_OK;
	h = &j->hijack;
	h->tid = (uint32_t)s->t[0].tid;
	h->insn = insn;
	h->nr = (uint64_t)nr;
	memcpy(h->args, args, sizeof h->args);
	memcpy(h->regs, &s->t[0].regs, sizeof h->regs);
	return jsave(j, false);
}

/* A system call in the stopped main thread, recorded first. */
static pf_ret
jsyscall(pf_live_journal *j, lv_stop *s, uint64_t insn, long nr,
    const uint64_t args[6], int64_t *ret)
{
	pf_ret r;

	if ((r = hijack(j, s, insn, nr, args)) != PF_OK)
		return r;
	return lv_remote_syscall(s, &s->t[0], insn, nr, args, ret);
}

static pf_ret
make_undo(actx *a, uint64_t region)
{
	const pf_hotpatch *hp = a->hp;
	pf_live_undo *u = a->undo;
	size_t i;

	u->n_sites = 0;
	memcpy(u->build_id, hp->build_id, hp->build_id_len);
	u->build_id_len = hp->build_id_len;
	u->base = a->m->base;
	u->region = region;
	u->region_len = a->l.rx_len + a->l.rw_len;
	u->mapped = false;
	u->room = true;
	for (i = 0; i < hp->n_funcs; i++) {
		const pf_hp_func *f = &hp->funcs[i];
		pf_live_site *st = &u->sites[u->n_sites];
		uint64_t to = region + a->l.func_off[i];

		if (f->flags & (PF_HP_FUNC_NEW | PF_HP_FUNC_NOJUMP))
			continue;
		*st = a->plan[i];
		st->new[0] = 0xe9;
		pf_store_le32(st->new + 1, (uint32_t)(to - (st->addr + 5)));
		u->n_sites++;
	}
	return PF_OK;
}

/*
 * Runs mmap (and mprotect for writable data) in the main thread.  The
 * journal names the region before the mmap and says it is mapped before
 * the thread gets its registers back, so a kill in between is seen from
 * the thread's registers (pf_live_recover).
 */
static pf_ret
remote_map(actx *a, lv_stop *s, uint64_t insn, uint64_t hint, bool *taken)
{
	uint64_t len = a->l.rx_len + a->l.rw_len;
	uint64_t mm[6] = { hint, len, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, (uint64_t)-1, 0 };
	uint64_t mp[6] = { hint + a->l.rx_len, a->l.rw_len,
	    PROT_READ | PROT_WRITE, 0, 0, 0 };
	int64_t ret;
	pf_ret r, r2;

	*taken = false;
	if ((r = make_undo(a, hint)) != PF_OK ||
	    (r = hijack(a->j, s, insn, SYS_mmap, mm)) != PF_OK)
		return r;
	r = lv_remote_syscall_run(s, &s->t[0], insn, SYS_mmap, mm, &ret);
	if (r == PF_OK && ret >= 0 && (uint64_t)ret == hint) {
		a->undo->mapped = true;
		r = jsave(a->j, false);
	}
	r2 = lv_remote_syscall_restore(s, &s->t[0]);
	if (r == PF_OK)
		r = r2;
	if (r != PF_OK)
		return r;
	if (!a->undo->mapped) {
		/* Taken, or an old kernel that treats the flag as a hint. */
		*taken = true;
		if (ret >= 0) {
			uint64_t um[6] = { (uint64_t)ret, len, 0, 0, 0, 0 };

			lv_remote_syscall(s, &s->t[0], insn, SYS_munmap, um,
			    &ret);
		}
		return PF_OK;
	}
	if (a->l.rw_len && ((r = jsyscall(a->j, s, insn, SYS_mprotect, mp,
	    &ret)) != PF_OK || ret != 0) && r == PF_OK)
		r = pf_err_set(a->err, PF_ERR_IO, "process %d: mprotect of the "
		    "patch memory failed", (int)a->p.pid);
	return r;
}

/* Maps the region near the module and writes the relocated code. */
static pf_ret
map_region(actx *a)
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
	/* What is mapped is in the journal: the first byte written into
	 * the process may follow. */
	if ((r = build_image(a, hint, img)) == PF_OK)
		r = lv_proc_write(&a->p, s.t[0].tid, hint, img, len);
out:
	if (s.t != NULL)
		lv_stop_resume(&s);
	free(img);
	return r;
}

/*
 * The stop window, shared by apply and revert: stop every thread, make
 * sure none is in (or will return to) the given ranges, check the sites
 * of every module, write them, resume.  Applying, each site must hold
 * `old`; reverting, it may hold `new`, `old` (taken out already), or a
 * mix of both byte by byte (a write cut short), and gets `old` back.
 */
typedef struct window {
	const lv_range *ranges;
	size_t n_ranges;
	pf_live_undo *const *u;
	size_t n_u;
	bool revert;
	bool frozen;                /* thaw while waiting for busy threads */
	pf_live_journal *j;         /* reverting: the regions to unmap */
	uint64_t insn;              /* reverting: a syscall instruction */
} window;

/* Whether cur is old, new, or (reverting) a mix of both. */
static bool
site_ok(const pf_live_site *st, const uint8_t *cur, bool revert)
{
	uint8_t i;

	if (!revert)
		return memcmp(cur, st->old, st->len) == 0;
	for (i = 0; i < st->len; i++)
		if (cur[i] != st->old[i] && cur[i] != st->new[i])
			return false;
	return true;
}

static pf_ret
check_sites(lv_proc *p, const window *w, pf_err *err)
{
	uint8_t cur[PF_HP_HEAD_MAX];
	size_t k, i;
	pf_ret r;

	for (k = 0; k < w->n_u; k++)
		for (i = 0; i < w->u[k]->n_sites; i++) {
			const pf_live_site *st = &w->u[k]->sites[i];

			if ((r = lv_proc_read(p, st->addr, cur, st->len)) !=
			    PF_OK)
				return r;
			if (!site_ok(st, cur, w->revert))
				return pf_err_set(err, PF_ERR_MISMATCH, "the "
				    "code at 0x%" PRIx64 " changed under the "
				    "patcher: %s", st->addr, w->revert ?
				    "it holds neither the patch nor the old "
				    "code" : "something else patched it");
		}
	return PF_OK;
}

/* Writes one site; reverting, a site that holds `old` is left alone. */
static pf_ret
write_site(lv_proc *p, const lv_stop *s, const pf_live_site *st, bool back)
{
	uint8_t cur[PF_HP_HEAD_MAX];
	const uint8_t *want = back ? st->old : st->new;
	pf_ret r;

	if ((r = lv_proc_read(p, st->addr, cur, st->len)) != PF_OK)
		return r;
	if (memcmp(cur, want, st->len) == 0)
		return PF_OK;
	return lv_proc_write(p, s->t[0].tid, st->addr, want, st->len);
}

static pf_ret
write_sites(lv_proc *p, const lv_stop *s, const window *w, pf_err *err)
{
	size_t k, i = 0;
	pf_ret r;

	if ((r = check_sites(p, w, err)) != PF_OK)
		return r;
	for (k = 0; r == PF_OK && k < w->n_u; k++)
		for (i = 0; r == PF_OK && i < w->u[k]->n_sites; i++)
			r = write_site(p, s, &w->u[k]->sites[i], w->revert);
	if (r == PF_OK || w->revert)
		return r;
	/* A failed write undoes the ones before it. */
	for (; k-- > 0; i = w->u[k]->n_sites)
		while (i-- > 0)
			write_site(p, s, &w->u[k]->sites[i], true);
	return r;
}

/*
 * Reverting: unmaps the regions in the stop that found no thread in them
 * and wrote the old bytes back, before any thread runs again, so that
 * none can be in one when it goes (a frozen process whose group stop a
 * dead tracer or someone's SIGCONT ended runs between two stops).
 * Should a munmap fail, the process only keeps some unused pages.
 */
static void
unmap_in(const window *w, lv_stop *s)
{
	pf_live_journal *j = w->j;
	int64_t ret;
	size_t k;

	for (k = 0; j != NULL && w->insn != 0 && k < j->n_mods; k++) {
		pf_live_undo *u = j->mods[k];
		uint64_t um[6] = { u->region, u->region_len, 0, 0, 0, 0 };

		if (u->mapped && jsyscall(j, s, w->insn, SYS_munmap, um,
		    &ret) == PF_OK && ret == 0)
			u->mapped = false;
	}
}

static void
pause_ms(unsigned ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* Lets a frozen process run for ms, then freezes it again. */
static pf_ret
let_run(pid_t pid, const window *w, unsigned ms, unsigned wait, pf_err *err)
{
	if (w->frozen)
		lv_thaw(pid);
	pause_ms(ms);
	return w->frozen ? lv_freeze(pid, wait, err) : PF_OK;
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
		/* Reverting, the memory goes: no thread may hold an address
		 * in it either. */
		if (r == PF_OK && busy.tid == 0 && w->revert)
			r = lv_threads_hold(p, &s, w->ranges, w->n_ranges,
			    &busy);
		if (r == PF_OK && busy.tid == 0)
			r = write_sites(p, &s, w, err);
		if (r == PF_OK && busy.tid == 0 && w->revert)
			unmap_in(w, &s);
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
		if ((r = let_run(p->pid, w, nap, wait_ms(opts), err)) != PF_OK)
			return r;
		nap = nap < 32 ? 2 * nap : nap;
	}
	return pf_err_set(err, PF_ERR_BUSY, "thread %d is inside '%s' "
	    "(frame %u) and did not leave it within %u ms: try again later",
	    (int)busy.tid, busy.name, busy.frame, wait_ms(opts));
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

/* Everything up to the jumps for one module: found, checked, mapped,
 * written. */
static pf_ret
prepare(actx *a, pid_t pid)
{
	const pf_hotpatch *hp = a->hp;
	pf_live_undo *u;
	pf_ret r;

	if ((u = calloc(1, sizeof *u)) == NULL ||
	    (u->sites = calloc(hp->n_funcs + 1, sizeof *u->sites)) == NULL) {
		free(u);
		return pf_err_nomem(a->err);
	}
	a->undo = u;
	if ((r = lv_proc_open(&a->p, pid, a->err)) != PF_OK ||
	    (r = find_target(a)) != PF_OK || (r = plan_layout(a)) != PF_OK ||
	    (r = make_undo(a, 0)) != PF_OK) {
		pf_live_undo_free(u);
		a->undo = NULL;
		return r;
	}
	/* Only a module found and laid out goes into the journal: an undo
	 * record always names its module. */
	a->j->mods[a->j->n_mods++] = u;
	return map_region(a);
}

/* The old functions of every module: no thread may be in one. */
static lv_range *
old_ranges(const actx *a, size_t n, size_t *n_ranges)
{
	lv_range *rg;
	size_t i, k, total = 1;

	for (k = 0; k < n; k++)
		total += 2 * a[k].hp->n_funcs;
	if ((rg = calloc(total, sizeof *rg)) == NULL)
		return NULL;
	*n_ranges = 0;
	for (k = 0; k < n; k++)
		for (i = 0; i < a[k].hp->n_funcs; i++) {
			const pf_hp_func *f = &a[k].hp->funcs[i];

			if (f->flags & PF_HP_FUNC_NEW)
				continue;
			rg[*n_ranges].lo = a[k].m->base + f->old_offset;
			rg[*n_ranges].hi = rg[*n_ranges].lo + f->old_len;
			rg[(*n_ranges)++].name = f->name;
			/* Section 7.2: the memory of the layer below, whose
			 * copy of the function a jump is about to cut off. */
			if (a[k].over[i] == NULL)
				continue;
			rg[*n_ranges].lo = a[k].over[i]->region;
			rg[*n_ranges].hi = a[k].over[i]->region +
			    a[k].over[i]->region_len;
			rg[(*n_ranges)++].name = f->name;
		}
	return rg;
}

static pf_ret
commit(actx *a, size_t n, const pf_live_opts *opts, pf_err *err)
{
	window w = { .u = a[0].j->mods, .n_u = a[0].j->n_mods,
	    .frozen = a[0].j->frozen };
	lv_range *rg = old_ranges(a, n, &w.n_ranges);
	pf_ret r;

	if (rg == NULL)
		return pf_err_nomem(err);
	w.ranges = rg;
	r = run_window(&a[0].p, &w, opts, err);
	free(rg);
	return r;
}

/* Stops the process for the journal, unless it is stopped already. */
static pf_ret
freeze_for(pid_t pid, pf_live_journal *j, const pf_live_opts *opts,
    pf_err *err)
{
	pf_ret r;

	if (j->save == NULL)
		return PF_OK;
	if (!j->frozen)
		j->frozen = !lv_is_stopped(pid);
	if ((r = jsave(j, true)) != PF_OK || !j->frozen)
		return r;
	return lv_freeze(pid, wait_ms(opts), err);
}

/* Lets a frozen process go, and says so in the journal. */
static void
thaw_for(pid_t pid, pf_live_journal *j)
{
	if (!j->frozen)
		return;
	lv_thaw(pid);
	j->frozen = false;
	/* Should this fail, a later tool only sends one SIGCONT more. */
	jsave(j, true);
}

static void
apply_stats(const pf_live_opts *opts, uint64_t t0, uint64_t frozen_at)
{
	if (opts == NULL || opts->stats == NULL)
		return;
	opts->stats->total_ns = lv_now_ns() - t0;
	/* Frozen, every thread was stopped all along. */
	if (frozen_at != 0)
		opts->stats->stop_ns = lv_now_ns() - frozen_at;
}

pf_ret
pf_live_apply_all(pid_t pid, pf_hotpatch *const *hps, size_t n,
    const pf_live_opts *opts, pf_live_journal *j, bool *clean, pf_err *err)
{
	uint64_t t0 = lv_now_ns(), frozen_at = 0;
	actx *a = calloc(n + 1, sizeof *a);
	pf_err scratch;
	size_t i;
	pf_ret r = PF_OK;

	*clean = true;
	if (a == NULL)
		return pf_err_nomem(err);
	for (i = 0; i < n; i++) {
		a[i] = (actx){ .hp = hps[i], .opts = opts, .j = j, .err = err };
		a[i].p.memfd = -1;
		if (r == PF_OK)
			r = check_record(pid, hps[i], opts, err);
	}
	j->phase = PF_LIVE_APPLYING;
	j->hijack.tid = 0;
	if (r == PF_OK && (n == 0 || (j->mods = calloc(n, sizeof *j->mods)) ==
	    NULL))
		r = n == 0 ? pf_err_set(err, PF_ERR_USAGE, "no hot patch to "
		    "apply") : pf_err_nomem(err);
	if (r != PF_OK || (r = freeze_for(pid, j, opts, err)) != PF_OK)
		goto out;
	if (j->frozen)
		frozen_at = lv_now_ns();
	for (i = 0; r == PF_OK && i < n; i++)
		r = prepare(&a[i], pid);
	if (r == PF_OK)
		r = commit(a, n, opts, err);
	if (r == PF_OK) {
		j->phase = PF_LIVE_LIVE;
		r = jsave(j, !j->frozen);
	}
	if (r != PF_OK && j->n_mods > 0) {
		/* Take out what went in; the first failure is the one to
		 * report. */
		j->phase = PF_LIVE_REVERTING;
		if (pf_live_revert_all(pid, j, opts, clean, &scratch) != PF_OK)
			*clean = false;
	} else if (r == PF_OK) {
		*clean = false;
	}
out:
	if (j->frozen && (r == PF_OK || *clean))
		thaw_for(pid, j);
	apply_stats(opts, t0, frozen_at);
	for (i = 0; i < n; i++) {
		free(a[i].l.func_off);
		free(a[i].l.data_off);
		free(a[i].plan);
		free(a[i].over);
		lv_proc_close(&a[i].p);
	}
	free(a);
	return r;
}

/* The mapped regions of the journal: no thread may be in one. */
static lv_range *
region_ranges(const pf_live_journal *j, size_t *n)
{
	lv_range *rg = calloc(j->n_mods + 1, sizeof *rg);
	size_t k;

	*n = 0;
	for (k = 0; rg != NULL && k < j->n_mods; k++)
		if (j->mods[k]->mapped)
			rg[(*n)++] = (lv_range){ j->mods[k]->region,
			    j->mods[k]->region + j->mods[k]->region_len,
			    "hot patch" };
	return rg;
}

/* Every patched module must still be where the journal says. */
static pf_ret
check_modules(lv_proc *p, const pf_live_journal *j, pf_err *err)
{
	const lv_module *m;
	size_t k;

	for (k = 0; k < j->n_mods; k++) {
		const pf_live_undo *u = j->mods[k];

		/* A module an apply did not get as far as finding. */
		if (u->build_id_len == 0)
			continue;
		m = lv_proc_module(p, u->build_id, u->build_id_len);
		if (m == NULL || m->base != u->base)
			return pf_err_set(err, PF_ERR_MISMATCH, "process %d no "
			    "longer has the patched module at 0x%" PRIx64,
			    (int)p->pid, u->base);
	}
	return PF_OK;
}

pf_ret
pf_live_revert_all(pid_t pid, pf_live_journal *j, const pf_live_opts *opts,
    bool *clean, pf_err *err)
{
	window w = { .u = j->mods, .n_u = j->n_mods, .revert = true };
	uint64_t t0 = lv_now_ns();
	pf_live_phase was = j->phase;
	lv_range *rg = NULL;
	lv_proc p;
	pf_ret r;

	*clean = false;
	memset(&p, 0, sizeof p);
	p.memfd = -1;
	j->phase = PF_LIVE_REVERTING;
	if ((r = freeze_for(pid, j, opts, err)) != PF_OK ||
	    (r = lv_proc_open(&p, pid, err)) != PF_OK ||
	    (r = check_modules(&p, j, err)) != PF_OK)
		goto out;
	if ((rg = region_ranges(j, &w.n_ranges)) == NULL) {
		r = pf_err_nomem(err);
		goto out;
	}
	w.ranges = rg;
	w.frozen = j->frozen;
	/* The jumps go and the memory with them, in one stop. */
	w.j = j;
	if (lv_proc_syscall_insn(&p, &w.insn) != PF_OK)
		pf_err_clear(err);
	if ((r = run_window(&p, &w, opts, err)) != PF_OK)
		goto out;
	*clean = true;
out:
	/* A window that failed wrote nothing: what was live stays live. */
	if (r != PF_OK && was == PF_LIVE_LIVE) {
		j->phase = PF_LIVE_LIVE;
		jsave(j, true);
	}
	if (*clean || r != PF_OK)
		thaw_for(pid, j);
	if (opts != NULL && opts->stats != NULL)
		opts->stats->total_ns = lv_now_ns() - t0;
	free(rg);
	lv_proc_close(&p);
	return r;
}

/*
 * A thread a killed applier left inside a system call made for it: in
 * the call it was given (at the syscall instruction, or just after it,
 * with the recorded arguments), it gets its registers back.  A mmap that
 * ran marks its region mapped.
 */
static pf_ret
restore_hijack(pid_t pid, pf_live_journal *j, const pf_live_opts *opts,
    pf_err *err)
{
	const pf_live_hijack *h = &j->hijack;
	struct user_regs_struct *g, saved;
	lv_stop s;
	size_t i, k;
	pf_ret r;

	if ((r = lv_stop_threads(&s, pid, true, wait_ms(opts), err)) !=
	    PF_OK)
		return r;
	for (i = 0; i < s.n && s.t[i].tid != (pid_t)h->tid; i++)
		;
	g = i < s.n ? &s.t[i].regs : NULL;
	if (g != NULL && (g->rip == h->insn || g->rip == h->insn + 2) &&
	    g->rdi == h->args[0] && g->rsi == h->args[1] &&
	    g->rdx == h->args[2] && g->r10 == h->args[3] &&
	    g->r8 == h->args[4] && g->r9 == h->args[5]) {
		for (k = 0; h->nr == SYS_mmap && g->rip == h->insn + 2 &&
		    k < j->n_mods; k++)
			if (j->mods[k]->region == g->rax &&
			    g->rax == h->args[0])
				j->mods[k]->mapped = true;
		memcpy(&saved, h->regs, sizeof saved);
		if (ptrace(PTRACE_SETREGS, s.t[i].tid, NULL, &saved) < 0)
			r = pf_err_errno(err, PF_ERR_IO, errno, "cannot restore "
			    "the registers of thread %d", (int)s.t[i].tid);
	}
	lv_stop_resume(&s);
	if (r == PF_OK) {
		j->hijack.tid = 0;
		r = jsave(j, false);
	}
	return r;
}

pf_ret
pf_live_recover(pid_t pid, pf_live_journal *j, const pf_live_opts *opts,
    bool *clean, pf_err *err)
{
	pf_ret r;

	*clean = false;
	if (j->phase == PF_LIVE_LIVE) {
		thaw_for(pid, j);
		return PF_OK;
	}
	if (j->hijack.tid != 0 &&
	    (r = restore_hijack(pid, j, opts, err)) != PF_OK) {
		thaw_for(pid, j);
		return r;
	}
	return pf_live_revert_all(pid, j, opts, clean, err);
}

/* One record, no journal kept: the process is never frozen. */
pf_ret
pf_live_apply(pid_t pid, const pf_hotpatch *hp, const pf_live_opts *opts,
    pf_live_undo **undo, pf_err *err)
{
	pf_live_journal j;
	pf_hotpatch *one = (pf_hotpatch *)hp;
	bool clean;
	pf_ret r;

	memset(&j, 0, sizeof j);
	*undo = NULL;
	r = pf_live_apply_all(pid, &one, 1, opts, &j, &clean, err);
	if (r == PF_OK) {
		*undo = j.mods[0];
		j.n_mods = 0;
	}
	while (j.n_mods > 0)
		pf_live_undo_free(j.mods[--j.n_mods]);
	free(j.mods);
	return r;
}

pf_ret
pf_live_revert(pid_t pid, const pf_live_undo *u, const pf_live_opts *opts,
    pf_err *err)
{
	pf_live_undo *one = (pf_live_undo *)u;
	pf_live_journal j;
	bool clean;

	memset(&j, 0, sizeof j);
	j.phase = PF_LIVE_LIVE;
	j.mods = &one;
	j.n_mods = 1;
	if (pid <= 0 || pid == getpid())
		return pf_err_set(err, PF_ERR_USAGE, "cannot hot-patch process "
		    "%d", (int)pid);
	return pf_live_revert_all(pid, &j, opts, &clean, err);
}
