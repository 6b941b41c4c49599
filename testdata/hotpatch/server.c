/*
 * hpserver: the multi-threaded test service that hot-patch tests patch
 * while it runs.  Usage: hpserver SOCKET [THREADS].  It listens on a Unix
 * socket, prints "ready PID" once it accepts connections, and answers one
 * request line per connection:
 *
 *   ADD a b     the sum (the old build is off by one for a > 9)
 *   GREET name  a greeting (the new build adds a comma and a '!')
 *   SCORE op x  a switch of eight operations (the old build's op 4
 *               divides by 4 instead of 3)
 *   SUM text    a checksum computed by libhpdemo.so (the old build skips
 *               the last byte)
 *   CALLS       how many times libhpdemo.so computed a checksum
 *   SIGNALS     how many SIGRTMIN signals the process has handled and
 *               the sum of the values they carried (a test queues them
 *               while it patches: none may be lost, nor its value)
 *   PARK        blocks in park_here() until an UNPARK request
 *   UNPARK      releases one parked request
 *   WATCH ms    calls add_numbers (the executable), demo_checksum (the
 *               library) and add_numbers again, over and over for ms
 *               milliseconds, and answers "AHEAD BEHIND ROUNDS" (see
 *               watch())
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ops.h"

static int listen_fd = -1;
static atomic_ulong signals, signal_sum;

static void
on_rtmin(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	atomic_fetch_add(&signal_sum, (unsigned long)si->si_value.sival_int);
	atomic_fetch_add(&signals, 1);
}

static int
read_line(int fd, char *buf, size_t n)
{
	size_t len = 0;

	while (len + 1 < n) {
		ssize_t k = read(fd, buf + len, 1);

		if (k <= 0)
			return -1;
		if (buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	return 0;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Calls f (add_numbers, in the executable), g (demo_checksum, in the
 * library) and f again, and counts the rounds where one module runs
 * patched code and the other does not, in an order a patch of both
 * modules in one stop cannot give: AHEAD, f patched before g or g
 * before the f that follows (impossible while both go in at once),
 * BEHIND, the same the other way (impossible while both go out at
 * once).  Patched means "not the old build's answer".
 */
static void
watch(long ms, char *out, size_t n)
{
	unsigned long old_g = 5381, ahead = 0, behind = 0, rounds = 0;
	double end = now_ms() + ms;
	int f1, g, f2;

	old_g = old_g * 33 + 'a';
	old_g = old_g * 33 + 'b';
	while (now_ms() < end) {
		f1 = add_numbers(10, 5) != 16;
		g = demo_checksum("abc", 3) != old_g;
		f2 = add_numbers(10, 5) != 16;
		ahead += (f1 && !g) || (g && !f2);
		behind += (!f1 && g) || (!g && f2);
		rounds++;
	}
	snprintf(out, n, "%lu %lu %lu", ahead, behind, rounds);
}

static void
answer(const char *req, char *out, size_t n)
{
	long a, b;
	int op;

	if (sscanf(req, "ADD %ld %ld", &a, &b) == 2)
		snprintf(out, n, "%ld", add_numbers(a, b));
	else if (sscanf(req, "SCORE %d %ld", &op, &a) == 2)
		snprintf(out, n, "%ld", score(op, a));
	else if (strncmp(req, "GREET ", 6) == 0)
		greet(req + 6, out, n);
	else if (strncmp(req, "SUM ", 4) == 0)
		snprintf(out, n, "%lu", demo_checksum(req + 4, strlen(req + 4)));
	else if (strcmp(req, "PARK") == 0)
		snprintf(out, n, "%d", park_here());
	else if (strcmp(req, "UNPARK") == 0)
		snprintf(out, n, "%s", write(park_fd[1], "x", 1) == 1 ? "ok" :
		    "error");
	else if (strcmp(req, "SIGNALS") == 0)
		snprintf(out, n, "%lu %lu",
		    (unsigned long)atomic_load(&signals),
		    (unsigned long)atomic_load(&signal_sum));
	else if (strcmp(req, "CALLS") == 0)
		snprintf(out, n, "%lu", demo_calls);
	else if (sscanf(req, "WATCH %ld", &a) == 1)
		watch(a, out, n);
	else if (strcmp(req, "VERSION") == 0)
		snprintf(out, n, "%s", demo_version());
	else
		snprintf(out, n, "error: unknown request");
}

static void *
worker(void *arg)
{
	char req[256], out[300];
	size_t len;
	int fd;

	(void)arg;
	for (;;) {
		if ((fd = accept(listen_fd, NULL, NULL)) < 0)
			continue;
		if (read_line(fd, req, sizeof req) == 0) {
			answer(req, out, sizeof out - 1);
			len = strlen(out);
			out[len++] = '\n';
			if (write(fd, out, len) != (ssize_t)len)
				perror("hpserver: write");
		}
		close(fd);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sigaction act = { .sa_sigaction = on_rtmin,
	    .sa_flags = SA_RESTART | SA_SIGINFO };
	int i, n = argc > 2 ? atoi(argv[2]) : 4;
	pthread_t t;

	if (argc < 2 || strlen(argv[1]) >= sizeof sa.sun_path || n < 1) {
		fprintf(stderr, "usage: hpserver SOCKET [THREADS]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGRTMIN, &act, NULL);
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listen_fd < 0 || pipe(park_fd) < 0 ||
	    bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(listen_fd, 128) < 0) {
		perror("hpserver");
		return 1;
	}
	for (i = 0; i < n; i++)
		if (pthread_create(&t, NULL, worker, NULL) != 0)
			return 1;
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
