/*
 * A program whose global lives past the file-backed pages of .bss: the
 * loader maps the rest of .bss as anonymous memory, which is still part
 * of the module.  The new build (-DFIXED) changes report(), which reads
 * the global.  main() counts ticks and prints report() on SIGUSR1.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

/* GCC emits these in reverse order of definition: ticks comes after
 * pad, 192 KiB past the last page the file backs (t0720 checks that it
 * does).  main() touches pad so that it is kept. */
volatile long ticks;
char pad[3 * 65536];

static volatile sig_atomic_t asked;

static void
on_usr1(int sig)
{
	(void)sig;
	asked = 1;
}

__attribute__((noinline)) long
report(void)
{
#ifdef FIXED
	return -ticks - 1;
#else
	return ticks;
#endif
}

int
main(void)
{
	pad[0] = 1;
	signal(SIGUSR1, on_usr1);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		ticks++;
		if (asked) {
			asked = 0;
			printf("%ld\n", report());
			fflush(stdout);
		}
		usleep(2000);
	}
}
