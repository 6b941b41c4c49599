libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/format/format.h \
	libpatchfmt/format/field.c libpatchfmt/format/field.h \
	libpatchfmt/format/manifest.c libpatchfmt/format/manifest.h \
	libpatchfmt/format/rollout.c libpatchfmt/format/rollout.h \
	libpatchfmt/format/validate.c \
	libpatchfmt/format/container.c libpatchfmt/format/container.h \
	libpatchfmt/format/reader.c libpatchfmt/format/reader.h \
	libpatchfmt/format/print.c libpatchfmt/format/print_live.c \
	libpatchfmt/format/xattr_text.c libpatchfmt/format/xattr_text.h \
	libpatchfmt/format/print_meta.c libpatchfmt/format/print_meta.h
libpatchfmt_libpf_build_la_SOURCES += \
	libpatchfmt/format/writer.c libpatchfmt/format/writer.h
