#!/bin/sh
# patch-delta on AArch64 ELF builds (spec/delta.md section 10.9): the
# builds of testdata/exec, cross-compiled with aarch64-linux-gnu-gcc
# (scripts/install-deps installs it; without it the test is skipped),
# get a delta with finder 2's prediction, smaller than without one and
# close to the size of the one changed function; it applies exactly,
# also through patch-apply; a delta whose finder is changed is refused.
. "$top_srcdir/tests/cli/lib.sh"
PATH=$top_builddir/cmd:$PATH

cc=${PF_CC_AARCH64:-aarch64-linux-gnu-gcc}
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "SKIP: no AArch64 cross compiler ($cc): run scripts/install-deps"
	exit 77
fi
if ! CC=$cc sh "$top_srcdir/testdata/exec/build.sh" "$tmp/b" \
	>"$tmp/build.log" 2>&1; then
	echo "SKIP: cannot cross-build testdata/exec: $(head -n 3 "$tmp/build.log")"
	exit 77
fi
nm=aarch64-linux-gnu-nm
command -v "$nm" >/dev/null 2>&1 || nm=nm

. "$top_srcdir/tests/cli/exec-lib.sh"

for k in o0-pie o2-pie o2-nopie o0-so o2-so; do
	check_build "$k" "aarch64 finder 2" "$nm"
	# One function of at most 204 bytes changed in a 76 KB file: the
	# delta is that, the fixed cost and the references that the
	# prediction misses, never the whole file's moved references.
	[ "$d" -le 1400 ] && ok || fail "$k: delta $d bytes, above 1400"
done

k=o2-pie old=$tmp/b/$k.old new=$tmp/b/$k.new d=$tmp/$k.d

# The finder is the byte after the header, whose length depends on its
# version (spec/delta.md 3.4).
patch-delta info "$d" >"$tmp/info"
hl=$(sed -n 's/^bytes: header \([0-9]*\),.*/\1/p' "$tmp/info")
[ -n "$hl" ] && ok || fail "patch-delta info names no header length"
[ "$(od -An -tu1 -j "$hl" -N1 "$d" | tr -d ' ')" = 2 ] && ok ||
	fail "the finder byte is not 2"
poke "$hl" 003 "$tmp/finder3.d"
refused "unknown finder" 4 "prediction finder 3 is not supported" \
	"$tmp/finder3.d"
# The x86-64 finder over AArch64 code predicts something else: NEW's
# hash refuses it.
poke "$hl" 001 "$tmp/finder1.d"
refused "wrong finder" 3 "prediction section are damaged" "$tmp/finder1.d"

# Inside a package: installed exactly, rolled back exactly.
package_roundtrip
finish
