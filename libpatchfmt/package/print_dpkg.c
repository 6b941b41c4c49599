#include <config.h>

#include "common/escape.h"
#include "common/json.h"
#include "format/dpkg.h"
#include "package/print_dpkg.h"

void
pf_dpkg_print_text(const pf_manifest *m, FILE *f)
{
	const pf_dpkg_origin *d = m->dpkg;

	if (d == NULL)
		return;
	fputs("dpkg     ", f);
	pf_text_str(f, d->package);
	fputc(' ', f);
	pf_text_str(f, d->from_version);
	if (d->to_version != NULL) {
		fputs(" -> ", f);
		pf_text_str(f, d->to_version);
	}
	if (d->arch != NULL) {
		fputs(" (", f);
		pf_text_str(f, d->arch);
		fputc(')', f);
	}
	fputc('\n', f);
	if (d->depends != NULL) {
		fputs("         depends ", f);
		pf_text_str(f, d->depends);
		fputc('\n', f);
	}
}

void
pf_dpkg_print_json(const pf_manifest *m, FILE *f)
{
	const pf_dpkg_origin *d = m->dpkg;

	if (d == NULL)
		return;
	fputs(",\"dpkg\":{\"package\":", f);
	pf_json_str(f, d->package);
	fputs(",\"from\":", f);
	pf_json_str(f, d->from_version);
	fputs(",\"to\":", f);
	pf_json_str(f, d->to_version);
	fputs(",\"architecture\":", f);
	pf_json_str(f, d->arch);
	fputs(",\"depends\":", f);
	pf_json_str(f, d->depends);
	fputc('}', f);
}
