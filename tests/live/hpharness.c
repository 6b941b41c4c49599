/*
 * hpharness: the end-to-end test of hot patching.  Usage:
 * hpharness DIR [ROUNDS], where DIR holds old/ and new/ builds of hpserver
 * and libhpdemo.so (testdata/hotpatch) and the hpclient program.
 *
 * It makes the patches with pf_hotpatch_analyze, sends them through their
 * encoding, starts the old server with a client hammering it, and then
 * applies and reverts both patches ROUNDS times, checking the answers
 * after each step, then as many rounds of both modules in one stop with a
 * second layer of the same patches stacked on them (spec/hotpatch.md
 * section 7.2); then that a parked thread makes apply wait and fail
 * cleanly, and that a wrong build ID and changed code are refused.  The
 * client must see not one failed request.  Exit status 77: ptrace is not
 * permitted here (the test is skipped).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/hash.h"
#include "disasm/analyze.h"

#define TIMEOUT_S 240
#define STATS_MAX 1024

static const char *dir;
static char sock[108];
static pid_t server = -1, client = -1;
static int client_out = -1;
static uint64_t stops[STATS_MAX];
static size_t n_stops;

static void
cleanup(void)
{
	if (client > 0)
		kill(client, SIGKILL);
	if (server > 0)
		kill(server, SIGKILL);
	if (sock[0])
		unlink(sock);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hpharness: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup();
	exit(1);
}

static uint8_t *
slurp(const char *name, size_t *n)
{
	char path[4096];
	uint8_t *buf = NULL;
	FILE *f;
	long len;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)len + 1)) == NULL ||
	    fread(buf, 1, (size_t)len, f) != (size_t)len)
		fail("cannot read '%s'", path);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

static bool
has_func(const pf_hotpatch *hp, const char *name)
{
	size_t i;

	for (i = 0; i < hp->n_funcs; i++)
		if (strcmp(hp->funcs[i].name, name) == 0)
			return true;
	return false;
}

/* Analyses one pair of builds and sends the record through its bytes. */
static pf_hotpatch *
make_patch(const char *name, pf_buf *bytes)
{
	char on[256], nn[256];
	uint8_t *o, *n;
	size_t ol, nl;
	pf_hotpatch *hp, *back;
	pf_err err;

	snprintf(on, sizeof on, "old/%s", name);
	snprintf(nn, sizeof nn, "new/%s", name);
	o = slurp(on, &ol);
	n = slurp(nn, &nl);
	if (pf_hotpatch_analyze(o, ol, n, nl, &hp, &err) != PF_OK)
		fail("analysis of '%s': %s", name, err.msg);
	free(o);
	free(n);
	if (pf_hotpatch_set_module(hp, name) != PF_OK)
		fail("out of memory");
	if (hp->n_refused)
		fail("'%s': refused '%s': %s", name, hp->refused[0].name,
		    hp->refused[0].reason);
	pf_buf_init(bytes);
	if (pf_hotpatch_encode(hp, bytes) != PF_OK ||
	    pf_hotpatch_decode(bytes->data, bytes->len, &back, &err) != PF_OK)
		fail("'%s': encoding round trip: %s", name, err.msg);
	printf("# %s: %zu functions, %zu data, %zu bytes encoded\n", name,
	    back->n_funcs, back->n_data, bytes->len);
	pf_hotpatch_free(hp);
	return back;
}

static int
connect_server(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		fail("cannot connect to '%s': %s", sock, strerror(errno));
	return fd;
}

/* Reads until EOF or timeout; out is NUL-terminated. */
static void
read_all(int fd, char *out, size_t n, int timeout_ms)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t k;

	while (len + 1 < n && poll(&pf, 1, timeout_ms) == 1 &&
	    (k = read(fd, out + len, n - 1 - len)) > 0)
		len += (size_t)k;
	out[len] = '\0';
}

/* One request, one answer. */
static void
request(const char *req, char *out, size_t n)
{
	int fd = connect_server();

	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		fail("cannot send '%s'", req);
	read_all(fd, out, n, 10000);
	close(fd);
}

