/*
 * MD5, for one use only: comparing files with dpkg's md5sums lists
 * (install/dpkg.c).  Never for integrity: that is SHA-256's job.
 */
#ifndef PF_COMMON_MD5_H
#define PF_COMMON_MD5_H

#include "common/err.h"

/* The MD5 of what remains to read of fd, as 32 lower-case hex digits. */
pf_ret pf_md5_fd_hex(int fd, char hex[33], pf_err *err, const char *what);

#endif
