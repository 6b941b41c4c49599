/*
 * The public face of the dpkg checks and of --extract (libpatchfmt.h):
 * the same functions as install/dpkg.h and install/output.h, with the
 * message on the reader instead of a caller's pf_err, and the list of
 * md5sums mismatches handed out one at a time.
 */
#include <config.h>

#include "install/dpkg.h"
#include "install/output.h"
#include "package/reader.h"

pf_ret
pf_reader_dpkg_check(pf_reader *r, const char *root, pf_dpkg_state *state)
{
	return pf_dpkg_check(root, pf_reader_manifest(r), state,
	    pf_reader_err(r));
}

pf_ret
pf_reader_dpkg_verify(pf_reader *r, const char *root, pf_dpkg_mismatch_fn fn,
    void *opaque)
{
	pf_dpkg_mismatch *v = NULL;
	size_t i, n = 0;
	pf_ret ret;

	ret = pf_dpkg_md5_mismatches(root, pf_reader_manifest(r), &v, &n,
	    pf_reader_err(r));
	for (i = 0; ret == PF_OK && i < n; i++)
		fn(opaque, v[i].path, v[i].expected, v[i].found);
	pf_dpkg_mismatches_free(v, n);
	return ret;
}

pf_ret
pf_reader_extract(pf_reader *r, const char *root, const char *path, int fd)
{
	return pf_output_extract(r, root, path, fd, pf_reader_err(r));
}
