/*
 * The first half of the quirks pair (testdata/hotpatch/README): above()
 * compares with a double constant (comisd), which the linker places in
 * .rodata right before the switch table of pick() in quirks-b.c.
 * Capstone 4 says comisd reads 16 bytes; it reads 8, and above() is the
 * same in both builds.
 */
int above(double x);

__attribute__((noinline)) int
above(double x)
{
	return x > 2.5;
}
