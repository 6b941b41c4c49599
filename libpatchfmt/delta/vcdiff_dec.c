/*
 * The VCDIFF decoder (RFC 3284, profiled by spec/vcdiff.md).  It reads the
 * delta one window at a time: the window's encoding, its three sections
 * (decompressed when xdelta3's LZMA secondary compressor made them), then
 * the target window built in memory and written out.  Source segments are
 * read from old through a small block cache, so memory is bounded by the
 * window limits of spec/vcdiff.md section 4 whatever the file sizes.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/ckd.h"
#include "compress/xz.h"
#include "delta/vcdiff.h"

/* Bytes read from the delta stream at once. */
#define IN_BUF (64u << 10)

/* The block of old the source cache holds. */
#define SRC_BLOCK (256u << 10)

/* The encoded window is read in steps, so a lying length costs no memory. */
#define READ_STEP (1u << 20)

enum { SECT_DATA, SECT_INST, SECT_ADDR, NSECT };

static const char *const sect_name[NSECT] = { "data", "instructions",
	"addresses" };

/* A section being consumed: [p, end). */
typedef struct sect {
	const uint8_t *p;
	const uint8_t *end;
} sect;

typedef struct vdec {
	pf_istream *in;
	const pf_source *old;
	pf_ostream *out;
	pf_err *err;
	uint64_t max_new;
	uint64_t written;
	uint8_t inbuf[IN_BUF];
	size_t in_pos;
	size_t in_len;
	uint8_t secondary;      /* compressor id, 0 for none */
	pf_xz *xz[NSECT];
	pf_buf enc;             /* the window's delta encoding */
	uint8_t *dec[NSECT];    /* sections after secondary decompression */
	size_t dec_cap[NSECT];
	uint8_t *tgt;           /* the target window */
	size_t tgt_cap;
	uint8_t *hist;          /* the last bytes written, for VCD_TARGET */
	size_t hist_len;
	size_t hist_cap;
	uint8_t *cache;         /* one block of old */
	uint64_t cache_off;
	size_t cache_len;
	pf_vcd_inst table[256][2];
	pf_vcd_cache acache;
	/* The window being decoded. */
	uint8_t win_ind;
	uint64_t seg_len;       /* source segment */
	uint64_t seg_pos;
	const uint8_t *seg_mem; /* a VCD_TARGET segment, inside hist */
	size_t tgt_len;
	size_t tgt_pos;
	sect s[NSECT];
} vdec;

static pf_ret
corrupt(vdec *d, const char *what)
{
	return pf_err_set(d->err, PF_ERR_CORRUPT, "vcdiff delta: %s", what);
}

/* Refills the input buffer; *eof when the stream has ended. */
static pf_ret
fill(vdec *d, bool *eof)
{
	size_t got;
	pf_ret r;

	*eof = false;
	if (d->in_pos < d->in_len)
		return PF_OK;
	r = d->in->read(d->in->opaque, d->inbuf, IN_BUF, &got, d->err);
	if (r != PF_OK)
		return r;
	d->in_pos = 0;
	d->in_len = got;
	*eof = got == 0;
	return PF_OK;
}

static pf_ret
get_byte(vdec *d, uint8_t *v)
{
	bool eof;
	pf_ret r;

	if ((r = fill(d, &eof)) != PF_OK)
		return r;
	if (eof)
		return corrupt(d, "truncated");
	*v = d->inbuf[d->in_pos++];
	return PF_OK;
}

/* Section 2: big-endian base 128; values above 2^64 - 1 are corrupt. */
static pf_ret
get_int(vdec *d, uint64_t *v)
{
	uint8_t b;
	pf_ret r;
	int i;

	*v = 0;
	for (i = 0; i < 10; i++) {
		if ((r = get_byte(d, &b)) != PF_OK)
			return r;
		if (*v > (UINT64_MAX >> 7))
			break;
		*v = *v << 7 | (b & 0x7f);
		if ((b & 0x80) == 0)
			return PF_OK;
	}
	return corrupt(d, "an integer is too large");
}

