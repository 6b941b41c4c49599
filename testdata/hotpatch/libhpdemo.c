/*
 * The shared library of the hot-patch test server.  Built twice: as it
 * was (the old build) and with -DFIXED (the new build), whose checksum no
 * longer skips the last byte.
 */
#include <stddef.h>

unsigned long demo_checksum(const char *s, size_t n);
const char *demo_version(void);

/* A global of the library: -fPIC code reaches it through the GOT, so the
 * patch must tie the new code to the old GOT slot. */
unsigned long demo_calls;

unsigned long
demo_checksum(const char *s, size_t n)
{
	unsigned long h = 5381;
	size_t i;

	demo_calls++;
#ifdef FIXED
	for (i = 0; i < n; i++)
#else
	for (i = 0; i + 1 < n; i++)
#endif
		h = h * 33 + (unsigned char)s[i];
	return h;
}

const char *
demo_version(void)
{
#ifdef STACKED
	return "libhpdemo 2";
#else
	return "libhpdemo 1";
#endif
}
