/*
 * Telling the two delta formats apart by their first bytes: pfdelta's
 * magic (spec/delta.md section 3) or VCDIFF's (RFC 3284 section 4.1).
 * The bytes looked at are handed back to the decoder that is chosen.
 */
#include <config.h>

#include <string.h>

#include "delta/delta.h"
#include "delta/sniff.h"
#include "delta/vcdiff.h"

/* A stream that first replays the bytes already read. */
typedef struct replay {
	pf_istream *in;
	uint8_t head[PF_VCD_MAGIC_LEN];
	size_t len;
	size_t pos;
} replay;

static pf_ret
replay_read(void *opaque, void *buf, size_t n, size_t *got, pf_err *err)
{
	replay *r = opaque;
	size_t k = r->len - r->pos;

	if (k == 0)
		return r->in->read(r->in->opaque, buf, n, got, err);
	if (k > n)
		k = n;
	memcpy(buf, r->head + r->pos, k);
	r->pos += k;
	*got = k;
	return PF_OK;
}

pf_ret
pf_delta_decode_any(pf_istream *delta, const pf_source *old,
    const pf_delta_check *chk, pf_ostream *out, const pf_readback *rb,
    uint64_t max_new_size, pf_err *err)
{
	replay rp = { .in = delta };
	pf_istream in = { replay_read, &rp };
	size_t got;
	pf_ret r;

	while (rp.len < sizeof rp.head) {
		r = delta->read(delta->opaque, rp.head + rp.len,
		    sizeof rp.head - rp.len, &got, err);
		if (r != PF_OK)
			return r;
		if (got == 0)
			break;
		rp.len += got;
	}
	if (pf_vcd_is_vcdiff(rp.head, rp.len))
		return pf_vcdiff_decode(&in, old, out, max_new_size, err);
	return pf_delta_decode_rb(&in, old, chk, out, rb, max_new_size, err);
}
