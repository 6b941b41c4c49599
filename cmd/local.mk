## The tools: thin front ends over the library.  patch-apply and
## patch-inspect link only the applier's part of it.
CMD_UTIL = cmd/util.c cmd/util.h

bin_PROGRAMS += patch-create patch-inspect patch-apply patch-keygen \
	patch-rollback patch-status
patch_create_SOURCES = cmd/patch-create.c $(CMD_UTIL)
patch_create_LDADD = libpatchfmt/libpatchfmt.la
patch_inspect_SOURCES = cmd/patch-inspect.c $(CMD_UTIL)
patch_inspect_LDADD = libpatchfmt/libpf_apply.la
patch_apply_SOURCES = cmd/patch-apply.c cmd/stale.c cmd/stale.h \
	$(CMD_UTIL)
patch_apply_LDADD = libpatchfmt/libpf_apply.la
patch_keygen_SOURCES = cmd/patch-keygen.c $(CMD_UTIL)
patch_keygen_LDADD = libpatchfmt/libpatchfmt.la
patch_rollback_SOURCES = cmd/patch-rollback.c $(CMD_UTIL)
patch_rollback_LDADD = libpatchfmt/libpf_apply.la
patch_status_SOURCES = cmd/patch-status.c $(CMD_UTIL)
patch_status_LDADD = libpatchfmt/libpf_apply.la
