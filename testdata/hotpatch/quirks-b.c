/*
 * The second half of the quirks pair: pick() is a switch GCC compiles to
 * a jump table (in .rodata, right after above()'s constant); the new
 * build (-DFIXED) changes one case, and so the table.
 */
#include <stdlib.h>
#include <unistd.h>

int above(double x);
int pick(int n);

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

int
main(int argc, char **argv)
{
	(void)argv;
	return above(argc) + pick(argc);
}
