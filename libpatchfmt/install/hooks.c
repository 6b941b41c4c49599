/*
 * Running a hook script (spec section 9.8).  The script is written to a
 * file of its own in the state directory and executed from there, chrooted
 * into the root when the root is not the host's; it gets /dev/null as
 * input, one pipe for its output and error, the environment it is given
 * and nothing else, in a process group of its own that is killed whole
 * when the hook ends or its time is up.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "install/hooks.h"
#include "install/txn_int.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
put_file(int dfd, const char *name, const void *p, size_t n, mode_t mode)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode);
	ssize_t k;
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < n) {
		if ((k = write(fd, (const char *)p + done, n - done)) < 0 &&
		    errno == EINTR)
			continue;
		if (k <= 0)
			break;
		done += (size_t)k;
	}
	if (close(fd) < 0 || done != n) {
		unlinkat(dfd, name, 0);
		return -1;
	}
	return 0;
}

/* Every descriptor from 3 up goes; the rest are set by the caller. */
static void
close_from_3(void)
{
	long fd, max = sysconf(_SC_OPEN_MAX);

#ifdef __NR_close_range
	if (syscall(__NR_close_range, 3, ~0U, 0) == 0)
		return;
#endif
	for (fd = 3; fd < (max > 0 ? max : 1024); fd++)
		close((int)fd);
}

#ifdef PF_COVERAGE
void __gcov_dump(void);
#endif

/* In the child: never returns. */
static void
child(const pf_hook_exec *x, const char *path, const char **env, int out,
    int null)
{
	char *const argv[] = { (char *)path, NULL };
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT,
	    SIGCHLD };
	sigset_t none;
	size_t i;

	setpgid(0, 0);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(126);
	close_from_3();
#ifdef PF_COVERAGE
	/*
	 * gcov writes its counts at exit, which an exec never reaches; and
	 * before the chroot, or it would make its files inside the tree.
	 */
	__gcov_dump();
#endif
	if (x->chroot_dir != NULL && chroot(x->chroot_dir) < 0) {
		dprintf(2, "cannot chroot into '%s': %s\n", x->chroot_dir,
		    strerror(errno));
		_exit(126);
	}
	if (chdir("/") < 0)
		_exit(126);
	umask(022);
	execve(path, argv, (char *const *)env);
	dprintf(2, "cannot run the hook '%s': %s\n", path, strerror(errno));
	_exit(127);
}

static void
keep_output(pf_hook_result *res, const char *p, size_t n)
{
	size_t room = sizeof res->output - 1 - res->output_len;

	if (n > room) {
		res->output_cut = true;
		n = room;
	}
	memcpy(res->output + res->output_len, p, n);
	res->output_len += n;
	res->output[res->output_len] = '\0';
}

/* Reads what is there; true at the end of the output. */
static bool
drain(int fd, pf_hook_result *res)
{
	char buf[4096];
	ssize_t k;

	for (;;) {
		k = read(fd, buf, sizeof buf);
		if (k > 0) {
			keep_output(res, buf, (size_t)k);
			continue;
		}
		return k == 0 || (errno != EAGAIN && errno != EINTR);
	}
}

/*
 * Until the child has ended and its output is closed, or the time is up;
 * then the process group goes, so that nothing the hook left behind runs
 * on (or holds the pipe).
 */
static int
watch(pid_t pid, int fd, unsigned timeout, pf_hook_result *res,
    const volatile sig_atomic_t *cancel)
{
	double start = now(), left;
	struct pollfd pfd = { fd, POLLIN, 0 };
	bool eof = false, ended = false, cancelled = false;
	int st = 0;

	while (!eof || !ended) {
		left = start + timeout - now();
		if (left <= 0 && !ended && !res->timed_out) {
			res->timed_out = true;
			kill(-pid, SIGKILL);
		}
		/* A signal to the tool ends the hook too, at once. */
		if (cancel != NULL && *cancel && !ended && !cancelled) {
			cancelled = true;
			kill(-pid, SIGKILL);
		}
		if (cancelled && ended)
			break;
		/* A process that left the group may hold the pipe: not for long. */
		if (left <= -1 && ended)
			break;
		if (!eof) {
			if (poll(&pfd, 1, left > 0.1 ? 100 : left > 0 ?
			    (int)(left * 1000) + 1 : 100) > 0)
				eof = drain(fd, res);
		} else if (!ended) {
			usleep(10000);
		}
		if (!ended && waitpid(pid, &st, WNOHANG) == pid) {
			ended = true;
			kill(-pid, SIGKILL);    /* what it left running */
		}
	}
	res->seconds = now() - start;
	if (cancelled)
		return PF_HOOK_CANCELLED;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
}

pf_ret
pf_hook_exec_run(const pf_hook_exec *x, pf_hook_result *res, pf_err *err)
{
	char name[PF_TMPNAME_MAX], list[PF_TMPNAME_MAX + 8], *path = NULL;
	const char **env = NULL;
	int pfd[2] = { -1, -1 }, null = -1;
	size_t n = 0;
	pid_t pid;
	pf_ret r = PF_OK;

	memset(res, 0, sizeof *res);
	pf_txn_tmpname(name, "hook");
	snprintf(list, sizeof list, "%s.paths", name);
	while (x->env[n] != NULL)
		n++;
	if ((env = calloc(n + 2, sizeof *env)) == NULL ||
	    asprintf(&path, "%s/%s", x->scratch_seen, name) < 0) {
		path = NULL;
		r = pf_err_nomem(err);
		goto out;
	}
	memcpy(env, x->env, n * sizeof *env);
	if (asprintf((char **)&env[n], "PF_CHANGED_PATHS=%s.paths", path) < 0) {
		env[n] = NULL;
		r = pf_err_nomem(err);
		goto out;
	}
	if (put_file(x->scratch_dfd, name, x->script, x->len, 0700) < 0 ||
	    put_file(x->scratch_dfd, list, x->paths, x->paths_len, 0644) < 0 ||
	    pipe2(pfd, O_CLOEXEC) < 0 ||
	    (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
	    fcntl(pfd[0], F_SETFL, O_NONBLOCK) < 0) {
		r = pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot prepare the hook");
		goto out;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		r = pf_err_errno(err, PF_ERR_IO, errno,
		    "cannot start the hook");
		goto out;
	}
	if (pid == 0)
		child(x, path, env, pfd[1], null);
	close(pfd[1]);
	pfd[1] = -1;
	res->ran = true;
	res->pid = (long)pid;
	res->status = watch(pid, pfd[0], x->timeout, res, x->cancel);
out:
	unlinkat(x->scratch_dfd, name, 0);
	unlinkat(x->scratch_dfd, list, 0);
	if (env != NULL)
		free((char *)env[n]);
	free(env);
	free(path);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (null >= 0)
		close(null);
	return r;
}
