/*
 * Stacking hot patches (spec/hotpatch.md section 7.2): what a record
 * applied on top of live patches needs to know of the layers below
 * (pf_live_opts.below).
 */
#ifndef PF_LIVE_STACK_H
#define PF_LIVE_STACK_H

#include "live/hotpatch.h"
#include "live/proc.h"

/* Puts back, in buf (the n bytes read at addr), the old bytes of every
 * site of the layers below that holds its jump there: the code as the
 * first layer found it, for the old-code check. */
void lv_stack_unpatch(const pf_live_opts *o, uint64_t addr, uint8_t *buf,
    size_t n);

/*
 * Follows the jumps of the layers below from site->addr (a function's
 * entry, past entry_skip) to the end of the chain: the start of the copy
 * that runs today.  When a layer below replaced the function, site->addr
 * becomes that copy's start, site->old its first bytes, and *over that
 * layer; otherwise both stay and *over is NULL.
 */
pf_ret lv_stack_top(lv_proc *p, const pf_live_opts *o, const char *name,
    pf_live_site *site, const pf_live_undo **over, pf_err *err);

#endif
