#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"

/* A message that does not fit ends in "..." rather than mid-word unseen. */
static void
vset(pf_err *e, const char *fmt, va_list ap)
{
	int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);

	if (n >= (int)sizeof e->msg)
		memcpy(e->msg + sizeof e->msg - 4, "...", 4);
	memset(e->detail, 0, 3);
}

pf_ret
pf_err_set(pf_err *e, pf_ret code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vset(e, fmt, ap);
	va_end(ap);
	return code;
}

pf_ret
pf_err_errno(pf_err *e, pf_ret code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	e->code = code;
	va_start(ap, fmt);
	vset(e, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (n + 2 + strlen(strerror(errnum)) < sizeof e->msg)
		snprintf(e->msg + n, sizeof e->msg - n, ": %s",
		    strerror(errnum));
	return code;
}

pf_ret
pf_err_nomem(pf_err *e)
{
	return pf_err_set(e, PF_ERR_NOMEM, "out of memory");
}

void
pf_err_clear(pf_err *e)
{
	e->code = PF_OK;
	e->msg[0] = '\0';
	memset(e->detail, 0, 3);
}

pf_ret
pf_err_detail(pf_err *e, const char *path, const char *expected,
    const char *found)
{
	const char *part[3] = { path, expected, found };
	size_t used = 0, n;
	int i;

	for (i = 0; i < 3; i++) {
		n = part[i] ? strlen(part[i]) : 0;
		if (used + n + 1 + (size_t)(2 - i) > sizeof e->detail)
			n = 0;
		memcpy(e->detail + used, part[i] ? part[i] : "", n);
		e->detail[used + n] = '\0';
		used += n + 1;
	}
	return e->code;
}

const char *
pf_err_part(const pf_err *e, pf_detail which)
{
	const char *p = e->detail;
	int i;

	if (which > PF_DETAIL_FOUND)
		return NULL;
	for (i = 0; i < (int)which; i++)
		p += strlen(p) + 1;
	return *p ? p : NULL;
}

pf_ret
pf_err_copy(pf_err *dst, const pf_err *src)
{
	if (dst != src)
		memcpy(dst, src, sizeof *dst);
	return dst->code;
}

const char *
pf_ret_str(pf_ret r)
{
	switch (r) {
	case PF_OK: return "success";
	case PF_ERR_USAGE: return "invalid argument";
	case PF_ERR_NOT_PACKAGE: return "not a patch package";
	case PF_ERR_UNSUPPORTED: return "unsupported format version or feature";
	case PF_ERR_CORRUPT: return "corrupt package";
	case PF_ERR_MISMATCH: return "target does not match the package";
	case PF_ERR_UNSAFE: return "unsafe path";
	case PF_ERR_TRUST: return "signature or trust failure";
	case PF_ERR_DEPENDENCY: return "dependency not met";
	case PF_ERR_IO: return "input/output error";
	case PF_ERR_NOMEM: return "out of memory";
	case PF_ERR_EXPIRED: return "package has expired";
	case PF_ERR_DOWNGRADE: return "downgrade refused";
	case PF_ERR_BUSY: return "process busy, try again";
	case PF_ERR_INTERRUPTED: return "interrupted by a signal";
	case PF_ERR_DEFERRED: return "deferred by the phased rollout";
	case PF_ERR_HEALTH: return "health check failed, rolled back";
	case PF_ERR_HOOK: return "hook failed";
	case PF_ERR_NOT_INSTALLED: return "not installed";
	}
	return "unknown error";
}

int
pf_ret_exit_status(pf_ret r)
{
	switch (r) {
	case PF_OK: return PF_EXIT_OK;
	case PF_ERR_USAGE: return PF_EXIT_USAGE;
	case PF_ERR_NOT_PACKAGE:
	case PF_ERR_CORRUPT: return PF_EXIT_INVALID;
	case PF_ERR_UNSUPPORTED: return PF_EXIT_UNSUPPORTED;
	case PF_ERR_MISMATCH: return PF_EXIT_MISMATCH;
	case PF_ERR_UNSAFE: return PF_EXIT_UNSAFE;
	case PF_ERR_TRUST: return PF_EXIT_TRUST;
	case PF_ERR_DEPENDENCY: return PF_EXIT_DEPENDENCY;
	case PF_ERR_IO: return PF_EXIT_IO;
	case PF_ERR_NOMEM: return PF_EXIT_SOFTWARE;
	case PF_ERR_EXPIRED: return PF_EXIT_EXPIRED;
	case PF_ERR_DOWNGRADE: return PF_EXIT_DOWNGRADE;
	case PF_ERR_BUSY: return PF_EXIT_BUSY;
	case PF_ERR_INTERRUPTED: return PF_EXIT_INTERRUPTED;
	case PF_ERR_DEFERRED: return PF_EXIT_DEFERRED;
	case PF_ERR_HEALTH: return PF_EXIT_HEALTH;
	case PF_ERR_HOOK: return PF_EXIT_HOOK;
	case PF_ERR_NOT_INSTALLED: return PF_EXIT_NOT_INSTALLED;
	}
	return PF_EXIT_SOFTWARE;
}
