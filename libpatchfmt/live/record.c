/*
 * The hot-patch record in memory and its byte encoding
 * (spec/hotpatch.md sections 3 to 6).  The decoder reads untrusted bytes:
 * every count and length is checked against the limits of section 6 and
 * against what is left of the input before anything is allocated.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ckd.h"
#include "live/hotpatch.h"

pf_ret
pf_hotpatch_new(pf_hotpatch **out)
{
	*out = calloc(1, sizeof **out);
	if (*out == NULL)
		return PF_ERR_NOMEM;
	(*out)->arch = PF_HP_ARCH_X86_64;
	return PF_OK;
}

static void
func_free(pf_hp_func *f)
{
	free(f->name);
	free(f->code);
	free(f->relocs);
}

void
pf_hotpatch_free(pf_hotpatch *hp)
{
	size_t i;

	if (hp == NULL)
		return;
	for (i = 0; i < hp->n_funcs; i++)
		func_free(&hp->funcs[i]);
	for (i = 0; i < hp->n_data; i++) {
		free(hp->data[i].name);
		free(hp->data[i].bytes);
	}
	for (i = 0; i < hp->n_refused; i++) {
		free(hp->refused[i].name);
		free(hp->refused[i].reason);
	}
	free(hp->funcs);
	free(hp->data);
	free(hp->refused);
	free(hp->module);
	free(hp);
}

/* Grows an array by one element; false when out of memory. */
static bool
grow(void **arr, size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (pf_add_overflow_size(n, 1, &bytes) ||
	    pf_mul_overflow_size(bytes, size, &bytes))
		return false;
	p = realloc(*arr, bytes);
	if (p == NULL)
		return false;
	*arr = p;
	memset((char *)p + n * size, 0, size);
	return true;
}

static void *
dup_bytes(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	if (q != NULL && n)
		memcpy(q, p, n);
	return q;
}

pf_ret
pf_hotpatch_add_func(pf_hotpatch *hp, const pf_hp_func *f, size_t *index)
{
	pf_hp_func *g;

	if (!grow((void **)&hp->funcs, hp->n_funcs, sizeof *hp->funcs))
		return PF_ERR_NOMEM;
	g = &hp->funcs[hp->n_funcs];
	*g = *f;
	g->relocs = NULL;
	g->n_relocs = 0;
	g->name = strdup(f->name);
	g->code = dup_bytes(f->code, f->code_len);
	if (g->name == NULL || g->code == NULL) {
		func_free(g);
		return PF_ERR_NOMEM;
	}
	if (index != NULL)
		*index = hp->n_funcs;
	hp->n_funcs++;
	return PF_OK;
}

pf_ret
pf_hotpatch_add_data(pf_hotpatch *hp, const pf_hp_data *d, size_t *index)
{
	pf_hp_data *e;

	if (!grow((void **)&hp->data, hp->n_data, sizeof *hp->data))
		return PF_ERR_NOMEM;
	e = &hp->data[hp->n_data];
	*e = *d;
	e->name = strdup(d->name ? d->name : "");
	e->bytes = dup_bytes(d->bytes, d->len);
	if (e->name == NULL || e->bytes == NULL) {
		free(e->name);
		free(e->bytes);
		return PF_ERR_NOMEM;
	}
	if (index != NULL)
		*index = hp->n_data;
	hp->n_data++;
	return PF_OK;
}

pf_ret
pf_hotpatch_add_reloc(pf_hotpatch *hp, size_t func, const pf_hp_reloc *r)
{
	pf_hp_func *f = &hp->funcs[func];

	if (!grow((void **)&f->relocs, f->n_relocs, sizeof *f->relocs))
		return PF_ERR_NOMEM;
	f->relocs[f->n_relocs++] = *r;
	return PF_OK;
}

pf_ret
pf_hotpatch_set_module(pf_hotpatch *hp, const char *name)
{
	char *s = strdup(name);

	if (s == NULL)
		return PF_ERR_NOMEM;
	free(hp->module);
	hp->module = s;
	return PF_OK;
}

