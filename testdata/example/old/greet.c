/* libgreet 1.0: builds a greeting. */
#include <stdio.h>

int
greet(char *buf, size_t n, const char *who)
{
	/* 1.0 forgets to bound the name: the bug 1.1 fixes. */
	return snprintf(buf, n, "hello, %s", who);
}
