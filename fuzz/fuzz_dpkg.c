/*
 * Fuzz target: dpkg's status file as patch-apply reads it under a root
 * it is about to patch (spec/patchfmt.md section 5.1.7), through the
 * deb822 stanza parser that also reads the control files of .deb
 * builds, and the new build's Depends checked against it (the Depends
 * of the text's first stanza too, with versions compared both ways).
 * The text is whatever the root holds.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/deb822.h"
#include "install/dpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *fields[] = { "Package", "Status", "Version",
	    "Depends", "Description" };
	const char *text = (const char *)data, *s;
	char *v = NULL;
	pf_deb822 d;
	pf_err err;
	size_t n, i;

	if (size > (1u << 20))
		return 0;
	/* A stanza lies within the text, and a value within its stanza. */
	pf_deb822_init(&d, text, size);
	while (pf_deb822_next(&d, &s, &n)) {
		if (s < text || n == 0 || s + n > text + size)
			__builtin_trap();
		for (i = 0; i < sizeof fields / sizeof *fields; i++) {
			if (pf_deb822_field(s, n, fields[i], &v, &err) ==
			    PF_OK && v != NULL &&
			    strlen(v) >= PF_DEB822_MAX_VALUE)
				__builtin_trap();
			free(v);
			v = NULL;
		}
	}
	if (pf_dpkg_status_version(text, size, "pkg", "amd64", &v, &err) ==
	    PF_OK)
		free(v);
	(void)pf_dpkg_check_depends(text, size, "libc6 (>= 2.34), a | "
	    "b:any (<< 1~), c, d (= 1:2-3)", "pkg", &err);
	pf_deb822_init(&d, text, size);
	if (pf_deb822_next(&d, &s, &n) &&
	    pf_deb822_field(s, n, "Depends", &v, &err) == PF_OK && v != NULL) {
		(void)pf_dpkg_check_depends(text, size, v, "pkg", &err);
		/* The order is antisymmetric. */
		if ((pf_dpkg_vercmp(v, "1.0~a") > 0) ==
		    (pf_dpkg_vercmp("1.0~a", v) > 0) &&
		    pf_dpkg_vercmp(v, "1.0~a") != 0)
			__builtin_trap();
		free(v);
	}
	return 0;
}
