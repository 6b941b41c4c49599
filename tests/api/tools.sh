#!/bin/sh
# The tools are the library's first clients: every libpatchfmt function
# they call is one the shared library exports (a PF_EXTERN declaration
# of libpatchfmt.h or libpatchfmt_delta.h), never an internal helper.
# They still link the library statically (patch-apply must not pull in
# the builder's encoders and disassembler), so the linker would not
# notice: this test reads their objects instead, every one of them.
. "$top_srcdir/tests/cli/lib.sh"

shared_exports
objs=$(ls "$top_builddir"/cmd/*.o)
[ -n "$objs" ] || fail "no object files of the tools in $top_builddir/cmd"
# What the tools define themselves (cmd/util.c, cli.c, ...).
for o in "$top_builddir"/cmd/*.o; do
	nm --defined-only "$o" | awk '{ print $3 }'
done | sort -u >"$tmp/own"
for o in $objs; do
	nm -u "$o" | awk '{ print $2 }' | grep '^pf_' |
		sort -u | comm -23 - "$tmp/own" | comm -23 - "$tmp/exported" |
		sed "s|^|$(basename "$o"): |"
done >"$tmp/internal"
if [ -s "$tmp/internal" ]; then
	fail "the tools call functions the library does not export:
$(cat "$tmp/internal")"
else
	ok
fi
finish
