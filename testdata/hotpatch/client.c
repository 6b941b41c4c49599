/*
 * hpclient: drives requests at hpserver without a pause and counts the
 * ones that fail.  Usage: hpclient SOCKET [THREADS].  Runs until SIGTERM
 * or SIGINT, then prints "requests N failures F old O new W" and exits 1
 * if any request failed.  Answers of the old and of the new build both
 * count as good; anything else (no connection, no answer, a wrong one) is
 * a failure.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *path;
static volatile sig_atomic_t stop;
static atomic_ulong n_req, n_fail, n_old, n_new;

static int
ask(const char *req, char *out, size_t n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = 0;
	ssize_t k;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		goto fail;
	while (len + 1 < n && (k = read(fd, out + len, n - 1 - len)) > 0)
		len += (size_t)k;
	out[len] = '\0';
	close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Classifies one answer: 1 old build, 2 new build, 0 wrong. */
static int
check(const char *got, const char *old, const char *new)
{
	return strcmp(got, old) == 0 ? 1 : strcmp(got, new) == 0 ? 2 : 0;
}

static void *
drive(void *arg)
{
	char out[256];
	int k = 0, v;

	(void)arg;
	while (!stop) {
		switch (k++ % 4) {
		case 0:
			v = ask("ADD 20 22\n", out, sizeof out) ? 0 :
			    check(out, "43\n", "42\n");
			break;
		case 1:
			v = ask("GREET bob\n", out, sizeof out) ? 0 :
			    check(out, "hello bob\n", "hello, Bob!\n");
			break;
		case 2:
			v = ask("SCORE 4 30\n", out, sizeof out) ? 0 :
			    check(out, "7\n", "10\n");
			break;
		default:
			v = ask("SUM abc\n", out, sizeof out) ? 0 :
			    check(out, "5863208\n", "193485963\n");
			break;
		}
		atomic_fetch_add(&n_req, 1);
		atomic_fetch_add(v == 0 ? &n_fail : v == 1 ? &n_old : &n_new, 1);
	}
	return NULL;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	int i, n = argc > 2 ? atoi(argv[2]) : 2;
	pthread_t t[16];

	if (argc < 2 || n < 1 || n > 16) {
		fprintf(stderr, "usage: hpclient SOCKET [THREADS]\n");
		return 2;
	}
	path = argv[1];
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, drive, NULL);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("requests %lu failures %lu old %lu new %lu\n",
	    (unsigned long)n_req, (unsigned long)n_fail,
	    (unsigned long)n_old, (unsigned long)n_new);
	return n_fail ? 1 : 0;
}
