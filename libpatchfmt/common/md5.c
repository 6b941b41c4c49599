#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <nettle/md5.h>

#include "common/md5.h"

pf_ret
pf_md5_fd_hex(int fd, char hex[33], pf_err *err, const char *what)
{
	unsigned char buf[65536], md[MD5_DIGEST_SIZE];
	struct md5_ctx c;
	unsigned int i;
	ssize_t k;

	md5_init(&c);
	while ((k = read(fd, buf, sizeof buf)) > 0)
		md5_update(&c, (size_t)k, buf);
	if (k < 0)
		return pf_err_errno(err, PF_ERR_IO, errno, "cannot read '%s'",
		    what);
	md5_digest(&c, sizeof md, md);
	for (i = 0; i < sizeof md; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[32] = '\0';
	return PF_OK;
}
