## format: the structures of spec/patchfmt.md, encoded and decoded; no
## I/O policy, no signatures, no codecs (libpatchfmt/README.md).
libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/format/format.h \
	libpatchfmt/format/field.c libpatchfmt/format/field.h \
	libpatchfmt/format/manifest.c libpatchfmt/format/manifest.h \
	libpatchfmt/format/rollout.c libpatchfmt/format/rollout.h \
	libpatchfmt/format/validate.c \
	libpatchfmt/format/container.c libpatchfmt/format/container.h \
	libpatchfmt/format/needs.c libpatchfmt/format/needs.h \
	libpatchfmt/format/needs_list.c
libpatchfmt_libpf_build_la_SOURCES += \
	libpatchfmt/format/writer.c libpatchfmt/format/writer.h
