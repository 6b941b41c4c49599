/*
 * The LZMA2 and .xz wrappers (compress/) and the small common helpers
 * under everything (buffers, errors, file reading): what they do with
 * damaged input, failing streams, impossible options and too little
 * memory.  The happy paths are covered by every package test; these are
 * the paths a hostile package or a full machine takes.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lzma.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/stream.h"
#include "compress/lzma.h"
#include "compress/xz.h"
#include "run.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static uint8_t text[200000];

static void
fill_text(void)
{
	uint32_t x = 12345;
	size_t i;

	/* Compressible but not trivial: words from a small alphabet. */
	for (i = 0; i < sizeof text; i++) {
		x = x * 1103515245 + 12345;
		text[i] = (x >> 16) % 7 == 0 ? ' ' : 'a' + (x >> 20) % 6;
	}
}

static void
encode(const uint8_t *in, size_t n, pf_buf *out, uint32_t *dict)
{
	pf_lzma_opts o = { .preset = 6 };
	pf_err err;

	pf_buf_init(out);
	ck_assert_int_eq(pf_lzma_encode(in, n, &o, out, dict, &err), PF_OK);
}

static pf_ret
decode(const uint8_t *p, size_t n, uint64_t dict, uint64_t size,
    pf_buf *out, pf_err *err)
{
	pf_mem_in m;
	pf_istream in;
	pf_ostream os;

	pf_buf_init(out);
	pf_istream_from_mem(&in, &m, p, n);
	pf_ostream_to_buf(&os, out);
	return pf_lzma_decode(&in, dict, false, &os, size, err);
}

START_TEST(lzma_round_trip_and_damage)
{
	pf_buf z, out;
	uint32_t dict;
	pf_err err;

	encode(text, sizeof text, &z, &dict);
	ck_assert_int_eq(decode(z.data, z.len, dict, sizeof text, &out, &err),
	    PF_OK);
	ck_assert_uint_eq(out.len, sizeof text);
	ck_assert(memcmp(out.data, text, sizeof text) == 0);
	pf_buf_free(&out);

	/* Declared size smaller than the data: refused as it grows. */
	ck_assert_int_eq(decode(z.data, z.len, dict, 1000, &out, &err),
	    PF_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "more than the 1000 bytes"));
	pf_buf_free(&out);

	/* Declared size larger than the data. */
	ck_assert_int_eq(decode(z.data, z.len, dict, sizeof text + 1, &out,
	    &err), PF_ERR_CORRUPT);
	pf_buf_free(&out);

	/* Truncated. */
	ck_assert_int_eq(decode(z.data, z.len / 2, dict, sizeof text, &out,
	    &err), PF_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "corrupt or truncated"));
	pf_buf_free(&out);

	/* Dictionary sizes the manifest could never have allowed. */
	ck_assert_int_eq(decode(z.data, z.len, 100, sizeof text, &out, &err),
	    PF_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "dictionary size"));
	pf_buf_free(&out);
	ck_assert_int_eq(decode(z.data, z.len, PF_LZMA_MAX_DICT + 1,
	    sizeof text, &out, &err), PF_ERR_CORRUPT);
	pf_buf_free(&out);

	/* A byte after the end of the LZMA2 data. */
	pf_buf_append(&z, "x", 1);
	ck_assert_int_eq(decode(z.data, z.len, dict, sizeof text, &out, &err),
	    PF_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "garbage after"));
	pf_buf_free(&out);

	/* Garbage from the start. */
	memset(z.data, 0xff, 16);
	ck_assert_int_eq(decode(z.data, z.len, dict, sizeof text, &out, &err),
	    PF_ERR_CORRUPT);
	pf_buf_free(&out);
	pf_buf_free(&z);
}
END_TEST

/* Streams that fail after a number of calls, as a full disk would. */
struct failing {
	int calls_left;
	pf_mem_in m;
};