/* The same from memory, for the sections of a window. */
static bool
cur_int(sect *s, uint64_t *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 10 && s->p < s->end; i++) {
		uint8_t b = *s->p++;

		if (*v > (UINT64_MAX >> 7))
			return false;
		*v = *v << 7 | (b & 0x7f);
		if ((b & 0x80) == 0)
			return true;
	}
	return false;
}

/* Reads exactly n bytes into p, or skips them when p is NULL. */
static pf_ret
get_bytes(vdec *d, uint8_t *p, uint64_t n)
{
	size_t k;
	bool eof;
	pf_ret r;

	while (n > 0) {
		if ((r = fill(d, &eof)) != PF_OK)
			return r;
		if (eof)
			return corrupt(d, "truncated");
		k = d->in_len - d->in_pos;
		if (k > n)
			k = (size_t)n;
		if (p != NULL) {
			memcpy(p, d->inbuf + d->in_pos, k);
			p += k;
		}
		d->in_pos += k;
		n -= k;
	}
	return PF_OK;
}

/* Section 4.1, with xdelta3's application header (skipped). */
static pf_ret
read_header(vdec *d)
{
	uint8_t magic[4], ind;
	uint64_t len;
	pf_ret r;

	if ((r = get_bytes(d, magic, sizeof magic)) != PF_OK)
		return r;
	if (!pf_vcd_is_vcdiff(magic, sizeof magic))
		return pf_err_set(d->err, PF_ERR_CORRUPT,
		    "not a vcdiff delta (no magic bytes d6 c3 c4)");
	if (magic[3] != PF_VCD_VERSION)
		return pf_err_set(d->err, PF_ERR_UNSUPPORTED,
		    "vcdiff delta: version %u is not supported", magic[3]);
	if ((r = get_byte(d, &ind)) != PF_OK)
		return r;
	if (ind & ~(PF_VCD_DECOMPRESS | PF_VCD_CODETABLE | PF_VCD_APPHEADER))
		return pf_err_set(d->err, PF_ERR_UNSUPPORTED,
		    "vcdiff delta: unknown header indicator bits 0x%02x", ind);
	if ((ind & PF_VCD_DECOMPRESS) &&
	    (r = get_byte(d, &d->secondary)) != PF_OK)
		return r;
	if (ind & PF_VCD_CODETABLE)
		return pf_err_set(d->err, PF_ERR_UNSUPPORTED,
		    "vcdiff delta: custom code tables are not supported "
		    "(only the default table of RFC 3284 section 5.6)");
	if (ind & PF_VCD_APPHEADER) {
		if ((r = get_int(d, &len)) != PF_OK)
			return r;
		if ((r = get_bytes(d, NULL, len)) != PF_OK)
			return r;
	}
	return PF_OK;
}

/* A secondary compressor this decoder cannot run: say which and why. */
static pf_ret
secondary_refused(vdec *d)
{
	const char *name = d->secondary == PF_VCD_SEC_DJW ? "djw" :
	    d->secondary == PF_VCD_SEC_FGK ? "fgk" : NULL;

	if (name != NULL)
		return pf_err_set(d->err, PF_ERR_UNSUPPORTED,
		    "vcdiff delta: xdelta3's %s secondary compression is not "
		    "supported (remake the delta with xdelta3 -S lzma or "
		    "-S none)", name);
	return pf_err_set(d->err, PF_ERR_UNSUPPORTED,
	    "vcdiff delta: unknown secondary compressor %u", d->secondary);
}

/* Grows *p to hold n bytes. */
static pf_ret
reserve(vdec *d, uint8_t **p, size_t *cap, size_t n)
{
	uint8_t *q;

	if (n <= *cap)
		return PF_OK;
	if ((q = realloc(*p, n)) == NULL)
		return pf_err_nomem(d->err);
	*p = q;
	*cap = n;
	return PF_OK;
}

