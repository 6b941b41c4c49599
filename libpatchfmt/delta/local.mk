## delta: sources, tests and tools of this module (spec/delta.md).

## Applying: the decoder, header parser and file-descriptor front end.
libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/delta/format.h libpatchfmt/delta/delta.h \
	libpatchfmt/delta/header.c libpatchfmt/delta/decoder.c \
	libpatchfmt/delta/diffcoder.h libpatchfmt/delta/diff_dec.c \
	libpatchfmt/delta/api.h libpatchfmt/delta/api_apply.c \
	libpatchfmt/delta/api_expect.c \
	libpatchfmt/delta/vcdiff.h libpatchfmt/delta/vcdiff_table.c \
	libpatchfmt/delta/vcdiff_dec.c libpatchfmt/delta/vcdiff_check.c \
	libpatchfmt/delta/sniff.h libpatchfmt/delta/sniff.c \
	libpatchfmt/delta/predict.h libpatchfmt/delta/predict.c \
	libpatchfmt/delta/predict_a64.c \
	libpatchfmt/delta/info.c

## Creating: suffix sorting, matching and the encoders.
libpatchfmt_libpf_build_la_SOURCES += \
	libpatchfmt/delta/match.h libpatchfmt/delta/match.c \
	libpatchfmt/delta/encoder.c \
	libpatchfmt/delta/diff_enc.c \
	libpatchfmt/delta/denc.h libpatchfmt/delta/window.h \
	libpatchfmt/delta/window.c \
	libpatchfmt/delta/api_create.c libpatchfmt/delta/vcdiff_enc.c \
	libpatchfmt/delta/exec.h libpatchfmt/delta/exec_enc.c

include_HEADERS += libpatchfmt/libpatchfmt_delta.h

bin_PROGRAMS += cmd/patch-delta
cmd_patch_delta_SOURCES = cmd/patch-delta.c $(CMD_UTIL)
cmd_patch_delta_LDADD = $(BUILD_LIBS)
dist_man_MANS += man/patch-delta.1

if HAVE_CHECK
check_PROGRAMS += tests/unit/check_delta
TESTS += tests/unit/check_delta
tests_unit_check_delta_SOURCES = tests/unit/check_delta.c
tests_unit_check_delta_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_delta_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/unit/check_predict
TESTS += tests/unit/check_predict
tests_unit_check_predict_SOURCES = tests/unit/check_predict.c
tests_unit_check_predict_CPPFLAGS = $(TEST_CPPFLAGS) $(LIBELF_CFLAGS)
tests_unit_check_predict_LDADD = $(TEST_LIBS) $(LIBELF_LIBS)
check_PROGRAMS += tests/unit/check_self
TESTS += tests/unit/check_self
tests_unit_check_self_SOURCES = tests/unit/check_self.c
tests_unit_check_self_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_self_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/unit/check_delta_v2
TESTS += tests/unit/check_delta_v2
tests_unit_check_delta_v2_SOURCES = tests/unit/check_delta_v2.c
tests_unit_check_delta_v2_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_delta_v2_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/unit/check_vcdiff
TESTS += tests/unit/check_vcdiff
tests_unit_check_vcdiff_SOURCES = tests/unit/check_vcdiff.c
tests_unit_check_vcdiff_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_vcdiff_LDADD = $(TEST_LIBS)
endif

## spec/ and fuzz/corpus/ are distributed whole by the top Makefile.am.
TESTS += tests/cli/t3000-delta.sh tests/cli/t3100-vcdiff.sh \
	tests/cli/t3110-vcdiff-package.sh
EXTRA_DIST += tests/cli/t3000-delta.sh tests/cli/t3100-vcdiff.sh \
	tests/cli/t3110-vcdiff-package.sh testdata/vcdiff
## x86-64 ELF deltas with a prediction (spec/delta.md section 10): the
## builds of testdata/exec are made by the test itself.
TESTS += tests/cli/t3200-exec.sh
EXTRA_DIST += tests/cli/t3200-exec.sh testdata/exec
## The same builds cross-compiled for AArch64 (section 10.9).
TESTS += tests/cli/t3210-exec-aarch64.sh
EXTRA_DIST += tests/cli/t3210-exec-aarch64.sh tests/cli/exec-lib.sh
## Version 2 (spec/delta.md section 3.4), and packages of version 1.
TESTS += tests/cli/t3010-delta-v2.sh
EXTRA_DIST += tests/cli/t3010-delta-v2.sh testdata/v1

check_PROGRAMS += fuzz/fuzz_delta
fuzz_fuzz_delta_SOURCES = fuzz/fuzz_delta.c $(FUZZ_DRIVER)
fuzz_fuzz_delta_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
fuzz_fuzz_delta_LDADD = libpatchfmt/libpf_build.la libpatchfmt/libpf_apply.la

check_PROGRAMS += fuzz/fuzz_predict
fuzz_fuzz_predict_SOURCES = fuzz/fuzz_predict.c $(FUZZ_DRIVER)
fuzz_fuzz_predict_LDADD = libpatchfmt/libpf_apply.la

check_PROGRAMS += fuzz/fuzz_vcdiff
fuzz_fuzz_vcdiff_SOURCES = fuzz/fuzz_vcdiff.c $(FUZZ_DRIVER)
fuzz_fuzz_vcdiff_LDADD = libpatchfmt/libpf_build.la libpatchfmt/libpf_apply.la
