libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/compress/lzma.h libpatchfmt/compress/lzma_dec.c \
	libpatchfmt/compress/xz.h libpatchfmt/compress/xz_dec.c \
	libpatchfmt/compress/lz.h libpatchfmt/compress/lz_filter.h \
	libpatchfmt/compress/lz_dec.c
libpatchfmt_libpf_build_la_SOURCES += libpatchfmt/compress/lzma_enc.c \
	libpatchfmt/compress/xz_enc.c libpatchfmt/compress/lz_enc.c
