libpatchfmt_libpf_build_la_SOURCES += \
	libpatchfmt/create/scan.c libpatchfmt/create/scan.h \
	libpatchfmt/create/builder.c \
	libpatchfmt/create/debug.c libpatchfmt/create/debug.h
