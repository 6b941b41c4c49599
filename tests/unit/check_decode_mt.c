/*
 * Unit tests of the decoder's second thread (libpatchfmt/delta/decoder.c,
 * pf_delta_check.threads): the same NEW as with one thread, whatever the
 * speeds of OLD's reads and of the output; nothing written when OLD is
 * wrong, whatever else fails; a failed write stops the decoding, and no
 * piece is written after it; copies from NEW read only what is written.
 */
#include <config.h>

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "delta/delta.h"
#include "delta/window.h"
#include "files.h"
#include "run.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 24);
}

/* Bytes that compress a little: random words from a small vocabulary. */
static uint8_t *
text_bytes(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < n; i++)
		p[i] = (i % 8 == 7) ? ' ' : (uint8_t)('a' + rnd() % 16);
	return p;
}

/* OLD with every 997th byte changed and a block inserted in the middle. */
static uint8_t *
edited(const uint8_t *old, size_t on, size_t *nn)
{
	size_t i, ins = 5000, mid = on / 2;
	uint8_t *p = malloc(on + ins);

	ck_assert_ptr_nonnull(p);
	memcpy(p, old, mid);
	for (i = 0; i < ins; i++)
		p[mid + i] = (uint8_t)rnd();
	memcpy(p + mid + ins, old + mid, on - mid);
	for (i = 0; i < on + ins; i += 997)
		p[i] ^= 0x5a;
	*nn = on + ins;
	return p;
}

static void
sleep_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

/* OLD in memory, its reads slowed down or failing on request. */
typedef struct slow_old {
	const uint8_t *p;
	long delay_us;
	int fail_at;            /* the read that fails (1-based); 0: none */
	int reads;              /* from both threads: atomic */
} slow_old;

static pf_ret
old_read_at(void *opaque, uint64_t off, void *buf, size_t n, pf_err *err)
{
	slow_old *o = opaque;
	int k = __atomic_add_fetch(&o->reads, 1, __ATOMIC_SEQ_CST);

	if (o->fail_at > 0 && k >= o->fail_at)
		return pf_err_set(err, PF_ERR_IO, "input/output error (test)");
	if (o->delay_us > 0)
		sleep_us(o->delay_us);
	memcpy(buf, o->p + off, n);
	return PF_OK;
}

/* The output: kept, read back, slowed down or failing on request. */
typedef struct sink {
	pf_buf buf;
	long delay_us;
	int writes;
	int fail_at;            /* the write that fails (1-based); 0: none */
	int after_fail;         /* writes attempted after the failure */
	int beyond;             /* reads back past what was written */
} sink;

static pf_ret
sink_write(void *opaque, const void *p, size_t n, pf_err *err)
{
	sink *s = opaque;

	if (s->fail_at > 0 && s->writes >= s->fail_at) {
		s->after_fail++;
		return pf_err_set(err, PF_ERR_IO, "write after the failure");
	}
	if (++s->writes == s->fail_at)
		return pf_err_set(err, PF_ERR_IO, "no space left (test)");
	if (s->delay_us > 0)
		sleep_us(s->delay_us);
	pf_buf_append(&s->buf, p, n);
	return PF_OK;
}

static pf_ret
sink_open(void *opaque, pf_err *err)
{
	(void)opaque;
	(void)err;
	return PF_OK;
}

static pf_ret
sink_read_at(void *opaque, uint64_t off, void *p, size_t n, pf_err *err)
{
	sink *s = opaque;

	if (off > s->buf.len || n > s->buf.len - off) {
		s->beyond = 1;
		return pf_err_set(err, PF_ERR_IO, "read past the output");
	}
	memcpy(p, s->buf.data + off, n);
	return PF_OK;
}

static pf_ret
decode_from(const pf_buf *delta, slow_old *so, size_t on, unsigned threads,
    sink *s, pf_err *err)
{
	pf_delta_check chk = { "old", false, threads };
	pf_readback back = { sink_open, sink_read_at, s };
	pf_ostream os = { sink_write, s };
	pf_source src = { old_read_at, so, on };
	pf_istream in;
	pf_mem_in mem;

	pf_buf_init(&s->buf);
	pf_err_clear(err);
	pf_istream_from_mem(&in, &mem, delta->data, delta->len);
	return pf_delta_decode_rb(&in, &src, &chk, &os, &back, UINT64_MAX,
	    err);
}

