/*
 * A program whose main thread leaves through pthread_exit, so that the
 * process lives on with a zombie main thread: its /proc/PID/mem fails and
 * it cannot be traced.  The new build (-DFIXED) changes step().  Prints
 * "ready" once its threads run.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#ifdef FIXED
#define STEP 2
#else
#define STEP 1
#endif

volatile long counter;

__attribute__((noinline)) long
step(long x)
{
	return x * 3 + STEP;
}

static void *
run(void *arg)
{
	struct timespec ts = { 0, 1000000 };

	(void)arg;
	for (;;) {
		counter = step(counter & 0xff);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int
main(void)
{
	pthread_t t;
	int i;

	for (i = 0; i < 3; i++)
		if (pthread_create(&t, NULL, run, NULL) != 0)
			return 1;
	printf("ready\n");
	fflush(stdout);
	pthread_exit(NULL);
}
