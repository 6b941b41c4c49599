## Tests: Check programs for the library (tests/unit/check_*.c) and
## numbered shell scripts for the tools (tests/cli/tNNNN-*.sh).
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	PF_CORPUS="$${PF_CORPUS:-$(abs_top_srcdir)/../shared/corpus}"; \
	CK_FORK=yes; \
	export top_srcdir top_builddir PF_CORPUS CK_FORK;

TEST_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(SODIUM_CFLAGS) $(LZMA_CFLAGS)
TEST_LIBS = libpatchfmt/libpf_build.la libpatchfmt/libpf_apply.la $(CHECK_LIBS)

EXTRA_DIST += tests/cli/lib.sh tests/cli/inject.sh tests/unit/run.h tests/unit/files.h \
	tests/cli/meta-compare.sh tests/cli/per-path.awk \
	tests/cli/field.sh tests/schemas/README \
	tests/schemas/cyclonedx-1.5-subset.schema.json \
	tests/schemas/spdx-2.3-subset.schema.json \
	tests/schemas/official/cyclonedx-1.5/bom-1.5.schema.json \
	tests/schemas/official/cyclonedx-1.5/spdx.schema.json \
	tests/schemas/official/cyclonedx-1.5/jsf-0.82.schema.json \
	tests/schemas/official/cyclonedx-1.5/LICENSE \
	tests/schemas/official/spdx-2.3/spdx-schema.json \
	tests/schemas/official/spdx-2.3/LICENSE

check_PROGRAMS += tests/tools/forge tests/tools/hpask tests/tools/treehash
tests_tools_hpask_SOURCES = tests/tools/hpask.c
tests_tools_treehash_SOURCES = tests/tools/treehash.c
tests_tools_treehash_CPPFLAGS = $(TEST_CPPFLAGS)
tests_tools_treehash_LDADD = libpatchfmt/libpf_apply.la
tests_tools_forge_SOURCES = tests/tools/forge.c
tests_tools_forge_CPPFLAGS = $(TEST_CPPFLAGS)
tests_tools_forge_LDADD = libpatchfmt/libpf_apply.la libpatchfmt/libpf_build.la

CLI_TESTS = tests/cli/t0100-corpus.sh tests/cli/t0110-json.sh \
	tests/cli/t0120-manpages.sh tests/cli/t0130-completion.sh \
	tests/cli/t0150-kinds.sh \
	tests/cli/t0160-crash.sh tests/cli/t0170-integrity.sh \
	tests/cli/t0200-damaged.sh tests/cli/t0300-hostile.sh \
	tests/cli/t0310-words.sh tests/cli/t0320-escape.sh \
	tests/cli/t0330-delta-base.sh tests/cli/t0400-trust.sh \
	tests/cli/t0410-keyring.sh tests/cli/t0420-keyring-root.sh \
	tests/cli/t0500-lifecycle.sh tests/cli/t0510-deps.sh \
	tests/cli/t0600-elfneeds.sh tests/cli/t0700-live.sh \
	tests/cli/t0800-metadata.sh \
	tests/cli/t0710-live-kill.sh \
	tests/cli/t0900-hooks.sh tests/cli/t0910-phase.sh \
	tests/cli/t0920-audit.sh tests/cli/t0930-audit-crash.sh \
	tests/cli/t0940-sbom.sh tests/cli/t0950-audit-live.sh

## Builds as archives, dpkg (issue 10).
CLI_TESTS += tests/cli/t1000-archive.sh tests/cli/t1010-dpkg.sh \
	tests/cli/t1020-output.sh \
	tests/cli/t1030-output-faults.sh tests/cli/t1040-outfile-faults.sh
EXTRA_DIST += testdata/archive/mkbuilds.sh testdata/archive/mkarchive.py
## Refusals and error paths that no other test takes (issue 11, coverage).
CLI_TESTS += tests/cli/t8000-refusals.sh tests/cli/t8010-unprivileged.sh \
	tests/cli/t8020-apply-errors.sh
TESTS += $(CLI_TESTS)
EXTRA_DIST += $(CLI_TESTS) tests/cli/live.sh

## The shared library's interface: exported symbols and ABI baseline.
API_TESTS = tests/api/exports.sh tests/api/abi.sh tests/api/layers.sh \
	tests/api/tools.sh \
	tests/api/example.sh
API_TESTS += tests/api/man3.sh
TESTS += $(API_TESTS)
## The library's first client outside the tools: public API only, shared
## library (doc/examples/apply.c).
check_PROGRAMS += doc/examples/apply
doc_examples_apply_SOURCES = doc/examples/apply.c
doc_examples_apply_CPPFLAGS = -I$(top_srcdir)/libpatchfmt
doc_examples_apply_LDADD = libpatchfmt/libpatchfmt.la
EXTRA_DIST += $(API_TESTS) tests/api/libpatchfmt.abi libpatchfmt/README.md

