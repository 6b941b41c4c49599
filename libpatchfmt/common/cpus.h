/*
 * The CPUs a piece of work may still take for helper threads, counted
 * like make's job server: a pool starts with the CPUs it may use beside
 * the calling thread, a helper starts only when it takes one and gives it
 * back when joined, and work that finds none runs on the caller's thread.
 * A tree diff shares one pool between its workers, so that a file's
 * helpers run only on CPUs no other file is using.  What the work
 * computes never depends on where it ran.
 */
#ifndef PF_COMMON_CPUS_H
#define PF_COMMON_CPUS_H

#include <pthread.h>
#include <stdbool.h>

typedef struct pf_cpus {
	int free;               /* atomic; below 0 while oversubscribed */
} pf_cpus;

/* A pool of free CPUs: 0 runs every helper inline. */
void pf_cpus_init(pf_cpus *c, int free);

/*
 * The pool of `threads` as pf_delta_opts counts them: 1 for the caller
 * alone, N for N in all, 0 for as many as useful: three, one more than
 * the two halves of the work, which are seldom equal (on two CPUs the
 * third thread takes the second CPU when the first half ends early).
 */
void pf_cpus_init_threads(pf_cpus *c, unsigned threads);

/* Changes the count without condition (a job starting or ending); c may
 * be NULL. */
void pf_cpus_add(pf_cpus *c, int n);

/*
 * Runs fn(arg) on a thread of its own when c (which may be NULL) has a
 * free CPU and the thread starts; returns whether it did.  Otherwise the
 * caller runs it.
 */
bool pf_cpus_spawn(pf_cpus *c, pthread_t *tid, void *(*fn)(void *),
    void *arg);

/* Joins a thread pf_cpus_spawn() started and gives its CPU back. */
void pf_cpus_join(pf_cpus *c, pthread_t tid);

#endif
