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

size() {
	wc -c <"$1" | tr -d ' '
}

# The same file with its ELF magic broken: the delta without prediction.
unelf() {
	cp "$1" "$2"
	printf 'X' | dd of="$2" bs=1 count=1 conv=notrunc 2>/dev/null
}

for k in o0-pie o2-pie o2-nopie o0-so o2-so; do
	old=$tmp/b/$k.old new=$tmp/b/$k.new
	expect 0 patch-delta diff "$old" "$new" "$tmp/$k.d" || continue
	expect 0 patch-delta apply "$old" "$tmp/$k.d" "$tmp/$k.out"
	cmp -s "$new" "$tmp/$k.out" && ok || fail "$k: applied file differs"
	expect 0 patch-delta info "$tmp/$k.d"
	grep -q '^prediction: x86-64 finder 1, ' "$tmp/out" && ok ||
		fail "$k: no prediction: $(cat "$tmp/out")"
	unelf "$old" "$tmp/$k.xold"
	unelf "$new" "$tmp/$k.xnew"
	expect 0 patch-delta diff "$tmp/$k.xold" "$tmp/$k.xnew" "$tmp/$k.g"
	d=$(size "$tmp/$k.d") g=$(size "$tmp/$k.g")
	changed=$(nm -S "$new" 2>/dev/null | awk '$4 == "changed" { print $2 }')
	echo "# $k: changed() is 0x${changed:-?} bytes; delta $d bytes," \
		"$g without prediction"
	[ "$d" -lt "$g" ] && ok || fail "$k: delta $d bytes, not below $g"
	# Position-independent code: a fifth smaller at least.
	case $k in *-pie|*-so)
		[ $((d * 5)) -le $((g * 4)) ] && ok ||
			fail "$k: delta $d bytes, not a fifth below $g" ;;
	esac
done

k=o2-pie old=$tmp/b/$k.old new=$tmp/b/$k.new d=$tmp/$k.d
patch-delta info "$d" >"$tmp/info"
total=$(sed -n 's/^prediction: .*, \([0-9]*\) bytes$/\1/p' "$tmp/info")
# The header's length depends on its version (spec/delta.md 3.4).
hl=$(sed -n 's/^bytes: header \([0-9]*\),.*/\1/p' "$tmp/info")

# $1: description, $2: exit status, $3: what the message says, $4: delta.
refused() {
	rm -f "$tmp/refused.out"
	expect "$2" patch-delta apply "$old" "$4" "$tmp/refused.out" ||
		return
	grep -q "$3" "$tmp/err" && ok || fail "$1: message: $(cat "$tmp/err")"
	[ ! -e "$tmp/refused.out" ] && ok || fail "$1: output written"
}

# A byte of the delta replaced: $1 offset, $2 byte in octal, $3 output.
poke() {
	cp "$d" "$3"
	printf "\\$2" | dd of="$3" bs=1 seek="$1" count=1 conv=notrunc \
		2>/dev/null
}

poke "$hl" 002 "$tmp/finder.d"
refused "unknown finder" 4 "prediction finder 2 is not supported" \
	"$tmp/finder.d"
# The body starts after the finder and a 1- or 2-byte length; its first
# bytes are lo (1 to 3 bytes) and span: a region count of 0x7f there
# asks for more regions than the section holds.
poke $((hl + 4)) 177 "$tmp/count.d"
poke $((hl + 5)) 177 "$tmp/count2.d"
poke $((hl + 6)) 177 "$tmp/count3.d"
n=0
for f in count count2 count3; do
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

# Inside a package: installed exactly, rolled back exactly.
patch-delta diff "$new" "$old" "$tmp/r.d" || fail "reverse diff"
mkdir -p "$tmp/root"
cp "$old" "$tmp/root/f"
chmod 755 "$tmp/root/f"
before=$(tree_hash "$tmp/root")
printf '%s\n' "set name exec" "delta f 755 $old $new $d $tmp/r.d" \
	>"$tmp/desc"
forge "$tmp/desc" "$tmp/p.ppkg" || fail "forge"
expect 0 patch-apply --allow-unsigned --state-dir "$tmp/state" \
	--root "$tmp/root" "$tmp/p.ppkg"
cmp -s "$tmp/root/f" "$new" && ok || fail "package delta not applied"
expect 0 patch-rollback --state-dir "$tmp/state" --root "$tmp/root" exec
[ "$(tree_hash "$tmp/root")" = "$before" ] && ok || fail "rollback"

# A package whose delta's prediction disagrees: refused, tree unchanged.
printf '%s\n' "set name wrong" "delta f 755 $old $new $tmp/wrong.d" \
	>"$tmp/desc"
forge "$tmp/desc" "$tmp/w.ppkg" || fail "forge"
expect 3 patch-apply --allow-unsigned --state-dir "$tmp/state" \
	--root "$tmp/root" "$tmp/w.ppkg"
[ "$(tree_hash "$tmp/root")" = "$before" ] && ok ||
	fail "a refused package changed the tree"
finish