static void
expect(const char *req, const char *want)
{
	char out[256];

	request(req, out, sizeof out);
	if (strcmp(out, want) != 0)
		fail("request '%.*s': expected '%.*s', got '%.*s'",
		    (int)strcspn(req, "\n"), req, (int)strcspn(want, "\n"),
		    want, (int)strcspn(out, "\n"), out);
}

static void
expect_old(void)
{
	expect("ADD 20 22\n", "43\n");
	expect("GREET bob\n", "hello bob\n");
	expect("SCORE 4 30\n", "7\n");
	expect("SCORE 7 9\n", "81\n");
	expect("SUM abc\n", "5863208\n");
}

static void
expect_new(void)
{
	expect("ADD 20 22\n", "42\n");
	expect("GREET bob\n", "hello, Bob!\n");
	expect("SCORE 4 30\n", "10\n");
	expect("SCORE 7 9\n", "81\n");
	expect("SUM abc\n", "193485963\n");
}

/* Starts a program of DIR with its output on a pipe; the child dies
 * with the harness. */
static pid_t
spawn(const char *prog, const char *arg2, int *out)
{
	char path[4096];
	int fd[2];
	pid_t pid;

	snprintf(path, sizeof path, "%s/%s", dir, prog);
	if (pipe2(fd, O_CLOEXEC) < 0 || (pid = fork()) < 0)
		fail("cannot start '%s'", path);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd[1], 1);
		execl(path, path, sock, arg2, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	*out = fd[0];
	return pid;
}

static void
start_server(void)
{
	char line[256];
	int out;

	server = spawn("old/hpserver", "4", &out);
	read_all(out, line, 7, 10000);
	if (strncmp(line, "ready ", 6) != 0)
		fail("the server did not start");
	close(out);
}

static void
note_stats(const pf_live_stats *st)
{
	if (n_stops < STATS_MAX)
		stops[n_stops++] = st->stop_ns;
}

static pf_live_undo *
apply_ok(const pf_hotpatch *hp, const char *what)
{
	pf_live_stats st = {0};
	pf_live_opts o = { .stats = &st };
	pf_live_undo *u, *back;
	pf_buf b;
	pf_err err;

	if (pf_live_apply(server, hp, &o, &u, &err) != PF_OK)
		fail("apply %s: %s", what, err.msg);
	note_stats(&st);
	/* The undo record goes through its bytes, as a state directory
	 * would keep it. */
	pf_buf_init(&b);
	if (pf_live_undo_encode(u, &b) != PF_OK ||
	    pf_live_undo_decode(b.data, b.len, &back, &err) != PF_OK)
		fail("undo round trip: %s", err.msg);
	pf_buf_free(&b);
	pf_live_undo_free(u);
	return back;
}

static void
revert_ok(pf_live_undo *u, const char *what)
{
	pf_live_stats st = {0};
	pf_live_opts o = { .stats = &st };
	pf_err err;

	if (pf_live_revert(server, u, &o, &err) != PF_OK)
		fail("revert %s: %s", what, err.msg);
	note_stats(&st);
	pf_live_undo_free(u);
}

static unsigned long
ask_number(const char *req)
{
	char out[64];

	request(req, out, sizeof out);
	return strtoul(out, NULL, 10);
}

/* The patched checksum must count its calls in the library's own
 * variable, reached through the old GOT slot. */
static void
expect_shared_data(void)
{
	unsigned long before = ask_number("CALLS\n");

	expect("SUM abc\n", "193485963\n");
	if (ask_number("CALLS\n") <= before)
		fail("the patched demo_checksum did not update demo_calls");
}

/* Real-time signals queue instead of merging, so the server must count
 * exactly as many as were sent, whatever the patcher was doing when they
 * arrived (threads stopped, the main thread running mmap for it), and
 * each must carry the value it was sent with (a signal held by the
 * patcher goes back with its siginfo).  A thread of the harness sends
 * them as fast as it can, the nth with the value n. */
static atomic_bool sending;
static unsigned long n_sent, sum_sent;
static pthread_t sender;

