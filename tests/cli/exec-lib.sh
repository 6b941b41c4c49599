# Shared by t3200-exec.sh and t3210-exec-aarch64.sh: sourced after
# lib.sh, not run.  The builds of testdata/exec are in $tmp/b.

size() {
	wc -c <"$1" | tr -d ' '
}

# The same file with its ELF magic broken: the delta without prediction.
unelf() {
	cp "$1" "$2"
	printf 'X' | dd of="$2" bs=1 count=1 conv=notrunc 2>/dev/null
}

# check_build KIND FINDER NM: the delta of build KIND applies exactly,
# has the prediction named FINDER (as patch-delta info says it), and is
# smaller than without one, by a fifth for position-independent code.
# Sets d and g to the sizes with and without prediction.
check_build() {
	old=$tmp/b/$1.old new=$tmp/b/$1.new d=0 g=0
	expect 0 patch-delta diff "$old" "$new" "$tmp/$1.d" || return
	expect 0 patch-delta apply "$old" "$tmp/$1.d" "$tmp/$1.out"
	cmp -s "$new" "$tmp/$1.out" && ok || fail "$1: applied file differs"
	expect 0 patch-delta info "$tmp/$1.d"
	grep -q "^prediction: $2, " "$tmp/out" && ok ||
		fail "$1: no prediction: $(cat "$tmp/out")"
	unelf "$old" "$tmp/$1.xold"
	unelf "$new" "$tmp/$1.xnew"
	expect 0 patch-delta diff "$tmp/$1.xold" "$tmp/$1.xnew" "$tmp/$1.g"
	d=$(size "$tmp/$1.d") g=$(size "$tmp/$1.g")
	changed=$($3 -S "$new" 2>/dev/null |
		awk '$4 == "changed" { print $2 }')
	echo "# $1: changed() is 0x${changed:-?} bytes; delta $d bytes," \
		"$g without prediction"
	[ "$d" -lt "$g" ] && ok || fail "$1: delta $d bytes, not below $g"
	case $1 in *-pie|*-so)
		[ $((d * 5)) -le $((g * 4)) ] && ok ||
			fail "$1: delta $d bytes, not a fifth below $g" ;;
	esac
}

# $1: description, $2: exit status, $3: what the message says, $4: delta.
refused() {
	rm -f "$tmp/refused.out"
	expect "$2" patch-delta apply "$old" "$4" "$tmp/refused.out" ||
		return
	grep -q "$3" "$tmp/err" && ok || fail "$1: message: $(cat "$tmp/err")"
	[ ! -e "$tmp/refused.out" ] && ok || fail "$1: output written"
}

# A byte of the delta $d replaced: $1 offset, $2 byte in octal, $3 output.
poke() {
	cp "$d" "$3"
	printf "\\$2" | dd of="$3" bs=1 seek="$1" count=1 conv=notrunc \
		2>/dev/null
}

# The delta $d of $old to $new inside a package: installed exactly,
# rolled back exactly.  Leaves $tmp/root as it was, and $before.
package_roundtrip() {
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
	expect 0 patch-rollback --state-dir "$tmp/state" --root "$tmp/root" \
		exec
	[ "$(tree_hash "$tmp/root")" = "$before" ] && ok || fail "rollback"
}
