libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/trust/keys.c libpatchfmt/trust/keys.h \
	libpatchfmt/trust/keyring.c libpatchfmt/trust/keyring.h \
	libpatchfmt/trust/root.c libpatchfmt/trust/root.h \
	libpatchfmt/trust/keyroot.c libpatchfmt/trust/root_api.c
libpatchfmt_libpf_build_la_SOURCES += \
	libpatchfmt/trust/sign.c libpatchfmt/trust/sign.h \
	libpatchfmt/trust/keygen.c libpatchfmt/trust/root_write.c \
	libpatchfmt/trust/root_edit.c

## Root metadata through the public interface alone (pf_keyroot).
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_keyroot_api
TESTS += tests/unit/check_keyroot_api
tests_unit_check_keyroot_api_SOURCES = tests/unit/check_keyroot_api.c
tests_unit_check_keyroot_api_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_keyroot_api_LDADD = $(TEST_LIBS)
endif

## The key-file parsers, replayed by fuzz/replay.sh.
check_PROGRAMS += fuzz/fuzz_keyfile
fuzz_fuzz_keyfile_SOURCES = fuzz/fuzz_keyfile.c $(FUZZ_DRIVER)
fuzz_fuzz_keyfile_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
fuzz_fuzz_keyfile_LDADD = libpatchfmt/libpf_apply.la
