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

## dpkg's database under the root, read only (issue 10, section 5.1.7).
libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/install/dpkg.c libpatchfmt/install/dpkg.h \
	libpatchfmt/install/dpkg_depends.c

## The new files elsewhere: --output, --output-tar, --extract (issue 10).
## Writing tar is the applier's only use of libarchive.
libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/install/output.c libpatchfmt/install/output.h
libpatchfmt_libpf_apply_la_CPPFLAGS += $(LIBARCHIVE_CFLAGS)
libpatchfmt_libpf_apply_la_LIBADD += $(LIBARCHIVE_LIBS)

## The public face of the dpkg checks and of --extract: messages on the
## reader (issue 11).
libpatchfmt_libpf_apply_la_SOURCES += libpatchfmt/install/dpkg_api.c
