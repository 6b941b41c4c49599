libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/state/db.c libpatchfmt/state/db.h libpatchfmt/state/ops.c \
	libpatchfmt/state/journal.c libpatchfmt/state/journal.h \
	libpatchfmt/state/live.c \
	libpatchfmt/state/audit.c libpatchfmt/state/audit.h \
	libpatchfmt/state/hookrun.c

## The records and the journal of the state directory, fuzzed.
check_PROGRAMS += fuzz/fuzz_state
fuzz_fuzz_state_SOURCES = fuzz/fuzz_state.c $(FUZZ_DRIVER)
fuzz_fuzz_state_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
fuzz_fuzz_state_LDADD = libpatchfmt/libpf_apply.la
