/*
 * Whole files for the Check programs: a corpus pair or a test binary,
 * read into memory.
 */
#ifndef PF_TESTS_FILES_H
#define PF_TESTS_FILES_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * The bytes of path (a byte more is allocated), or NULL if it cannot be
 * opened; a file that opens but cannot be read whole fails the test.
 */
static inline uint8_t *
pf_test_slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long len = -1;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0)
		p = malloc((size_t)len + 1);
	ck_assert_msg(p != NULL && fread(p, 1, (size_t)len, f) == (size_t)len,
	    "cannot read %s", path);
	fclose(f);
	*n = (size_t)len;
	return p;
}

#endif
