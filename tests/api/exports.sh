#!/bin/sh
# libpatchfmt exports exactly what its public headers declare (PF_EXTERN):
# internal helpers are hidden, so no caller can come to depend on them.
. "$top_srcdir/tests/cli/lib.sh"

shared_exports
for h in libpatchfmt.h libpatchfmt_delta.h; do
	sed -n 's/^PF_EXTERN[^(]*[ *]\(pf_[a-z0-9_]*\)(.*/\1/p' \
	    "$top_srcdir/libpatchfmt/$h"
done | sort -u >"$tmp/declared"
[ -s "$tmp/declared" ] || fail "no PF_EXTERN declaration found in the headers"
if ! diff -u "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
	fail "exported symbols differ from the public headers (- declared only, + exported only):
$(cat "$tmp/diff")"
else
	ok
fi
# Every public declaration is marked: a function declared without
# PF_EXTERN would silently be missing from the library.
for h in libpatchfmt.h libpatchfmt_delta.h; do
	grep -n '^[a-z][a-z0-9_ *]*[ *]pf_[a-z0-9_]*(' \
	    "$top_srcdir/libpatchfmt/$h" | sed "s|^|$h:|"
done >"$tmp/unmarked"
if [ -s "$tmp/unmarked" ]; then
	fail "public functions declared without PF_EXTERN:
$(cat "$tmp/unmarked")"
else
	ok
fi
finish