pf_ret
pf_hotpatch_refuse(pf_hotpatch *hp, const char *name, const char *fmt, ...)
{
	pf_hp_refusal *r;
	char reason[PF_HP_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (!grow((void **)&hp->refused, hp->n_refused, sizeof *hp->refused))
		return PF_ERR_NOMEM;
	r = &hp->refused[hp->n_refused];
	r->name = strdup(name);
	r->reason = strdup(reason);
	if (r->name == NULL || r->reason == NULL) {
		free(r->name);
		free(r->reason);
		return PF_ERR_NOMEM;
	}
	hp->n_refused++;
	return PF_OK;
}

/*
 * Encoding (sections 3 to 5).
 */

/* Section 2: signed values are zigzag-encoded uvarints. */
static uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t
unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void
put_str(pf_buf *b, const char *s)
{
	size_t n = strlen(s);

	pf_buf_put_uvarint(b, n);
	pf_buf_append(b, s, n);
}

static void
put_blob(pf_buf *b, const uint8_t *p, size_t n)
{
	pf_buf_put_uvarint(b, n);
	pf_buf_append(b, p, n);
}

static void
encode_func(pf_buf *b, const pf_hp_func *f)
{
	size_t i;

	put_str(b, f->name);
	pf_buf_put_uvarint(b, f->flags);
	pf_buf_put_uvarint(b, f->old_offset);
	pf_buf_put_uvarint(b, f->old_len);
	pf_buf_append(b, f->old_sha256, sizeof f->old_sha256);
	pf_buf_put_u8(b, f->entry_skip);
	put_blob(b, f->head, f->head_len);
	put_blob(b, f->code, f->code_len);
	pf_buf_put_uvarint(b, f->n_relocs);
	for (i = 0; i < f->n_relocs; i++) {
		pf_buf_put_uvarint(b, f->relocs[i].offset);
		pf_buf_put_u8(b, (uint8_t)f->relocs[i].kind);
		pf_buf_put_uvarint(b, f->relocs[i].target);
		pf_buf_put_uvarint(b, zigzag(f->relocs[i].addend));
	}
}

pf_ret
pf_hotpatch_encode(const pf_hotpatch *hp, pf_buf *b)
{
	size_t i;

	pf_buf_append(b, PF_HP_MAGIC, PF_HP_MAGIC_LEN);
	pf_buf_put_u8(b, PF_HP_VERSION);
	pf_buf_put_uvarint(b, hp->arch);
	put_blob(b, hp->build_id, hp->build_id_len);
	put_str(b, hp->module ? hp->module : "");
	pf_buf_put_uvarint(b, hp->n_funcs);
	for (i = 0; i < hp->n_funcs; i++)
		encode_func(b, &hp->funcs[i]);
	pf_buf_put_uvarint(b, hp->n_data);
	for (i = 0; i < hp->n_data; i++) {
		put_str(b, hp->data[i].name);
		pf_buf_put_uvarint(b, hp->data[i].flags);
		pf_buf_put_uvarint(b, hp->data[i].align);
		put_blob(b, hp->data[i].bytes, hp->data[i].len);
	}
	pf_buf_put_uvarint(b, hp->n_refused);
	for (i = 0; i < hp->n_refused; i++) {
		put_str(b, hp->refused[i].name);
		put_str(b, hp->refused[i].reason);
	}
	return b->failed ? PF_ERR_NOMEM : PF_OK;
}

/*
 * Decoding.
 */

typedef struct dec {
	pf_cur c;
	pf_err *err;
	const char *what;    /* the field being read, for messages */
} dec;

static pf_ret
corrupt(dec *d, const char *why)
{
	return pf_err_set(d->err, PF_ERR_CORRUPT,
	    "hot-patch record: %s '%s'", why, d->what);
}

/* Reads a uvarint that must not exceed max. */
static pf_ret
get_uv(dec *d, const char *what, uint64_t max, uint64_t *v)
{
	d->what = what;
	if (!pf_cur_get_uvarint(&d->c, v))
		return corrupt(d, "truncated or non-canonical field");
	if (*v > max)
		return corrupt(d, "value out of range in field");
	return PF_OK;
}

/* Reads a length-prefixed byte string of at most max bytes, copied. */
static pf_ret
get_bytes(dec *d, const char *what, uint64_t max, uint8_t **p, size_t *n)
{
	const uint8_t *src;
	uint64_t len;
	pf_ret r;

	if ((r = get_uv(d, what, max, &len)) != PF_OK)
		return r;
	if (!pf_cur_get_bytes(&d->c, &src, (size_t)len))
		return corrupt(d, "truncated field");
	*p = malloc(len + 1);
	if (*p == NULL)
		return pf_err_nomem(d->err);
	memcpy(*p, src, (size_t)len);
	(*p)[len] = '\0';
	*n = (size_t)len;
	return PF_OK;
}

/* Section 2: names are UTF-8 text without NUL bytes. */
static pf_ret
get_str(dec *d, const char *what, uint64_t max, bool empty_ok, char **s)
{
	uint8_t *p = NULL;
	size_t n;
	pf_ret r;

	if ((r = get_bytes(d, what, max, &p, &n)) != PF_OK)
		return r;
	*s = (char *)p;
	if ((!empty_ok && n == 0) || memchr(p, '\0', n) != NULL)
		return corrupt(d, "empty or NUL in text field");
	return PF_OK;
}

/* Allocates an array of n elements after checking that the input still
 * holds at least min_each bytes per element, so a forged count cannot make
 * the decoder allocate more than a small multiple of its input. */
static pf_ret
get_array(dec *d, uint64_t n, size_t min_each, size_t size, void **arr)
{
	size_t need;

	if (pf_mul_overflow_size((size_t)n, min_each, &need) ||
	    need > pf_cur_left(&d->c))
		return corrupt(d, "count larger than the input in field");
	*arr = calloc(n ? (size_t)n : 1, size);
	return *arr == NULL ? pf_err_nomem(d->err) : PF_OK;
}

static pf_ret
decode_relocs(dec *d, pf_hp_func *f)
{
	uint64_t n, v;
	uint8_t kind;
	size_t i;
	pf_ret r;

	if ((r = get_uv(d, "relocation count", f->code_len, &n)) != PF_OK ||
	    (r = get_array(d, n, 4, sizeof *f->relocs,
	    (void **)&f->relocs)) != PF_OK)
		return r;
	for (i = 0; i < n; i++, f->n_relocs++) {
		pf_hp_reloc *rl = &f->relocs[i];

		if ((r = get_uv(d, "relocation offset", PF_HP_CODE_MAX,
		    &rl->offset)) != PF_OK)
			return r;
		d->what = "relocation kind";
		if (!pf_cur_get_u8(&d->c, &kind))
			return corrupt(d, "truncated field");
		rl->kind = kind;
		if ((r = get_uv(d, "relocation target", UINT64_MAX,
		    &rl->target)) != PF_OK ||
		    (r = get_uv(d, "relocation addend", UINT64_MAX, &v)) != PF_OK)
			return r;
		rl->addend = unzigzag(v);
	}
	return PF_OK;
}

static pf_ret
decode_func(dec *d, pf_hp_func *f)
{
	uint64_t v;
	uint8_t *head = NULL;
	const uint8_t *sha;
	size_t n;
	pf_ret r;

	if ((r = get_str(d, "function name", PF_HP_NAME_MAX, false,
	    &f->name)) != PF_OK ||
	    (r = get_uv(d, "function flags", UINT32_MAX, &v)) != PF_OK)
		return r;
	f->flags = (uint32_t)v;
	if ((r = get_uv(d, "old offset", UINT64_MAX, &f->old_offset)) != PF_OK ||
	    (r = get_uv(d, "old length", PF_HP_CODE_MAX, &f->old_len)) != PF_OK)
		return r;
	d->what = "old sha256";
	if (!pf_cur_get_bytes(&d->c, &sha, sizeof f->old_sha256) ||
	    !pf_cur_get_u8(&d->c, &f->entry_skip))
		return corrupt(d, "truncated field");
	memcpy(f->old_sha256, sha, sizeof f->old_sha256);
	if ((r = get_bytes(d, "entry bytes", PF_HP_HEAD_MAX, &head,
	    &n)) != PF_OK)
		goto out;
	memcpy(f->head, head, n);
	f->head_len = (uint8_t)n;
	if ((r = get_bytes(d, "code", PF_HP_CODE_MAX, &f->code,
	    &f->code_len)) != PF_OK)
		goto out;
	r = decode_relocs(d, f);
out:
	free(head);
	return r;
}

static pf_ret
decode_data(dec *d, pf_hp_data *e)
{
	uint64_t v;
	pf_ret r;

	if ((r = get_str(d, "data name", PF_HP_NAME_MAX, true,
	    &e->name)) != PF_OK ||
	    (r = get_uv(d, "data flags", UINT32_MAX, &v)) != PF_OK)
		return r;
	e->flags = (uint32_t)v;
	if ((r = get_uv(d, "data alignment", PF_HP_ALIGN_MAX,
	    &e->align)) != PF_OK)
		return r;
	return get_bytes(d, "data bytes", PF_HP_CODE_MAX, &e->bytes, &e->len);
}

static pf_ret
decode_items(dec *d, pf_hotpatch *hp)
{
	uint64_t n;
	size_t i;
	pf_ret r;

	if ((r = get_uv(d, "function count", PF_HP_ITEMS_MAX, &n)) != PF_OK ||
	    (r = get_array(d, n, 40, sizeof *hp->funcs,
	    (void **)&hp->funcs)) != PF_OK)
		return r;
	for (i = 0; i < n; i++)
		if ((r = decode_func(d, &hp->funcs[hp->n_funcs++])) != PF_OK)
			return r;
	if ((r = get_uv(d, "data count", PF_HP_ITEMS_MAX, &n)) != PF_OK ||
	    (r = get_array(d, n, 4, sizeof *hp->data,
	    (void **)&hp->data)) != PF_OK)
		return r;
	for (i = 0; i < n; i++)
		if ((r = decode_data(d, &hp->data[hp->n_data++])) != PF_OK)
			return r;
	if ((r = get_uv(d, "refusal count", PF_HP_ITEMS_MAX, &n)) != PF_OK ||
	    (r = get_array(d, n, 2, sizeof *hp->refused,
	    (void **)&hp->refused)) != PF_OK)
		return r;
	for (i = 0; i < n; i++) {
		/* Counted before it is read, so that a failure frees what
		 * was read of it. */
		pf_hp_refusal *rf = &hp->refused[hp->n_refused++];

		if ((r = get_str(d, "refused name", PF_HP_NAME_MAX, false,
		    &rf->name)) != PF_OK ||
		    (r = get_str(d, "refusal reason", PF_HP_REASON_MAX, false,
		    &rf->reason)) != PF_OK)
			return r;
	}
	return PF_OK;
}

static pf_ret
decode_header(dec *d, pf_hotpatch *hp)
{
	const uint8_t *magic;
	uint8_t version, *id = NULL;
	uint64_t arch;
	size_t n;
	pf_ret r;

	d->what = "magic";
	if (!pf_cur_get_bytes(&d->c, &magic, PF_HP_MAGIC_LEN) ||
	    memcmp(magic, PF_HP_MAGIC, PF_HP_MAGIC_LEN) != 0)
		return pf_err_set(d->err, PF_ERR_NOT_PACKAGE,
		    "not a hot-patch record: bad magic");
	if (!pf_cur_get_u8(&d->c, &version))
		return corrupt(d, "truncated field");
	if (version != PF_HP_VERSION)
		return pf_err_set(d->err, PF_ERR_UNSUPPORTED,
		    "hot-patch record version %u is not supported", version);
	if ((r = get_uv(d, "architecture", UINT32_MAX, &arch)) != PF_OK)
		return r;
	if (arch != PF_HP_ARCH_X86_64)
		return pf_err_set(d->err, PF_ERR_UNSUPPORTED,
		    "hot-patch record for architecture %llu is not supported",
		    (unsigned long long)arch);
	hp->arch = (uint32_t)arch;
	if ((r = get_bytes(d, "build id", sizeof hp->build_id, &id,
	    &n)) != PF_OK)
		return r;
	memcpy(hp->build_id, id, n);
	hp->build_id_len = n;
	free(id);
	if (n == 0)
		return corrupt(d, "empty");
	return get_str(d, "module name", PF_HP_NAME_MAX, true, &hp->module);
}

pf_ret
pf_hotpatch_decode(const uint8_t *p, size_t n, pf_hotpatch **out,
    pf_err *err)
{
	pf_hotpatch *hp = NULL;
	dec d = { .err = err, .what = "" };
	pf_ret r;

	*out = NULL;
	if ((r = pf_hotpatch_new(&hp)) != PF_OK) {
		pf_err_nomem(err);
		goto out;
	}
	pf_cur_init(&d.c, p, n);
	if ((r = decode_header(&d, hp)) != PF_OK ||
	    (r = decode_items(&d, hp)) != PF_OK)
		goto out;
	if (pf_cur_left(&d.c) != 0) {
		d.what = "end of record";
		r = corrupt(&d, "trailing bytes after");
		goto out;
	}
	if ((r = pf_hotpatch_validate(hp, err)) != PF_OK)
		goto out;
	*out = hp;
	hp = NULL;
out:
	pf_hotpatch_free(hp);
	return r;
}

/*
 * Section 5: rules that tie fields together.
 */

static size_t
reloc_size(pf_hp_reloc_kind k)
{
	return k == PF_HP_ABS64_OLD ? 8 : 4;
}

static pf_ret
validate_reloc(const pf_hotpatch *hp, const pf_hp_func *f,
    const pf_hp_reloc *rl, pf_err *err)
{
	uint64_t end;

	if (rl->kind < PF_HP_REL32_OLD || rl->kind > PF_HP_REL32_DATA)
		return pf_err_set(err, PF_ERR_CORRUPT, "hot-patch record: "
		    "function '%s' has a relocation of unknown kind %d",
		    f->name, (int)rl->kind);
	if (pf_add_overflow_u64(rl->offset, reloc_size(rl->kind), &end) ||
	    end > f->code_len)
		return pf_err_set(err, PF_ERR_CORRUPT, "hot-patch record: "
		    "function '%s' has a relocation outside its code", f->name);
	if ((rl->kind == PF_HP_REL32_FUNC && rl->target >= hp->n_funcs) ||
	    (rl->kind == PF_HP_REL32_DATA && rl->target >= hp->n_data))
		return pf_err_set(err, PF_ERR_CORRUPT, "hot-patch record: "
		    "function '%s' has a relocation to a missing item", f->name);
	return PF_OK;
}

static pf_ret
validate_func(const pf_hotpatch *hp, const pf_hp_func *f, pf_err *err)
{
	size_t i;
	pf_ret r;

	if (f->flags & ~PF_HP_FUNC_FLAGS)
		return pf_err_set(err, PF_ERR_UNSUPPORTED, "hot-patch record: "
		    "function '%s' has unknown flags 0x%x", f->name, f->flags);
	if (f->code_len == 0)
		return pf_err_set(err, PF_ERR_CORRUPT, "hot-patch record: "
		    "function '%s' has no code", f->name);
	if (!(f->flags & (PF_HP_FUNC_NEW | PF_HP_FUNC_NOJUMP)) &&
	    ((f->entry_skip != 0 && f->entry_skip != PF_HP_ENDBR64_LEN) ||
	    f->head_len != f->entry_skip + PF_HP_JMP_LEN ||
	    f->old_len < f->head_len))
		return pf_err_set(err, PF_ERR_CORRUPT, "hot-patch record: "
		    "function '%s' has inconsistent entry bytes", f->name);
	for (i = 0; i < f->n_relocs; i++)
		if ((r = validate_reloc(hp, f, &f->relocs[i], err)) != PF_OK)
			return r;
	return PF_OK;
}

pf_ret
pf_hotpatch_validate(const pf_hotpatch *hp, pf_err *err)
{
	size_t i;
	pf_ret r;

	for (i = 0; i < hp->n_funcs; i++)
		if ((r = validate_func(hp, &hp->funcs[i], err)) != PF_OK)
			return r;
	for (i = 0; i < hp->n_data; i++) {
		const pf_hp_data *e = &hp->data[i];

		if (e->flags & ~PF_HP_DATA_FLAGS)
			return pf_err_set(err, PF_ERR_UNSUPPORTED, "hot-patch "
			    "record: data '%s' has unknown flags", e->name);
		if (e->align == 0 || (e->align & (e->align - 1)) != 0)
			return pf_err_set(err, PF_ERR_CORRUPT, "hot-patch "
			    "record: data '%s' has an alignment that is not a "
			    "power of two", e->name);
		if ((e->flags & PF_HP_DATA_IMPORT) && (e->len != 8 ||
		    e->name[0] == '\0'))
			return pf_err_set(err, PF_ERR_CORRUPT, "hot-patch "
			    "record: import slot '%s' is not 8 bytes with a "
			    "name", e->name);
	}
	return PF_OK;
}
