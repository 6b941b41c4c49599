## Fuzz targets: each fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput and
## is linked with fuzz/driver.c into a check program that replays
## fuzz/corpus/NAME/ in `make check` (through fuzz/replay.sh).  With
## clang, `make fuzz` builds real libFuzzer binaries (see fuzz/README).
FUZZ_DRIVER = fuzz/driver.c
TESTS += fuzz/replay.sh
EXTRA_DIST += fuzz/replay.sh fuzz/corpus fuzz/README fuzz/build-libfuzzer.sh
## Fragments append their target programs to FUZZ_TARGETS and
## check_PROGRAMS; replay.sh runs every fuzz/fuzz_* program it finds.

check_PROGRAMS += fuzz/fuzz_package
fuzz_fuzz_package_SOURCES = fuzz/fuzz_package.c $(FUZZ_DRIVER)
fuzz_fuzz_package_LDADD = libpatchfmt/libpf_apply.la
EXTRA_DIST += fuzz/make-corpus.sh

## The root-metadata parser (spec/keyring.md), replayed the same way.
check_PROGRAMS += fuzz/fuzz_keyroot
fuzz_fuzz_keyroot_SOURCES = fuzz/fuzz_keyroot.c $(FUZZ_DRIVER)
fuzz_fuzz_keyroot_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
fuzz_fuzz_keyroot_LDADD = libpatchfmt/libpf_build.la libpatchfmt/libpf_apply.la

## dpkg's status file and .deb control files (issue 10, section 5.1.7).
check_PROGRAMS += fuzz/fuzz_dpkg
fuzz_fuzz_dpkg_SOURCES = fuzz/fuzz_dpkg.c $(FUZZ_DRIVER)
fuzz_fuzz_dpkg_LDADD = libpatchfmt/libpf_apply.la
