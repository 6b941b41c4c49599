libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/common/err.c libpatchfmt/common/err.h \
	libpatchfmt/common/buf.c libpatchfmt/common/buf.h \
	libpatchfmt/common/bytes.h libpatchfmt/common/ckd.h \
	libpatchfmt/common/hash.c libpatchfmt/common/hash.h \
	libpatchfmt/common/stream.c libpatchfmt/common/stream.h \
	libpatchfmt/common/json.c libpatchfmt/common/json.h \
	libpatchfmt/common/escape.c libpatchfmt/common/escape.h \
	libpatchfmt/common/fileio.c libpatchfmt/common/fileio.h \
	libpatchfmt/common/bigmem.c libpatchfmt/common/bigmem.h \
	libpatchfmt/common/cpus.c libpatchfmt/common/cpus.h

## deb822 stanzas: .deb control files and dpkg's status file (issue 10).
libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/common/deb822.c libpatchfmt/common/deb822.h
libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/common/md5.c libpatchfmt/common/md5.h

## The helper threads' pool.
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_cpus
TESTS += tests/unit/check_cpus
tests_unit_check_cpus_SOURCES = tests/unit/check_cpus.c
tests_unit_check_cpus_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_cpus_LDADD = $(TEST_LIBS)
endif

## The versioned structs of libpatchfmt.h (common/sized.h).
libpatchfmt_libpf_apply_la_SOURCES += libpatchfmt/common/sized.h
if HAVE_CHECK
check_PROGRAMS += tests/unit/check_sized
TESTS += tests/unit/check_sized
tests_unit_check_sized_SOURCES = tests/unit/check_sized.c
tests_unit_check_sized_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_check_sized_LDADD = $(TEST_LIBS)
endif