static pf_ret
failing_read(void *opaque, void *buf, size_t n, size_t *got, pf_err *err)
{
	struct failing *f = opaque;
	size_t k;

	if (f->calls_left-- <= 0)
		return pf_err_set(err, PF_ERR_IO, "test read failure");
	k = f->m.n - f->m.pos < n ? f->m.n - f->m.pos : n;
	memcpy(buf, f->m.p + f->m.pos, k);
	f->m.pos += k;
	*got = k;
	return PF_OK;
}

static pf_ret
failing_write(void *opaque, const void *buf, size_t n, pf_err *err)
{
	struct failing *f = opaque;

	(void)buf;
	(void)n;
	if (f->calls_left-- <= 0)
		return pf_err_set(err, PF_ERR_IO, "test write failure");
	return PF_OK;
}

START_TEST(lzma_stream_failures_pass_through)
{
	struct failing rf = { 0 }, wf = { 0 };
	pf_istream in = { failing_read, &rf };
	pf_ostream out = { failing_write, &wf };
	pf_buf z, sink;
	pf_ostream good;
	uint32_t dict;
	pf_err err;

	/* Small enough that one read of 64 KiB takes all of it. */
	encode(text, 20000, &z, &dict);
	ck_assert_uint_lt(z.len, 65536);
	pf_buf_init(&sink);
	pf_ostream_to_buf(&good, &sink);

	/* The reader fails at the first read, and at the read after it. */
	for (int k = 0; k < 2; k++) {
		rf = (struct failing){ k, { z.data, z.len, 0 } };
		wf.calls_left = 1000;
		ck_assert_int_eq(pf_lzma_decode(&in, dict, false, &out,
		    20000, &err), PF_ERR_IO);
		ck_assert_str_eq(err.msg, "test read failure");
	}
	/* With the reads it needs, it decodes. */
	rf = (struct failing){ 1000, { z.data, z.len, 0 } };
	ck_assert_int_eq(pf_lzma_decode(&in, dict, false, &good, 20000,
	    &err), PF_OK);
	ck_assert_uint_eq(sink.len, 20000);
	/* The writer fails: the error is passed on unchanged. */
	rf = (struct failing){ 1000, { z.data, z.len, 0 } };
	wf.calls_left = 0;
	ck_assert_int_eq(pf_lzma_decode(&in, dict, false, &out, 20000, &err),
	    PF_ERR_IO);
	ck_assert_str_eq(err.msg, "test write failure");
	pf_buf_free(&z);
	pf_buf_free(&sink);
}
END_TEST

START_TEST(lzma_streaming_encoder)
{
	pf_lzma_opts o = { .preset = 1 }, bad = { .preset = 10 };
	struct failing wf = { 0 };
	pf_ostream fail = { failing_write, &wf }, os;
	pf_lzma_enc *e;
	pf_buf z, out;
	uint32_t dict, dict2;
	pf_err err;

	/* Presets beyond 9 are refused by both encoders. */
	pf_buf_init(&z);
	ck_assert_int_eq(pf_lzma_encode(text, 10, &bad, &z, &dict, &err),
	    PF_ERR_USAGE);
	ck_assert_int_eq(pf_lzma_enc_new(&e, &bad, 10, &dict, &err),
	    PF_ERR_USAGE);
	ck_assert_ptr_null(e);

	/* Streaming, with a zero-length write, decodes to the input. */
	ck_assert_int_eq(pf_lzma_enc_new(&e, &o, sizeof text, &dict, &err),
	    PF_OK);
	pf_ostream_to_buf(&os, &z);
	ck_assert_int_eq(pf_lzma_enc_write(e, text, 0, &os, &err), PF_OK);
	ck_assert_int_eq(pf_lzma_enc_write(e, text, 1000, &os, &err), PF_OK);
	ck_assert_int_eq(pf_lzma_enc_write(e, text + 1000, sizeof text - 1000,
	    &os, &err), PF_OK);
	ck_assert_int_eq(pf_lzma_enc_finish(e, &os, &err), PF_OK);
	pf_lzma_enc_free(e);
	ck_assert_int_eq(decode(z.data, z.len, dict, sizeof text, &out, &err),
	    PF_OK);
	ck_assert(memcmp(out.data, text, sizeof text) == 0);
	pf_buf_free(&out);
	pf_buf_free(&z);

	/* A failing output ends the stream with its own error. */
	ck_assert_int_eq(pf_lzma_enc_new(&e, &o, sizeof text, &dict2, &err),
	    PF_OK);
	wf.calls_left = 0;
	ck_assert_int_eq(pf_lzma_enc_write(e, text, sizeof text, &fail, &err),
	    PF_ERR_IO);
	ck_assert_str_eq(err.msg, "test write failure");
	ck_assert_int_eq(pf_lzma_enc_finish(e, &fail, &err), PF_ERR_IO);
	pf_lzma_enc_free(e);
	pf_lzma_enc_free(NULL);
}
END_TEST

