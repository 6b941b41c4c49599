/*
 * Section 5.1.7: the Depends of the new Debian package, checked against
 * what dpkg's status says is installed, as dpkg would check them before
 * it unpacked the new package.  Versions compare as deb-version(7)
 * says; a name that an installed package Provides satisfies a clause
 * without a version.
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/deb822.h"
#include "install/dpkg.h"

/* deb-version(7): '~' sorts before everything, even the end. */
static int
order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	return c ? c + 256 : 0;
}

/* dpkg's verrevcmp: non-digit runs by order(), digit runs as numbers. */
static int
verrevcmp(const char *a, const char *b)
{
	while (*a || *b) {
		int first = 0;

		while ((*a && !isdigit((unsigned char)*a)) ||
		    (*b && !isdigit((unsigned char)*b))) {
			int ac = order((unsigned char)*a);
			int bc = order((unsigned char)*b);

			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (isdigit((unsigned char)*a) &&
		    isdigit((unsigned char)*b)) {
			if (!first)
				first = *a - *b;
			a++;
			b++;
		}
		if (isdigit((unsigned char)*a))
			return 1;
		if (isdigit((unsigned char)*b))
			return -1;
		if (first)
			return first;
	}
	return 0;
}

/* Splits "[epoch:]upstream[-revision]" in place. */
static void
split(char *v, unsigned long *epoch, char **up, char **rev)
{
	char *colon = strchr(v, ':'), *dash;

	*epoch = colon ? strtoul(v, NULL, 10) : 0;
	*up = colon ? colon + 1 : v;
	dash = strrchr(*up, '-');
	*rev = dash ? dash + 1 : "";
	if (dash)
		*dash = '\0';
}

int
pf_dpkg_vercmp(const char *a, const char *b)
{
	char *x = strdup(a), *y = strdup(b), *ux, *uy, *rx, *ry;
	unsigned long ex, ey;
	int c;

	if (x == NULL || y == NULL) {
		free(x);
		free(y);
		return strcmp(a, b);
	}
	split(x, &ex, &ux, &rx);
	split(y, &ey, &uy, &ry);
	c = ex != ey ? (ex < ey ? -1 : 1) : verrevcmp(ux, uy);
	if (c == 0)
		c = verrevcmp(rx, ry);
	free(x);
	free(y);
	return c;
}

/* Whether "have OP want" holds; an unknown operator never does. */
static bool
relation(const char *have, const char *op, const char *want)
{
	int c = pf_dpkg_vercmp(have, want);

	if (strcmp(op, ">=") == 0 || strcmp(op, ">") == 0)
		return c >= 0;
	if (strcmp(op, "<=") == 0 || strcmp(op, "<") == 0)
		return c <= 0;
	if (strcmp(op, ">>") == 0)
		return c > 0;
	if (strcmp(op, "<<") == 0)
		return c < 0;
	/* No operator is the old spelling of "=". */
	if (strcmp(op, "=") == 0 || *op == '\0')
		return c == 0;
	return false;
}

/* One alternative "name[:arch] [(op version)]", parsed in place. */
typedef struct alt {
	char *name;
	char op[3];
	char *version;
} alt;

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static void
parse_alt(char *s, alt *a)
{
	char *paren = strchr(s, '('), *close, *colon, *v;
	size_t n = 0;

	a->op[0] = '\0';
	a->version = NULL;
	if (paren != NULL) {
		*paren = '\0';
		if ((close = strchr(paren + 1, ')')) != NULL)
			*close = '\0';
		for (v = trim(paren + 1); (*v == '<' || *v == '>' ||
		    *v == '=') && n < 2; v++)
			a->op[n++] = *v;
		a->op[n] = '\0';
		a->version = trim(v);
	}
	a->name = trim(s);
	/* "name:any" and "name:amd64" are that name, of any architecture. */
	if ((colon = strchr(a->name, ':')) != NULL)
		*colon = '\0';
}

/* Whether an installed package lists name in its Provides. */
static pf_ret
provided(const char *text, size_t len, const char *name, bool *yes,
    pf_err *err)
{
	char *status = NULL, *prov = NULL, *p, *save;
	const char *s;
	pf_deb822 d;
	size_t n;
	pf_ret r = PF_OK;

	*yes = false;
	pf_deb822_init(&d, text, len);
	while (r == PF_OK && !*yes && pf_deb822_next(&d, &s, &n)) {
		if ((r = pf_deb822_field(s, n, "Provides", &prov, err)) ==
		    PF_OK && prov != NULL &&
		    (r = pf_deb822_field(s, n, "Status", &status, err)) ==
		    PF_OK && pf_dpkg_installed(status))
			for (p = strtok_r(prov, ",", &save); p != NULL && !*yes;
			    p = strtok_r(NULL, ",", &save)) {
				alt a;

				parse_alt(p, &a);
				*yes = strcmp(a.name, name) == 0;
			}
		free(prov);
		free(status);
		prov = status = NULL;
	}
	return r;
}

/* Whether one alternative is installed, at a version that fits. */
static pf_ret
alt_met(const char *text, size_t len, const alt *a, bool *yes, pf_err *err)
{
	char *have = NULL;
	pf_ret r;

	*yes = false;
	if ((r = pf_dpkg_status_version(text, len, a->name, NULL, &have,
	    err)) != PF_OK)
		return r;
	if (have != NULL)
		*yes = a->version == NULL || relation(have, a->op, a->version);
	free(have);
	if (have == NULL && a->version == NULL)
		r = provided(text, len, a->name, yes, err);
	return r;
}

pf_ret
pf_dpkg_check_depends(const char *text, size_t len, const char *depends,
    const char *package, pf_err *err)
{
	char *copy = strdup(depends), *clause, *save, *p, *save2, *c;
	bool met = false;
	pf_ret r = PF_OK;

	if (copy == NULL)
		return pf_err_nomem(err);
	for (clause = strtok_r(copy, ",", &save); clause != NULL && r == PF_OK;
	    clause = strtok_r(NULL, ",", &save)) {
		char shown[256];

		snprintf(shown, sizeof shown, "%s", trim(clause));
		if (*shown == '\0')
			continue;
		met = false;
		if ((c = strdup(clause)) == NULL) {
			r = pf_err_nomem(err);
			break;
		}
		for (p = strtok_r(c, "|", &save2); p != NULL && !met &&
		    r == PF_OK; p = strtok_r(NULL, "|", &save2)) {
			alt a;

			parse_alt(p, &a);
			r = alt_met(text, len, &a, &met, err);
		}
		free(c);
		if (r == PF_OK && !met)
			r = pf_err_set(err, PF_ERR_DEPENDENCY, "the new build "
			    "of dpkg package '%s' depends on '%s', which dpkg "
			    "has not installed at a fitting version",
			    package, shown);
	}
	free(copy);
	return r;
}
