/*
 * Stopping and resuming the threads of a process with ptrace, and making
 * one stopped thread run a system call on the patcher's behalf.
 */
#ifndef PF_LIVE_STOP_H
#define PF_LIVE_STOP_H

#include <stdbool.h>
#include <stddef.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "common/err.h"

typedef struct lv_thread {
	pid_t tid;
	/* Signals taken out of the thread's way while it was stopped, to
	 * be sent again on resume, in the order they came; as many as
	 * came (the kernel bounds queued real-time signals by
	 * RLIMIT_SIGPENDING, and a standard signal is held once). */
	siginfo_t *sigs;
	size_t n_sigs, cap_sigs;
	bool stopped;
	struct user_regs_struct regs;
} lv_thread;

typedef struct lv_stop {
	pid_t pid;
	lv_thread *t;
	size_t n, cap;
	pf_err *err;
} lv_stop;

/* Stops every thread of pid, over and over until no new thread appears;
 * or only the thread tid = pid when all is false.  On failure every
 * thread stopped so far is resumed. */
pf_ret lv_stop_threads(lv_stop *s, pid_t pid, bool all, unsigned wait_ms,
    pf_err *err);
/* Resumes (detaches from) every stopped thread and frees s. */
void lv_stop_resume(lv_stop *s);
/* Runs syscall nr with args in the stopped thread t through the
 * "syscall" instruction at insn, and restores its registers. */
pf_ret lv_remote_syscall(lv_stop *s, lv_thread *t, uint64_t insn, long nr,
    const uint64_t args[6], int64_t *ret);
/* The same in two steps: run leaves t with the system call's registers
 * (so that the caller can record what happened first), restore gives
 * it its own back. */
pf_ret lv_remote_syscall_run(lv_stop *s, lv_thread *t, uint64_t insn,
    long nr, const uint64_t args[6], int64_t *ret);
pf_ret lv_remote_syscall_restore(lv_stop *s, lv_thread *t);
uint64_t lv_now_ns(void);

/*
 * Freezing: SIGSTOP, and wait until every task is stopped.  A frozen
 * process stays stopped when a tracer detaches or dies, so an applier
 * killed while it changes the process leaves it stopped, not half
 * patched and running.  lv_thaw sends SIGCONT.
 */
pf_ret lv_freeze(pid_t pid, unsigned wait_ms, pf_err *err);
void lv_thaw(pid_t pid);
/* Whether every task of pid is stopped already (by someone else). */
bool lv_is_stopped(pid_t pid);

/* Runs the calling thread SCHED_FIFO until lv_rt_end, when permitted
 * (CAP_SYS_NICE), for work that must not be preempted and never waits
 * for another thread of the machine (stop.c says why).  Nests. */
typedef struct lv_rt {
	bool on;
	int policy;
	struct sched_param param;
} lv_rt;

void lv_rt_begin(lv_rt *r);
void lv_rt_end(const lv_rt *r);

#endif
