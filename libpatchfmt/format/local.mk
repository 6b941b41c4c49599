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

## The dpkg origin of a package (issue 10, section 5.1.7).
libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/format/dpkg.c libpatchfmt/format/dpkg.h
libpatchfmt_libpf_build_la_SOURCES += \
	libpatchfmt/format/writer.c libpatchfmt/format/writer.h

## The structures behind the opaque manifest types of libpatchfmt.h,
## and their accessors (issue 11).
libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/format/types.h libpatchfmt/format/access.c
