#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/md5.h"

pf_ret
pf_md5_fd_hex(int fd, char hex[33], pf_err *err, const char *what)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	ssize_t k;
	pf_ret r = PF_OK;

	if (c == NULL || EVP_DigestInit_ex(c, EVP_md5(), NULL) != 1) {
		r = pf_err_nomem(err);
		goto out;
	}
	while ((k = read(fd, buf, sizeof buf)) > 0)
		EVP_DigestUpdate(c, buf, (size_t)k);
	if (k < 0) {
		r = pf_err_errno(err, PF_ERR_IO, errno, "cannot read '%s'",
		    what);
		goto out;
	}
	EVP_DigestFinal_ex(c, md, &n);
	for (i = 0; i < n && i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[32] = '\0';
out:
	EVP_MD_CTX_free(c);
	return r;
}
