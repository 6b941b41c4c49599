/*
 * Stack checks with libunwind.
 *
 * libunwind's own ptrace accessors (_UPT_*) read memory a word at a time
 * with PTRACE_PEEKDATA and map every module's file again for each thread,
 * which costs milliseconds per thread while the whole process is stopped.
 * These accessors instead serve registers from the PTRACE_GETREGS the
 * stop already did, memory from a small page cache filled with one pread
 * of /proc/PID/mem per page, and unwind tables from the eh_frame_hdr of
 * each module, located before the threads were stopped.
 */
#include <config.h>

#include <libunwind.h>
#include <stdlib.h>
#include <string.h>

#include "live/unwind.h"

/* Exported by libunwind (the DWARF table search behind its own
 * accessors) but not declared in its public headers. */
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as,
    unw_word_t ip, unw_dyn_info_t *di, unw_proc_info_t *pi,
    int need_unwind_info, void *arg);

#define PAGE 4096u
#define CACHE_PAGES 64
#define MAX_FRAMES 256
#define SCAN_MAX (UINT64_C(8) << 20)   /* the usual stack rlimit */

typedef struct pcache {
	uint64_t page[CACHE_PAGES];
	bool valid[CACHE_PAGES];
	uint8_t data[CACHE_PAGES][PAGE];
} pcache;

typedef struct uctx {
	lv_proc *p;
	const lv_thread *t;
	pcache *c;
} uctx;

static const uint8_t *
cached_page(uctx *u, uint64_t page)
{
	size_t slot = (size_t)(page / PAGE) % CACHE_PAGES;
	pcache *c = u->c;

	if (!c->valid[slot] || c->page[slot] != page) {
		if (lv_proc_read(u->p, page, c->data[slot], PAGE) != PF_OK) {
			c->valid[slot] = false;
			return NULL;
		}
		c->page[slot] = page;
		c->valid[slot] = true;
	}
	return c->data[slot];
}

static int
access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write,
    void *arg)
{
	uint8_t *out = (uint8_t *)val;
	size_t i = 0;

	(void)as;
	if (write)
		return -UNW_EINVAL;
	while (i < sizeof *val) {
		uint64_t a = addr + i, page = a & ~(uint64_t)(PAGE - 1);
		size_t off = (size_t)(a - page), k = PAGE - off;
		const uint8_t *d = cached_page(arg, page);

		if (d == NULL)
			return -UNW_EINVAL;
		if (k > sizeof *val - i)
			k = sizeof *val - i;
		memcpy(out + i, d + off, k);
		i += k;
	}
	return 0;
}

static int
access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write,
    void *arg)
{
	const struct user_regs_struct *r = &((uctx *)arg)->t->regs;
	/* libunwind's x86-64 numbering: the DWARF register order. */
	const unsigned long long v[] = { r->rax, r->rdx, r->rcx, r->rbx,
	    r->rsi, r->rdi, r->rbp, r->rsp, r->r8, r->r9, r->r10, r->r11,
	    r->r12, r->r13, r->r14, r->r15, r->rip };

	(void)as;
	if (write || reg < 0 || (size_t)reg >= sizeof v / sizeof v[0])
		return -UNW_EBADREG;
	*val = v[reg];
	return 0;
}

static int
find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
    int need, void *arg)
{
	const lv_module *m = lv_proc_module_at(((uctx *)arg)->p, ip);
	unw_dyn_info_t di;

	if (m == NULL || m->eh_hdr == 0)
		return -UNW_ENOINFO;
	memset(&di, 0, sizeof di);
	di.start_ip = m->text_lo;
	di.end_ip = m->text_hi;
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.u.rti.segbase = m->eh_hdr;
	/* Each table entry is two 4-byte fields: one 8-byte word. */
	di.u.rti.table_len = m->eh_count;
	di.u.rti.table_data = m->eh_table;
	return _Ux86_64_dwarf_search_unwind_table(as, ip, &di, pi, need, arg);
}

