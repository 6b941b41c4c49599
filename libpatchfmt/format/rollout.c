/*
 * Patches in the field: where a package comes from (5.1.3), the scripts
 * it runs around an install (5.1.4) and the share of machines that take
 * it (5.1.5).  Hooks and phase are critical fields: an applier that did
 * not know them would install without the checks or the staging the
 * signer asked for.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/json.h"
#include "format/format.h"
#include "format/manifest.h"
#include "format/rollout.h"

static const char *const hook_names[] = {
	NULL, "pre-apply", "post-apply", "health", "pre-rollback",
	"post-rollback"
};

const char *
pf_hook_name(pf_hook_kind k)
{
	return k >= PF_HOOK_PRE_APPLY && k <= PF_HOOK_POST_ROLLBACK ?
	    hook_names[k] : NULL;
}

const pf_hook *
pf_manifest_hook(const pf_manifest *m, pf_hook_kind k)
{
	size_t i;

	for (i = 0; i < m->n_hooks; i++)
		if (m->hooks[i].kind == k)
			return &m->hooks[i];
	return NULL;
}

void
pf_rollout_encode(pf_buf *out, const pf_manifest *m)
{
	pf_buf in;
	size_t i;

	if (m->issue || m->source_rev || m->source_url) {
		pf_buf_init(&in);
		pf_put_string(&in, PF_PV_ISSUE, m->issue);
		pf_put_string(&in, PF_PV_SOURCE_REV, m->source_rev);
		pf_put_string(&in, PF_PV_SOURCE_URL, m->source_url);
		pf_put_nested(out, PF_M_PROVENANCE, &in);
		pf_buf_free(&in);
	}
	for (i = 0; i < m->n_hooks; i++) {
		pf_buf_init(&in);
		pf_put_uint(&in, PF_H_KIND, m->hooks[i].kind);
		pf_put_uint(&in, PF_H_TIMEOUT, m->hooks[i].timeout);
		pf_put_bytes(&in, PF_H_SCRIPT, m->hooks[i].script,
		    m->hooks[i].len);
		pf_put_nested(out, PF_M_HOOK, &in);
		pf_buf_free(&in);
	}
	if (m->has_phase) {
		pf_buf_init(&in);
		pf_put_uint(&in, PF_P_SHARE, m->phase);
		pf_put_string(&in, PF_P_SEED, m->phase_seed);
		pf_put_nested(out, PF_M_PHASE, &in);
		pf_buf_free(&in);
	}
}

static pf_ret
provenance_field(void *obj, const pf_field *f, pf_err *err)
{
	pf_manifest *m = obj;
	char **dst;

	switch (f->tag) {
	case PF_PV_ISSUE: dst = &m->issue; break;
	case PF_PV_SOURCE_REV: dst = &m->source_rev; break;
	case PF_PV_SOURCE_URL: dst = &m->source_url; break;
	default: return pf_struct_unknown(f, "provenance", err);
	}
	if (*dst != NULL)
		return pf_err_set(err, PF_ERR_CORRUPT,
		    "provenance field repeated");
	return pf_field_string(f, PF_MAX_STRING, dst, err, "provenance");
}

/* The hook being read, and the fields it had. */
typedef struct hook_ctx {
	pf_hook *h;
	unsigned seen;
} hook_ctx;

static pf_ret
hook_field(void *obj, const pf_field *f, pf_err *err)
{
	hook_ctx *x = obj;
	uint64_t v;
	pf_ret r;

	if (f->tag <= PF_H_SCRIPT && (x->seen & (1u << f->tag)))
		return pf_err_set(err, PF_ERR_CORRUPT, "hook field repeated");
	if (f->tag <= PF_H_SCRIPT)
		x->seen |= 1u << f->tag;
	switch (f->tag) {
	case PF_H_KIND:
		if ((r = pf_field_uint(f, &v, err, "hook kind")) != PF_OK)
			return r;
		if (pf_hook_name((pf_hook_kind)v) == NULL || v > 5)
			return pf_err_set(err, PF_ERR_UNSUPPORTED,
			    "unknown hook kind %llu", (unsigned long long)v);
		x->h->kind = (pf_hook_kind)v;
		return PF_OK;
	case PF_H_TIMEOUT:
		if ((r = pf_field_uint(f, &v, err, "hook timeout")) != PF_OK)
			return r;
		if (v == 0 || v > PF_MAX_HOOK_TIMEOUT)
			return pf_err_set(err, PF_ERR_CORRUPT, "hook timeout "
			    "%llu is not 1 to %d seconds",
			    (unsigned long long)v, PF_MAX_HOOK_TIMEOUT);
		x->h->timeout = (uint32_t)v;
		return PF_OK;
	case PF_H_SCRIPT:
		if (f->len == 0 || f->len > PF_MAX_HOOK)
			return pf_err_set(err, PF_ERR_CORRUPT, "hook script of "
			    "%zu bytes (1 to %llu)", f->len,
			    (unsigned long long)PF_MAX_HOOK);
		if ((x->h->script = malloc(f->len)) == NULL)
			return pf_err_nomem(err);
		memcpy(x->h->script, f->val, f->len);
		x->h->len = f->len;
		return PF_OK;
	}
	return pf_struct_unknown(f, "hook", err);
}