START_TEST(lzma_explicit_literal_options)
{
	pf_lzma_opts o = { .preset = 6, .set_lclppb = true, .lc = 0, .lp = 2,
	    .pb = 2, .x86 = true, .dict_size = 1 << 16 };
	pf_buf z, out;
	pf_mem_in m;
	pf_istream in;
	pf_ostream os;
	uint32_t dict;
	pf_err err;

	pf_buf_init(&z);
	ck_assert_int_eq(pf_lzma_encode(text, sizeof text, &o, &z, &dict,
	    &err), PF_OK);
	ck_assert_uint_eq(dict, 1 << 16);
	pf_buf_init(&out);
	pf_istream_from_mem(&in, &m, z.data, z.len);
	pf_ostream_to_buf(&os, &out);
	ck_assert_int_eq(pf_lzma_decode(&in, dict, true, &os, sizeof text,
	    &err), PF_OK);
	ck_assert(memcmp(out.data, text, sizeof text) == 0);
	pf_buf_free(&out);

	/* lc + lp above 4 is not a valid LZMA2 option set. */
	o.lc = 4;
	pf_buf_free(&z);
	pf_buf_init(&z);
	ck_assert_int_eq(pf_lzma_encode(text, sizeof text, &o, &z, &dict,
	    &err), PF_ERR_USAGE);
	pf_buf_free(&z);
}
END_TEST

START_TEST(xz_pieces)
{
	uint8_t got[2000];
	pf_xz *enc, *dec;
	pf_buf z;
	size_t a;
	pf_err err;

	ck_assert_int_eq(pf_xz_enc_new(&enc, 1 << 20, 3, 0, 2, &err), PF_OK);
	pf_buf_init(&z);
	ck_assert_int_eq(pf_xz_enc_next(enc, text, 1000, &z, &err), PF_OK);
	a = z.len;
	ck_assert_int_eq(pf_xz_enc_next(enc, text + 1000, 1000, &z, &err),
	    PF_OK);
	pf_xz_free(enc);

	ck_assert_int_eq(pf_xz_dec_new(&dec, 64 << 20, &err), PF_OK);
	ck_assert_int_eq(pf_xz_dec_next(dec, z.data, a, got, 1000, &err),
	    PF_OK);
	ck_assert(memcmp(got, text, 1000) == 0);
	/* The second piece asked as more bytes than it holds. */
	ck_assert_int_eq(pf_xz_dec_next(dec, z.data + a, z.len - a, got, 1500,
	    &err), PF_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "short"));
	pf_xz_free(dec);

	/* Asked as fewer bytes than it holds. */
	ck_assert_int_eq(pf_xz_dec_new(&dec, 64 << 20, &err), PF_OK);
	ck_assert_int_eq(pf_xz_dec_next(dec, z.data, a, got, 500, &err),
	    PF_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "too many"));
	pf_xz_free(dec);

	/* A damaged header. */
	ck_assert_int_eq(pf_xz_dec_new(&dec, 64 << 20, &err), PF_OK);
	z.data[0] ^= 0xff;
	ck_assert_int_eq(pf_xz_dec_next(dec, z.data, a, got, 1000, &err),
	    PF_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "corrupt"));
	z.data[0] ^= 0xff;
	pf_xz_free(dec);

	/* A dictionary larger than the decoder may allocate. */
	ck_assert_int_eq(pf_xz_dec_new(&dec, 4096, &err), PF_OK);
	ck_assert_int_eq(pf_xz_dec_next(dec, z.data, a, got, 1000, &err),
	    PF_ERR_UNSUPPORTED);
	pf_xz_free(dec);
	pf_xz_free(NULL);
	pf_buf_free(&z);

	/* Options liblzma refuses. */
	ck_assert_int_eq(pf_xz_enc_new(&enc, 1 << 20, 4, 4, 2, &err),
	    PF_ERR_USAGE);
	ck_assert_ptr_null(enc);
}
END_TEST