static void
put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	/* libunwind frees DWARF table entries itself. */
	(void)as, (void)pi, (void)arg;
}

static int
get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *dil, void *arg)
{
	(void)as, (void)dil, (void)arg;
	return -UNW_ENOINFO;
}

static int
access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val,
    int write, void *arg)
{
	(void)as, (void)reg, (void)val, (void)write, (void)arg;
	return -UNW_EBADREG;
}

static int
resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	(void)as, (void)c, (void)arg;
	return -UNW_EINVAL;
}

static int
get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
    unw_word_t *off, void *arg)
{
	(void)as, (void)addr, (void)buf, (void)len, (void)off, (void)arg;
	return -UNW_ENOINFO;
}

static unw_accessors_t accessors = {
	.find_proc_info = find_proc_info,
	.put_unwind_info = put_unwind_info,
	.get_dyn_info_list_addr = get_dyn_info_list_addr,
	.access_mem = access_mem,
	.access_reg = access_reg,
	.access_fpreg = access_fpreg,
	.resume = resume,
	.get_proc_name = get_proc_name,
};

static const lv_range *
hit(const lv_range *r, size_t n, uint64_t addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (addr >= r[i].lo && addr < r[i].hi)
			return &r[i];
	return NULL;
}

/* What a thread is "in" when its stack can be neither unwound nor
 * scanned to the end: it counts as busy (fail closed). */
static const lv_range unknown = { 0, 0, "a frame that cannot be unwound" };

/*
 * When a stack cannot be unwound, every word of it that points into a
 * range counts: a conservative answer is a safe one.  The scan runs from
 * the stack pointer to the end of the mapping that holds it; a stack
 * that is not in a mapping, or larger than SCAN_MAX, cannot be scanned
 * to its end and counts as busy.
 */
static const lv_range *
scan_stack(uctx *u, const lv_range *r, size_t n, unsigned *frame)
{
	uint64_t a, v, sp = u->t->regs.rsp & ~(uint64_t)7, end = 0;
	const lv_range *h;
	size_t i;

	for (i = 0; i < u->p->n_maps; i++)
		if (sp >= u->p->maps[i].start && sp < u->p->maps[i].end)
			end = u->p->maps[i].end;
	if (end == 0 || end - sp > SCAN_MAX) {
		*frame = 0;
		return &unknown;
	}
	for (a = sp; a + 8 <= end; a += 8) {
		if (access_mem(NULL, a, &v, 0, u) != 0) {
			*frame = (unsigned)((a - sp) / 8);
			return &unknown;
		}
		if ((h = hit(r, n, v)) != NULL) {
			*frame = (unsigned)((a - sp) / 8);
			return h;
		}
	}
	return NULL;
}

/* Whether the code at ip has DWARF unwind information.  (Not
 * unw_get_proc_info: on x86-64 it makes up a one-byte procedure, and
 * returns success, where there is none.) */
static bool
has_cfi(unw_addr_space_t as, uctx *u, unw_word_t ip)
{
	unw_proc_info_t pi;

	memset(&pi, 0, sizeof pi);
	return find_proc_info(as, ip, &pi, 0, u) >= 0;
}

/*
 * libunwind's unw_step returns 0 both at the real bottom of a stack (the
 * CFI of _start or of the thread start routine marks the return address
 * undefined) and when its fallback, for a frame without CFI, meets a
 * frame pointer of 0: a guess.  So 0 ends the walk only after a frame
 * whose unwind information was found; a frame without it, an error, or
 * too many frames hand the stack to the scan.
 */
