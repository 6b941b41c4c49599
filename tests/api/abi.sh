#!/bin/sh
# The ABI of libpatchfmt.so equals the baseline checked in beside this
# script (abidw/abidiff from abigail-tools): any change of a public type
# or function fails here until it is made on purpose, with
# `make abi-baseline` and a new -version-info in Makefile.am.
. "$top_srcdir/tests/cli/lib.sh"

so=$top_builddir/libpatchfmt/.libs/libpatchfmt.so
base=$top_srcdir/tests/api/libpatchfmt.abi
if [ ! -f "$so" ]; then
	echo "SKIP: no shared library (configured with --disable-shared)"
	exit 77
fi
if nm -D "$so" | grep -q ' __gcov'; then
	echo "SKIP: a coverage build's library carries gcov's functions"
	exit 77
fi
if ! command -v abidiff >/dev/null; then
	echo "SKIP: abidiff (abigail-tools) is not installed"
	exit 77
fi
abidiff --no-show-locs --drop-private-types \
    --hf2 "$top_srcdir/libpatchfmt/libpatchfmt.h" \
    --hf2 "$top_srcdir/libpatchfmt/libpatchfmt_delta.h" \
    "$base" "$so" >"$tmp/diff" 2>&1
st=$?
if [ "$st" -ne 0 ]; then
	fail "the ABI of libpatchfmt.so changed (abidiff status $st):
$(cat "$tmp/diff")
If the change is intended: make abi-baseline, and update -version-info."
else
	ok
fi
finish
