/*
 * Stopping every thread: PTRACE_SEIZE and PTRACE_INTERRUPT for each task
 * in /proc/PID/task, again until a pass finds no new task (a thread
 * running when the pass began may have created another).  Resuming is
 * PTRACE_DETACH, then delivering again every signal that arrived while
 * the thread was stopped.
 */
#include <config.h>

#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "live/stop.h"

#define SYSCALL_TRIES 16
#define ZOMBIE_LOOK_NS 1000000u
/* How long a system call made for the patcher may be held up by signals
 * (run_syscall). */
#define SYSCALL_WAIT_NS 1000000000u

uint64_t
lv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Every PTRACE_INTERRUPT and PTRACE_DETACH wakes a thread, and the
 * scheduler likes to run a woken thread at once on the waker's CPU: the
 * patcher is then preempted once per thread, which on a virtual machine
 * costs tens of microseconds each time and stretches the window in which
 * threads are stopped by milliseconds.  While it issues those requests
 * (it never waits for anything then), the patcher runs as a real-time
 * thread when it may (CAP_SYS_NICE); otherwise nothing changes.
 */
void
lv_rt_begin(lv_rt *r)
{
	struct sched_param sp = { .sched_priority = 1 };

	r->policy = sched_getscheduler(0);
	r->on = r->policy >= 0 && sched_getparam(0, &r->param) == 0 &&
	    sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
}

void
lv_rt_end(const lv_rt *r)
{
	if (r->on)
		sched_setscheduler(0, r->policy, &r->param);
}

/*
 * A signal the patcher took out of a thread's way (a signal-delivery-stop
 * it resumes from without the signal), kept with its siginfo to be sent
 * again on resume.  A standard signal already held is not held twice:
 * sent to a thread that does not run, the kernel would have merged them
 * too.  Real-time signals queue, so each one is held.  When there is no
 * memory to hold it, the signal is made pending again at once, so that
 * it is not lost (the thread meets it again once it runs).
 */
static pf_ret
hold(lv_stop *s, lv_thread *t, int sig)
{
	siginfo_t si;
	size_t i;

	memset(&si, 0, sizeof si);
	if (ptrace(PTRACE_GETSIGINFO, t->tid, NULL, &si) < 0 ||
	    si.si_signo != sig) {
		memset(&si, 0, sizeof si);
		si.si_signo = sig;
		si.si_code = SI_TKILL;
	}
	if (sig < SIGRTMIN)
		for (i = 0; i < t->n_sigs; i++)
			if (t->sigs[i].si_signo == sig)
				return PF_OK;
	if (t->n_sigs == t->cap_sigs) {
		size_t cap = t->cap_sigs ? 2 * t->cap_sigs : 8;
		void *p = reallocarray(t->sigs, cap, sizeof *t->sigs);

		if (p == NULL) {
			syscall(SYS_tgkill, (int)s->pid, (int)t->tid, sig);
			return pf_err_nomem(s->err);
		}
		t->sigs = p;
		t->cap_sigs = cap;
	}
	t->sigs[t->n_sigs++] = si;
	return PF_OK;
}

/*
 * Sends a held signal again.  A signal queued by a process (sigqueue,
 * timers, message queues, asynchronous I/O: a negative si_code other
 * than SI_TKILL) goes back with its siginfo, value and sender included;
 * the kernel lets no one else forge the rest (kill, tgkill, the
 * kernel's own), which go back as tgkill sends them.
 */
static void
send_again(pid_t pid, pid_t tid, siginfo_t *si)
{
	if (si->si_code < 0 && si->si_code != SI_TKILL &&
	    syscall(SYS_rt_tgsigqueueinfo, (int)pid, (int)tid, si->si_signo,
	    si) == 0)
		return;
	syscall(SYS_tgkill, (int)pid, (int)tid, si->si_signo);
}

static lv_thread *
find(lv_stop *s, pid_t tid)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->t[i].tid == tid)
			return &s->t[i];
	return NULL;
}

static pf_ret
add(lv_stop *s, pid_t tid)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		void *p = realloc(s->t, cap * sizeof *s->t);

		if (p == NULL)
			return pf_err_nomem(s->err);
		s->t = p;
		s->cap = cap;
	}
	memset(&s->t[s->n], 0, sizeof *s->t);
	s->t[s->n++].tid = tid;
	return PF_OK;
}

