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
 *
 * live-bench ROUNDS CC modules: a program and its shared library, five
 * functions replaced in each, patched in one stop of the threads (as
 * patch-apply does) against each module in a stop of its own, one after
 * the other; prints the stop windows, and the sum of the two.
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

/* With lib, each function also calls the library's g of its number. */
static void
write_source(const char *path, int funcs, bool lib)
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
		if (lib)
			fprintf(f, "long g%d(long);\n__attribute__((noinline)) "
			    "long f%d(long x) { return g%d(x) * %d + K; }\n",
			    i, i, i, i + 3);
		else
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
analyze(const char *old, const char *new)
{
	uint8_t *o, *n;
	size_t ol, nl;
	pf_hotpatch *hp;
	pf_err err;

	o = slurp(old, &ol);
	n = slurp(new, &nl);
	if (pf_hotpatch_analyze(o, ol, n, nl, &hp, &err) != PF_OK)
		die(err.msg);
	if (hp->n_funcs == 0 || hp->n_refused != 0)
		die("the patch does not replace every function");
	free(o);
	free(n);
	return hp;
}

static pf_hotpatch *
make_patch(int funcs)
{
	char src[128], old[128], new[128];
	pf_hotpatch *hp;

	snprintf(src, sizeof src, "%s/t.c", tmp);
	snprintf(old, sizeof old, "%s/old", tmp);
	snprintf(new, sizeof new, "%s/new", tmp);
	write_source(src, funcs, false);
	build(src, old, false);
	build(src, new, true);
	hp = analyze(old, new);
	if ((int)hp->n_funcs != funcs)
		die("the patch does not replace every function");
	return hp;
}

static pid_t
start_at(const char *path, int threads)
{
	char arg[16], line[16];
	int fd[2];
	pid_t pid;

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

static pid_t
start(int threads)
{
	char path[128];

	snprintf(path, sizeof path, "%s/old", tmp);
	return start_at(path, threads);
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

/* The library and the program of the two-module target: the program's
 * threads call five functions of each. */
static void
write_modules(const char *lib, const char *prog)
{
	FILE *f = fopen(lib, "w");
	int i;

	if (f == NULL)
		die("cannot write the synthetic library");
	fprintf(f, "#ifdef FIXED\n#define K 2\n#else\n#define K 1\n#endif\n");
	for (i = 0; i < 5; i++)
		fprintf(f, "long g%d(long x) { return x * %d + K; }\n", i, i + 7);
	fclose(f);
	write_source(prog, 5, true);
}

static void
build_modules(const char *v, bool fixed)
{
	char cmd[1024];
	const char *d = fixed ? "-DFIXED" : "";

	snprintf(cmd, sizeof cmd, "mkdir -p %s/%s && %s -O2 -fPIC -shared "
	    "-Wl,--build-id %s -o %s/%s/libg.so %s/g.c && %s -O2 -fPIE -pie "
	    "-pthread -Wl,--build-id -Wl,-rpath,%s/%s %s -o %s/%s/prog "
	    "%s/p.c -L%s/%s -lg", tmp, v, cc, d, tmp, v, tmp, cc, tmp, v, d,
	    tmp, v, tmp, tmp, v);
	if (system(cmd) != 0)
		die("cannot build the synthetic modules");
}

static uint64_t one[MAX_ROUNDS], two[MAX_ROUNDS];

/* One stop for both modules against a stop for each. */
static void
measure_modules(int threads, int rounds)
{
	char path[256], o[256], n[256];
	pf_hotpatch *hp[2];
	pf_live_stats st;
	pf_live_opts opt = { .stats = &st };
	pf_live_journal j;
	pf_live_undo *u[2];
	pf_err err;
	pid_t pid;
	bool clean;
	int i, k;

	snprintf(o, sizeof o, "%s/g.c", tmp);
	snprintf(n, sizeof n, "%s/p.c", tmp);
	write_modules(o, n);
	build_modules("old", false);
	build_modules("new", true);
	for (k = 0; k < 2; k++) {
		snprintf(o, sizeof o, "%s/old/%s", tmp, k ? "libg.so" : "prog");
		snprintf(n, sizeof n, "%s/new/%s", tmp, k ? "libg.so" : "prog");
		hp[k] = analyze(o, n);
	}
	snprintf(path, sizeof path, "%s/old/prog", tmp);
	pid = start_at(path, threads);
	for (i = 0; i < rounds; i++) {
		memset(&j, 0, sizeof j);
		if (pf_live_apply_all(pid, hp, 2, &opt, &j, &clean, &err) !=
		    PF_OK)
			die(err.msg);
		one[i] = st.stop_ns;
		if (pf_live_revert_all(pid, &j, &opt, &clean, &err) != PF_OK)
			die(err.msg);
		for (k = 0; k < 2; k++)
			pf_live_undo_free(j.mods[k]);
		free(j.mods);
		two[i] = 0;
		for (k = 0; k < 2; k++) {
			if (pf_live_apply(pid, hp[k], &opt, &u[k], &err) != PF_OK)
				die(err.msg);
			two[i] += st.stop_ns;
		}
		for (k = 0; k < 2; k++) {
			if (pf_live_revert(pid, u[k], &opt, &err) != PF_OK)
				die(err.msg);
			pf_live_undo_free(u[k]);
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("| %7d | %15.3f | %12.3f | %17.3f | %14.3f |\n", threads,
	    pct(one, (size_t)rounds, 50), pct(one, (size_t)rounds, 99),
	    pct(two, (size_t)rounds, 50), pct(two, (size_t)rounds, 99));
	fflush(stdout);
	for (k = 0; k < 2; k++)
		pf_hotpatch_free(hp[k]);
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
	if (argc > 3 && strcmp(argv[3], "modules") == 0) {
		printf("| threads | one stop median | one stop p99 | "
		    "two stops median | two stops p99 |\n"
		    "|--------:|----------------:|-------------:|"
		    "------------------:|--------------:|\n");
		for (i = 0; i < sizeof threads / sizeof *threads; i++)
			measure_modules(threads[i], rounds);
		printf("\napply stop windows in ms (two stops: their sum), "
		    "%d rounds each, 5 functions in each module\n", rounds);
		return 0;
	}
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
