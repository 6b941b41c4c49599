/*
 * forge: writes a package exactly as described, without the checks of
 * the real writer, to make hostile and malformed packages for the tests.
 *
 *   forge DESCRIPTION PACKAGE
 *
 * Each line of DESCRIPTION adds one entry, or sets one field:
 *   file PATH MODE TEXT        an entry creating a file holding TEXT
 *                              (stored codec)
 *   lie PATH MODE TEXT         the same, but the entry's hash is wrong
 *   dir PATH MODE
 *   symlink PATH TARGET
 *   delta PATH MODE BEFORE AFTER DELTA [RDELTA]
 *                              an entry changing a file from the content
 *                              of file BEFORE to that of file AFTER; its
 *                              payload blob holds file DELTA (codec 3),
 *                              its rollback blob file RDELTA (codec 3)
 *                              or, without it, BEFORE stored
 *   set FIELD VALUE            name, version, description, product,
 *                              from (repeatable), to or family
 *   dep KIND NAME [VERSION]    a dependency; KIND is a number (1 to 4)
 * In PATH, TARGET, TEXT, VALUE, NAME and VERSION, \n, \t, \s (a space),
 * \\ and \xHH stand for those bytes.  Entries stay in the order given.
 *
 *   forge -r IN OUT    copies a package, recomputing the metadata digest
 *                      (as an attacker who edited the manifest would)
 *   forge -s IN OUT    the same, dropping every signature
 */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "format/container.h"
#include "format/format.h"
#include "format/manifest.h"

#define MAXE 64

typedef struct data {
	uint8_t *p;
	size_t n;
} data;

static data blobdata[2 * MAXE];

/* Decodes the escapes of the header comment in place. */
static char *
unescape(char *s)
{
	char *in = s, *out = s, hex[3] = { 0 };

	if (s == NULL)
		return NULL;
	while (*in != '\0') {
		if (*in != '\\' || in[1] == '\0') {
			*out++ = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'n': *out++ = '\n'; break;
		case 't': *out++ = '\t'; break;
		case 's': *out++ = ' '; break;
		case 'x':
			if (in[1] == '\0' || in[2] == '\0')
				break;
			memcpy(hex, in + 1, 2);
			*out++ = (char)strtoul(hex, NULL, 16);
			in += 2;
			break;
		default: *out++ = *in; break;
		}
		in++;
	}
	*out = '\0';
	return s;
}

static data
slurp(const char *path)
{
	data d = { NULL, 0 };
	pf_err err;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || pf_slurp_fd(fd, 1 << 26, &d.p, &d.n, &err, path) !=
	    PF_OK) {
		fprintf(stderr, "forge: cannot read '%s'\n", path);
		exit(2);
	}
	close(fd);
	return d;
}

static uint32_t
add_blob(pf_manifest *m, pf_section sec, pf_codec codec, data d,
    uint64_t decoded)
{
	pf_blob *b = &m->blobs[m->n_blobs];

	memset(b, 0, sizeof *b);
	b->section = sec;
	b->codec = codec;
	b->stored_size = d.n;
	b->decoded_size = decoded;
	if (pf_sha256(b->sha256, d.p, d.n) != 0)
		abort();
	blobdata[m->n_blobs] = d;
	return (uint32_t)m->n_blobs++;
}

static void
file_state(pf_state *s, uint32_t mode, data d)
{
	s->type = PF_TYPE_FILE;
	s->mode = mode;
	s->size = d.n;
	if (pf_sha256(s->sha256, d.p, d.n) != 0)
		abort();
}

/* delta PATH MODE BEFORE AFTER DELTA [RDELTA]; vcdiff: the same, codec 4 */
static void
add_delta(pf_manifest *m, pf_entry *e, uint32_t mode, pf_codec codec)
{
	char *bef = strtok(NULL, " \n"), *aft = strtok(NULL, " \n");
	char *dl = strtok(NULL, " \n"), *rdl = strtok(NULL, " \n");
	data before, after;

	if (bef == NULL || aft == NULL || dl == NULL)
		exit(2);
	before = slurp(bef);
	after = slurp(aft);
	e->op = PF_OP_CHANGE;
	file_state(&e->before, mode, before);
	file_state(&e->after, mode, after);
	e->payload = add_blob(m, PF_SECTION_PAYLOAD, codec, slurp(dl),
	    after.n);
	if (rdl != NULL) {
		e->rollback = add_blob(m, PF_SECTION_ROLLBACK, codec,
		    slurp(rdl), before.n);
		free(before.p);
	} else
		e->rollback = add_blob(m, PF_SECTION_ROLLBACK,
		    PF_CODEC_STORED, before, before.n);
	free(after.p);
}

