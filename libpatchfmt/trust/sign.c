/*
 * Making keys and signing packages (build side).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "trust/keys.h"
#include "trust/sign.h"

/* Writes a new file; never replaces one (O_EXCL). */
static pf_ret
write_new(const char *path, const char *text, mode_t mode, pf_err *err)
{
	int fd;
	pf_ret r;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd < 0)
		return pf_err_errno(err, errno == EEXIST ? PF_ERR_USAGE :
		    PF_ERR_IO, errno, "cannot create '%s'", path);
	r = pf_write_full(fd, text, strlen(text), err, path);
	if (r == PF_OK && (fchmod(fd, mode) < 0 || fsync(fd) < 0))
		r = pf_err_errno(err, PF_ERR_IO, errno, "cannot write '%s'",
		    path);
	close(fd);
	if (r != PF_OK)
		unlink(path);
	return r;
}

pf_ret
pf_key_generate(const char *name, uint8_t id[PF_SIG_KEY_ID_LEN], pf_err *err)
{
	uint8_t pk[PF_KEY_PUB_LEN], sk[PF_KEY_SEC_LEN];
	char text[1024], pub[4096], sec[4096];
	pf_ret r;

	if (pf_crypto_init() < 0)
		return pf_err_nomem(err);
	snprintf(pub, sizeof pub, "%s.pub", name);
	snprintf(sec, sizeof sec, "%s.key", name);
	crypto_sign_keypair(pk, sk);
	pf_key_id(id, pk);
	/* The secret first: if it cannot be made, no orphan public key. */
	r = pf_key_render(text, sizeof text, PF_KEY_SEC_MAGIC, id, sk,
	    sizeof sk, "secret", err);
	if (r == PF_OK)
		r = write_new(sec, text, 0600, err);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(text, sizeof text);
	if (r != PF_OK)
		return r;
	r = pf_key_render(text, sizeof text, PF_KEY_PUB_MAGIC, id, pk,
	    sizeof pk, "public", err);
	if (r == PF_OK)
		r = write_new(pub, text, 0644, err);
	if (r != PF_OK)
		unlink(sec);
	return r;
}

pf_ret
pf_seckey_load(pf_seckey *k, const char *path, pf_err *err)
{
	uint8_t *text = NULL;
	size_t n;
	pf_ret r;

	r = pf_key_file_read(path, "secret", PF_ERR_USAGE, &text, &n, err);
	if (r == PF_OK)
		r = pf_seckey_parse(k, (const char *)text, n, path, err);
	if (text != NULL) {
		sodium_memzero(text, n);
		free(text);
	}
	return r;
}

pf_ret
pf_sign_all(void *opaque, const uint8_t digest[32], pf_sigblock *sb,
    pf_err *err)
{
	const pf_signers *s = opaque;
	size_t i;

	(void)err;
	for (i = 0; i < s->n; i++)
		pf_sig_make(&s->keys[i], digest, &sb->sigs[sb->count++]);
	return PF_OK;
}