/* Section 4.2: the window header up to its delta encoding, read whole. */
static pf_ret
read_window(vdec *d, uint8_t ind)
{
	uint64_t len, end;
	size_t k;
	pf_ret r;

	d->win_ind = ind;
	d->seg_len = d->seg_pos = 0;
	if (ind & ~(PF_VCD_SOURCE | PF_VCD_TARGET | PF_VCD_ADLER32))
		return pf_err_set(d->err, PF_ERR_UNSUPPORTED,
		    "vcdiff delta: unknown window indicator bits 0x%02x", ind);
	if ((ind & PF_VCD_SOURCE) && (ind & PF_VCD_TARGET))
		return corrupt(d, "a window is both VCD_SOURCE and VCD_TARGET");
	if (ind & (PF_VCD_SOURCE | PF_VCD_TARGET)) {
		if ((r = get_int(d, &d->seg_len)) != PF_OK ||
		    (r = get_int(d, &d->seg_pos)) != PF_OK)
			return r;
		if (pf_add_overflow_u64(d->seg_pos, d->seg_len, &end))
			return corrupt(d, "a source segment overflows");
	}
	if ((r = get_int(d, &len)) != PF_OK)
		return r;
	if (len > PF_VCD_ENCODED_MAX)
		return pf_err_set(d->err, PF_ERR_UNSUPPORTED,
		    "vcdiff delta: a window's encoding of %llu bytes is above "
		    "the limit of %u", (unsigned long long)len,
		    PF_VCD_ENCODED_MAX);
	d->enc.len = 0;
	while (d->enc.len < len) {
		k = len - d->enc.len < READ_STEP ? (size_t)len - d->enc.len :
		    READ_STEP;
		if (!pf_buf_reserve(&d->enc, k))
			return pf_err_nomem(d->err);
		if ((r = get_bytes(d, d->enc.data + d->enc.len, k)) != PF_OK)
			return r;
		d->enc.len += k;
	}
	return PF_OK;
}

/* Points seg_mem at a VCD_TARGET segment, which must still be kept. */
static pf_ret
target_segment(vdec *d)
{
	uint64_t hist_start = d->written - d->hist_len;

	if (d->seg_pos + d->seg_len > d->written)
		return corrupt(d, "a VCD_TARGET segment reaches beyond the "
		    "data decoded so far");
	if (d->seg_pos < hist_start ||
	    d->written - d->seg_pos > PF_VCD_HISTORY_MAX)
		return pf_err_set(d->err, PF_ERR_UNSUPPORTED,
		    "vcdiff delta: a VCD_TARGET segment starts more than %u "
		    "bytes back", PF_VCD_HISTORY_MAX);
	if (d->seg_len == 0)
		return PF_OK;
	d->seg_mem = d->hist + (d->seg_pos - hist_start);
	return PF_OK;
}

static pf_ret
check_source(vdec *d)
{
	d->seg_mem = NULL;
	if (d->win_ind & PF_VCD_TARGET)
		return target_segment(d);
	if ((d->win_ind & PF_VCD_SOURCE) &&
	    d->seg_pos + d->seg_len > d->old->size)
		return pf_err_set(d->err, PF_ERR_MISMATCH,
		    "vcdiff delta: a window copies from bytes %llu to %llu of "
		    "an old file of %llu bytes (is it the right old file?)",
		    (unsigned long long)d->seg_pos,
		    (unsigned long long)(d->seg_pos + d->seg_len),
		    (unsigned long long)d->old->size);
	return PF_OK;
}

/* Undoes xdelta3's LZMA secondary compression of one section. */
static pf_ret
unpack_section(vdec *d, int k)
{
	sect *s = &d->s[k];
	uint64_t size;
	pf_ret r;

	if (d->secondary != PF_VCD_SEC_LZMA)
		return secondary_refused(d);
	if (!cur_int(s, &size))
		return corrupt(d, "a compressed section has no size");
	if (size > PF_VCD_ENCODED_MAX)
		return pf_err_set(d->err, PF_ERR_UNSUPPORTED,
		    "vcdiff delta: a compressed %s section of %llu bytes is "
		    "above the limit of %u", sect_name[k],
		    (unsigned long long)size, PF_VCD_ENCODED_MAX);
	r = reserve(d, &d->dec[k], &d->dec_cap[k], size ? (size_t)size : 1);
	if (r != PF_OK)
		return r;
	if (d->xz[k] == NULL &&
	    (r = pf_xz_dec_new(&d->xz[k], PF_VCD_LZMA_MEMLIMIT, d->err)) != PF_OK)
		return r;
	r = pf_xz_dec_next(d->xz[k], s->p, (size_t)(s->end - s->p), d->dec[k],
	    (size_t)size, d->err);
	if (r != PF_OK)
		return r;
	s->p = d->dec[k];
	s->end = d->dec[k] + size;
	return PF_OK;
}