## Writes the ABI baseline anew, after an intended change of the ABI.
abi-baseline: libpatchfmt/libpatchfmt.la
	abidw --no-show-locs --drop-private-types \
	    --header-file $(srcdir)/libpatchfmt/libpatchfmt.h \
	    --header-file $(srcdir)/libpatchfmt/libpatchfmt_delta.h \
	    --out-file $(srcdir)/tests/api/libpatchfmt.abi \
	    libpatchfmt/.libs/libpatchfmt.so
.PHONY: abi-baseline

if HAVE_CHECK
check_PROGRAMS += tests/unit/check_format
TESTS += tests/unit/check_format
tests_unit_check_format_SOURCES = tests/unit/check_format.c
tests_unit_check_format_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_format_LDADD = libpatchfmt/libpf_build.la \
	libpatchfmt/libpf_apply.la $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_install
TESTS += tests/unit/check_install
tests_unit_check_install_SOURCES = tests/unit/check_install.c
tests_unit_check_install_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_install_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/unit/check_access
TESTS += tests/unit/check_access
tests_unit_check_access_SOURCES = tests/unit/check_access.c
tests_unit_check_access_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_access_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/unit/check_meta
TESTS += tests/unit/check_meta
tests_unit_check_meta_SOURCES = tests/unit/check_meta.c
tests_unit_check_meta_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_meta_LDADD = libpatchfmt/libpf_apply.la $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_compress
TESTS += tests/unit/check_compress
tests_unit_check_compress_SOURCES = tests/unit/check_compress.c
tests_unit_check_compress_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_compress_LDADD = $(TEST_LIBS) $(LZMA_LIBS)
check_PROGRAMS += tests/unit/check_state
TESTS += tests/unit/check_state
tests_unit_check_state_SOURCES = tests/unit/check_state.c
tests_unit_check_state_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_state_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/unit/check_field
TESTS += tests/unit/check_field
tests_unit_check_field_SOURCES = tests/unit/check_field.c
tests_unit_check_field_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_field_LDADD = libpatchfmt/libpf_apply.la $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_trust
TESTS += tests/unit/check_trust
tests_unit_check_trust_SOURCES = tests/unit/check_trust.c
tests_unit_check_trust_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_trust_LDADD = libpatchfmt/libpf_build.la \
	libpatchfmt/libpf_apply.la $(CHECK_LIBS)
check_PROGRAMS += tests/unit/check_keyroot
TESTS += tests/unit/check_keyroot
tests_unit_check_keyroot_SOURCES = tests/unit/check_keyroot.c
tests_unit_check_keyroot_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_keyroot_LDADD = libpatchfmt/libpf_build.la \
	libpatchfmt/libpf_apply.la $(CHECK_LIBS)
## deb822, dpkg's status and the dpkg origin (issue 10).
check_PROGRAMS += tests/unit/check_dpkg
TESTS += tests/unit/check_dpkg
tests_unit_check_dpkg_SOURCES = tests/unit/check_dpkg.c
tests_unit_check_dpkg_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_dpkg_LDADD = libpatchfmt/libpf_apply.la $(CHECK_LIBS)
## Out of memory at every allocation of the builder and the applier.
check_PROGRAMS += tests/unit/check_nomem
TESTS += tests/unit/check_nomem
tests_unit_check_nomem_SOURCES = tests/unit/check_nomem.c
tests_unit_check_nomem_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_nomem_LDADD = $(TEST_LIBS)
endif

## make check-long: every crash and error point of the mixed tree and of
## file metadata (make check: every second one), of whole real trees (the
## corpus's libcurl4 and libpython updates), and the predicted delta of
## every corpus pair (make check: those of at most 3 MiB), after the
## normal suite.  Minutes, not seconds.
check-long: check
	@corpus="$${PF_CORPUS:-$(abs_top_srcdir)/../shared/corpus}"; \
	echo "== predicted deltas of every corpus pair"; \
	PF_CORPUS="$$corpus" PF_CORPUS_LIMIT=0 CK_FORK=yes \
		tests/unit/check_predict || exit 1; \
	for t in t0160-crash t0800-metadata; do \
		echo "== every crash point of $$t"; \
		top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		PF_CORPUS="$$corpus" PF_CRASH_STRIDE=1 \
		$(SHELL) $(abs_top_srcdir)/tests/cli/$$t.sh || exit 1; \
	done; \
	for t in libcurl4 libpython; do \
		echo "== crash points of the $$t tree"; \
		top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		PF_CORPUS="$$corpus" PF_CRASH_STRIDE=1 \
		PF_CRASH_OLD="$$corpus/trees/$$t-old" \
		PF_CRASH_NEW="$$corpus/trees/$$t-new" \
		$(SHELL) $(abs_top_srcdir)/tests/cli/t0160-crash.sh || exit 1; \
	done; \
	echo "== every fault point of --output and --output-tar"; \
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	PF_CRASH_STRIDE=1 \
		$(SHELL) $(abs_top_srcdir)/tests/cli/t1030-output-faults.sh || exit 1; \
	echo "== every fault point of patch-create's and patch-delta's outputs"; \
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	PF_CRASH_STRIDE=1 \
		$(SHELL) $(abs_top_srcdir)/tests/cli/t1040-outfile-faults.sh
.PHONY: check-long
