/*
 * A program whose new build (-DFIXED) makes only changes a hot patch must
 * refuse: a global array that grows, writable data whose initial value
 * changes, and a function too short to hold a 5-byte jump.
 * check_live.c expects exactly these refusals.
 */
#include <stdio.h>

#ifdef FIXED
int table[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
int limit = 20;
#else
int table[4] = { 1, 2, 3, 4 };
int limit = 10;
#endif

__attribute__((noinline)) int
tiny(void)
{
#ifdef FIXED
	return 7;
#else
	return 0;
#endif
}

__attribute__((noinline)) int
use(int i)
{
	return table[i & 3] + limit;
}

int
main(int argc, char **argv)
{
	(void)argv;
	printf("%d %d\n", tiny(), use(argc));
	return 0;
}