/* Section 4.3: the delta encoding of the window, parsed in place. */
static pf_ret
parse_encoding(vdec *d, uint32_t *adler)
{
	sect c = { d->enc.data, d->enc.data };
	uint64_t tlen, len[NSECT];
	uint8_t del;
	pf_ret r;
	int k;

	if (d->enc.len == 0)
		return corrupt(d, "a window's encoding is empty");
	c.end += d->enc.len;
	if (!cur_int(&c, &tlen) || c.p == c.end)
		return corrupt(d, "a window's encoding is truncated");
	if (tlen > PF_VCD_WINDOW_MAX)
		return pf_err_set(d->err, PF_ERR_UNSUPPORTED,
		    "vcdiff delta: a target window of %llu bytes is above the "
		    "limit of %u", (unsigned long long)tlen, PF_VCD_WINDOW_MAX);
	del = *c.p++;
	if (del & ~(PF_VCD_DATACOMP | PF_VCD_INSTCOMP | PF_VCD_ADDRCOMP))
		return corrupt(d, "unknown delta indicator bits");
	if (del != 0 && d->secondary == 0)
		return corrupt(d, "a section is compressed, but the header "
		    "names no secondary compressor");
	for (k = 0; k < NSECT; k++)
		if (!cur_int(&c, &len[k]))
			return corrupt(d, "a window's encoding is truncated");
	if ((d->win_ind & PF_VCD_ADLER32) && c.end - c.p >= 4) {
		*adler = (uint32_t)c.p[0] << 24 | (uint32_t)c.p[1] << 16 |
		    (uint32_t)c.p[2] << 8 | c.p[3];
		c.p += 4;
	} else if (d->win_ind & PF_VCD_ADLER32)
		return corrupt(d, "a window's checksum is truncated");
	for (k = 0; k < NSECT; k++) {
		if (len[k] > (uint64_t)(c.end - c.p))
			return corrupt(d, "a section is longer than its window");
		d->s[k] = (sect){ c.p, c.p + len[k] };
		c.p += len[k];
	}
	if (c.p != c.end)
		return corrupt(d, "a window's encoding has bytes after its "
		    "sections");
	for (k = 0; k < NSECT; k++)
		if ((del & (1u << k)) && (r = unpack_section(d, k)) != PF_OK)
			return r;
	d->tgt_len = (size_t)tlen;
	d->tgt_pos = 0;
	return reserve(d, &d->tgt, &d->tgt_cap, d->tgt_len ? d->tgt_len : 1);
}

/* Copies n bytes of old at off into p, through the block cache. */
static pf_ret
read_old(vdec *d, uint64_t off, uint8_t *p, size_t n)
{
	uint64_t blk;
	size_t k, at;
	pf_ret r;

	while (n > 0) {
		if (off < d->cache_off || off >= d->cache_off + d->cache_len) {
			blk = off - off % SRC_BLOCK;
			k = d->old->size - blk < SRC_BLOCK ?
			    (size_t)(d->old->size - blk) : SRC_BLOCK;
			r = d->old->read_at(d->old->opaque, blk, d->cache, k,
			    d->err);
			if (r != PF_OK)
				return r;
			d->cache_off = blk;
			d->cache_len = k;
		}
		at = (size_t)(off - d->cache_off);
		k = d->cache_len - at < n ? d->cache_len - at : n;
		memcpy(p, d->cache + at, k);
		p += k;
		off += k;
		n -= k;
	}
	return PF_OK;
}

