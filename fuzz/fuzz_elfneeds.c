/*
 * Fuzz target: pf_elf_needs_decode(), which reads the ELF needs record of
 * an untrusted package.  What decodes must encode, and the encoding must
 * decode to itself: the encoding is canonical (spec/elf-needs.md).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "elf/needs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decodes p and encodes the result again into out. */
static pf_ret
again(const uint8_t *p, size_t n, pf_buf *out)
{
	pf_elf_needs needs = { NULL, 0, NULL, 0 };
	pf_err err;
	pf_ret r;

	if ((r = pf_elf_needs_decode(p, n, &needs, &err)) == PF_OK)
		r = pf_elf_needs_encode(&needs, out);
	pf_elf_needs_free(&needs);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pf_buf one, two;

	pf_buf_init(&one);
	pf_buf_init(&two);
	if (again(data, size, &one) == PF_OK) {
		/* Unknown non-critical fields are dropped, nothing is added. */
		if (one.len > size || again(one.data, one.len, &two) != PF_OK ||
		    two.len != one.len ||
		    (one.len > 0 && memcmp(one.data, two.data, one.len) != 0))
			abort();
	}
	pf_buf_free(&one);
	pf_buf_free(&two);
	return 0;
}
