## package: open a package, verify it (digest, signatures, every blob)
## and hand out verified content through the codecs; show it to people.
libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/package/reader.c libpatchfmt/package/reader.h \
	libpatchfmt/package/delta_check.c \
	libpatchfmt/package/vcdiff_blob.c libpatchfmt/package/vcdiff_blob.h \
	libpatchfmt/package/print.c libpatchfmt/package/print_live.c \
	libpatchfmt/package/xattr_text.c libpatchfmt/package/xattr_text.h \
	libpatchfmt/package/print_meta.c libpatchfmt/package/print_meta.h

## The dpkg origin for people (issue 10).
libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/package/print_dpkg.c libpatchfmt/package/print_dpkg.h

## The opaque pf_trust of libpatchfmt.h and its setters (issue 11).
libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/package/trust.c libpatchfmt/package/trust.h
