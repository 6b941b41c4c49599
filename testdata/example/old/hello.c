/* hello: greets its first argument through libgreet. */
#include <stdio.h>

int greet(char *buf, size_t n, const char *who);

int
main(int argc, char **argv)
{
	char buf[128];

	greet(buf, sizeof buf, argc > 1 ? argv[1] : "world");
	puts(buf);
	return 0;
}
