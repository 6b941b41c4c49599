/*
 * Hot patching a build stripped of .symtab, without a debug file
 * (spec/hotpatch.md section 8.3): the exported functions are named by
 * .dynsym (linked with --export-dynamic), the static ones only by their
 * FDEs in .eh_frame.  The old build is plain; the new builds change:
 *   -DFIX_EXPORTED  the exported scale() (matched by its name);
 *   -DFIX_STATIC    the static mix(), between the exported scale() and
 *                   label() (matched by its place and content);
 *   -DFIX_STATIC -DEXTRA  mix() and a new static mix2() beside it: two
 *                   unnamed functions where the old build has one, so
 *                   mix() cannot be matched and must be refused.
 * main() prints "scale mix" on SIGUSR1.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t asked;
volatile long input = 7;
const char *volatile word = "stripped";

static void
on_usr1(int sig)
{
	(void)sig;
	asked = 1;
}

__attribute__((noinline)) long
scale(long x)
{
#ifdef FIX_EXPORTED
	return x * 3 + 1;
#else
	return x * 2 + 1;
#endif
}

#ifdef EXTRA
__attribute__((noinline, noclone)) static long
mix2(const char *s)
{
	long h = 7;

	while (*s)
		h = h * 31 + *s++;
	return h % 977;
}
#endif

/* A string hash, long enough that a one-constant fix leaves it mostly
 * the same code. */
__attribute__((noinline, noclone)) static long
mix(const char *s)
{
	long h = 5381;

	while (*s) {
#ifdef FIX_STATIC
		h = h * 33 ^ *s++;
#else
		h = h * 33 + *s++;
#endif
		if (h > 1000000007)
			h %= 1000000007;
	}
#ifdef EXTRA
	h += mix2(s);
#endif
	return h % 1000;
}

__attribute__((noinline)) long
label(const char *s)
{
	return mix(s) + 1000;
}

int
main(void)
{
	signal(SIGUSR1, on_usr1);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (asked) {
			asked = 0;
			printf("%ld %ld\n", scale(input), label(word));
			fflush(stdout);
		}
		usleep(2000);
	}
}
