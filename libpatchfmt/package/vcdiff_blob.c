/* Codec 4 blobs in the reader (format/vcdiff_blob.h). */
#include <config.h>

#include <stdio.h>

#include "package/vcdiff_blob.h"

/* The base and the state made: before and after, or the reverse. */
static void
sizes(const pf_manifest *m, size_t idx, uint64_t *base, uint64_t *made)
{
	const pf_blob *b = &m->blobs[idx];
	const pf_entry *e = &m->entries[b->entry];
	bool payload = b->section == PF_SECTION_PAYLOAD;

	*base = payload ? e->before.size : e->after.size;
	*made = b->decoded_size;
}

void
pf_vcdiff_blob_begin(const pf_manifest *m, size_t idx, pf_vcd_check *c)
{
	uint64_t base, made;

	if (m->blobs[idx].codec != PF_CODEC_VCDIFF)
		return;
	sizes(m, idx, &base, &made);
	pf_vcd_check_init(c, base, made);
}

/* Names the entry and blob in the walk's message. */
static pf_ret
blame(const pf_manifest *m, size_t idx, pf_ret r, pf_err *err)
{
	const pf_blob *b = &m->blobs[idx];
	char why[PF_ERR_MSG_MAX];

	snprintf(why, sizeof why, "%s", err->msg);
	return pf_err_set(err, r, "entry '%s': %s blob %zu %s: %s",
	    m->entries[b->entry].path,
	    b->section == PF_SECTION_PAYLOAD ? "payload" : "rollback", idx,
	    r == PF_ERR_CORRUPT ? "is damaged" : "is not supported", why);
}

pf_ret
pf_vcdiff_blob_feed(const pf_manifest *m, size_t idx, pf_vcd_check *c,
    const uint8_t *p, size_t n, pf_err *err)
{
	pf_ret r;

	if (m->blobs[idx].codec != PF_CODEC_VCDIFF)
		return PF_OK;
	if ((r = pf_vcd_check_feed(c, p, n, err)) != PF_OK)
		return blame(m, idx, r, err);
	return PF_OK;
}

pf_ret
pf_vcdiff_blob_end(const pf_manifest *m, size_t idx, pf_vcd_check *c,
    pf_err *err)
{
	pf_ret r;

	if (m->blobs[idx].codec != PF_CODEC_VCDIFF)
		return PF_OK;
	if ((r = pf_vcd_check_end(c, err)) != PF_OK)
		return blame(m, idx, r, err);
	return PF_OK;
}

/* Counts what the decoder writes. */
typedef struct counted {
	pf_ostream *out;
	uint64_t n;
} counted;

static pf_ret
count_write(void *opaque, const void *buf, size_t n, pf_err *err)
{
	counted *c = opaque;

	c->n += n;
	return c->out->write(c->out->opaque, buf, n, err);
}

pf_ret
pf_vcdiff_decode_exact(pf_istream *in, const pf_source *base,
    pf_ostream *out, uint64_t size, pf_err *err)
{
	counted c = { out, 0 };
	pf_ostream os = { count_write, &c };
	pf_ret r;

	if ((r = pf_vcdiff_decode(in, base, &os, size, err)) != PF_OK)
		return r;
	if (c.n != size)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "vcdiff delta: it makes %llu bytes, not %llu",
		    (unsigned long long)c.n, (unsigned long long)size);
	return PF_OK;
}
