/*
 * The first half of the quirks pair (testdata/hotpatch/README): above()
 * compares with a double constant (comisd), which the linker places in
 * .rodata right before the switch table of pick() in quirks-b.c.
 * Capstone 4 says comisd reads 16 bytes; it reads 8, and above() is the
 * same in both builds.
 *
 * twice() is a static function with the name of a global one in
 * quirks-b.c; the new build changes this one.  Stripped of its STT_FILE
 * symbols (strip --strip-debug), the two share a name.
 */
int above(double x);
int use_twice(int x);

static __attribute__((noinline)) int
twice(int x)
{
	/* Long enough for a jump. */
	if (x > 1000)
		x = x / 3 + 7;
#ifdef FIXED
	return 2 * x + 1;
#else
	return 2 * x;
#endif
}

int
use_twice(int x)
{
	return twice(x) + 1;
}

__attribute__((noinline)) int
above(double x)
{
	return x > 2.5;
}
