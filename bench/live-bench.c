/*
 * live-bench: how long pf_live_apply and pf_live_revert keep every thread
 * of a process stopped.  Usage: live-bench [ROUNDS] [CC].
 *
 * For each number of threads (1, 8, 64) and of replaced functions (1, 5,
 * 10, 50) it writes a synthetic program, builds it twice with CC (the new
 * build changes every function), makes the patch with
 * pf_hotpatch_analyze, starts the old build, and applies and reverts
 * ROUNDS times.  The target's threads call the functions in a loop with
 * short sleeps, so the stack checks see real stacks.  Prints a Markdown
 * table of the stop window (median and 99th percentile) for apply and
 * revert, and the median time of a whole apply.
 */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/hash.h"
#include "disasm/analyze.h"

#define MAX_ROUNDS 10000

static const char *cc = "cc";
static char tmp[64];

static void
die(const char *what)
{
	fprintf(stderr, "live-bench: %s\n", what);
	exit(1);
}

static void
write_source(const char *path, int funcs)
{
	FILE *f = fopen(path, "w");
	int i;

	if (f == NULL)
		die("cannot write the synthetic program");
	fprintf(f, "#include <pthread.h>\n#include <stdio.h>\n"
	    "#include <stdlib.h>\n#include <time.h>\n"
	    "#ifdef FIXED\n#define K 2\n#else\n#define K 1\n#endif\n"
	    "volatile long sink;\n");
	for (i = 0; i < funcs; i++)
		fprintf(f, "__attribute__((noinline)) long f%d(long x) "
		    "{ return x * %d + K; }\n", i, i + 3);
	fprintf(f, "static void *run(void *a) {\n"
	    "  struct timespec ts = { 0, 200000 };\n  long i = 0;\n"
	    "  (void)a;\n  for (;;) {\n");
	for (i = 0; i < funcs; i++)
		fprintf(f, "    sink += f%d(i++);\n", i);
	fprintf(f, "    nanosleep(&ts, NULL);\n  }\n  return NULL;\n}\n"
	    "int main(int argc, char **argv) {\n"
	    "  int i, n = argc > 1 ? atoi(argv[1]) : 1;\n  pthread_t t;\n"
	    "  for (i = 1; i < n; i++) pthread_create(&t, NULL, run, NULL);\n"
	    "  printf(\"ready\\n\");\n  fflush(stdout);\n  run(NULL);\n}\n");
	fclose(f);
}

static void
build(const char *src, const char *out, bool fixed)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, "%s -O2 -fPIE -pie -pthread "
	    "-Wl,--build-id %s -o %s %s", cc, fixed ? "-DFIXED" : "", out, src);
	if (system(cmd) != 0)
		die("cannot build the synthetic program");
}

static uint8_t *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0)
		die("cannot read a build");
	rewind(f);
	if ((buf = malloc((size_t)len)) == NULL ||
	    fread(buf, 1, (size_t)len, f) != (size_t)len)
		die("cannot read a build");
	fclose(f);
	*n = (size_t)len;
	return buf;
}

static pf_hotpatch *
make_patch(int funcs)
{
	char src[128], old[128], new[128];
	uint8_t *o, *n;
	size_t ol, nl;
	pf_hotpatch *hp;
	pf_err err;

	snprintf(src, sizeof src, "%s/t.c", tmp);
	snprintf(old, sizeof old, "%s/old", tmp);
	snprintf(new, sizeof new, "%s/new", tmp);
	write_source(src, funcs);
	build(src, old, false);
	build(src, new, true);
	o = slurp(old, &ol);
	n = slurp(new, &nl);
	if (pf_hotpatch_analyze(o, ol, n, nl, &hp, &err) != PF_OK)
		die(err.msg);
	if ((int)hp->n_funcs != funcs || hp->n_refused != 0)
		die("the patch does not replace every function");
	free(o);
	free(n);
	return hp;
}

static pid_t
start(int threads)
{
	char path[128], arg[16], line[16];
	int fd[2];
	pid_t pid;

	snprintf(path, sizeof path, "%s/old", tmp);
	snprintf(arg, sizeof arg, "%d", threads);
	if (pipe(fd) < 0 || (pid = fork()) < 0)
		die("cannot start the target");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd[1], 1);
		execl(path, path, arg, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	if (read(fd[0], line, sizeof line) < 5)
		die("the target did not start");
	close(fd[0]);
	return pid;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(uint64_t *v, size_t n, int p)
{
	qsort(v, n, sizeof *v, cmp_u64);
	return v[(n - 1) * (size_t)p / 100] / 1e6;
}

static uint64_t ap[MAX_ROUNDS], rv[MAX_ROUNDS], tot[MAX_ROUNDS];

static void
measure(int threads, int funcs, int rounds)
{
	pf_hotpatch *hp = make_patch(funcs);
	pid_t pid = start(threads);
	pf_live_stats st;
	pf_live_opts o = { .stats = &st };
	pf_live_undo *u;
	pf_err err;
	int i;

	for (i = 0; i < rounds; i++) {
		if (pf_live_apply(pid, hp, &o, &u, &err) != PF_OK)
			die(err.msg);
		ap[i] = st.stop_ns;
		tot[i] = st.total_ns;
		if (pf_live_revert(pid, u, &o, &err) != PF_OK)
			die(err.msg);
		rv[i] = st.stop_ns;
		pf_live_undo_free(u);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("| %7d | %9d | %12.3f | %9.3f | %13.3f | %10.3f | %14.3f |\n",
	    threads, funcs, pct(ap, (size_t)rounds, 50),
	    pct(ap, (size_t)rounds, 99), pct(rv, (size_t)rounds, 50),
	    pct(rv, (size_t)rounds, 99), pct(tot, (size_t)rounds, 50));
	fflush(stdout);
	pf_hotpatch_free(hp);
}

int
main(int argc, char **argv)
{
	static const int threads[] = { 1, 8, 64 }, funcs[] = { 1, 5, 10, 50 };
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	size_t i, j;

	if (argc > 2)
		cc = argv[2];
	if (rounds < 1 || rounds > MAX_ROUNDS)
		die("ROUNDS must be 1 to 10000");
	pf_crypto_init();
	snprintf(tmp, sizeof tmp, "/tmp/live-bench-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		die("cannot make a temporary directory");
	printf("| threads | functions | apply median | apply p99 | "
	    "revert median | revert p99 | whole apply median |\n"
	    "|--------:|----------:|-------------:|----------:|"
	    "--------------:|-----------:|-------------------:|\n");
	for (i = 0; i < sizeof threads / sizeof *threads; i++)
		for (j = 0; j < sizeof funcs / sizeof *funcs; j++)
			measure(threads[i], funcs[j], rounds);
	printf("\nstop windows and whole apply in ms, %d rounds each\n",
	    rounds);
	return 0;
}
