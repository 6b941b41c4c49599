/*
 * hpask: sends one request line to the hot-patch test server's Unix
 * socket and prints the answer, for the shell tests.
 *   hpask SOCKET REQUEST
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	ssize_t k;
	size_t n = 0;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof sa.sun_path) {
		fprintf(stderr, "usage: hpask SOCKET REQUEST\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror(argv[1]);
		return 1;
	}
	if (dprintf(fd, "%s\n", argv[2]) < 0)
		return 1;
	shutdown(fd, SHUT_WR);
	while (n < sizeof buf - 1 &&
	    (k = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
		n += (size_t)k;
	close(fd);
	buf[n] = '\0';
	fputs(buf, stdout);
	return n > 0 ? 0 : 1;
}
