/*
 * deb822(5) stanzas, read as dpkg writes them: a field starts at the
 * beginning of a line with its name and a colon, a line that starts
 * with a space or a tab continues it, and a blank line ends a stanza.
 * Anything else (comments, lines without a colon) is skipped, because
 * a damaged line must not make the other packages unreadable.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/deb822.h"

void
pf_deb822_init(pf_deb822 *d, const char *p, size_t n)
{
	d->p = p;
	d->n = n;
	d->at = 0;
}

/* The length of the line at p (without its newline) within n bytes. */
static size_t
line_len(const char *p, size_t n)
{
	const char *nl = memchr(p, '\n', n);

	return nl != NULL ? (size_t)(nl - p) : n;
}

static bool
blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

bool
pf_deb822_next(pf_deb822 *d, const char **s, size_t *len)
{
	size_t k, start;

	/* Blank lines before a stanza are no part of it. */
	while (d->at < d->n) {
		k = line_len(d->p + d->at, d->n - d->at);
		if (!blank(d->p + d->at, k))
			break;
		d->at += k + (d->at + k < d->n);
	}
	if (d->at >= d->n)
		return false;
	start = d->at;
	while (d->at < d->n) {
		k = line_len(d->p + d->at, d->n - d->at);
		if (blank(d->p + d->at, k))
			break;
		d->at += k + (d->at + k < d->n);
	}
	*s = d->p + start;
	*len = d->at - start;
	return true;
}

/* Appends the trimmed text [p, p + n) to the value, a space between. */
static pf_ret
append(char **v, size_t *vlen, const char *p, size_t n, pf_err *err)
{
	char *q;

	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r'))
		n--;
	if (n == 0 && *v != NULL)
		return PF_OK;
	/* A value beyond the limit is cut: no field we read is that long. */
	if (*vlen + n + 1 > PF_DEB822_MAX_VALUE)
		n = *vlen + 1 >= PF_DEB822_MAX_VALUE ? 0 :
		    PF_DEB822_MAX_VALUE - *vlen - 1;
	if ((q = realloc(*v, *vlen + n + 2)) == NULL)
		return pf_err_nomem(err);
	*v = q;
	if (*vlen > 0 && n > 0)
		q[(*vlen)++] = ' ';
	memcpy(q + *vlen, p, n);
	*vlen += n;
	q[*vlen] = '\0';
	return PF_OK;
}

pf_ret
pf_deb822_field(const char *s, size_t len, const char *name, char **out,
    pf_err *err)
{
	size_t at = 0, k, nl = strlen(name), vlen = 0;
	bool in = false;
	pf_ret r = PF_OK;

	*out = NULL;
	while (at < len && r == PF_OK) {
		const char *l = s + at;

		k = line_len(l, len - at);
		at += k + (at + k < len);
		if (k > 0 && (*l == ' ' || *l == '\t')) {
			if (in)
				r = append(out, &vlen, l, k, err);
			continue;
		}
		if (in)
			break;
		if (k > nl && l[nl] == ':' && strncasecmp(l, name, nl) == 0) {
			in = true;
			r = append(out, &vlen, l + nl + 1, k - nl - 1, err);
		}
	}
	if (r != PF_OK) {
		free(*out);
		*out = NULL;
	}
	return r;
}
