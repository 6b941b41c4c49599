#!/bin/sh
# patch-delta on x86-64 ELF builds (spec/delta.md section 10): the
# builds of testdata/exec (one function changed; -O0 and -O2, PIE and
# not, executable and shared library) get a delta with a prediction,
# smaller than the same files get without one, that applies exactly,
# also from a package; a damaged or disagreeing prediction is refused
# with a clear message and nothing is written.
. "$top_srcdir/tests/cli/lib.sh"
PATH=$top_builddir/cmd:$PATH

if [ "$(uname -m)" != x86_64 ]; then
	echo "SKIP: the test builds are x86-64 code"
	exit 77
fi
if ! sh "$top_srcdir/testdata/exec/build.sh" "$tmp/b" >"$tmp/build.log" 2>&1
then
	echo "SKIP: cannot build testdata/exec: $(head -n 3 "$tmp/build.log")"
	exit 77
fi

. "$top_srcdir/tests/cli/exec-lib.sh"

for k in o0-pie o2-pie o2-nopie o0-so o2-so; do
	check_build "$k" "x86-64 finder 1" nm
done

k=o2-pie old=$tmp/b/$k.old new=$tmp/b/$k.new d=$tmp/$k.d
patch-delta info "$d" >"$tmp/info"
total=$(sed -n 's/^prediction: .*, \([0-9]*\) bytes$/\1/p' "$tmp/info")
# The header's length depends on its version (spec/delta.md 3.4).
hl=$(sed -n 's/^bytes: header \([0-9]*\),.*/\1/p' "$tmp/info")

poke "$hl" 003 "$tmp/finder.d"
refused "unknown finder" 4 "prediction finder 3 is not supported" \
	"$tmp/finder.d"
# The body starts after the finder and its length; its first fields are
# lo and span, then the region count (uvarints, spec/delta.md 10.1): a
# count of 0x7f asks for more regions than the section holds.
# skip_uvarint OFF: the offset after the uvarint at OFF of the delta.
skip_uvarint() {
	_o=$1
	while [ "$(od -An -tu1 -j "$_o" -N1 "$d" | tr -d ' ')" -ge 128 ]; do
		_o=$((_o + 1))
	done
	echo $((_o + 1))
}
at=$(skip_uvarint $((hl + 1)))          # body_len
at=$(skip_uvarint "$(skip_uvarint "$at")")      # lo, span
poke "$at" 177 "$tmp/count.d"
n=0
for f in count; do
	patch-delta apply "$old" "$tmp/$f.d" "$tmp/x.out" 2>"$tmp/err"
	st=$?
	if [ "$st" -eq 3 ] && grep -q "prediction section is corrupt" \
		"$tmp/err"; then n=$((n + 1)); fi
	[ "$st" -ne 0 ] && ok || fail "damaged section $f applied"
done
[ "$n" -ge 1 ] && ok || fail "no damaged section called corrupt"
# The last byte of the body is the last break's change of displacement:
# another value is a well-formed map that disagrees with the encoder's.
last=$((hl + total - 1))
byte=$(od -An -tu1 -j "$last" -N1 "$d" | tr -d ' ')
poke "$last" "$(printf '%03o' $((byte ^ 2)))" "$tmp/wrong.d"
refused "disagreeing map" 3 "prediction section are damaged" "$tmp/wrong.d"

package_roundtrip

# A package whose delta's prediction disagrees: refused, tree unchanged.
printf '%s\n' "set name wrong" "delta f 755 $old $new $tmp/wrong.d" \
	>"$tmp/desc"
forge "$tmp/desc" "$tmp/w.ppkg" || fail "forge"
expect 3 patch-apply --allow-unsigned --state-dir "$tmp/state" \
	--root "$tmp/root" "$tmp/w.ppkg"
[ "$(tree_hash "$tmp/root")" = "$before" ] && ok ||
	fail "a refused package changed the tree"
finish
