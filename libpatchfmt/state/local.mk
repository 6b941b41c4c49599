libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/state/db.c libpatchfmt/state/db.h libpatchfmt/state/ops.c \
	libpatchfmt/state/journal.c libpatchfmt/state/journal.h \
	libpatchfmt/state/live.c