/* The state letter of a task (field 3 of its stat file), or 0. */
static char
task_state(pid_t pid, pid_t tid)
{
	char name[96], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(name, sizeof name, "/proc/%d/task/%d/stat", (int)pid,
	    (int)tid);
	if ((f = fopen(name, "re")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

/* A zombie thread (a main thread that called pthread_exit) runs no code
 * and cannot be traced. */
static bool
is_zombie(pid_t pid, pid_t tid)
{
	return task_state(pid, tid) == 'Z';
}

/* Whether every task of pid is stopped (or dead); *any says whether
 * there is a task at all. */
static bool
all_stopped(pid_t pid, bool *any)
{
	char name[64];
	struct dirent *d;
	DIR *dir;
	bool all = true;
	char st;

	*any = false;
	snprintf(name, sizeof name, "/proc/%d/task", (int)pid);
	if ((dir = opendir(name)) == NULL)
		return false;
	while (all && (d = readdir(dir)) != NULL) {
		pid_t tid = (pid_t)atoi(d->d_name);

		if (tid <= 0)
			continue;
		*any = true;
		st = task_state(pid, tid);
		all = st == 'T' || st == 't' || st == 'Z' || st == 'X' ||
		    st == 0;
	}
	closedir(dir);
	return all;
}

bool
lv_is_stopped(pid_t pid)
{
	bool any;

	return all_stopped(pid, &any) && any;
}

pf_ret
lv_freeze(pid_t pid, unsigned wait_ms, pf_err *err)
{
	uint64_t deadline = lv_now_ns() + (uint64_t)wait_ms * 1000000u;
	bool any;

	/* A SIGSTOP sent to a stopped process would stay pending, and be
	 * met by the first thread the applier makes run. */
	if (all_stopped(pid, &any) && any)
		return PF_OK;
	if (kill(pid, SIGSTOP) < 0)
		return pf_err_errno(err, PF_ERR_MISMATCH, errno, "cannot stop "
		    "process %d", (int)pid);
	while (!all_stopped(pid, &any)) {
		if (lv_now_ns() > deadline) {
			kill(pid, SIGCONT);
			return pf_err_set(err, PF_ERR_BUSY, "process %d did not "
			    "stop in time", (int)pid);
		}
		sched_yield();
	}
	return PF_OK;
}

void
lv_thaw(pid_t pid)
{
	kill(pid, SIGCONT);
}

/* Attaches to and interrupts one thread; a thread that has just exited
 * is no error. */
static pf_ret
seize(lv_stop *s, pid_t tid)
{
	pf_ret r;

	/* TRACESYSGOOD: a system-call stop is not a SIGTRAP, so a thread
	 * left in one by an applier that dies gets no signal
	 * (lv_remote_syscall). */
	if (ptrace(PTRACE_SEIZE, tid, NULL,
	    (void *)(uintptr_t)PTRACE_O_TRACESYSGOOD) < 0) {
		if (errno == ESRCH || (errno == EPERM &&
		    is_zombie(s->pid, tid)))
			return PF_OK;
		return pf_err_errno(s->err, PF_ERR_IO, errno, "cannot attach to thread %d of process "
		    "%d (already traced, or no CAP_SYS_PTRACE, or Yama "
		    "ptrace_scope)", (int)tid, (int)s->pid);
	}
	if ((r = add(s, tid)) != PF_OK) {
		ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return r;
	}
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 && errno != ESRCH)
		return pf_err_errno(s->err, PF_ERR_IO, errno, "cannot stop "
		    "thread %d", (int)tid);
	return PF_OK;
}

/* Seizes every task not seized yet, or with all false a single one (the
 * main thread unless it cannot be: a main thread that called
 * pthread_exit is a zombie); *added says how many. */
static pf_ret
seize_new(lv_stop *s, bool all, size_t *added)
{
	char name[64];
	struct dirent *d;
	DIR *dir;
	lv_rt rt;
	pf_ret r = PF_OK;
	size_t before = s->n;

	snprintf(name, sizeof name, "/proc/%d/task", (int)s->pid);
	if ((dir = opendir(name)) == NULL)
		return pf_err_errno(s->err, PF_ERR_MISMATCH, errno, "cannot "
		    "list the threads of process %d", (int)s->pid);
	lv_rt_begin(&rt);
	while ((all ? r == PF_OK : s->n == 0) && (d = readdir(dir)) != NULL) {
		pid_t tid = (pid_t)atoi(d->d_name);

		if (tid > 0 && find(s, tid) == NULL)
			r = seize(s, tid);
	}
	lv_rt_end(&rt);
	closedir(dir);
	*added = s->n - before;
	/* With all false, r is the result for the thread that was taken,
	 * or the last refusal when none could be. */
	return r;
}

/* Collects the stops of every seized thread; a thread that exits is
 * dropped from the set. */
static pf_ret
wait_stops(lv_stop *s, uint64_t deadline)
{
	uint64_t next_look = lv_now_ns() + ZOMBIE_LOOK_NS;
	size_t i, left;
	bool look;
	int st;

	do {
		/* A thread that exits while it is seized never stops; once a
		 * millisecond, those still running are looked at. */
		look = lv_now_ns() > next_look;
		if (look)
			next_look = lv_now_ns() + ZOMBIE_LOOK_NS;
		left = 0;
		for (i = 0; i < s->n; i++) {
			lv_thread *t = &s->t[i];
			pid_t w;

			if (t->stopped)
				continue;
			w = waitpid(t->tid, &st, __WALL | WNOHANG);
			if (w == t->tid && WIFSTOPPED(st)) {
				t->stopped = true;
				/* A signal-delivery-stop: hold the signal and
				 * deliver it again on resume. */
				if (st >> 16 == 0 && WSTOPSIG(st) != SIGTRAP &&
				    hold(s, t, WSTOPSIG(st)) != PF_OK)
					return PF_ERR_NOMEM;
			} else if ((w == t->tid && !WIFSTOPPED(st)) ||
			    (w < 0 && errno == ECHILD) ||
			    (look && is_zombie(s->pid, t->tid))) {
				free(t->sigs);
				s->t[i--] = s->t[--s->n];
			} else {
				left++;
			}
		}
		if (left)
			sched_yield();
		if (left && lv_now_ns() > deadline)
			return pf_err_set(s->err, PF_ERR_BUSY, "%zu threads of "
			    "process %d did not stop in time", left,
			    (int)s->pid);
	} while (left);
	return PF_OK;
}

pf_ret
lv_stop_threads(lv_stop *s, pid_t pid, bool all, unsigned wait_ms,
    pf_err *err)
{
	uint64_t deadline = lv_now_ns() + (uint64_t)wait_ms * 1000000u;
	size_t added = 1, i;
	pf_ret r = PF_OK;

	memset(s, 0, sizeof *s);
	s->pid = pid;
	s->err = err;
	while (added > 0 && r == PF_OK) {
		if ((r = seize_new(s, all, &added)) == PF_OK)
			r = wait_stops(s, deadline);
	}
	for (i = 0; r == PF_OK && i < s->n; i++)
		if (ptrace(PTRACE_GETREGS, s->t[i].tid, NULL,
		    &s->t[i].regs) < 0)
			r = pf_err_errno(err, PF_ERR_IO, errno, "cannot read "
			    "the registers of thread %d", (int)s->t[i].tid);
	if (r == PF_OK && s->n == 0)
		r = pf_err_set(err, PF_ERR_MISMATCH, "process %d has no "
		    "threads left", (int)pid);
	if (r != PF_OK)
		lv_stop_resume(s);
	return r;
}

void
lv_stop_resume(lv_stop *s)
{
	lv_rt rt;
	size_t i, j;

	lv_rt_begin(&rt);
	for (i = 0; i < s->n; i++)
		ptrace(PTRACE_DETACH, s->t[i].tid, NULL, NULL);
	lv_rt_end(&rt);
	/* Sent again once the thread runs: real-time signals queue, so
	 * each one held must be sent once more, not folded into one. */
	for (i = 0; i < s->n; i++) {
		for (j = 0; j < s->t[i].n_sigs; j++)
			send_again(s->pid, s->t[i].tid, &s->t[i].sigs[j]);
		free(s->t[i].sigs);
	}
	free(s->t);
	s->t = NULL;
	s->n = s->cap = 0;
}

/*
 * Runs t from the syscall instruction to the end of the system call with
 * PTRACE_SYSCALL: an entry stop, then an exit stop.  Neither is a signal
 * (TRACESYSGOOD), so should the applier die here the thread gets none,
 * as it would a SIGTRAP from a single step; in a frozen process it stays
 * stopped for the recovery.  A signal that arrives in the meantime is
 * held for delivery on resume.
 */
static pf_ret
run_syscall(lv_stop *s, lv_thread *t)
{
	uint64_t deadline = lv_now_ns() + SYSCALL_WAIT_NS;
	int st, i, stops = 0;
	pf_ret r;

	/*
	 * A signal that arrives meanwhile stops the thread once more, before
	 * the call or after it; it is held and uses up no try, so that a
	 * process busy with signals does not fail the call.  What bounds
	 * the loop then is time: a thread flooded with signals for longer
	 * than SYSCALL_WAIT_NS fails the call (and the patch, which is
	 * undone), it does not keep the process stopped.
	 */
	for (i = 0; i < SYSCALL_TRIES && stops < 2; i++) {
		if (ptrace(PTRACE_SYSCALL, t->tid, NULL, NULL) < 0 ||
		    waitpid(t->tid, &st, __WALL) != t->tid)
			break;
		if (!WIFSTOPPED(st))
			return pf_err_set(s->err, PF_ERR_IO, "thread %d ended "
			    "during a system call made for the patcher",
			    (int)t->tid);
		/* An interrupt still pending from the stop comes before the
		 * instruction ran: go on. */
		if (st >> 16 == PTRACE_EVENT_STOP)
			continue;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			stops++;
			continue;
		}
		if ((r = hold(s, t, WSTOPSIG(st))) != PF_OK)
			return r;
		if (lv_now_ns() > deadline)
			return pf_err_set(s->err, PF_ERR_BUSY, "thread %d kept "
			    "receiving signals during a system call made for "
			    "the patcher", (int)t->tid);
		i--;
	}
	if (stops == 2)
		return PF_OK;
	return pf_err_errno(s->err, PF_ERR_IO, errno, "cannot run a system "
	    "call in thread %d", (int)t->tid);
}

pf_ret
lv_remote_syscall_run(lv_stop *s, lv_thread *t, uint64_t insn, long nr,
    const uint64_t a[6], int64_t *ret)
{
	struct user_regs_struct r = t->regs;
	pf_ret rc;

	r.rip = insn;
	r.rax = (uint64_t)nr;
	/* orig_rax -1: the kernel must not treat the stop as an interrupted
	 * system call and restart that one instead of ours. */
	r.orig_rax = (uint64_t)-1;
	r.rdi = a[0];
	r.rsi = a[1];
	r.rdx = a[2];
	r.r10 = a[3];
	r.r8 = a[4];
	r.r9 = a[5];
	*ret = -1;
	if (ptrace(PTRACE_SETREGS, t->tid, NULL, &r) < 0)
		return pf_err_errno(s->err, PF_ERR_IO, errno, "cannot set the "
		    "registers of thread %d", (int)t->tid);
	rc = run_syscall(s, t);
	if (rc == PF_OK && ptrace(PTRACE_GETREGS, t->tid, NULL, &r) < 0)
		rc = pf_err_errno(s->err, PF_ERR_IO, errno, "cannot read the "
		    "registers of thread %d", (int)t->tid);
	if (rc == PF_OK)
		*ret = (int64_t)r.rax;
	return rc;
}

pf_ret
lv_remote_syscall_restore(lv_stop *s, lv_thread *t)
{
	if (ptrace(PTRACE_SETREGS, t->tid, NULL, &t->regs) < 0)
		return pf_err_errno(s->err, PF_ERR_IO, errno, "cannot restore "
		    "the registers of thread %d", (int)t->tid);
	return PF_OK;
}

pf_ret
lv_remote_syscall(lv_stop *s, lv_thread *t, uint64_t insn, long nr,
    const uint64_t a[6], int64_t *ret)
{
	pf_ret rc = lv_remote_syscall_run(s, t, insn, nr, a, ret), rc2;

	rc2 = lv_remote_syscall_restore(s, t);
	return rc != PF_OK ? rc : rc2;
}
