#include <config.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "format/manifest.h"
#include "package/print_meta.h"
#include "package/xattr_text.h"

#define INDENT "            "

void
pf_print_meta_text(FILE *f, const pf_state *s)
{
	size_t i;
	char *v;

	if (!s->has_meta)
		return;
	fprintf(f, INDENT "owner %u:%u", s->uid, s->gid);
	if (s->user != NULL || s->group != NULL)
		fprintf(f, " (%s:%s)", s->user ? s->user : "?",
		    s->group ? s->group : "?");
	fputc('\n', f);
	for (i = 0; i < s->n_xattrs; i++) {
		v = pf_xattr_text(s->xattrs[i].name, s->xattrs[i].value,
		    s->xattrs[i].len);
		fprintf(f, INDENT "xattr %s %s\n", s->xattrs[i].name,
		    v ? v : "(no memory)");
		free(v);
	}
	if (s->hardlink != NULL)
		fprintf(f, INDENT "hard link to %s\n", s->hardlink);
	if (s->sparse) {
		fprintf(f, INDENT "sparse, %" PRIu64 " bytes of data in %zu "
		    "extents:", pf_state_data_size(s), s->n_extents);
		for (i = 0; i < s->n_extents && i < 16; i++)
			fprintf(f, " %" PRIu64 "+%" PRIu64, s->extents[i].offset,
			    s->extents[i].length);
		fputs(i < s->n_extents ? " ...\n" : "\n", f);
	}
	if (s->has_mtime)
		fprintf(f, INDENT "mtime %" PRIu64 ".%09u\n", s->mtime_sec,
		    (unsigned)s->mtime_nsec);
}

static void
json_xattr(FILE *f, const pf_xattr *x, bool first)
{
	char *v = pf_xattr_text(x->name, x->value, x->len);

	fputs(first ? "{\"name\":" : ",{\"name\":", f);
	pf_json_str(f, x->name);
	fputs(",\"value\":", f);
	pf_json_hex(f, x->value, x->len);
	fputs(",\"text\":", f);
	pf_json_str(f, v ? v : "");
	fputc('}', f);
	free(v);
}

void
pf_print_meta_json(FILE *f, const pf_state *s)
{
	size_t i;

	if (!s->has_meta)
		return;
	fprintf(f, ",\"uid\":%u,\"gid\":%u,\"user\":", s->uid, s->gid);
	if (s->user)
		pf_json_str(f, s->user);
	else
		fputs("null", f);
	fputs(",\"group\":", f);
	if (s->group)
		pf_json_str(f, s->group);
	else
		fputs("null", f);
	fputs(",\"xattrs\":[", f);
	for (i = 0; i < s->n_xattrs; i++)
		json_xattr(f, &s->xattrs[i], i == 0);
	fputs("],\"hardlink\":", f);
	if (s->hardlink)
		pf_json_str(f, s->hardlink);
	else
		fputs("null", f);
	if (s->sparse) {
		fputs(",\"extents\":[", f);
		for (i = 0; i < s->n_extents; i++)
			fprintf(f, "%s[%" PRIu64 ",%" PRIu64 "]", i ? "," : "",
			    s->extents[i].offset, s->extents[i].length);
		fputc(']', f);
	}
	if (s->has_mtime)
		fprintf(f, ",\"mtime\":%" PRIu64 ",\"mtime_nsec\":%u",
		    s->mtime_sec, (unsigned)s->mtime_nsec);
}

/* Called with the name of each thing that differs between two states. */
typedef void (*change_fn)(FILE *f, const char *what, const char *name,
    bool *first);

static const pf_xattr *
find(const pf_state *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_xattrs; i++)
		if (strcmp(s->xattrs[i].name, name) == 0)
			return &s->xattrs[i];
	return NULL;
}

static void
xattr_changes(FILE *f, const pf_state *a, const pf_state *b, change_fn fn,
    bool *first)
{
	const pf_xattr *o;
	size_t i;

	for (i = 0; i < b->n_xattrs; i++) {
		o = find(a, b->xattrs[i].name);
		if (o == NULL)
			fn(f, "xattr added", b->xattrs[i].name, first);
		else if (o->len != b->xattrs[i].len ||
		    memcmp(o->value, b->xattrs[i].value, o->len) != 0)
			fn(f, "xattr changed", b->xattrs[i].name, first);
	}
	for (i = 0; i < a->n_xattrs; i++)
		if (find(b, a->xattrs[i].name) == NULL)
			fn(f, "xattr removed", a->xattrs[i].name, first);
}

static bool
str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

static void
changes(FILE *f, const pf_entry *e, change_fn fn)
{
	const pf_state *a = &e->before, *b = &e->after;
	bool first = true;

	if (a->type != b->type)
		fn(f, "type", NULL, &first);
	if (a->mode != b->mode)
		fn(f, "mode", NULL, &first);
	if (a->type == b->type && (a->size != b->size ||
	    memcmp(a->sha256, b->sha256, 32) != 0 ||
	    str_differs(a->link, b->link)))
		fn(f, "content", NULL, &first);
	if (a->uid != b->uid || a->gid != b->gid)
		fn(f, "owner", NULL, &first);
	xattr_changes(f, a, b, fn, &first);
	if (str_differs(a->hardlink, b->hardlink))
		fn(f, "link group", NULL, &first);
	if (a->sparse != b->sparse || a->n_extents != b->n_extents ||
	    (a->n_extents > 0 && memcmp(a->extents, b->extents,
	    a->n_extents * sizeof *a->extents) != 0))
		fn(f, "layout", NULL, &first);
	if (a->has_mtime != b->has_mtime || a->mtime_sec != b->mtime_sec ||
	    a->mtime_nsec != b->mtime_nsec)
		fn(f, "mtime", NULL, &first);
}

static void
text_change(FILE *f, const char *what, const char *name, bool *first)
{
	fprintf(f, "%s%s%s%s", *first ? "    changes " : ", ", what,
	    name ? " " : "", name ? name : "");
	*first = false;
}

static void
json_change(FILE *f, const char *what, const char *name, bool *first)
{
	char buf[512];

	snprintf(buf, sizeof buf, "%s%s%s", what, name ? " " : "",
	    name ? name : "");
	fputs(*first ? "" : ",", f);
	pf_json_str(f, buf);
	*first = false;
}

void
pf_print_changes_text(FILE *f, const pf_entry *e)
{
	if (e->before.type == PF_TYPE_NONE || e->after.type == PF_TYPE_NONE)
		return;
	changes(f, e, text_change);
	fputc('\n', f);
}

void
pf_print_changes_json(FILE *f, const pf_entry *e)
{
	if (e->before.type == PF_TYPE_NONE || e->after.type == PF_TYPE_NONE)
		return;
	fputs(",\"changes\":[", f);
	changes(f, e, json_change);
	fputc(']', f);
}
