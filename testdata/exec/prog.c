/*
 * A program (or, with -DLIB, a shared library) whose two versions differ
 * in one function, changed(): version 1 by default, version 2 with
 * -DVERSION2.  Around it are 200 small functions that call each other,
 * read and write globals (RIP-relative operands), and are reached
 * through a table of function pointers and a table of strings
 * (relocations in a PIE or a shared library).  Code after changed()
 * moves when it grows, so nearly every call, jump and operand that
 * crosses it changes: what tests/cli/t3200-exec.sh measures.
 */
#include <stdio.h>
#include <string.h>

int table[256];
long counter;
static const char *const names[8] = {
	"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"
};

#define FN(n) \
	__attribute__((noinline)) int fn##n(int x); \
	__attribute__((noinline)) int fn##n(int x) \
	{ \
		table[((n) * 7) % 256] += x; \
		counter += (n); \
		if (x > (n)) \
			return x * 31 + (int)strlen(names[(n) % 8]); \
		return x - (n) + table[((n) * 3) % 256]; \
	}
#define FN10(p) FN(p##0) FN(p##1) FN(p##2) FN(p##3) FN(p##4) \
	FN(p##5) FN(p##6) FN(p##7) FN(p##8) FN(p##9)
#define REF10(p) fn##p##0, fn##p##1, fn##p##2, fn##p##3, fn##p##4, \
	fn##p##5, fn##p##6, fn##p##7, fn##p##8, fn##p##9,

FN10(1) FN10(2) FN10(3) FN10(4) FN10(5) FN10(6) FN10(7) FN10(8) FN10(9)
FN10(10)

/* The one function the two versions disagree on. */
__attribute__((noinline)) int changed(int x);
__attribute__((noinline)) int
changed(int x)
{
#ifdef VERSION2
	if (x < 0 || x > 100000)
		return -1;
	table[x % 256] ^= 0x5a;
	return x + table[3] + table[4] * 2 + names[x % 8][1];
#else
	return x + table[3];
#endif
}

FN10(11) FN10(12) FN10(13) FN10(14) FN10(15) FN10(16) FN10(17) FN10(18)
FN10(19) FN10(20) FN10(21)

int (*const fns[])(int) = {
	REF10(1) REF10(2) REF10(3) REF10(4) REF10(5) REF10(6) REF10(7)
	REF10(8) REF10(9) REF10(10) REF10(11) REF10(12) REF10(13) REF10(14)
	REF10(15) REF10(16) REF10(17) REF10(18) REF10(19) REF10(20) REF10(21)
};

int
run_all(int x)
{
	size_t i;
	int sum = changed(x);

	for (i = 0; i < sizeof fns / sizeof fns[0]; i++)
		sum += fns[i](x + (int)i);
	sum += fn10(x) + fn55(x) + fn99(x) + fn110(x) + fn150(x) + fn210(x);
	return sum;
}

#ifndef LIB
int
main(int argc, char **argv)
{
	(void)argv;
	printf("%d %ld\n", run_all(argc), counter);
	return 0;
}
#endif
