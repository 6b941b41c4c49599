libpatchfmt_libpf_build_la_SOURCES += libpatchfmt/elf/elf.c libpatchfmt/elf/elf.h

## Run-time dependencies of ELF files (spec/elf-needs.md).  Only reading
## what a file needs is build-side; the applier reads the version
## definitions of the libraries it finds, so it links libelf too.
libpatchfmt_libpf_build_la_SOURCES += libpatchfmt/elf/needs.c
libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/elf/needs.h libpatchfmt/elf/needs_int.h \
	libpatchfmt/elf/needs_elf.c libpatchfmt/elf/needs_root.c \
	libpatchfmt/elf/needs_ldconf.c libpatchfmt/elf/needs_check.c
libpatchfmt_libpf_apply_la_CPPFLAGS += $(LIBELF_CFLAGS)
libpatchfmt_libpf_apply_la_LIBADD += $(LIBELF_LIBS)

if HAVE_CHECK
check_PROGRAMS += tests/unit/check_elfneeds
TESTS += tests/unit/check_elfneeds
tests_unit_check_elfneeds_SOURCES = tests/unit/check_elfneeds.c
tests_unit_check_elfneeds_CPPFLAGS = $(TEST_CPPFLAGS) $(LIBELF_CFLAGS)
tests_unit_check_elfneeds_LDADD = libpatchfmt/libpf_build.la \
	libpatchfmt/libpf_apply.la $(CHECK_LIBS)
endif

check_PROGRAMS += fuzz/fuzz_elfneeds
fuzz_fuzz_elfneeds_SOURCES = fuzz/fuzz_elfneeds.c $(FUZZ_DRIVER)
fuzz_fuzz_elfneeds_LDADD = libpatchfmt/libpf_apply.la
EXTRA_DIST += fuzz/make-elfneeds-corpus.sh
