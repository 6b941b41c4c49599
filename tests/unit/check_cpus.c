/*
 * The helper threads' pool (common/cpus.h): a helper starts only on a
 * free CPU of its pool, gives it back when joined, and never more run at
 * once than the pool had, however many threads ask.
 */
#include <config.h>

#include <check.h>
#include <pthread.h>
#include <stdbool.h>

#include "common/cpus.h"
#include "run.h"

static int running, most, ran;

static void *
helper(void *arg)
{
	int now = __atomic_add_fetch(&running, 1, __ATOMIC_ACQ_REL);
	int m = __atomic_load_n(&most, __ATOMIC_RELAXED);
	volatile unsigned spin;

	(void)arg;
	while (now > m && !__atomic_compare_exchange_n(&most, &m, now, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
	for (spin = 0; spin < 20000; spin++)
		;
	__atomic_add_fetch(&ran, 1, __ATOMIC_ACQ_REL);
	__atomic_sub_fetch(&running, 1, __ATOMIC_ACQ_REL);
	return NULL;
}

/* How many helpers the pool starts at once: spawns until one fails. */
static int
capacity(pf_cpus *c)
{
	pthread_t tid[8];
	int n = 0, i;

	while (n < 8 && pf_cpus_spawn(c, &tid[n], helper, NULL))
		n++;
	for (i = 0; i < n; i++)
		pf_cpus_join(c, tid[i]);
	return n;
}

START_TEST(counts)
{
	pf_cpus c;
	pthread_t tid;

	ck_assert(!pf_cpus_spawn(NULL, &tid, helper, NULL));
	pf_cpus_add(NULL, 1);
	pf_cpus_init(&c, 0);
	ck_assert_int_eq(capacity(&c), 0);
	pf_cpus_init(&c, 3);
	ck_assert_int_eq(capacity(&c), 3);
	/* Joined helpers gave their CPUs back. */
	ck_assert_int_eq(capacity(&c), 3);
	/* A job holding a CPU, even past zero, takes it from the helpers. */
	pf_cpus_add(&c, -2);
	ck_assert_int_eq(capacity(&c), 1);
	pf_cpus_add(&c, -2);
	ck_assert_int_eq(capacity(&c), 0);
	pf_cpus_add(&c, 4);
	ck_assert_int_eq(capacity(&c), 3);
	/* pf_delta_opts.threads: 1 the caller alone, N in all, 0 three. */
	pf_cpus_init_threads(&c, 1);
	ck_assert_int_eq(capacity(&c), 0);
	pf_cpus_init_threads(&c, 4);
	ck_assert_int_eq(capacity(&c), 3);
	pf_cpus_init_threads(&c, 0);
	ck_assert_int_eq(capacity(&c), 2);
}
END_TEST

/* Many threads asking at once never get more helpers than the pool. */
typedef struct asker {
	pf_cpus *c;
	int started;
} asker;

static void *
ask(void *arg)
{
	asker *a = arg;
	pthread_t tid;
	int i;

	for (i = 0; i < 300; i++) {
		if (pf_cpus_spawn(a->c, &tid, helper, NULL)) {
			a->started++;
			pf_cpus_join(a->c, tid);
		} else {
			__atomic_add_fetch(&ran, 1, __ATOMIC_ACQ_REL);
		}
	}
	return NULL;
}

START_TEST(never_more)
{
	pf_cpus c;
	pthread_t t[6];
	asker a[6];
	int i, started = 0;

	running = most = ran = 0;
	pf_cpus_init(&c, 2);
	for (i = 0; i < 6; i++) {
		a[i] = (asker){ &c, 0 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, ask, &a[i]), 0);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		started += a[i].started;
	}
	ck_assert_int_eq(ran, 6 * 300);
	ck_assert_int_gt(started, 0);
	ck_assert_int_le(most, 2);
	ck_assert_int_eq(capacity(&c), 2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cpus");
	TCase *tc = tcase_create("cpus");

	tcase_add_test(tc, counts);
	tcase_add_test(tc, never_more);
	suite_add_tcase(s, tc);
	return pf_check_run(s);
}
