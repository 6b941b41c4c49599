## The tools: thin front ends over the library.  patch-apply and
## patch-inspect link only the applier's part of it.
CMD_UTIL = cmd/util.c cmd/util.h

bin_PROGRAMS += patch-create patch-inspect patch-apply
patch_create_SOURCES = cmd/patch-create.c $(CMD_UTIL)
patch_create_LDADD = libpatchfmt/libpatchfmt.la
patch_inspect_SOURCES = cmd/patch-inspect.c $(CMD_UTIL)
patch_inspect_LDADD = libpatchfmt/libpf_apply.la
patch_apply_SOURCES = cmd/patch-apply.c $(CMD_UTIL)
patch_apply_LDADD = libpatchfmt/libpf_apply.la
