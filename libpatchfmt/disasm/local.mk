## disasm: the build side of hot patching: symbol tables (libelf) and
## instruction decoding (capstone).  The only code that includes capstone.
libpatchfmt_libpf_build_la_SOURCES += \
	libpatchfmt/disasm/analyze.c libpatchfmt/disasm/analyze.h \
	libpatchfmt/disasm/ehframe.c libpatchfmt/disasm/ehframe.h \
	libpatchfmt/disasm/image.c libpatchfmt/disasm/image.h \
	libpatchfmt/disasm/insn.c libpatchfmt/disasm/insn.h \
	libpatchfmt/disasm/unnamed.c
