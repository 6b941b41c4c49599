libpatchfmt_libpf_build_la_SOURCES += \
	libpatchfmt/create/scan.c libpatchfmt/create/scan.h \
	libpatchfmt/create/builder.c libpatchfmt/create/builder_int.h \
	libpatchfmt/create/debug.c libpatchfmt/create/debug.h \
	libpatchfmt/create/debug_file.c \
	libpatchfmt/create/bigfile.c libpatchfmt/create/parallel.c \
	libpatchfmt/create/spool.c libpatchfmt/create/spool.h

## Builds as archives, read through libarchive (issue 10).
libpatchfmt_libpf_build_la_SOURCES += \
	libpatchfmt/create/archive.c libpatchfmt/create/archive.h \
	libpatchfmt/create/archive_diff.c
libpatchfmt_libpf_build_la_CPPFLAGS += $(LIBARCHIVE_CFLAGS)
libpatchfmt_libpf_build_la_LIBADD += $(LIBARCHIVE_LIBS)

## Big files and trees in bounded memory (issue 14).
TESTS += tests/cli/t0850-big.sh
EXTRA_DIST += tests/cli/t0850-big.sh
TESTS += tests/cli/t0851-self.sh
EXTRA_DIST += tests/cli/t0851-self.sh