static void
set_field(pf_manifest *m, const char *what, char *value)
{
	char **slot = NULL;

	if (strcmp(what, "from") == 0) {
		m->from_versions = realloc(m->from_versions,
		    (m->n_from + 1) * sizeof *m->from_versions);
		slot = &m->from_versions[m->n_from++];
	} else if (strcmp(what, "name") == 0)
		slot = &m->name;
	else if (strcmp(what, "version") == 0)
		slot = &m->version;
	else if (strcmp(what, "description") == 0)
		slot = &m->description;
	else if (strcmp(what, "product") == 0)
		slot = &m->product;
	else if (strcmp(what, "to") == 0)
		slot = &m->to_version;
	else if (strcmp(what, "family") == 0)
		slot = &m->family;
	if (slot == NULL || value == NULL)
		exit(2);
	*slot = strdup(unescape(value));
}

static void
add_dep(pf_manifest *m, char *kind, char *name, char *version)
{
	pf_dep *d;

	if (kind == NULL || name == NULL)
		exit(2);
	m->deps = realloc(m->deps, (m->n_deps + 1) * sizeof *m->deps);
	d = &m->deps[m->n_deps++];
	d->kind = (pf_dep_kind)atoi(kind);
	d->name = strdup(unescape(name));
	d->version = version ? strdup(unescape(version)) : NULL;
}

static void
add_line(pf_manifest *m, char *line)
{
	char *kind = strtok(line, " \n"), *path = strtok(NULL, " \n");
	char *arg, *text;
	data d;
	pf_entry *e;

	if (kind != NULL && strcmp(kind, "set") == 0) {
		set_field(m, path, strtok(NULL, "\n"));
		return;
	}
	if (kind != NULL && strcmp(kind, "dep") == 0) {
		arg = strtok(NULL, " \n");
		add_dep(m, path, arg, strtok(NULL, " \n"));
		return;
	}
	arg = strtok(NULL, " \n");
	if (kind == NULL || path == NULL || arg == NULL || m->n_entries >= MAXE)
		return;
	e = &m->entries[m->n_entries++];
	memset(e, 0, sizeof *e);
	e->path = strdup(unescape(path));
	e->op = PF_OP_ADD;
	e->payload = e->rollback = e->live = PF_NO_BLOB;
	if (strcmp(kind, "delta") == 0 || strcmp(kind, "vcdiff") == 0) {
		add_delta(m, e, (uint32_t)strtoul(arg, NULL, 8),
		    kind[0] == 'v' ? PF_CODEC_VCDIFF : PF_CODEC_DELTA);
		return;
	}
	text = unescape(strtok(NULL, "\n"));
	if (strcmp(kind, "symlink") == 0) {
		e->after.type = PF_TYPE_SYMLINK;
		e->after.mode = 0777;
		e->after.link = strdup(unescape(arg));
		return;
	}
	if (strcmp(kind, "dir") == 0) {
		e->after.type = PF_TYPE_DIR;
		e->after.mode = (uint32_t)strtoul(arg, NULL, 8);
		return;
	}
	d.p = (uint8_t *)strdup(text ? text : "");
	d.n = strlen((char *)d.p);
	file_state(&e->after, (uint32_t)strtoul(arg, NULL, 8), d);
	if (strcmp(kind, "lie") == 0)
		e->after.sha256[0] ^= 1;
	e->payload = add_blob(m, PF_SECTION_PAYLOAD, PF_CODEC_STORED, d, d.n);
}

