/*
 * Is any stopped thread inside a range of code?  Each thread's stack is
 * unwound with libunwind (its DWARF unwinder, fed by our own accessors
 * that read registers and memory we already hold), so a thread that will
 * return into a function is found as well as one executing it.
 */
#ifndef PF_LIVE_UNWIND_H
#define PF_LIVE_UNWIND_H

#include "live/proc.h"
#include "live/stop.h"

typedef struct lv_range {
	uint64_t lo, hi;
	const char *name;
} lv_range;

/* Where the first thread found inside a range is. */
typedef struct lv_busy {
	pid_t tid;
	unsigned frame;
	const char *name;
} lv_busy;

/* PF_OK and busy->tid 0 when no thread is in any range; PF_OK and
 * busy->tid set when one is. */
pf_ret lv_threads_in(lv_proc *p, const lv_stop *s, const lv_range *r,
    size_t n, lv_busy *busy);

/* The same for a thread that holds an address in a range: in a general
 * register, or in any word of its stack from the stack pointer to the
 * end of the mapping that holds it (a stack that cannot be scanned so
 * counts).  Memory about to be unmapped may be neither run nor read: a
 * function the patch's code tail-called (a jump, no return address) may
 * still be reading a string of the patch. */
pf_ret lv_threads_hold(lv_proc *p, const lv_stop *s, const lv_range *r,
    size_t n, lv_busy *busy);

#endif
