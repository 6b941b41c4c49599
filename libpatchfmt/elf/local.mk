libpatchfmt_libpf_build_la_SOURCES += libpatchfmt/elf/elf.c libpatchfmt/elf/elf.h
