/*
 * Stacking hot patches (spec/hotpatch.md section 7.2): a record made
 * against the unpatched build applies on top of the patches live in the
 * process already (the layers below).  Its old code is checked as the
 * layers below found it, and the jump of a function a layer below
 * replaced goes at the start of that layer's copy, the end of the chain
 * of jumps, so that taking the new layer out restores the one below
 * exactly.
 */
#include <config.h>

#include <inttypes.h>
#include <string.h>

#include "common/bytes.h"
#include "live/stack.h"

/* The site of a layer below at addr that holds a jump, or NULL. */
static const pf_live_site *
find_site(const pf_live_opts *o, uint64_t addr, const pf_live_undo **layer)
{
	size_t k, i;

	for (k = 0; o != NULL && k < o->n_below; k++)
		for (i = 0; i < o->below[k]->n_sites; i++) {
			const pf_live_site *s = &o->below[k]->sites[i];

			if (s->addr == addr && s->len == PF_HP_JMP_LEN &&
			    s->new[0] == 0xe9) {
				*layer = o->below[k];
				return s;
			}
		}
	return NULL;
}

void
lv_stack_unpatch(const pf_live_opts *o, uint64_t addr, uint8_t *buf,
    size_t n)
{
	size_t k, i;
	uint8_t b;

	for (k = 0; o != NULL && k < o->n_below; k++)
		for (i = 0; i < o->below[k]->n_sites; i++) {
			const pf_live_site *s = &o->below[k]->sites[i];

			/* Byte by byte: a site may straddle the range. */
			for (b = 0; b < s->len; b++)
				if (s->addr + b >= addr && s->addr + b - addr <
				    n && buf[s->addr + b - addr] == s->new[b])
					buf[s->addr + b - addr] = s->old[b];
		}
}

pf_ret
lv_stack_top(lv_proc *p, const pf_live_opts *o, const char *name,
    pf_live_site *site, const pf_live_undo **over, pf_err *err)
{
	const pf_live_undo *layer = NULL;
	const pf_live_site *s;
	uint8_t cur[PF_HP_JMP_LEN];
	uint64_t to;
	size_t depth;
	pf_ret r;

	*over = NULL;
	if (o == NULL || o->n_below == 0)
		return PF_OK;
	for (depth = 0; depth <= o->n_below; depth++) {
		if ((r = lv_proc_read(p, site->addr, cur, sizeof cur)) != PF_OK)
			return r;
		s = find_site(o, site->addr, &layer);
		if (s == NULL || memcmp(cur, s->new, sizeof cur) != 0)
			break;
		if (!layer->room)
			return pf_err_set(err, PF_ERR_UNSUPPORTED, "function "
			    "'%s' is replaced by a hot patch applied by an "
			    "older patchfmt, which a patch cannot be stacked "
			    "on: roll it back first", name);
		to = site->addr + PF_HP_JMP_LEN +
		    (uint64_t)(int64_t)(int32_t)pf_load_le32(s->new + 1);
		if (to < layer->region || to - layer->region >
		    layer->region_len - PF_HP_JMP_LEN)
			return pf_err_set(err, PF_ERR_MISMATCH, "function '%s': "
			    "the jump of a live patch at 0x%" PRIx64 " leads "
			    "outside its memory", name, site->addr);
		*over = layer;
		site->addr = to;
	}
	if (depth > o->n_below)
		return pf_err_set(err, PF_ERR_MISMATCH, "function '%s': the "
		    "jumps of the live patches form a loop", name);
	if (*over == NULL)
		return PF_OK;
	/* The new layer's jump replaces the start of the copy below. */
	return lv_proc_read(p, site->addr, site->old, PF_HP_JMP_LEN);
}
