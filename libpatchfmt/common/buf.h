/*
 * A growable output buffer and a bounds-checked input cursor, with the
 * integer encodings of spec/patchfmt.md section 2.2 (fixed little-endian
 * and LEB128 "uvarint").
 */
#ifndef PF_COMMON_BUF_H
#define PF_COMMON_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most 10 bytes encode a 64-bit uvarint. */
#define PF_UVARINT_MAX 10

typedef struct pf_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool failed;    /* an allocation failed; every later append is a no-op */
} pf_buf;

void pf_buf_init(pf_buf *b);
void pf_buf_free(pf_buf *b);
/* Makes room for n more bytes; false (and b->failed) when out of memory. */
bool pf_buf_reserve(pf_buf *b, size_t n);
void pf_buf_append(pf_buf *b, const void *p, size_t n);
void pf_buf_put_u8(pf_buf *b, uint8_t v);
void pf_buf_put_le32(pf_buf *b, uint32_t v);
void pf_buf_put_le64(pf_buf *b, uint64_t v);
void pf_buf_put_uvarint(pf_buf *b, uint64_t v);
/* Hands the bytes over to the caller and leaves b empty. */
uint8_t *pf_buf_take(pf_buf *b, size_t *len);

/* Reading side: never reads past end; every failure is sticky. */
typedef struct pf_cur {
	const uint8_t *p;
	const uint8_t *end;
	bool bad;       /* truncated, or a non-canonical encoding */
} pf_cur;

void pf_cur_init(pf_cur *c, const void *p, size_t n);
size_t pf_cur_left(const pf_cur *c);
bool pf_cur_get_u8(pf_cur *c, uint8_t *v);
bool pf_cur_get_le32(pf_cur *c, uint32_t *v);
bool pf_cur_get_le64(pf_cur *c, uint64_t *v);
/* Canonical (shortest) encodings only: a longer one marks the cursor bad. */
bool pf_cur_get_uvarint(pf_cur *c, uint64_t *v);
/* Points *p at the next n bytes and skips them. */
bool pf_cur_get_bytes(pf_cur *c, const uint8_t **p, size_t n);

#endif
