## live: the apply side of hot patching (spec/hotpatch.md): the record,
## ptrace, /proc and libunwind.  No capstone and no libelf here.

libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/live/hotpatch.h \
	libpatchfmt/live/record.c \
	libpatchfmt/live/apply.c \
	libpatchfmt/live/dynsym.c \
	libpatchfmt/live/proc.c libpatchfmt/live/proc.h \
	libpatchfmt/live/stack.c libpatchfmt/live/stack.h \
	libpatchfmt/live/stop.c libpatchfmt/live/stop.h \
	libpatchfmt/live/undo.c \
	libpatchfmt/live/unwind.c libpatchfmt/live/unwind.h
libpatchfmt_libpf_apply_la_CPPFLAGS += $(UNWIND_CFLAGS)
libpatchfmt_libpf_apply_la_LIBADD += $(UNWIND_LIBS)

## The end-to-end test: testdata/hotpatch built twice (old, and new with
## -DFIXED) with ordinary flags, never with the sanitizers: they are the
## programs being patched, not code under test.
HP_SRC = $(srcdir)/testdata/hotpatch
## Each build directory's fixtures get build IDs of their own (a hash of
## the path of the file): --all-processes and --live patch every process
## of a build, and other test runs on the machine must not be among them.
HP_CFLAGS = -O2 -g0 \
	-Wl,--build-id=0x$$(printf '%s' "$$(pwd)/$@" | sha1sum | cut -c1-40)
HP_FIXTURES = tests/live/old/hpserver tests/live/new/hpserver \
	tests/live/old/libhpdemo.so tests/live/new/libhpdemo.so \
	tests/live/hpclient
## A third build, for a patch that stacks on the first (t0730).
HP_FIXTURES += tests/live/stack/hpserver tests/live/stack/libhpdemo.so
EXTRA_DIST += testdata/hotpatch

