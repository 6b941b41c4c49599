/*
 * pf_builder_diff() with archives: each side is read as a list of nodes
 * (an archive through archive.c, a directory through scan.c) and the
 * two lists are diffed as two trees.  A Debian package's control file
 * fills in what the options left open.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "create/archive.h"
#include "create/builder_int.h"
#include "format/dpkg.h"
#include "format/manifest.h"

/* Whether path names a regular file that is an archive. */
static pf_ret
sniff(pf_builder *b, const char *path, bool *yes, bool *dir)
{
	struct stat st;

	*yes = *dir = false;
	if (stat(path, &st) < 0)
		return pf_err_errno(&b->err, PF_ERR_IO, errno,
		    "cannot read '%s'", path);
	*dir = S_ISDIR(st.st_mode);
	if (!S_ISREG(st.st_mode))
		return PF_OK;
	return pf_archive_sniff(path, yes, &b->err);
}

static pf_ret
load(pf_builder *b, const char *path, bool archive, bool dir,
    pf_build_src *src)
{
	memset(src, 0, sizeof *src);
	if (archive)
		return pf_archive_scan(path, src, &b->err);
	if (!dir)
		return pf_err_set(&b->err, PF_ERR_USAGE, "'%s' is a single "
		    "file and the other build an archive: give two builds "
		    "(directories or archives) or two single files", path);
	return pf_scan_tree(path, &src->nodes, &b->err);
}

pf_ret
pf_builder_set_deb_control(pf_builder *b, bool use)
{
	b->no_control = !use;
	return PF_OK;
}

/* Section 5.1.1 from the control files, where no option set it. */
static pf_ret
deb_defaults(pf_builder *b, const pf_build_src *o, const pf_build_src *n)
{
	pf_ret r = PF_OK;

	if (b->no_control)
		return PF_OK;
	if (n->deb && b->m.product == NULL && n->package != NULL)
		r = pf_builder_set_target(b, n->package, NULL);
	if (r == PF_OK && n->deb && b->m.to_version == NULL &&
	    n->version != NULL)
		r = pf_builder_set_target(b, NULL, n->version);
	if (r == PF_OK && o->deb && b->m.n_from == 0 && o->version != NULL)
		r = pf_builder_add_from_version(b, o->version);
	return r;
}

static pf_ret
dup_word(pf_builder *b, char **dst, const char *s, bool word)
{
	if (s == NULL)
		return PF_OK;
	if (word && !pf_token_valid(s))
		return pf_err_set(&b->err, PF_ERR_USAGE, "the control file "
		    "value '%s' must be printable, without spaces", s);
	return (*dst = strdup(s)) ? PF_OK : pf_err_nomem(&b->err);
}

pf_ret
pf_archive_origin(pf_builder *b, const pf_build_src *o, const pf_build_src *n)
{
	pf_dpkg_origin *d;
	pf_ret r;

	if (b->no_control || !o->deb || o->package == NULL ||
	    o->version == NULL)
		return PF_OK;
	if (n->deb && n->package && strcmp(o->package, n->package) != 0)
		return pf_err_set(&b->err, PF_ERR_USAGE, "the old build is "
		    "the Debian package '%s' and the new one '%s': a patch "
		    "turns one package into a later build of itself",
		    o->package, n->package);
	if ((d = calloc(1, sizeof *d)) == NULL)
		return pf_err_nomem(&b->err);
	pf_dpkg_free(b->m.dpkg);
	b->m.dpkg = d;
	if ((r = dup_word(b, &d->package, o->package, true)) != PF_OK ||
	    (r = dup_word(b, &d->from_version, o->version, true)) != PF_OK ||
	    (r = dup_word(b, &d->arch, o->arch, true)) != PF_OK)
		return r;
	if (!n->deb)
		return PF_OK;
	if ((r = dup_word(b, &d->to_version, n->version, true)) != PF_OK)
		return r;
	return dup_word(b, &d->depends, n->depends, false);
}

pf_ret
pf_archive_diff(pf_builder *b, const char *old_path, const char *new_path,
    bool *done)
{
	pf_build_src src[2];
	bool arch[2], dir[2];
	pf_ret r;

	*done = false;
	if ((r = sniff(b, old_path, &arch[0], &dir[0])) != PF_OK ||
	    (r = sniff(b, new_path, &arch[1], &dir[1])) != PF_OK ||
	    (!arch[0] && !arch[1]))
		return r;
	*done = true;
	if (b->single_path != NULL)
		return pf_err_set(&b->err, PF_ERR_USAGE,
		    "a path can only be given when comparing two files");
	memset(src, 0, sizeof src);
	if ((r = load(b, old_path, arch[0], dir[0], &src[0])) != PF_OK ||
	    (r = load(b, new_path, arch[1], dir[1], &src[1])) != PF_OK ||
	    (r = deb_defaults(b, &src[0], &src[1])) != PF_OK ||
	    (r = pf_archive_origin(b, &src[0], &src[1])) != PF_OK)
		goto out;
	/* Debug files are looked for under trees only. */
	b->roots[0] = dir[0] ? old_path : NULL;
	b->roots[1] = dir[1] ? new_path : NULL;
	r = pf_build_tree(b, old_path, new_path, &src[0].nodes,
	    &src[1].nodes);
	b->roots[0] = b->roots[1] = NULL;
out:
	pf_build_src_free(&src[0]);
	pf_build_src_free(&src[1]);
	return r;
}
