/*
 * The three small callback structs every codec works through (bsdiff's
 * bspatch_stream): codecs never open files.  A read or write that fails
 * fills err and returns an error value; codecs pass it on unchanged.
 */
#ifndef PF_COMMON_STREAM_H
#define PF_COMMON_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Sequential input, such as a blob inside a package. */
typedef struct pf_istream {
	/* Reads up to n bytes; *got is 0 only at the end of the stream. */
	pf_ret (*read)(void *opaque, void *buf, size_t n, size_t *got,
	    pf_err *err);
	void *opaque;
} pf_istream;

/* Sequential output, such as the staged new file. */
typedef struct pf_ostream {
	pf_ret (*write)(void *opaque, const void *buf, size_t n, pf_err *err);
	void *opaque;
} pf_ostream;

/* Random-access input of known size, such as the old file. */
typedef struct pf_source {
	/* Reads exactly n bytes at off (off + n <= size is the caller's duty). */
	pf_ret (*read_at)(void *opaque, uint64_t off, void *buf, size_t n,
	    pf_err *err);
	void *opaque;
	uint64_t size;
} pf_source;

/*
 * What a decoder already handed to its pf_ostream, read back: a pfdelta
 * with the flag SELF copies from NEW's earlier bytes (spec/delta.md
 * section 5.3).  open is called once, before the first byte is written,
 * by a decoder that will need read_at; read_at reads exactly n bytes at
 * off, all of them written before.
 */
typedef struct pf_readback {
	pf_ret (*open)(void *opaque, pf_err *err);
	pf_ret (*read_at)(void *opaque, uint64_t off, void *buf, size_t n,
	    pf_err *err);
	void *opaque;
} pf_readback;

/* Fills buf with exactly n bytes or fails with PF_ERR_CORRUPT (truncated). */
pf_ret pf_istream_read_full(pf_istream *in, void *buf, size_t n,
    const char *what, pf_err *err);

/* Copies exactly n bytes from in to out. */
pf_ret pf_stream_copy(pf_istream *in, pf_ostream *out, uint64_t n,
    pf_err *err);

/* A pf_ostream over a pf_buf (memory), for tests and small outputs. */
struct pf_buf;
void pf_ostream_to_buf(pf_ostream *o, struct pf_buf *b);
/* A pf_istream and pf_source over memory. */
typedef struct pf_mem_in {
	const uint8_t *p;
	size_t n;
	size_t pos;
} pf_mem_in;
void pf_istream_from_mem(pf_istream *in, pf_mem_in *m, const void *p,
    size_t n);
void pf_source_from_mem(pf_source *s, const void *p, size_t n);

#endif
