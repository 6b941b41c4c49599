/*
 * Fields (spec section 4): tag uvarint, length uvarint, value bytes.
 */
#ifndef PF_FORMAT_FIELD_H
#define PF_FORMAT_FIELD_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

typedef struct pf_field {
	uint64_t tag;
	const uint8_t *val;
	size_t len;
} pf_field;

/* Next field of c; false at the end or when malformed (c->bad). */
bool pf_field_next(pf_cur *c, pf_field *f);
pf_ret pf_field_uint(const pf_field *f, uint64_t *v, pf_err *err,
    const char *what);
/* A copy with a NUL added; values holding a NUL byte are refused. */
pf_ret pf_field_string(const pf_field *f, size_t max, char **s, pf_err *err,
    const char *what);
pf_ret pf_field_sha256(const pf_field *f, uint8_t out[32], pf_err *err,
    const char *what);

void pf_put_uint(pf_buf *b, uint64_t tag, uint64_t v);
void pf_put_bytes(pf_buf *b, uint64_t tag, const void *p, size_t n);
void pf_put_string(pf_buf *b, uint64_t tag, const char *s);
/* Wraps the bytes of inner as one field. */
void pf_put_nested(pf_buf *b, uint64_t tag, const pf_buf *inner);

#endif