static pf_ret
decode_mt(const pf_buf *delta, const uint8_t *old, size_t on,
    unsigned threads, long old_delay, sink *s, pf_err *err)
{
	slow_old so = { old, old_delay, 0, 0 };

	return decode_from(delta, &so, on, threads, s, err);
}

static void
encode(const uint8_t *old, size_t on, const uint8_t *nw, size_t nn,
    pf_buf *out)
{
	pf_err err;

	pf_buf_init(out);
	ck_assert_msg(pf_delta_encode(old, on, nw, nn, NULL, out, &err) ==
	    PF_OK, "encode: %s", err.msg);
}

/* NEW decoded with one thread and with two, at several speeds. */
static void
check_same(const pf_buf *delta, const uint8_t *old, size_t on,
    const uint8_t *nw, size_t nn)
{
	static const struct {
		long old_delay, out_delay;
	} speeds[] = { { 0, 0 }, { 200, 0 }, { 0, 300 }, { 50, 50 } };
	pf_err err;
	size_t i;
	unsigned t;
	sink s;

	for (i = 0; i < sizeof speeds / sizeof speeds[0]; i++) {
		for (t = 0; t <= 2; t++) {
			memset(&s, 0, sizeof s);
			s.delay_us = speeds[i].out_delay;
			ck_assert_msg(decode_mt(delta, old, on, t,
			    speeds[i].old_delay, &s, &err) == PF_OK,
			    "threads %u: %s", t, err.msg);
			ck_assert_uint_eq(s.buf.len, nn);
			ck_assert(memcmp(s.buf.data, nw, nn) == 0);
			ck_assert_int_eq(s.beyond, 0);
			pf_buf_free(&s.buf);
		}
	}
}

/*
 * A read of OLD that fails, in either thread (OLD's check, a page of
 * the prediction computed ahead, or a copy): that error, no hang.
 */
static void
check_read_fails(const pf_buf *delta, const uint8_t *old, size_t on)
{
	slow_old so = { old, 0, 0, 0 };
	pf_err err;
	int i, all;
	sink s;

	memset(&s, 0, sizeof s);
	ck_assert_int_eq(decode_from(delta, &so, on, 2, &s, &err), PF_OK);
	pf_buf_free(&s.buf);
	all = so.reads;
	for (i = 1; i <= all; i += 1 + all / 7) {
		memset(&s, 0, sizeof s);
		so = (slow_old){ old, 0, i, 0 };
		ck_assert_int_eq(decode_from(delta, &so, on, 2, &s, &err),
		    PF_ERR_IO);
		ck_assert_str_eq(err.msg, "input/output error (test)");
		pf_buf_free(&s.buf);
	}
}

START_TEST(test_same_output)
{
	size_t on = 3u << 20, nn;
	uint8_t *old = text_bytes(on), *nw = edited(old, on, &nn);
	pf_buf d;

	encode(old, on, nw, nn, &d);
	check_same(&d, old, on, nw, nn);
	check_read_fails(&d, old, on);
	pf_buf_free(&d);
	free(old);
	free(nw);
}
END_TEST

/* With SELF, every copy from NEW waits for what it reads to be written. */
START_TEST(test_self_reads_written)
{
	size_t on = 1u << 20, part = 600000, nn = 4 * part, i;
	uint8_t *old = text_bytes(on), *nw = malloc(nn);
	pf_source o, n;
	pf_ostream os;
	pf_delta_info info;
	pf_err err;
	pf_buf d;

	ck_assert_ptr_nonnull(nw);
	/* NEW: one new random part, four times, each a little edited. */
	for (i = 0; i < part; i++)
		nw[i] = (uint8_t)rnd();
	for (i = 1; i < 4; i++) {
		memcpy(nw + i * part, nw, part);
		nw[i * part + 1000 * i] ^= 1;
	}
	pf_buf_init(&d);
	pf_source_from_mem(&o, old, on);
	pf_source_from_mem(&n, nw, nn);
	pf_ostream_to_buf(&os, &d);
	ck_assert_msg(pf_delta_encode_window(&o, &n, 16u << 20, 1, &os,
	    &err) == PF_OK, "encode: %s", err.msg);
	ck_assert_int_eq(pf_delta_read_info(d.data, d.len, &info, &err), PF_OK);
	ck_assert(info.flags & PF_DELTA_FLAG_SELF);
	check_same(&d, old, on, nw, nn);
	pf_buf_free(&d);
	free(old);
	free(nw);
}
END_TEST

