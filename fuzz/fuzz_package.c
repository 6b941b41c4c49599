/*
 * Fuzz target: a whole package through pf_reader_open(), the entry point
 * of every tool for untrusted bytes, then the manifest parser alone.
 */
#include <config.h>

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libpatchfmt.h"
#include "format/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	pf_reader *r = NULL;
	pf_manifest m;
	pf_err err;
	int fd;

	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	fd = memfd_create("fuzz", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size &&
	    lseek(fd, 0, SEEK_SET) == 0 && pf_reader_open(&r, fd) == PF_OK) {
		pf_manifest_print_json(pf_reader_manifest(r),
		    pf_reader_digest(r), size, devnull);
		pf_manifest_print_text(pf_reader_manifest(r), devnull);
	}
	pf_reader_free(r);
	close(fd);
	/* The manifest parser on its own reaches deeper with random input. */
	if (pf_manifest_decode(&m, data, size, &err) == PF_OK)
		pf_manifest_clear(&m);
	return 0;
}
