#!/bin/sh
# Builds fuzz/fuzz_NAME as a real libFuzzer binary with clang, ASan and
# UBSan, in out/fuzz/, from a sanitizer build of the library.
#   sh fuzz/build-libfuzzer.sh NAME [extra libraries]
# then: out/fuzz/fuzz_NAME -max_total_time=300 fuzz/corpus/NAME
set -eu
name=${1:?usage: build-libfuzzer.sh NAME}
shift
top=$(cd "$(dirname "$0")/.." && pwd)
b=$top/out/fuzz
mkdir -p "$b"
if [ ! -f "$b/Makefile" ]; then
	(cd "$b" && "$top/configure" CC=clang --enable-sanitizers \
		--disable-shared CFLAGS="-g -O1 -fsanitize=fuzzer-no-link" >/dev/null)
fi
make -C "$b" -j2 libpatchfmt/libpatchfmt.la >/dev/null
clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$top/libpatchfmt" -I"$b" \
	"$top/fuzz/fuzz_$name.c" "$b/libpatchfmt/.libs/libpatchfmt.a" \
	$(pkg-config --libs liblzma libsodium nettle libelf capstone libdivsufsort64 \
	libunwind-ptrace libunwind-generic libcap libacl libarchive) -lpthread "$@" \
	-o "$b/fuzz_$name"
echo "built $b/fuzz_$name"
