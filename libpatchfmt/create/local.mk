libpatchfmt_libpf_build_la_SOURCES += \
	libpatchfmt/create/scan.c libpatchfmt/create/scan.h \
	libpatchfmt/create/builder.c libpatchfmt/create/builder_int.h \
	libpatchfmt/create/debug.c libpatchfmt/create/debug.h \
	libpatchfmt/create/bigfile.c libpatchfmt/create/parallel.c \
	libpatchfmt/create/spool.c libpatchfmt/create/spool.h

## Big files and trees in bounded memory (issue 14).
TESTS += tests/cli/t0850-big.sh
EXTRA_DIST += tests/cli/t0850-big.sh
