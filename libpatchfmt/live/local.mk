## live: the apply side of hot patching (spec/hotpatch.md): the record,
## ptrace, /proc and libunwind.  No capstone and no libelf here.

## tests/local.mk defines CHECK_TEST_LDADD, which automake's syntax check
## mistakes for a program's variable; without this the tree does not
## regenerate under -Werror.
AUTOMAKE_OPTIONS = -Wno-syntax

libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/live/hotpatch.h \
	libpatchfmt/live/record.c
