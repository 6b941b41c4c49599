#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "trust/keys.h"

void
pf_key_id(uint8_t id[PF_SIG_KEY_ID_LEN], const uint8_t pk[PF_KEY_PUB_LEN])
{
	uint8_t d[32];

	/* Out of memory: an all-zero ID, which matches no key (fails closed). */
	if (pf_sha256(d, pk, PF_KEY_PUB_LEN) != 0)
		memset(d, 0, sizeof d);
	memcpy(id, d, PF_SIG_KEY_ID_LEN);
}

static const char *
file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "something else";
}

/* Why path, which open() could not find, is missing: a dangling link? */
static pf_ret
open_failed(const char *path, const char *kind, int errnum, pf_ret code,
    pf_err *err)
{
	struct stat st;

	if (errnum == ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return pf_err_set(err, PF_ERR_TRUST, "%s '%s' is a dangling "
		    "symbolic link", kind, path);
	return pf_err_errno(err, code, errnum, "cannot open %s '%s'",
	    kind, path);
}

pf_ret
pf_key_file_read(const char *path, const char *kind, pf_ret missing,
    uint8_t **text, size_t *n, pf_err *err)
{
	char what[32];

	snprintf(what, sizeof what, "%s key", kind);
	return pf_trust_file_read(path, what, missing, PF_KEY_FILE_MAX, text,
	    n, err);
}

pf_ret
pf_trust_file_read(const char *path, const char *kind, pf_ret missing,
    size_t max, uint8_t **text, size_t *n, pf_err *err)
{
	uint8_t *buf = NULL;
	struct stat st;
	size_t got = 0;
	pf_ret r;
	int fd;

	*text = NULL;
	/* Without blocking: a FIFO is refused, never waited on. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return open_failed(path, kind, errno, errno == ENOENT ?
		    missing : PF_ERR_TRUST, err);
	if (fstat(fd, &st) < 0) {
		r = pf_err_errno(err, PF_ERR_TRUST, errno, "cannot stat %s "
		    "'%s'", kind, path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = pf_err_set(err, PF_ERR_TRUST, "%s '%s' is %s, not a "
		    "regular file", kind, path, file_kind(st.st_mode));
		goto out;
	}
	/* One byte more than the limit tells a file that is too large. */
	if ((buf = malloc(max + 1)) == NULL) {
		r = pf_err_nomem(err);
		goto out;
	}
	if ((uint64_t)st.st_size <= max &&
	    pf_read_full(fd, buf, max + 1, &got, err, path) !=
	    PF_OK) {
		/* Its message stays; a key that cannot be read is no trust. */
		r = err->code = PF_ERR_TRUST;
		goto out;
	}
	if ((uint64_t)st.st_size > max || got > max) {
		r = pf_err_set(err, PF_ERR_TRUST, "%s '%s' is larger than "
		    "%zu bytes: not a %s file", kind, path, max,
		    max == PF_KEY_FILE_MAX ? "key" : kind);
		goto out;
	}
	*text = buf;
	*n = got;
	buf = NULL;
	r = PF_OK;
out:
	if (buf != NULL) {
		sodium_memzero(buf, max + 1);
		free(buf);
	}
	close(fd);
	return r;
}

/*
 * A key file is two lines: "untrusted comment: ..." and the base64 of
 * magic, key ID and key (section 11.1).  Nothing else may follow.
 */
static pf_ret
parse_key(const char *text, size_t n, const char *magic, uint8_t *bin,
    size_t binlen, const char *file, pf_err *err)
{
	const char *nl, *b64;
	size_t b64len, got;

	if (n > PF_KEY_FILE_MAX || memchr(text, '\0', n) != NULL)
		goto bad;
	if (n < strlen(PF_KEY_COMMENT) ||
	    memcmp(text, PF_KEY_COMMENT, strlen(PF_KEY_COMMENT)) != 0)
		goto bad;
	if ((nl = memchr(text, '\n', n)) == NULL)
		goto bad;
	b64 = nl + 1;
	b64len = n - (size_t)(b64 - text);
	if (b64len > 0 && b64[b64len - 1] == '\n')
		b64len--;
	if (memchr(b64, '\n', b64len) != NULL)
		goto bad;
	if (sodium_base642bin(bin, binlen, b64, b64len, NULL, &got, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || got != binlen)
		goto bad;
	if (memcmp(bin, magic, 4) != 0)
		goto bad;
	return PF_OK;
bad:
	return pf_err_set(err, PF_ERR_TRUST, "'%s' is not a patchfmt %s key "
	    "file", file, strcmp(magic, PF_KEY_PUB_MAGIC) == 0 ? "public" :
	    "secret");
}

pf_ret
pf_pubkey_parse(pf_pubkey *k, const char *text, size_t n, const char *file,
    pf_err *err)
{
	uint8_t bin[4 + PF_SIG_KEY_ID_LEN + PF_KEY_PUB_LEN], id[8];
	pf_ret r;

	r = parse_key(text, n, PF_KEY_PUB_MAGIC, bin, sizeof bin, file, err);
	if (r != PF_OK)
		return r;
	memcpy(k->id, bin + 4, PF_SIG_KEY_ID_LEN);
	memcpy(k->pk, bin + 4 + PF_SIG_KEY_ID_LEN, PF_KEY_PUB_LEN);
	pf_key_id(id, k->pk);
	if (memcmp(id, k->id, sizeof id) != 0)
		return pf_err_set(err, PF_ERR_TRUST,
		    "'%s': key ID does not belong to the key", file);
	return PF_OK;
}

pf_ret
pf_pubkey_load(pf_pubkey *k, const char *path, pf_ret missing, pf_err *err)
{
	uint8_t *text = NULL;
	size_t n;
	pf_ret r;

	r = pf_key_file_read(path, "public", missing, &text, &n, err);
	if (r == PF_OK)
		r = pf_pubkey_parse(k, (const char *)text, n, path, err);
	free(text);
	return r;
}

pf_ret
pf_seckey_parse(pf_seckey *k, const char *text, size_t n, const char *file,
    pf_err *err)
{
	uint8_t bin[4 + PF_SIG_KEY_ID_LEN + PF_KEY_SEC_LEN], id[8];
	pf_ret r;

	r = parse_key(text, n, PF_KEY_SEC_MAGIC, bin, sizeof bin, file, err);
	if (r == PF_OK) {
		memcpy(k->id, bin + 4, PF_SIG_KEY_ID_LEN);
		memcpy(k->sk, bin + 4 + PF_SIG_KEY_ID_LEN, PF_KEY_SEC_LEN);
		/* The last 32 bytes of an Ed25519 secret key are its public key. */
		pf_key_id(id, k->sk + 32);
		if (memcmp(id, k->id, sizeof id) != 0)
			r = pf_err_set(err, PF_ERR_TRUST,
			    "'%s': key ID does not belong to the key", file);
	}
	sodium_memzero(bin, sizeof bin);
	return r;
}

static void
message(uint8_t *m, const uint8_t digest[32])
{
	memcpy(m, PF_SIG_CONTEXT, strlen(PF_SIG_CONTEXT));
	memcpy(m + strlen(PF_SIG_CONTEXT), digest, 32);
}

bool
pf_sig_verify(const pf_pubkey *k, const pf_signature *s,
    const uint8_t digest[32])
{
	uint8_t m[sizeof PF_SIG_CONTEXT + 32];

	if (s->algorithm != PF_SIG_ALG_ED25519)
		return false;
	message(m, digest);
	return crypto_sign_verify_detached(s->sig, m,
	    strlen(PF_SIG_CONTEXT) + 32, k->pk) == 0;
}

void
pf_sig_make(const pf_seckey *k, const uint8_t digest[32], pf_signature *s)
{
	uint8_t m[sizeof PF_SIG_CONTEXT + 32];

	message(m, digest);
	s->algorithm = PF_SIG_ALG_ED25519;
	memcpy(s->key_id, k->id, PF_SIG_KEY_ID_LEN);
	crypto_sign_detached(s->sig, NULL, m, strlen(PF_SIG_CONTEXT) + 32,
	    k->sk);
}

pf_ret
pf_key_render(char *out, size_t outlen, const char *magic,
    const uint8_t id[PF_SIG_KEY_ID_LEN], const uint8_t *key, size_t keylen,
    const char *kind, pf_err *err)
{
	uint8_t bin[4 + PF_SIG_KEY_ID_LEN + PF_KEY_SEC_LEN];
	char b64[sodium_base64_ENCODED_LEN(sizeof bin,
	    sodium_base64_VARIANT_ORIGINAL)];
	char hex[2 * PF_SIG_KEY_ID_LEN + 1];
	size_t n = 4 + PF_SIG_KEY_ID_LEN + keylen;
	int k;

	memcpy(bin, magic, 4);
	memcpy(bin + 4, id, PF_SIG_KEY_ID_LEN);
	memcpy(bin + 4 + PF_SIG_KEY_ID_LEN, key, keylen);
	sodium_bin2base64(b64, sizeof b64, bin, n,
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(bin, sizeof bin);
	pf_hex(hex, id, PF_SIG_KEY_ID_LEN);
	k = snprintf(out, outlen, "%spatchfmt %s key %s\n%s\n",
	    PF_KEY_COMMENT, kind, hex, b64);
	sodium_memzero(b64, sizeof b64);
	if (k < 0 || (size_t)k >= outlen)
		return pf_err_set(err, PF_ERR_USAGE, "key file too long");
	return PF_OK;
}