/* Section 5.3: COPY from the address space of source then target. */
static pf_ret
do_copy(vdec *d, uint64_t addr, size_t n)
{
	uint8_t *t = d->tgt + d->tgt_pos;
	size_t k = 0, i, from;
	pf_ret r;

	if (addr < d->seg_len) {
		k = d->seg_len - addr < n ? (size_t)(d->seg_len - addr) : n;
		if (d->seg_mem != NULL)
			memcpy(t, d->seg_mem + addr, k);
		else if ((r = read_old(d, d->seg_pos + addr, t, k)) != PF_OK)
			return r;
		addr += k;
	}
	/* The rest comes from this target window and may overlap itself. */
	from = (size_t)(addr - d->seg_len);
	for (i = k; i < n; i++)
		t[i] = d->tgt[from++];
	d->tgt_pos += n;
	return PF_OK;
}

/* Section 5.3: the address of a COPY in the given mode. */
static pf_ret
decode_addr(vdec *d, unsigned mode, uint64_t *addr)
{
	uint64_t here = d->seg_len + d->tgt_pos, v;
	sect *a = &d->s[SECT_ADDR];

	if (mode >= 2 + PF_VCD_NEAR) {
		if (a->p == a->end)
			return corrupt(d, "the address section is short");
		*addr = d->acache.same[(mode - 2 - PF_VCD_NEAR) * 256 + *a->p++];
	} else {
		if (!cur_int(a, &v))
			return corrupt(d, "the address section is short");
		if (mode == 0)
			*addr = v;
		else if (mode == 1)
			*addr = here - v;
		else
			*addr = d->acache.near[mode - 2] + v;
		if ((mode == 1 && v > here) ||
		    (mode >= 2 && *addr < v))
			return corrupt(d, "a copy address is out of range");
	}
	if (*addr >= here)
		return corrupt(d, "a copy address is not before the copy");
	pf_vcd_cache_update(&d->acache, *addr);
	return PF_OK;
}

/* Runs one instruction of the pair a code names. */
static pf_ret
run_inst(vdec *d, const pf_vcd_inst *in)
{
	sect *data = &d->s[SECT_DATA];
	uint64_t size = in->size, addr = 0;
	pf_ret r;

	if (in->type == PF_VCD_NOOP)
		return PF_OK;
	if (size == 0 && !cur_int(&d->s[SECT_INST], &size))
		return corrupt(d, "the instruction section is short");
	if (size > d->tgt_len - d->tgt_pos)
		return corrupt(d, "an instruction overruns its target window");
	switch (in->type) {
	case PF_VCD_ADD:
		if (size > (uint64_t)(data->end - data->p))
			return corrupt(d, "the data section is short");
		memcpy(d->tgt + d->tgt_pos, data->p, (size_t)size);
		data->p += size;
		d->tgt_pos += (size_t)size;
		return PF_OK;
	case PF_VCD_RUN:
		if (data->p == data->end)
			return corrupt(d, "the data section is short");
		memset(d->tgt + d->tgt_pos, *data->p++, (size_t)size);
		d->tgt_pos += (size_t)size;
		return PF_OK;
	default:
		if ((r = decode_addr(d, in->mode, &addr)) != PF_OK)
			return r;
		return do_copy(d, addr, (size_t)size);
	}
}

static pf_ret
run_window(vdec *d)
{
	sect *inst = &d->s[SECT_INST];
	uint8_t code;
	pf_ret r;

	pf_vcd_cache_reset(&d->acache);
	while (inst->p < inst->end) {
		code = *inst->p++;
		if ((r = run_inst(d, &d->table[code][0])) != PF_OK ||
		    (r = run_inst(d, &d->table[code][1])) != PF_OK)
			return r;
	}
	if (d->tgt_pos != d->tgt_len)
		return corrupt(d, "a window's instructions make fewer bytes "
		    "than its target length");
	if (d->s[SECT_DATA].p != d->s[SECT_DATA].end ||
	    d->s[SECT_ADDR].p != d->s[SECT_ADDR].end)
		return corrupt(d, "a window leaves data or addresses unused");
	return PF_OK;
}

