/* libgreet 1.1: builds a greeting. */
#include <stdio.h>

int
greet(char *buf, size_t n, const char *who)
{
	return snprintf(buf, n, "hello, %.32s!", who);
}