static void *
send_signals(void *arg)
{
	struct timespec ts = { 0, 200000 };
	union sigval v;

	(void)arg;
	while (atomic_load(&sending)) {
		v.sival_int = (int)(n_sent % 1000 + 1);
		if (sigqueue(server, SIGRTMIN, v) == 0) {
			n_sent++;
			sum_sent += (unsigned long)v.sival_int;
		}
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void
start_sender(void)
{
	n_sent = sum_sent = 0;
	atomic_store(&sending, true);
	if (pthread_create(&sender, NULL, send_signals, NULL) != 0)
		fail("cannot start a thread");
}

static void
stop_sender(void)
{
	atomic_store(&sending, false);
	pthread_join(sender, NULL);
}

/* What the server counted before the sender started: the counts are
 * checked as differences, whatever earlier rounds sent. */
static void
server_signals(unsigned long *count, unsigned long *sum)
{
	char out[64];

	request("SIGNALS\n", out, sizeof out);
	if (sscanf(out, "%lu %lu", count, sum) != 2)
		fail("SIGNALS answered \"%s\"", out);
}

static void
check_signals(unsigned long count0, unsigned long sum0)
{
	struct timespec ms = { 0, 1000000 };
	unsigned long got = 0, sum = 0;
	int i;

	for (i = 0; i < 10000; i++) {
		server_signals(&got, &sum);
		if (got - count0 >= n_sent)
			break;
		nanosleep(&ms, NULL);
	}
	if (got - count0 != n_sent)
		fail("the server handled %lu of %lu signals", got - count0,
		    n_sent);
	if (sum - sum0 != sum_sent)
		fail("the signals carried values summing to %lu, not %lu",
		    sum - sum0, sum_sent);
	printf("ok - all %lu signals sent during the rounds were handled, "
	    "with their values\n", n_sent);
}

static void
rounds(const pf_hotpatch *exe, const pf_hotpatch *lib, int n)
{
	pf_live_undo *ue, *ul;
	unsigned long count0, sum0;
	int i;

	server_signals(&count0, &sum0);
	start_sender();
	for (i = 0; i < n; i++) {
		ue = apply_ok(exe, "hpserver");
		ul = apply_ok(lib, "libhpdemo.so");
		expect_new();
		expect_shared_data();
		revert_ok(ul, "libhpdemo.so");
		revert_ok(ue, "hpserver");
		expect_old();
	}
	printf("ok - %d rounds of apply and revert under load\n", n);
	stop_sender();
	check_signals(count0, sum0);
}

/* Applying a record that must be refused, and what the error says. */
static void
refused(const pf_hotpatch *hp, pf_ret want, const char *needle,
    const char *what)
{
	pf_live_opts o = { .wait_ms = 1000 };
	pf_live_undo *u = NULL;
	pf_err err;
	pf_ret r = pf_live_apply(server, hp, &o, &u, &err);

	if (r != want || strstr(err.msg, needle) == NULL)
		fail("%s: expected '%s' error with '%s', got %d: %s", what,
		    pf_ret_str(want), needle, (int)r, r ? err.msg : "success");
	printf("ok - %s refused: %s\n", what, err.msg);
	pf_live_undo_free(u);
}

/* The load base of the server executable, from its mapping at file
 * offset 0. */
static uint64_t
server_base(void)
{
	char path[64], line[4352];
	unsigned long long lo, off;
	uint64_t base = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/maps", (int)server);
	if ((f = fopen(path, "re")) == NULL)
		fail("cannot read '%s'", path);
	while (base == 0 && fgets(line, sizeof line, f) != NULL)
		if (strstr(line, "/old/hpserver") != NULL &&
		    sscanf(line, "%llx-%*x %*s %llx", &lo, &off) == 2 &&
		    off == 0)
			base = lo;
	fclose(f);
	if (base == 0)
		fail("hpserver is not in '%s'", path);
	return base;
}

static const pf_hp_func *
func_named(const pf_hotpatch *hp, const char *name)
{
	size_t i;

	for (i = 0; i < hp->n_funcs; i++)
		if (strcmp(hp->funcs[i].name, name) == 0)
			return &hp->funcs[i];
	fail("the patch has no function '%s'", name);
}

/* Flips one byte of park_here in the running server, which only PARK
 * requests run (the client never does), and flips it back. */
static void
flip_park_here(const pf_hotpatch *hp)
{
	const pf_hp_func *f = func_named(hp, "park_here");
	char path[64];
	uint8_t b;
	off_t at = (off_t)(server_base() + f->old_offset + f->old_len - 2);
	int fd;

	snprintf(path, sizeof path, "/proc/%d/mem", (int)server);
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0 ||
	    pread(fd, &b, 1, at) != 1)
		fail("cannot read '%s'", path);
	b ^= 0x01;
	if (pwrite(fd, &b, 1, at) != 1)
		fail("cannot write '%s'", path);
	close(fd);
}

static void
wrong_target(const pf_buf *bytes)
{
	pf_hotpatch *hp;
	pf_err err;

	if (pf_hotpatch_decode(bytes->data, bytes->len, &hp, &err) != PF_OK)
		fail("decode: %s", err.msg);
	hp->build_id[0] ^= 0xff;
	refused(hp, PF_ERR_MISMATCH, "no module with build id", "wrong build id");
	hp->build_id[0] ^= 0xff;
	hp->funcs[0].old_sha256[0] ^= 0xff;
	refused(hp, PF_ERR_MISMATCH, "does not match", "a record for other code");
	hp->funcs[0].old_sha256[0] ^= 0xff;
	flip_park_here(hp);
	refused(hp, PF_ERR_MISMATCH, "function 'park_here' in memory does not "
	    "match", "changed code in the process");
	flip_park_here(hp);
	pf_hotpatch_free(hp);
	expect_old();
}

/* True when a thread of the server is blocked reading a pipe: the
 * request parked in park_here(). */
static bool
parked(void)
{
	char path[300], line[256], link[64];
	struct dirent *d;
	bool found = false;
	DIR *dp;
	FILE *f;
	int nr, fd;

	snprintf(path, sizeof path, "/proc/%d/task", (int)server);
	if ((dp = opendir(path)) == NULL)
		return false;
	while (!found && (d = readdir(dp)) != NULL) {
		snprintf(path, sizeof path, "/proc/%d/task/%s/syscall",
		    (int)server, d->d_name);
		if (d->d_name[0] == '.' || (f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(line, sizeof line, f) && sscanf(line, "%d %x", &nr,
		    (unsigned *)&fd) == 2 && nr == 0) {
			snprintf(path, sizeof path, "/proc/%d/fd/%d",
			    (int)server, fd);
			memset(link, 0, sizeof link);
			found = readlink(path, link, sizeof link - 1) > 0 &&
			    strncmp(link, "pipe:", 5) == 0;
		}
		fclose(f);
	}
	closedir(dp);
	return found;
}

/* Releases the parked request from another thread while apply waits:
 * apply must retry and succeed once the thread has left park_here. */
static void *
unpark_later(void *arg)
{
	struct timespec ts = { 0, 100000000 };

	(void)arg;
	nanosleep(&ts, NULL);
	expect("UNPARK\n", "ok\n");
	return NULL;
}

static pf_live_undo *
apply_waiting(const pf_hotpatch *exe, int parked_fd)
{
	pf_live_stats st = {0};
	pf_live_opts o = { .wait_ms = 20000, .stats = &st };
	pf_live_undo *u;
	pthread_t t;
	char out[64];
	pf_err err;

	if (pthread_create(&t, NULL, unpark_later, NULL) != 0)
		fail("cannot start a thread");
	if (pf_live_apply(server, exe, &o, &u, &err) != PF_OK)
		fail("apply while a thread leaves park_here: %s", err.msg);
	pthread_join(t, NULL);
	read_all(parked_fd, out, sizeof out, 10000);
	close(parked_fd);
	if (strcmp(out, "1\n") != 0)
		fail("the parked request answered '%s'", out);
	note_stats(&st);
	printf("ok - apply waited for the parked thread (%u attempts)\n",
	    st.attempts);
	expect("ADD 20 22\n", "42\n");
	return u;
}

static void
wait_parked(void)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 10000 && !parked(); i++)
		nanosleep(&ms, NULL);
	if (i == 10000)
		fail("no thread parked in park_here");
}

