/*
 * Section 5.1.7, the dpkg origin: field 41, a structure of strings.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "format/dpkg.h"
#include "format/format.h"
#include "format/manifest.h"
#include "format/rollout.h"

void
pf_dpkg_free(pf_dpkg_origin *d)
{
	if (d == NULL)
		return;
	free(d->package);
	free(d->from_version);
	free(d->to_version);
	free(d->arch);
	free(d->depends);
	free(d);
}

void
pf_dpkg_encode(pf_buf *out, const pf_manifest *m)
{
	const pf_dpkg_origin *d = m->dpkg;
	pf_buf in;

	if (d == NULL)
		return;
	pf_buf_init(&in);
	pf_put_string(&in, PF_DP_PACKAGE, d->package);
	pf_put_string(&in, PF_DP_FROM, d->from_version);
	pf_put_string(&in, PF_DP_TO, d->to_version);
	pf_put_string(&in, PF_DP_ARCH, d->arch);
	pf_put_string(&in, PF_DP_DEPENDS, d->depends);
	pf_put_nested(out, PF_M_DPKG, &in);
	pf_buf_free(&in);
}

static pf_ret
dpkg_field(void *obj, const pf_field *f, pf_err *err)
{
	pf_dpkg_origin *d = obj;
	char **dst;

	switch (f->tag) {
	case PF_DP_PACKAGE: dst = &d->package; break;
	case PF_DP_FROM: dst = &d->from_version; break;
	case PF_DP_TO: dst = &d->to_version; break;
	case PF_DP_ARCH: dst = &d->arch; break;
	case PF_DP_DEPENDS: dst = &d->depends; break;
	default:
		return pf_struct_unknown(f, "dpkg origin", err);
	}
	if (*dst != NULL)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "a field of the dpkg origin is repeated");
	return pf_field_string(f, PF_MAX_STRING, dst, err, "dpkg origin");
}

pf_ret
pf_dpkg_decode(pf_manifest *m, const pf_field *f, pf_err *err)
{
	pf_dpkg_origin *d;
	pf_ret r;

	if ((d = calloc(1, sizeof *d)) == NULL)
		return pf_err_nomem(err);
	r = pf_struct_walk(f->val, f->len, "dpkg origin", dpkg_field, d, err);
	if (r == PF_OK && (d->package == NULL || d->from_version == NULL ||
	    !pf_token_valid(d->package) || !pf_token_valid(d->from_version) ||
	    (d->to_version != NULL && !pf_token_valid(d->to_version)) ||
	    (d->arch != NULL && !pf_token_valid(d->arch))))
		r = pf_err_set(err, PF_ERR_CORRUPT, "the dpkg origin lacks "
		    "its package or version, or one is not a word");
	if (r != PF_OK) {
		pf_dpkg_free(d);
		return r;
	}
	m->dpkg = d;
	return PF_OK;
}
