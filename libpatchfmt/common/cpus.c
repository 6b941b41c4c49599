#include <config.h>

#include "common/cpus.h"

/* cpus.h: a job server's count of free CPUs, for helper threads. */

void
pf_cpus_init(pf_cpus *c, int free)
{
	__atomic_store_n(&c->free, free, __ATOMIC_RELAXED);
}

void
pf_cpus_init_threads(pf_cpus *c, unsigned threads)
{
	pf_cpus_init(c, threads == 0 ? 2 : threads > 256 ? 255 :
	    (int)threads - 1);
}

void
pf_cpus_add(pf_cpus *c, int n)
{
	if (c != NULL)
		__atomic_add_fetch(&c->free, n, __ATOMIC_ACQ_REL);
}

static bool
take(pf_cpus *c)
{
	int v = __atomic_load_n(&c->free, __ATOMIC_RELAXED);

	while (v > 0)
		if (__atomic_compare_exchange_n(&c->free, &v, v - 1, false,
		    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return true;
	return false;
}

bool
pf_cpus_spawn(pf_cpus *c, pthread_t *tid, void *(*fn)(void *), void *arg)
{
	if (c == NULL || !take(c))
		return false;
	if (pthread_create(tid, NULL, fn, arg) == 0)
		return true;
	pf_cpus_add(c, 1);
	return false;
}

void
pf_cpus_join(pf_cpus *c, pthread_t tid)
{
	pthread_join(tid, NULL);
	pf_cpus_add(c, 1);
}
