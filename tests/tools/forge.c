/*
 * forge: writes a package exactly as described, without the checks of
 * the real writer, to make hostile and malformed packages for the tests.
 *
 *   forge DESCRIPTION PACKAGE
 *
 * Each line of DESCRIPTION adds one entry that creates something:
 *   file PATH MODE TEXT        a file holding TEXT (stored codec)
 *   lie PATH MODE TEXT         the same, but the entry's hash is wrong
 *   dir PATH MODE
 *   symlink PATH TARGET
 * Entries stay in the order given.
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
#include "format/manifest.h"

#define MAXE 64

static char *texts[MAXE];

static void
add_line(pf_manifest *m, char *line)
{
	char *kind = strtok(line, " \n"), *path = strtok(NULL, " \n");
	char *arg = strtok(NULL, " \n"), *text = strtok(NULL, "\n");
	pf_entry *e;
	pf_blob *b;

	if (kind == NULL || path == NULL || arg == NULL || m->n_entries >= MAXE)
		return;
	e = &m->entries[m->n_entries];
	memset(e, 0, sizeof *e);
	e->path = strdup(path);
	e->op = PF_OP_ADD;
	e->payload = e->rollback = e->live = PF_NO_BLOB;
	if (strcmp(kind, "symlink") == 0) {
		e->after.type = PF_TYPE_SYMLINK;
		e->after.mode = 0777;
		e->after.link = strdup(arg);
	} else {
		e->after.type = strcmp(kind, "dir") == 0 ? PF_TYPE_DIR :
		    PF_TYPE_FILE;
		e->after.mode = (uint32_t)strtoul(arg, NULL, 8);
	}
	if (e->after.type == PF_TYPE_FILE) {
		text = text ? text : "";
		texts[m->n_blobs] = strdup(text);
		e->after.size = strlen(text);
		pf_sha256(e->after.sha256, text, strlen(text));
		if (strcmp(kind, "lie") == 0)
			e->after.sha256[0] ^= 1;
		b = &m->blobs[m->n_blobs];
		memset(b, 0, sizeof *b);
		b->section = PF_SECTION_PAYLOAD;
		b->codec = PF_CODEC_STORED;
		b->stored_size = b->decoded_size = strlen(text);
		pf_sha256(b->sha256, text, strlen(text));
		e->payload = (uint32_t)m->n_blobs++;
	}
	m->n_entries++;
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
	pf_sha256(d, buf, (size_t)meta);
	memcpy(buf + sig_at, d, 32);
	f = fopen(out, "wb");
	if (f == NULL || fwrite(buf, 1, n, f) != n)
		return 1;
	return fclose(f) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	uint8_t hdr[PF_HEADER_SIZE];
	pf_manifest m;
	pf_header h = { .version_major = 1 };
	pf_sigblock sb = { .count = 0 };
	pf_buf man, sig;
	pf_sha256_ctx hc;
	pf_err err;
	char line[4096];
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
	m.blobs = calloc(MAXE, sizeof *m.blobs);
	while (fgets(line, sizeof line, f) != NULL)
		add_line(&m, line);
	fclose(f);
	pf_buf_init(&man);
	pf_buf_init(&sig);
	pf_manifest_encode(&m, &man, &err);
	for (i = 0; i < m.n_blobs; i++)
		h.payload_size += m.blobs[i].stored_size;
	h.manifest_size = man.len;
	h.signature_size = pf_sigblock_size(0);
	pf_header_encode(&h, hdr);
	pf_sha256_init(&hc);
	pf_sha256_update(&hc, hdr, sizeof hdr);
	pf_sha256_update(&hc, man.data, man.len);
	pf_sha256_final(&hc, sb.digest);
	pf_sigblock_encode(&sb, &sig);
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	pf_write_full(fd, hdr, sizeof hdr, &err, "out");
	pf_write_full(fd, man.data, man.len, &err, "out");
	pf_write_full(fd, sig.data, sig.len, &err, "out");
	for (i = 0; i < m.n_blobs; i++)
		pf_write_full(fd, texts[i], strlen(texts[i]), &err, "out");
	close(fd);
	for (i = 0; i < m.n_blobs; i++)
		free(texts[i]);
	pf_buf_free(&man);
	pf_buf_free(&sig);
	pf_manifest_clear(&m);
	return 0;
}