static pf_ret
add_hook(pf_manifest *m, const pf_field *f, pf_err *err)
{
	unsigned need = 1u << PF_H_KIND | 1u << PF_H_SCRIPT;
	hook_ctx x = { NULL, 0 };
	pf_hook *p;
	pf_ret r;

	if (m->n_hooks >= PF_HOOK_POST_ROLLBACK)
		return pf_err_set(err, PF_ERR_CORRUPT, "too many hooks");
	if ((p = realloc(m->hooks, (m->n_hooks + 1) * sizeof *p)) == NULL)
		return pf_err_nomem(err);
	m->hooks = p;
	x.h = &p[m->n_hooks++];
	memset(x.h, 0, sizeof *x.h);
	x.h->timeout = 60;
	r = pf_struct_walk(f->val, f->len, "hook", hook_field, &x, err);
	if (r == PF_OK && (x.seen & need) != need)
		r = pf_err_set(err, PF_ERR_CORRUPT,
		    "a hook lacks its kind or script");
	/* One hook per kind, in the order of kinds. */
	if (r == PF_OK && m->n_hooks > 1 && p[m->n_hooks - 2].kind >= x.h->kind)
		r = pf_err_set(err, PF_ERR_CORRUPT,
		    "hooks are repeated or out of order");
	return r;
}

static pf_ret
phase_field(void *obj, const pf_field *f, pf_err *err)
{
	pf_manifest *m = obj;
	uint64_t v;
	pf_ret r;

	switch (f->tag) {
	case PF_P_SHARE:
		if (m->has_phase)
			break;
		m->has_phase = true;
		if ((r = pf_field_uint(f, &v, err, "phase share")) != PF_OK)
			return r;
		if (v > 10000)
			return pf_err_set(err, PF_ERR_CORRUPT, "phase share "
			    "%llu is above 10000", (unsigned long long)v);
		m->phase = (uint32_t)v;
		return PF_OK;
	case PF_P_SEED:
		if (m->phase_seed != NULL)
			break;
		return pf_field_string(f, PF_MAX_STRING, &m->phase_seed, err,
		    "phase seed");
	default:
		return pf_struct_unknown(f, "phase", err);
	}
	return pf_err_set(err, PF_ERR_CORRUPT, "phase field repeated");
}

pf_ret
pf_rollout_decode(pf_manifest *m, const pf_field *f, pf_err *err)
{
	pf_ret r;

	switch (f->tag) {
	case PF_M_PROVENANCE:
		return pf_struct_walk(f->val, f->len, "provenance",
		    provenance_field, m, err);
	case PF_M_HOOK:
		return add_hook(m, f, err);
	case PF_M_PHASE:
		r = pf_struct_walk(f->val, f->len, "phase", phase_field, m,
		    err);
		if (r == PF_OK && !m->has_phase)
			r = pf_err_set(err, PF_ERR_CORRUPT,
			    "the phase lacks its share");
		return r;
	}
	return pf_struct_unknown(f, "manifest", err);
}

void
pf_rollout_clear(pf_manifest *m)
{
	size_t i;

	free(m->issue);
	free(m->source_rev);
	free(m->source_url);
	for (i = 0; i < m->n_hooks; i++)
		free(m->hooks[i].script);
	free(m->hooks);
	free(m->phase_seed);
	m->issue = m->source_rev = m->source_url = m->phase_seed = NULL;
	m->hooks = NULL;
	m->n_hooks = 0;
	m->has_phase = false;
	m->phase = 0;
}

static void
text_line(FILE *f, const char *label, const char *s)
{
	char buf[1024];

	if (s != NULL)
		fprintf(f, "%s%s\n", label, pf_text_escape(buf, sizeof buf, s));
}

void
pf_rollout_print_text(const pf_manifest *m, FILE *f)
{
	char hex[65];
	uint8_t d[32];
	size_t i;

	text_line(f, "issue    ", m->issue);
	text_line(f, "source   ", m->source_rev);
	text_line(f, "url      ", m->source_url);
	for (i = 0; i < m->n_hooks; i++) {
		if (pf_sha256(d, m->hooks[i].script, m->hooks[i].len) == 0)
			pf_hex(hex, d, 32);
		else
			snprintf(hex, sizeof hex, "(out of memory)");
		fprintf(f, "hook     %s %zu bytes timeout %us sha256 %s\n",
		    pf_hook_name(m->hooks[i].kind), m->hooks[i].len,
		    (unsigned)m->hooks[i].timeout, hex);
	}
	if (m->has_phase) {
		fprintf(f, "phase    %u.%02u%%", (unsigned)m->phase / 100,
		    (unsigned)m->phase % 100);
		text_line(f, " seed ", m->phase_seed);
		if (m->phase_seed == NULL)
			fputc('\n', f);
	}
}

void
pf_rollout_print_json(const pf_manifest *m, FILE *f)
{
	size_t i;

	fputs(",\"provenance\":{\"issue\":", f);
	pf_json_str(f, m->issue);
	fputs(",\"source_rev\":", f);
	pf_json_str(f, m->source_rev);
	fputs(",\"source_url\":", f);
	pf_json_str(f, m->source_url);
	fputs("},\"hooks\":[", f);
	for (i = 0; i < m->n_hooks; i++) {
		fprintf(f, "%s{\"kind\":\"%s\",\"timeout\":%u,\"size\":%zu,"
		    "\"script\":", i ? "," : "",
		    pf_hook_name(m->hooks[i].kind),
		    (unsigned)m->hooks[i].timeout, m->hooks[i].len);
		pf_json_strn(f, (const char *)m->hooks[i].script,
		    m->hooks[i].len);
		fputc('}', f);
	}
	fputs("],\"phase\":", f);
	if (!m->has_phase) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"percent\":%u.%02u,\"seed\":", (unsigned)m->phase / 100,
	    (unsigned)m->phase % 100);
	pf_json_str(f, m->phase_seed);
	fputc('}', f);
}