/*
 * Keeps at least the last PF_VCD_HISTORY_MAX bytes written, for
 * VCD_TARGET, in a buffer of up to twice that: bytes are appended, and
 * slid down only when the buffer is full, so each byte moves at most
 * once or twice however small the windows.
 */
static pf_ret
remember(vdec *d)
{
	size_t n = d->tgt_len, keep, want;
	pf_ret r;

	if (n == 0)
		return PF_OK;
	if (n >= PF_VCD_HISTORY_MAX) {
		d->hist_len = 0;
		n = PF_VCD_HISTORY_MAX;
	} else if (d->hist_len + n > 2 * PF_VCD_HISTORY_MAX) {
		keep = PF_VCD_HISTORY_MAX - n;
		memmove(d->hist, d->hist + d->hist_len - keep, keep);
		d->hist_len = keep;
	}
	if (d->hist_len + n > d->hist_cap) {
		want = 2 * (d->hist_len + n);
		r = reserve(d, &d->hist, &d->hist_cap,
		    want < 2 * PF_VCD_HISTORY_MAX ? want :
		    2 * PF_VCD_HISTORY_MAX);
		if (r != PF_OK)
			return r;
	}
	memcpy(d->hist + d->hist_len, d->tgt + d->tgt_len - n, n);
	d->hist_len += n;
	return PF_OK;
}

static pf_ret
decode_window(vdec *d, uint8_t ind)
{
	uint32_t adler = 0;
	pf_ret r;

	if ((r = read_window(d, ind)) != PF_OK ||
	    (r = check_source(d)) != PF_OK ||
	    (r = parse_encoding(d, &adler)) != PF_OK ||
	    (r = run_window(d)) != PF_OK)
		return r;
	if ((ind & PF_VCD_ADLER32) &&
	    pf_vcd_adler32(d->tgt, d->tgt_len) != adler)
		return pf_err_set(d->err, PF_ERR_MISMATCH,
		    "vcdiff delta: the window at byte %llu of new fails its "
		    "adler-32 checksum (wrong old file, or a damaged delta)",
		    (unsigned long long)d->written);
	if (d->tgt_len > d->max_new - d->written)
		return pf_err_set(d->err, PF_ERR_CORRUPT,
		    "vcdiff delta: the new file would be larger than the "
		    "%llu bytes expected", (unsigned long long)d->max_new);
	if ((r = d->out->write(d->out->opaque, d->tgt, d->tgt_len, d->err))
	    != PF_OK)
		return r;
	d->written += d->tgt_len;
	return remember(d);
}

static void
vdec_free(vdec *d)
{
	int k;

	for (k = 0; k < NSECT; k++) {
		pf_xz_free(d->xz[k]);
		free(d->dec[k]);
	}
	pf_buf_free(&d->enc);
	free(d->tgt);
	free(d->hist);
	free(d->cache);
	free(d);
}

pf_ret
pf_vcdiff_decode(pf_istream *delta, const pf_source *old, pf_ostream *out,
    uint64_t max_new_size, pf_err *err)
{
	vdec *d = calloc(1, sizeof *d);
	uint8_t ind;
	bool eof;
	pf_ret r;

	if (d == NULL)
		return pf_err_nomem(err);
	d->in = delta;
	d->old = old;
	d->out = out;
	d->err = err;
	d->max_new = max_new_size;
	pf_buf_init(&d->enc);
	pf_vcd_default_table(d->table);
	if ((d->cache = malloc(SRC_BLOCK)) == NULL) {
		r = pf_err_nomem(err);
		goto out;
	}
	if ((r = read_header(d)) != PF_OK)
		goto out;
	for (;;) {
		if ((r = fill(d, &eof)) != PF_OK || eof)
			break;
		if ((r = get_byte(d, &ind)) != PF_OK ||
		    (r = decode_window(d, ind)) != PF_OK)
			break;
	}
out:
	vdec_free(d);
	return r;
}
