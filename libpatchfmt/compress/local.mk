libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/compress/lzma.h libpatchfmt/compress/lzma_dec.c \
	libpatchfmt/compress/xz.h libpatchfmt/compress/xz_dec.c \
	libpatchfmt/compress/lz.h libpatchfmt/compress/lzma_int.h \
	libpatchfmt/compress/lz_dec.c
libpatchfmt_libpf_build_la_SOURCES += libpatchfmt/compress/lzma_enc.c \
	libpatchfmt/compress/xz_enc.c libpatchfmt/compress/lz_enc.c

## The streaming encoder flushed per block, as the delta codec uses it.
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_lzma_flush
TESTS += tests/unit/check_lzma_flush
tests_unit_check_lzma_flush_SOURCES = tests/unit/check_lzma_flush.c
tests_unit_check_lzma_flush_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_lzma_flush_LDADD = $(TEST_LIBS)
endif