/*
 * A wrong OLD of the right size: refused as a mismatch, whatever the
 * decoder met first, and nothing is written, even when the check is slow
 * and the decoder fills every slot before it ends.
 */
START_TEST(test_wrong_old_writes_nothing)
{
	size_t on = 2u << 20, nn;
	uint8_t *old = text_bytes(on), *nw = edited(old, on, &nn);
	long delays[] = { 0, 100 };
	pf_err err;
	size_t i, at;
	pf_buf d;
	sink s;

	encode(old, on, nw, nn, &d);
	for (at = 0; at < on; at += on / 3) {
		old[at] ^= 0xff;
		for (i = 0; i < 2; i++) {
			memset(&s, 0, sizeof s);
			ck_assert_int_eq(decode_mt(&d, old, on, 2, delays[i],
			    &s, &err), PF_ERR_MISMATCH);
			ck_assert_msg(strstr(err.msg, "'old' does not match")
			    != NULL, "%s", err.msg);
			ck_assert_int_eq(s.writes, 0);
			pf_buf_free(&s.buf);
		}
		old[at] ^= 0xff;
	}
	pf_buf_free(&d);
	free(old);
	free(nw);
}
END_TEST

/* A failed write is the error, and nothing is written after it. */
START_TEST(test_write_fails)
{
	size_t on = 2u << 20, nn;
	uint8_t *old = text_bytes(on), *nw = edited(old, on, &nn);
	int at[] = { 1, 2, 17, 33 };
	pf_err err;
	size_t i;
	pf_buf d;
	sink s;

	encode(old, on, nw, nn, &d);
	for (i = 0; i < sizeof at / sizeof at[0]; i++) {
		memset(&s, 0, sizeof s);
		s.fail_at = at[i];
		ck_assert_int_eq(decode_mt(&d, old, on, 2, 0, &s, &err),
		    PF_ERR_IO);
		ck_assert_str_eq(err.msg, "no space left (test)");
		ck_assert_int_eq(s.writes, at[i]);
		ck_assert_int_eq(s.after_fail, 0);
		pf_buf_free(&s.buf);
	}
	pf_buf_free(&d);
	free(old);
	free(nw);
}
END_TEST

/* A damaged delta fails as with one thread, and its memory is freed. */
START_TEST(test_damaged)
{
	size_t on = 1u << 20, nn, i;
	uint8_t *old = text_bytes(on), *nw = edited(old, on, &nn);
	pf_ret one, two;
	pf_err err;
	pf_buf d;
	sink s;

	encode(old, on, nw, nn, &d);
	for (i = d.len / 4; i < d.len; i += d.len / 7) {
		d.data[i] ^= 0x10;
		memset(&s, 0, sizeof s);
		one = decode_mt(&d, old, on, 1, 0, &s, &err);
		pf_buf_free(&s.buf);
		memset(&s, 0, sizeof s);
		two = decode_mt(&d, old, on, 2, 0, &s, &err);
		pf_buf_free(&s.buf);
		ck_assert_int_ne(two, PF_OK);
		ck_assert_int_eq(one, two);
		d.data[i] ^= 0x10;
	}
	pf_buf_free(&d);
	free(old);
	free(nw);
}
END_TEST

/* A real pair, whose delta predicts OLD's references (section 10). */
START_TEST(test_predicted_pair)
{
	const char *corpus = getenv("PF_CORPUS");
	char path[2048];
	uint8_t *old, *nw;
	size_t on, nn;
	pf_buf d;

	if (corpus == NULL)
		return;
	snprintf(path, sizeof path, "%s/pairs/libssl/old", corpus);
	if ((old = pf_test_slurp(path, &on)) == NULL)
		return;
	snprintf(path, sizeof path, "%s/pairs/libssl/new", corpus);
	nw = pf_test_slurp(path, &nn);
	ck_assert_ptr_nonnull(nw);
	encode(old, on, nw, nn, &d);
	check_same(&d, old, on, nw, nn);
	check_read_fails(&d, old, on);
	pf_buf_free(&d);
	free(old);
	free(nw);
}
END_TEST

static Suite *
decode_mt_suite(void)
{
	Suite *s = suite_create("decode_mt");
	TCase *t = tcase_create("second thread");

	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_same_output);
	tcase_add_test(t, test_self_reads_written);
	tcase_add_test(t, test_wrong_old_writes_nothing);
	tcase_add_test(t, test_write_fails);
	tcase_add_test(t, test_damaged);
	tcase_add_test(t, test_predicted_pair);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return pf_check_run(decode_mt_suite());
}