tests/live/old/libhpdemo.so tests/live/new/libhpdemo.so \
		tests/live/stack/libhpdemo.so: $(HP_SRC)/libhpdemo.c
	@mkdir -p $(@D)
	$(AM_V_CC)case $@ in */new/*) fixed=-DFIXED;; */stack/*) fixed=-DSTACKED;; \
	    *) fixed=;; esac; \
	$(CC) $(HP_CFLAGS) $$fixed -fPIC -shared -Wl,-soname,libhpdemo.so -o $@ $(HP_SRC)/libhpdemo.c
tests/live/old/hpserver: tests/live/old/libhpdemo.so
tests/live/new/hpserver: tests/live/new/libhpdemo.so
tests/live/stack/hpserver: tests/live/stack/libhpdemo.so
tests/live/old/hpserver tests/live/new/hpserver tests/live/stack/hpserver: \
		$(HP_SRC)/server.c $(HP_SRC)/ops.c $(HP_SRC)/ops.h
	@mkdir -p $(@D)
	$(AM_V_CC)case $@ in */new/*) fixed=-DFIXED;; */stack/*) fixed=-DSTACKED;; \
	    *) fixed=;; esac; \
	$(CC) $(HP_CFLAGS) $$fixed -fPIE -pie -Wl,-rpath,'$$ORIGIN' -o $@ $(HP_SRC)/server.c \
	    $(HP_SRC)/ops.c -L$(@D) -lhpdemo -pthread
tests/live/hpclient: $(HP_SRC)/client.c
	@mkdir -p $(@D)
	$(AM_V_CC)$(CC) $(HP_CFLAGS) -o $@ $(HP_SRC)/client.c -pthread
CLEANFILES += $(HP_FIXTURES)

check_PROGRAMS += tests/live/hpharness
tests_live_hpharness_SOURCES = tests/live/hpharness.c
tests_live_hpharness_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
tests_live_hpharness_LDADD = libpatchfmt/libpf_build.la \
	libpatchfmt/libpf_apply.la
EXTRA_tests_live_hpharness_DEPENDENCIES = $(HP_FIXTURES)

TESTS += tests/cli/t5000-live.sh tests/cli/t0720-live-quirks.sh \
	tests/cli/t0730-live-stack.sh
EXTRA_DIST += tests/cli/t5000-live.sh tests/cli/t0720-live-quirks.sh \
	tests/cli/t0730-live-stack.sh
## The hot-patch tests run one after the other: patch-apply
## --all-processes in t0700 patches every process that runs the test
## server's build, the servers of the other two included.
tests/cli/t0710-live-kill.log: tests/cli/t0700-live.log
tests/cli/t5000-live.log: tests/cli/t0710-live-kill.log
tests/cli/t0720-live-quirks.log: tests/cli/t5000-live.log
tests/cli/t0730-live-stack.log: tests/cli/t0720-live-quirks.log

## make check-long: every kill point of the hot-patch kill tests (make
## check tries a share of them).
check-long: check-live-kill
check-live-kill: check
	@for t in t0710-live-kill t0730-live-stack; do \
		echo "== every kill point of $$t"; \
		top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		PF_LIVE_KILL=all $(SHELL) $(abs_top_srcdir)/tests/cli/$$t.sh || \
		exit 1; \
	done
.PHONY: check-live-kill

## Refusals: a pair of builds that changes only what must be refused,
## and a stripped copy (no .symtab).
HP_FIXTURES += tests/live/old/refuse tests/live/new/refuse \
	tests/live/old/refuse.stripped
tests/live/old/refuse tests/live/new/refuse: $(HP_SRC)/refuse.c
	@mkdir -p $(@D)
	$(AM_V_CC)case $@ in */new/*) fixed=-DFIXED;; *) fixed=;; esac; \
	$(CC) $(HP_CFLAGS) $$fixed -fPIE -pie -o $@ $(HP_SRC)/refuse.c
HP_FIXTURES += tests/live/old/zombie tests/live/new/zombie
tests/live/old/zombie tests/live/new/zombie: $(HP_SRC)/zombie.c
	@mkdir -p $(@D)
	$(AM_V_CC)case $@ in */new/*) fixed=-DFIXED;; *) fixed=;; esac; \
	$(CC) $(HP_CFLAGS) $$fixed -fPIE -pie -o $@ $(HP_SRC)/zombie.c -pthread
tests/live/old/refuse.stripped: tests/live/old/refuse
	$(AM_V_GEN)strip -o $@ tests/live/old/refuse

## Quirks of real programs: a global in the anonymous tail of .bss.
HP_FIXTURES += tests/live/old/bsstail tests/live/new/bsstail
tests/live/old/bsstail tests/live/new/bsstail: $(HP_SRC)/bsstail.c
	@mkdir -p $(@D)
	$(AM_V_CC)case $@ in */new/*) fixed=-DFIXED;; *) fixed=;; esac; \
	$(CC) $(HP_CFLAGS) $$fixed -fPIE -pie -o $@ $(HP_SRC)/bsstail.c
## A constant that capstone reads too far into a changed switch table.
HP_FIXTURES += tests/live/old/quirks tests/live/new/quirks
tests/live/old/quirks tests/live/new/quirks: $(HP_SRC)/quirks-a.c \
		$(HP_SRC)/quirks-b.c
	@mkdir -p $(@D)
	$(AM_V_CC)case $@ in */new/*) fixed=-DFIXED;; *) fixed=;; esac; \
	$(CC) $(HP_CFLAGS) $$fixed -fPIE -pie -o $@ $(HP_SRC)/quirks-a.c \
	    $(HP_SRC)/quirks-b.c
## The same without STT_FILE symbols: a static and a global share a name.
HP_FIXTURES += tests/live/old/quirks.nofile tests/live/new/quirks.nofile
tests/live/old/quirks.nofile: tests/live/old/quirks
	$(AM_V_GEN)strip --strip-debug -o $@ tests/live/old/quirks
tests/live/new/quirks.nofile: tests/live/new/quirks
	$(AM_V_GEN)strip --strip-debug -o $@ tests/live/new/quirks

if HAVE_CHECK
check_PROGRAMS += tests/unit/check_live
TESTS += tests/unit/check_live
tests_unit_check_live_SOURCES = tests/unit/check_live.c
tests_unit_check_live_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_live_LDADD = libpatchfmt/libpf_build.la \
	libpatchfmt/libpf_apply.la $(CHECK_LIBS)
EXTRA_tests_unit_check_live_DEPENDENCIES = $(HP_FIXTURES)
endif

## The decoders of untrusted bytes, replayed by fuzz/replay.sh.
check_PROGRAMS += fuzz/fuzz_hotpatch
fuzz_fuzz_hotpatch_SOURCES = fuzz/fuzz_hotpatch.c $(FUZZ_DRIVER)
fuzz_fuzz_hotpatch_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
fuzz_fuzz_hotpatch_LDADD = libpatchfmt/libpf_apply.la
EXTRA_DIST += tests/live/make-hotpatch-seeds.sh
check_PROGRAMS += fuzz/fuzz_undo
fuzz_fuzz_undo_SOURCES = fuzz/fuzz_undo.c $(FUZZ_DRIVER)
fuzz_fuzz_undo_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
fuzz_fuzz_undo_LDADD = libpatchfmt/libpf_apply.la
EXTRA_DIST += fuzz/make-undo-corpus.sh

## The stop-time benchmark: `make bench/live-bench && bench/live-bench`
## (bench/RESULTS-live.md).  Built with the tree, never run as a test.
noinst_PROGRAMS += bench/live-bench
bench_live_bench_SOURCES = bench/live-bench.c
bench_live_bench_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
bench_live_bench_LDADD = libpatchfmt/libpf_build.la libpatchfmt/libpf_apply.la

## A build without .symtab and without a debug file (stripped.c): one
## old build, three new ones, each stripped after linking.
HP_STRIPPED = tests/live/old/stripped tests/live/new/stripped-a \
	tests/live/new/stripped-b tests/live/new/stripped-c
HP_FIXTURES += $(HP_STRIPPED)
$(HP_STRIPPED): $(HP_SRC)/stripped.c
	@mkdir -p $(@D)
	$(AM_V_CC)case $@ in *-a) f=-DFIX_EXPORTED;; *-b) f=-DFIX_STATIC;; \
	*-c) f='-DFIX_STATIC -DEXTRA';; *) f=;; esac; \
	$(CC) $(HP_CFLAGS) $$f -fPIE -pie -Wl,--export-dynamic -o $@ \
	    $(HP_SRC)/stripped.c && strip $@
TESTS += tests/cli/t0735-live-stripped.sh tests/cli/t0740-live-dbgsym.sh
EXTRA_DIST += tests/cli/t0735-live-stripped.sh tests/cli/t0740-live-dbgsym.sh
tests/cli/t0735-live-stripped.log: tests/cli/t0720-live-quirks.log
tests/cli/t0740-live-dbgsym.log: tests/cli/t0735-live-stripped.log
