/*
 * The request handlers of the hot-patch test server.  Built twice: as it
 * was and with -DFIXED, which fixes add_numbers, greet (with a new
 * string constant, a new static variable and a new import) and score,
 * and changes
 * park_here, so that the patch replaces four functions of the executable
 * (one of which a test parks a thread in).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ops.h"

int park_fd[2] = { -1, -1 };

long
add_numbers(long a, long b)
{
#if defined(STACKED)
	return a + b + 1000;       /* the stacked build: each layer differs */
#elif defined(FIXED)
	return a + b;
#else
	return a + b + (a > 9);    /* the bug: off by one for a > 9 */
#endif
}

#ifdef FIXED
/* New in the fixed build: the patch must carry it as writable data. */
static unsigned long greeted;
#endif

int
greet(const char *name, char *out, size_t n)
{
#ifdef FIXED
	/* toupper is an import the old build does not have. */
	greeted++;
	if (name[0] == '\0')
		return snprintf(out, n, "hello!");
	return snprintf(out, n, "hello, %c%s!", toupper((unsigned char)name[0]),
	    name + 1);
#else
	return snprintf(out, n, "hello %s", name);
#endif
}

/* Blocks until a byte arrives on park_fd: a thread that stays inside a
 * function the patch replaces. */
int
park_here(void)
{
	char c = 0;

	if (read(park_fd[0], &c, 1) != 1)
		return -1;
#ifdef FIXED
	return 2;
#else
	return 1;
#endif
}

/* A dense switch: GCC dispatches it through a table of offsets in
 * .rodata, which the patch must carry along with the code. */
long
score(int op, long x)
{
	switch (op) {
	case 0: return x + 1;
	case 1: return x * 7;
	case 2: return x - 3;
	case 3: return x << 2;
#ifdef FIXED
	case 4: return x / 3;
#else
	case 4: return x / 4;      /* the bug: should divide by 3 */
#endif
	case 5: return -x;
	case 6: return x ^ 0x55;
	case 7: return x * x;
	default: return 0;
	}
}
