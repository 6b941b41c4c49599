/*
 * The second half of the quirks pair: pick() is a switch GCC compiles to
 * a jump table (in .rodata, right after above()'s constant); the new
 * build (-DFIXED) changes one case, and so the table.
 *
 * anon_first() and anon_sum() refer to an object in .data that has no
 * symbol.  twice() is a global of the name of a static function of
 * quirks-a.c.
 */
#include <stdlib.h>
#include <unistd.h>

int above(double x);
int pick(int n);
int use_twice(int x);
int twice(int x);

__attribute__((noinline)) int
twice(int x)
{
	return x + x + 2;
}

__attribute__((noinline)) int
pick(int n)
{
	switch (n) {
	case 0: return getpid();
	case 1: return getppid();
	case 2: return abs(n * 3);
	case 3: return rand();
#ifdef FIXED
	case 4: return (int)getuid() + 1;
#else
	case 4: return (int)getuid();
#endif
	case 5: return (int)getgid();
	default: return 0;
	}
}

/* An object in .data without a symbol (an assembler-local label), which
 * the new build moves by 8 bytes.  anon_first() is the same in both
 * builds; anon_sum() changes. */
__asm__(".data\n"
    ".p2align 3\n"
#ifdef FIXED
    ".quad 7\n"
#endif
    ".Lanon: .quad 0x1122334455667788, 42\n"
#ifdef FIXED
    ".Lanon2: .quad 6\n"
#else
    ".Lanon2: .quad 5\n"
#endif
    ".text\n");

/* Its data without a symbol changes: refused (it cannot be tied to the
 * old build), and the note names the lea. */
__attribute__((noinline)) long
anon_five(void)
{
	long *p;

	__asm__("lea .Lanon2(%%rip), %0" : "=r"(p));
	return p[0];
}

__attribute__((noinline)) long
anon_first(void)
{
	long *p;

	__asm__("lea .Lanon(%%rip), %0" : "=r"(p));
	return p[0];
}

__attribute__((noinline)) long
anon_sum(void)
{
	long *p;

	__asm__("lea .Lanon(%%rip), %0" : "=r"(p));
#ifdef FIXED
	return p[0] + p[1] + 1;
#else
	return p[0] + p[1];
#endif
}

int
main(int argc, char **argv)
{
	(void)argv;
	return above(argc) + pick(argc) + twice(argc) + use_twice(argc) +
	    (int)anon_first() + (int)anon_sum() + (int)anon_five();
}
