/*
 * patch-create's options for patches in the field: --hook, --issue,
 * --source-rev, --source-url, --phase (spec sections 5.1.3 to 5.1.5).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "field.h"
#include "util.h"

static const char *const kinds[] = { NULL, "pre-apply", "post-apply",
	"health", "pre-rollback", "post-rollback" };

int
pf_field_create_opt(pf_field_create *o, int c, const char *arg,
    const char *usage)
{
	const char *eq;
	size_t k;

	switch (c) {
	case PF_OPT_HOOK:
		eq = strchr(arg, '=');
		for (k = 1; eq != NULL && k <= PF_HOOK_POST_ROLLBACK; k++)
			if (strlen(kinds[k]) == (size_t)(eq - arg) &&
			    strncmp(arg, kinds[k], (size_t)(eq - arg)) == 0)
				break;
		if (eq == NULL || k > PF_HOOK_POST_ROLLBACK || eq[1] == '\0')
			return pf_usage_error(usage, "--hook takes KIND=FILE, "
			    "KIND one of pre-apply, post-apply, health, "
			    "pre-rollback, post-rollback");
		if (o->hook[k] != NULL)
			return pf_usage_error(usage, "--hook %s given twice",
			    kinds[k]);
		o->hook[k] = eq + 1;
		return 0;
	case PF_OPT_HOOK_TIMEOUT: o->hook_timeout = arg; return 0;
	case PF_OPT_ISSUE: o->issue = arg; return 0;
	case PF_OPT_SOURCE_REV: o->source_rev = arg; return 0;
	case PF_OPT_SOURCE_URL: o->source_url = arg; return 0;
	case PF_OPT_PHASE: o->phase = arg; return 0;
	case PF_OPT_PHASE_SEED: o->phase_seed = arg; return 0;
	}
	return -1;
}

/* "12", "12.5", "12.34" percent as hundredths; -1 if not 0 to 100. */
static long
parse_percent(const char *s)
{
	unsigned long whole = 0, frac = 0;
	int digits = 0, fd = 0;

	for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
		whole = whole * 10 + (unsigned long)(*s - '0');
	if (digits == 0)
		return -1;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && fd < 2; s++, fd++)
			frac = frac * 10 + (unsigned long)(*s - '0');
	if (*s != '\0' || (fd == 0 && s[-1] == '.'))
		return -1;
	frac *= fd == 1 ? 10 : 1;
	if (whole * 100 + frac > 10000)
		return -1;
	return (long)(whole * 100 + frac);
}

static int
add_hook(pf_builder *b, pf_hook_kind k, const char *path, unsigned timeout)
{
	const size_t max = (1u << 20) + 1;      /* one byte over the limit */
	uint8_t *text;
	size_t n = 0;
	ssize_t got;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return pf_fail_path(PF_ERR_IO, NULL, "cannot open hook '%s': %s", path, strerror(errno));
	}
	if ((text = malloc(max)) == NULL) {
		close(fd);
		return pf_fail(PF_ERR_NOMEM, NULL);
	}
	while (n < max && (got = read(fd, text + n, max - n)) > 0)
		n += (size_t)got;
	close(fd);
	if (pf_builder_add_hook(b, k, timeout, text, n) != PF_OK)
		rc = pf_fail(PF_ERR_USAGE, pf_builder_error(b));
	free(text);
	return rc;
}

int
pf_field_create_apply(const pf_field_create *o, pf_builder *b,
    const char *usage)
{
	unsigned timeout = 60;
	long share;
	size_t k;
	int rc;

	if (o->hook_timeout && (pf_parse_uint(o->hook_timeout, 3600,
	    &timeout) < 0 || timeout == 0))
		return pf_usage_error(usage,
		    "--hook-timeout takes 1 to 3600 seconds");
	for (k = 1; k <= PF_HOOK_POST_ROLLBACK; k++)
		if (o->hook[k] && (rc = add_hook(b, (pf_hook_kind)k,
		    o->hook[k], timeout)) != 0)
			return rc;
	if ((o->issue || o->source_rev || o->source_url) &&
	    pf_builder_set_provenance(b, o->issue, o->source_rev,
	    o->source_url) != PF_OK)
		return pf_fail(PF_ERR_USAGE, pf_builder_error(b));
	if (o->phase_seed && !o->phase)
		return pf_usage_error(usage, "--phase-seed goes with --phase");
	if (!o->phase)
		return 0;
	if ((share = parse_percent(o->phase)) < 0)
		return pf_usage_error(usage, "--phase takes a percentage from "
		    "0 to 100, with up to two decimals");
	if (pf_builder_set_phase(b, (uint32_t)share, o->phase_seed) != PF_OK)
		return pf_fail(PF_ERR_USAGE, pf_builder_error(b));
	return 0;
}