/* Rewrites the digest (and with strip, drops the signatures). */
static int
redigest(const char *in, const char *out, int strip)
{
	static uint8_t buf[64 << 20];
	uint8_t d[32];
	pf_header h;
	pf_err err;
	uint64_t meta, sig_at;
	size_t n;
	FILE *f = fopen(in, "rb");

	if (f == NULL)
		return 2;
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (pf_header_decode(&h, buf, n, &err) != PF_OK)
		return 1;
	meta = PF_HEADER_SIZE + h.manifest_size + h.deps_size;
	sig_at = meta;
	if (strip) {
		uint64_t old = h.signature_size;

		h.signature_size = PF_SIG_FIXED;
		pf_header_encode(&h, buf);
		memmove(buf + sig_at + PF_SIG_FIXED, buf + sig_at + old,
		    n - (sig_at + old));
		n -= (size_t)(old - PF_SIG_FIXED);
		memset(buf + sig_at + 32, 0, 4);
	}
	if (pf_sha256(d, buf, (size_t)meta) != 0)
		abort();
	memcpy(buf + sig_at, d, 32);
	f = fopen(out, "wb");
	if (f == NULL || fwrite(buf, 1, n, f) != n)
		return 1;
	return fclose(f) == 0 ? 0 : 1;
}

static void
write_section(int fd, const pf_manifest *m, pf_section sec, pf_err *err)
{
	size_t i;

	for (i = 0; i < m->n_blobs; i++)
		if (m->blobs[i].section == sec)
			pf_write_full(fd, blobdata[i].p, blobdata[i].n, err,
			    "out");
}

int
main(int argc, char **argv)
{
	uint8_t hdr[PF_HEADER_SIZE];
	pf_manifest m;
	pf_header h = { .version_major = 1 };
	pf_sigblock sb = { .count = 0 };
	pf_buf man, deps, sig;
	pf_sha256_ctx hc;
	pf_err err;
	char line[16384];
	FILE *f;
	size_t i;
	int fd;

	pf_crypto_init();
	if (argc == 4 && strcmp(argv[1], "-r") == 0)
		return redigest(argv[2], argv[3], 0);
	if (argc == 4 && strcmp(argv[1], "-s") == 0)
		return redigest(argv[2], argv[3], 1);
	if (argc != 3 || (f = fopen(argv[1], "r")) == NULL)
		return 2;
	pf_manifest_init(&m);
	m.entries = calloc(MAXE, sizeof *m.entries);
	m.blobs = calloc(2 * MAXE, sizeof *m.blobs);
	while (fgets(line, sizeof line, f) != NULL)
		add_line(&m, line);
	fclose(f);
	pf_buf_init(&man);
	pf_buf_init(&deps);
	pf_buf_init(&sig);
	pf_manifest_encode(&m, &man, &err);
	pf_deps_encode(&m, &deps, &err);
	for (i = 0; i < m.n_blobs; i++) {
		if (m.blobs[i].section == PF_SECTION_PAYLOAD)
			h.payload_size += m.blobs[i].stored_size;
		else
			h.rollback_size += m.blobs[i].stored_size;
		if (m.blobs[i].codec == PF_CODEC_DELTA)
			h.required |= PF_FEAT_DELTA;
	}
	h.manifest_size = man.len;
	h.deps_size = deps.len;
	h.signature_size = pf_sigblock_size(0);
	pf_header_encode(&h, hdr);
	if (pf_sha256_init(&hc) != 0)
		abort();
	pf_sha256_update(&hc, hdr, sizeof hdr);
	pf_sha256_update(&hc, man.data, man.len);
	pf_sha256_update(&hc, deps.data, deps.len);
	pf_sha256_final(&hc, sb.digest);
	pf_sigblock_encode(&sb, &sig);
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	pf_write_full(fd, hdr, sizeof hdr, &err, "out");
	pf_write_full(fd, man.data, man.len, &err, "out");
	pf_write_full(fd, deps.data, deps.len, &err, "out");
	pf_write_full(fd, sig.data, sig.len, &err, "out");
	write_section(fd, &m, PF_SECTION_PAYLOAD, &err);
	write_section(fd, &m, PF_SECTION_ROLLBACK, &err);
	close(fd);
	for (i = 0; i < m.n_blobs; i++)
		free(blobdata[i].p);
	pf_buf_free(&man);
	pf_buf_free(&deps);
	pf_buf_free(&sig);
	pf_manifest_clear(&m);
	return 0;
}