START_TEST(xz_stream_end_early)
{
	uint8_t whole[4096], got[1000];
	size_t n = 0;
	pf_xz *dec;
	pf_err err;

	/* A complete .xz stream of 10 bytes, asked for 1000. */
	ck_assert_int_eq(lzma_easy_buffer_encode(1, LZMA_CHECK_NONE, NULL,
	    text, 10, whole, &n, sizeof whole), LZMA_OK);
	ck_assert_int_eq(pf_xz_dec_new(&dec, 64 << 20, &err), PF_OK);
	ck_assert_int_eq(pf_xz_dec_next(dec, whole, n, got, sizeof got,
	    &err), PF_ERR_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err.msg, "ends its stream early"));
	pf_xz_free(dec);
}
END_TEST

START_TEST(file_helpers_report_the_file)
{
	char path[] = "/tmp/pf-check-compress-XXXXXX";
	uint8_t buf[16], *data;
	size_t got, len;
	int fd, pfd[2];
	pf_err err;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pf_write_full(fd, "0123456789", 10, &err, "f"),
	    PF_OK);
	/* Reading past the end: the file shrank under the reader. */
	ck_assert_int_eq(pf_pread_full(fd, buf, 8, 6, &err, "f"), PF_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "shrank"));
	/* A limit below the size. */
	ck_assert_int_eq(pf_slurp_fd(fd, 4, &data, &len, &err, "f"),
	    PF_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "too large"));
	/* From the end of the file it reads fewer bytes than its size. */
	ck_assert_int_eq(pf_slurp_fd(fd, 100, &data, &len, &err, "f"),
	    PF_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "changed size"));
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(pf_slurp_fd(fd, 100, &data, &len, &err, "f"), PF_OK);
	ck_assert_uint_eq(len, 10);
	ck_assert(memcmp(data, "0123456789", 10) == 0);
	free(data);
	ck_assert_int_eq(close(fd), 0);
	/* Read-only descriptors cannot be written, closed ones not read. */
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pf_pwrite_full(fd, "x", 1, 0, &err, "f"), PF_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot write 'f'"));
	ck_assert_int_eq(pf_write_full(fd, "x", 1, &err, "f"), PF_ERR_IO);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(pf_read_full(fd, buf, 1, &got, &err, "f"),
	    PF_ERR_IO);
	ck_assert_int_eq(pf_pread_full(fd, buf, 1, 0, &err, "f"), PF_ERR_IO);
	ck_assert_int_eq(pf_slurp_fd(fd, 100, &data, &len, &err, "f"),
	    PF_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot stat"));
	/* A pipe is not a regular file. */
	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_int_eq(pf_slurp_fd(pfd[0], 100, &data, &len, &err, "p"),
	    PF_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a regular file"));
	close(pfd[0]);
	close(pfd[1]);
	unlink(path);
}
END_TEST

START_TEST(lzma_without_memory)
{
#ifdef UNDER_ASAN
	/* ASan reserves terabytes of address space: no limit can apply. */
	return;
#else
	pf_lzma_opts o = { .preset = 9, .dict_size = 64 << 20 };
	struct rlimit rl = { 48 << 20, 48 << 20 };
	pf_lzma_enc *e;
	pf_buf z;
	uint32_t dict;
	pf_err err;
	int status;
	pid_t pid;

	/* In a child of its own, so the limit ends with it. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setrlimit(RLIMIT_AS, &rl) != 0)
			_exit(10);
		if (pf_lzma_enc_new(&e, &o, 1 << 30, &dict, &err) !=
		    PF_ERR_NOMEM)
			_exit(11);
		pf_buf_init(&z);
		if (pf_lzma_encode(text, sizeof text, &o, &z, &dict, &err) !=
		    PF_ERR_NOMEM)
			_exit(12);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
#endif
}
END_TEST

START_TEST(buffers_refuse_overflow)
{
	pf_buf b;

	pf_buf_init(&b);
	pf_buf_append(&b, "ab", 2);
	/* A size that cannot be added to the length fails for good. */
	ck_assert(!pf_buf_reserve(&b, SIZE_MAX));
	ck_assert(b.failed);
	ck_assert(!pf_buf_reserve(&b, 1));
	pf_buf_append(&b, "c", 1);
	ck_assert_uint_eq(b.len, 2);
	pf_buf_free(&b);
	ck_assert(!b.failed);
	/* Doubling that would overflow fails too. */
	ck_assert(!pf_buf_reserve(&b, SIZE_MAX / 2 + 2));
	pf_buf_free(&b);
	pf_buf_put_le32(&b, 0x01020304);
	pf_buf_put_le64(&b, 0x0102030405060708ull);
	ck_assert_uint_eq(b.len, 12);
	ck_assert_uint_eq(b.data[0], 4);
	ck_assert_uint_eq(b.data[4], 8);
	pf_buf_free(&b);
}
END_TEST

START_TEST(every_status_has_a_name)
{
	static const pf_ret all[] = {
		PF_OK, PF_ERR_USAGE, PF_ERR_NOT_PACKAGE, PF_ERR_UNSUPPORTED,
		PF_ERR_CORRUPT, PF_ERR_MISMATCH, PF_ERR_UNSAFE, PF_ERR_TRUST,
		PF_ERR_DEPENDENCY, PF_ERR_IO, PF_ERR_NOMEM, PF_ERR_EXPIRED,
		PF_ERR_DOWNGRADE, PF_ERR_BUSY, PF_ERR_INTERRUPTED,
		PF_ERR_DEFERRED, PF_ERR_HEALTH, PF_ERR_HOOK,
		PF_ERR_NOT_INSTALLED,
	};
	size_t i, j;

	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		ck_assert_str_ne(pf_ret_str(all[i]), "unknown error");
		for (j = 0; j < i; j++)
			ck_assert_str_ne(pf_ret_str(all[i]),
			    pf_ret_str(all[j]));
	}
	ck_assert_str_eq(pf_ret_str((pf_ret)999), "unknown error");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("compress");
	TCase *tc = tcase_create("core");

	fill_text();
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, lzma_round_trip_and_damage);
	tcase_add_test(tc, lzma_stream_failures_pass_through);
	tcase_add_test(tc, lzma_streaming_encoder);
	tcase_add_test(tc, lzma_explicit_literal_options);
	tcase_add_test(tc, xz_pieces);
	tcase_add_test(tc, xz_stream_end_early);
	tcase_add_test(tc, file_helpers_report_the_file);
	tcase_add_test(tc, lzma_without_memory);
	tcase_add_test(tc, buffers_refuse_overflow);
	tcase_add_test(tc, every_status_has_a_name);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_check_run(suite());
}
