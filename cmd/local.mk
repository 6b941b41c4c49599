## The tools: thin front ends over the library.  patch-apply and
## patch-inspect link only the applier's part of it.
CMD_UTIL = cmd/util.c cmd/util.h cmd/cli.c cmd/cli.h cmd/outfile.c \
	cmd/outfile.h
## The tools that build link both halves statically: they still use
## internal functions that the shared library does not export.
BUILD_LIBS = libpatchfmt/libpf_build.la libpatchfmt/libpf_apply.la

bin_PROGRAMS += patch-create patch-inspect patch-apply patch-keygen \
	patch-rollback patch-status
patch_create_SOURCES = cmd/patch-create.c $(CMD_UTIL) cmd/field.h \
	cmd/field_create.c
patch_create_LDADD = $(BUILD_LIBS)
patch_inspect_SOURCES = cmd/patch-inspect.c $(CMD_UTIL) cmd/sbom.c \
	cmd/sbom.h cmd/archive.h cmd/archive_inspect.c cmd/archive_out.c \
	cmd/archive_out.h
patch_inspect_LDADD = libpatchfmt/libpf_apply.la
patch_apply_SOURCES = cmd/patch-apply.c $(CMD_UTIL) cmd/field.h \
	cmd/field_apply.c cmd/stale.c cmd/stale.h \
	cmd/archive.h cmd/archive_apply.c cmd/archive_out.c cmd/archive_out.h
patch_apply_LDADD = libpatchfmt/libpf_apply.la
patch_keygen_SOURCES = cmd/patch-keygen.c $(CMD_UTIL)
patch_keygen_LDADD = $(BUILD_LIBS)
patch_rollback_SOURCES = cmd/patch-rollback.c $(CMD_UTIL) cmd/field.h \
	cmd/field_apply.c
patch_rollback_LDADD = libpatchfmt/libpf_apply.la
patch_status_SOURCES = cmd/patch-status.c $(CMD_UTIL) cmd/archive.h \
	cmd/archive_status.c
patch_status_LDADD = libpatchfmt/libpf_apply.la
bin_PROGRAMS += patch-keyring
patch_keyring_SOURCES = cmd/patch-keyring.c $(CMD_UTIL)
patch_keyring_LDADD = $(BUILD_LIBS)