static void
busy_thread(const pf_hotpatch *exe)
{
	int fd = connect_server();
	pf_live_undo *u;

	if (write(fd, "PARK\n", 5) != 5)
		fail("cannot send PARK");
	wait_parked();
	refused(exe, PF_ERR_BUSY, "park_here", "thread inside park_here");
	expect_old();
	revert_ok(apply_waiting(exe, fd), "hpserver");
	u = apply_ok(exe, "hpserver after the thread left");
	expect("ADD 20 22\n", "42\n");
	expect("GREET bob\n", "hello, Bob!\n");
	expect("SCORE 4 30\n", "10\n");
	revert_ok(u, "hpserver");
	expect_old();
	printf("ok - a parked thread makes apply fail cleanly\n");
}

/* Compares the bytes at a site, read through a live thread's memory
 * file (the main thread's has none). */
static bool
site_holds(pid_t pid, const pf_live_site *st, bool patched)
{
	char path[128];
	uint8_t cur[PF_HP_HEAD_MAX];
	struct dirent *d;
	DIR *dp;
	int fd = -1;
	bool ok = false;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	if ((dp = opendir(path)) == NULL)
		return false;
	while (fd < 0 && (d = readdir(dp)) != NULL) {
		snprintf(path, sizeof path, "/proc/%d/task/%.20s/mem",
		    (int)pid, d->d_name);
		if (d->d_name[0] != '.')
			fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	closedir(dp);
	if (fd >= 0 && pread(fd, cur, st->len, (off_t)st->addr) == st->len)
		ok = memcmp(cur, patched ? st->new : st->old, st->len) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* The state letter of a process in /proc/PID/stat. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return '?';
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : '?';
}

/* A process whose main thread called pthread_exit. */
static void
zombie_main(void)
{
	pf_buf bytes;
	pf_hotpatch *hp = make_patch("zombie", &bytes);
	pf_live_opts o = {0};
	pf_live_undo *u;
	struct timespec ms = { 0, 1000000 };
	char line[16];
	pf_err err;
	int out, i;
	pid_t pid = spawn("old/zombie", NULL, &out);

	read_all(out, line, 7, 10000);
	close(out);
	if (strncmp(line, "ready", 5) != 0)
		fail("the zombie test program did not start");
	for (i = 0; i < 10000 && proc_state(pid) != 'Z'; i++)
		nanosleep(&ms, NULL);
	if (i == 10000)
		fail("the main thread of the zombie test program did not exit");
	if (pf_live_apply(pid, hp, &o, &u, &err) != PF_OK)
		fail("apply to a process with a zombie main thread: %s",
		    err.msg);
	if (u->n_sites != 1 || !site_holds(pid, &u->sites[0], true))
		fail("the jump is not in place");
	if (pf_live_revert(pid, u, &o, &err) != PF_OK)
		fail("revert in a process with a zombie main thread: %s",
		    err.msg);
	if (!site_holds(pid, &u->sites[0], false))
		fail("the old bytes are not back");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	pf_live_undo_free(u);
	pf_hotpatch_free(hp);
	pf_buf_free(&bytes);
	printf("ok - a process whose main thread exited is patched\n");
}

static void
stop_client(void)
{
	char out[256];
	int st;

	kill(client, SIGTERM);
	read_all(client_out, out, sizeof out, 20000);
	if (waitpid(client, &st, 0) != client)
		fail("cannot wait for the client");
	client = -1;
	printf("# client: %s", out);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail("the client saw failed requests: %s", out);
	printf("ok - not one request failed\n");
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
print_stops(void)
{
	if (n_stops == 0)
		return;
	qsort(stops, n_stops, sizeof *stops, cmp_u64);
	printf("# stop window over %zu applies and reverts: median %.3f ms, "
	    "p99 %.3f ms, max %.3f ms\n", n_stops,
	    stops[n_stops / 2] / 1e6, stops[n_stops * 99 / 100] / 1e6,
	    stops[n_stops - 1] / 1e6);
}

/* Both records in one stop, with the undo records in a journal that is
 * not saved anywhere; below: the layers it goes on. */
static void
apply_layer(pf_hotpatch *const *hps, pf_live_journal *j,
    const pf_live_journal *below, const char *what)
{
	pf_live_stats st = {0};
	pf_live_opts o = { .stats = &st };
	pf_err err;
	bool clean;

	if (below != NULL) {
		o.below = below->mods;
		o.n_below = below->n_mods;
	}
	memset(j, 0, sizeof *j);
	if (pf_live_apply_all(server, hps, 2, &o, j, &clean, &err) != PF_OK)
		fail("apply %s: %s", what, err.msg);
	note_stats(&st);
}

static void
revert_layer(pf_live_journal *j, const char *what)
{
	pf_live_stats st = {0};
	pf_live_opts o = { .stats = &st };
	pf_err err;
	bool clean;
	size_t k;

	if (pf_live_revert_all(server, j, &o, &clean, &err) != PF_OK)
		fail("revert %s: %s", what, err.msg);
	note_stats(&st);
	for (k = 0; k < j->n_mods; k++)
		pf_live_undo_free(j->mods[k]);
	free(j->mods);
}

/* Every site of the upper layer lies in the memory of the lower one:
 * the same functions again, so every jump goes on a copy below. */
static void
expect_on(const pf_live_journal *up, const pf_live_journal *down)
{
	size_t a, b, i;
	bool in;

	for (a = 0; a < up->n_mods; a++)
		for (i = 0; i < up->mods[a]->n_sites; i++) {
			uint64_t at = up->mods[a]->sites[i].addr;

			in = false;
			for (b = 0; b < down->n_mods; b++)
				in |= at >= down->mods[b]->region && at -
				    down->mods[b]->region <
				    down->mods[b]->region_len;
			if (!in)
				fail("a jump of the upper layer is not on a copy "
				    "of the lower one");
		}
}

static void
stacked_rounds(pf_hotpatch *exe, pf_hotpatch *lib, int n)
{
	pf_hotpatch *hps[2] = { exe, lib };
	pf_live_journal down, up;
	unsigned long count0, sum0;
	int i;

	server_signals(&count0, &sum0);
	start_sender();
	for (i = 0; i < n; i++) {
		apply_layer(hps, &down, NULL, "the lower layer");
		expect_new();
		apply_layer(hps, &up, &down, "the upper layer");
		expect_on(&up, &down);
		expect_new();
		expect_shared_data();
		revert_layer(&up, "the upper layer");
		expect_new();
		revert_layer(&down, "the lower layer");
		expect_old();
	}
	printf("ok - %d rounds of two stacked layers, both modules in one "
	    "stop, under load\n", n);
	stop_sender();
	check_signals(count0, sum0);
}

/* ptrace may be forbidden (Yama, containers without CAP_SYS_PTRACE). */
static bool
ptrace_allowed(void)
{
	int st;

	if (ptrace(PTRACE_SEIZE, server, NULL, NULL) < 0)
		return false;
	ptrace(PTRACE_INTERRUPT, server, NULL, NULL);
	waitpid(server, &st, __WALL);
	ptrace(PTRACE_DETACH, server, NULL, NULL);
	return true;
}

int
main(int argc, char **argv)
{
	pf_hotpatch *exe, *lib;
	pf_buf exe_bytes, lib_bytes;
	int n = argc > 2 ? atoi(argv[2]) : 20;

	if (argc < 2) {
		fprintf(stderr, "usage: hpharness DIR [ROUNDS]\n");
		return 2;
	}
	dir = argv[1];
	alarm(TIMEOUT_S);
	signal(SIGPIPE, SIG_IGN);
	pf_crypto_init();
	snprintf(sock, sizeof sock, "/tmp/hpharness-%d.sock", (int)getpid());
	exe = make_patch("hpserver", &exe_bytes);
	lib = make_patch("libhpdemo.so", &lib_bytes);
	if (!has_func(exe, "add_numbers") || !has_func(exe, "greet") ||
	    !has_func(exe, "park_here") || !has_func(exe, "score") ||
	    !has_func(lib, "demo_checksum"))
		fail("the patches miss a changed function");
	start_server();
	if (!ptrace_allowed()) {
		printf("# skip: ptrace is not permitted here\n");
		cleanup();
		return 77;
	}
	client = spawn("hpclient", "2", &client_out);
	expect_old();
	rounds(exe, lib, n);
	stacked_rounds(exe, lib, n);
	wrong_target(&exe_bytes);
	busy_thread(exe);
	zombie_main();
	stop_client();
	print_stops();
	cleanup();
	pf_hotpatch_free(exe);
	pf_hotpatch_free(lib);
	pf_buf_free(&exe_bytes);
	pf_buf_free(&lib_bytes);
	return 0;
}