static const lv_range *
check_thread(unw_addr_space_t as, uctx *u, const lv_range *r, size_t n,
    unsigned *frame)
{
	unw_cursor_t c;
	unw_word_t ip = u->t->regs.rip;
	const lv_range *h;
	int rc;

	if ((h = hit(r, n, u->t->regs.rip)) != NULL) {
		*frame = 0;
		return h;
	}
	if (n == 0)
		return NULL;
	if (unw_init_remote(&c, as, u) < 0)
		return scan_stack(u, r, n, frame);
	for (*frame = 1; *frame < MAX_FRAMES; (*frame)++) {
		/* Past the first frame, ip is a return address: the call
		 * is one byte before. */
		if (!has_cfi(as, u, *frame == 1 ? ip : ip - 1))
			return scan_stack(u, r, n, frame);
		if ((rc = unw_step(&c)) == 0)
			return NULL;
		if (rc < 0 || unw_get_reg(&c, UNW_REG_IP, &ip) < 0)
			return scan_stack(u, r, n, frame);
		/* A return address points after the call: the call itself
		 * is one byte before. */
		if (ip != 0 && (h = hit(r, n, ip - 1)) != NULL)
			return h;
	}
	return scan_stack(u, r, n, frame);
}

pf_ret
lv_threads_in(lv_proc *p, const lv_stop *s, const lv_range *r, size_t n,
    lv_busy *busy)
{
	unw_addr_space_t as = NULL;
	uctx u = { .p = p };
	const lv_range *h;
	size_t i;
	pf_ret ret = PF_OK;

	memset(busy, 0, sizeof *busy);
	if ((u.c = calloc(1, sizeof *u.c)) == NULL ||
	    (as = unw_create_addr_space(&accessors, 0)) == NULL) {
		ret = pf_err_nomem(p->err);
		goto out;
	}
	/* The code does not change while the threads are stopped, so what
	 * libunwind parsed for an address serves every thread: a thirtieth
	 * of the memory reads with 64 threads. */
	unw_set_caching_policy(as, UNW_CACHE_GLOBAL);
	for (i = 0; i < s->n; i++) {
		u.t = &s->t[i];
		if ((h = check_thread(as, &u, r, n, &busy->frame)) != NULL) {
			busy->tid = s->t[i].tid;
			busy->name = h->name;
			break;
		}
	}
out:
	if (as != NULL)
		unw_destroy_addr_space(as);
	free(u.c);
	return ret;
}

/*
 * Whether a live general register of t holds an address in a range.  A
 * thread stopped in user code may use any register; one stopped inside
 * a system call (orig_rax not -1: inside a libc wrapper) has live only
 * the registers a call preserves and the call's first three arguments,
 * the others being stale values of calls made before.
 */
static const lv_range *
reg_hit(const lv_thread *t, const lv_range *r, size_t n)
{
	const struct user_regs_struct *g = &t->regs;
	const unsigned long long v[] = { g->rbx, g->rbp, g->r12, g->r13,
	    g->r14, g->r15, g->rdi, g->rsi, g->rdx, g->rip, g->rax, g->rcx,
	    g->r8, g->r9, g->r10, g->r11 };
	size_t i, live = g->orig_rax == (unsigned long long)-1 ?
	    sizeof v / sizeof v[0] : 10;
	const lv_range *h;

	for (i = 0; i < live; i++)
		if ((h = hit(r, n, v[i])) != NULL)
			return h;
	return NULL;
}

pf_ret
lv_threads_hold(lv_proc *p, const lv_stop *s, const lv_range *r, size_t n,
    lv_busy *busy)
{
	uctx u = { .p = p };
	const lv_range *h;
	size_t i;

	memset(busy, 0, sizeof *busy);
	if (n == 0)
		return PF_OK;
	if ((u.c = calloc(1, sizeof *u.c)) == NULL)
		return pf_err_nomem(p->err);
	for (i = 0; i < s->n; i++) {
		u.t = &s->t[i];
		busy->frame = 0;
		if ((h = reg_hit(u.t, r, n)) == NULL)
			h = scan_stack(&u, r, n, &busy->frame);
		if (h != NULL) {
			busy->tid = s->t[i].tid;
			busy->name = h->name;
			break;
		}
	}
	free(u.c);
	return PF_OK;
}
