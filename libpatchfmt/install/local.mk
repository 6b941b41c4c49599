libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/install/dirs.c libpatchfmt/install/dirs.h \
	libpatchfmt/install/txn_int.h libpatchfmt/install/check.c \
	libpatchfmt/install/txn.c libpatchfmt/install/undo.c \
	libpatchfmt/install/needs.c \
	libpatchfmt/install/hooks.c libpatchfmt/install/hooks.h \
	libpatchfmt/install/phase.c \
	libpatchfmt/install/meta.c libpatchfmt/install/meta.h \
	libpatchfmt/install/meta_txn.c libpatchfmt/install/meta_txn.h \
	libpatchfmt/install/fsmeta.c libpatchfmt/install/fsmeta.h
