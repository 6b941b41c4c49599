libpatchfmt_libpf_apply_la_SOURCES += \
	libpatchfmt/trust/keys.c libpatchfmt/trust/keys.h \
	libpatchfmt/trust/keyring.c libpatchfmt/trust/keyring.h
libpatchfmt_libpf_build_la_SOURCES += \
	libpatchfmt/trust/sign.c libpatchfmt/trust/sign.h \
	libpatchfmt/trust/keygen.c
