#!/bin/sh
# Damaged packages: truncated at many points and with flipped bytes, each
# refused (exit 3) with the target unchanged; a package made for another
# OLD is refused (exit 1) naming the file and both hashes.
. "$top_srcdir/tests/cli/lib.sh"
need_corpus
make_key

old=$PF_CORPUS/trees/libcurl4-old new=$PF_CORPUS/trees/libcurl4-new
patch-create -q --key "$tmp/test.key" -o "$tmp/p.ppkg" "$old" "$new" ||
	fail "create"
A="--keyring $tmp/keys --state-dir $tmp/state $needs"
copy_tree "$old" "$tmp/t"
before=$(tree_hash "$tmp/t")
size=$(stat -c %s "$tmp/p.ppkg")

check_refused() {
	# $1: damaged package, $2: what was done to it
	patch-apply $A --root "$tmp/t" "$1" >/dev/null 2>"$tmp/err"
	rc=$?
	# 4 (unsupported) for a damaged version or feature field, 7 for a
	# damaged signature.
	case $rc in
	3|4|7) ok ;;
	*) fail "$2: exit $rc, expected 3: $(cat "$tmp/err")" ;;
	esac
	patch-inspect "$1" >/dev/null 2>&1 && fail "$2: patch-inspect accepted it"
}

# Truncation: every byte of the first 400, then every 997th (the runs
# of the suite that repeat it, PF_CRASH_STRIDE=K: every K-th of the 400,
# then every (997 * K / 2)-th).
dense=${PF_CRASH_STRIDE:-1}
spread=1
[ "$dense" -gt 2 ] && spread=$((dense / 2))
n=0
while [ $n -lt "$size" ]; do
	head -c $n "$tmp/p.ppkg" >"$tmp/cut"
	check_refused "$tmp/cut" "truncated at $n"
	if [ $n -lt 400 ]; then n=$((n + dense)); else n=$((n + 997 * spread)); fi
done
# Trailing garbage.
cp "$tmp/p.ppkg" "$tmp/long" && printf 'x' >>"$tmp/long"
check_refused "$tmp/long" "one byte appended"

# Flipped bytes: every byte of the header, then spread over the package.
flip() {
	cp "$tmp/p.ppkg" "$tmp/flip"
	b=$(od -An -tu1 -j"$1" -N1 "$tmp/p.ppkg" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 0x5a)))" |
		dd of="$tmp/flip" bs=1 seek="$1" conv=notrunc 2>/dev/null
}
n=0
while [ $n -lt "$size" ]; do
	flip $n
	check_refused "$tmp/flip" "byte $n flipped"
	if [ $n -lt 600 ]; then n=$((n + dense)); else n=$((n + 1499 * spread)); fi
done
[ "$(tree_hash "$tmp/t")" = "$before" ] && ok ||
	fail "a damaged package changed the tree"

# Not a package at all.
expect 3 patch-apply $A --root "$tmp/t" "$old/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0"
grep -q 'not a patch package' "$tmp/err" || fail "bad magic message"
: >"$tmp/empty"
expect 3 patch-apply $A --root "$tmp/t" "$tmp/empty"

# A package for a different OLD.
copy_tree "$old" "$tmp/other"
f=usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0
chmod u+w "$tmp/other/$f" && printf 'X' | dd of="$tmp/other/$f" bs=1 seek=5000 conv=notrunc 2>/dev/null
other_before=$(tree_hash "$tmp/other")
expect 1 patch-apply $A --root "$tmp/other" "$tmp/p.ppkg"
grep -q "'$f' does not match the package: expected sha256 [0-9a-f]\{64\}, found [0-9a-f]\{64\}" "$tmp/err" ||
	fail "mismatch message: $(cat "$tmp/err")"
[ "$(tree_hash "$tmp/other")" = "$other_before" ] && ok ||
	fail "a mismatching target was changed"
expect 1 patch-apply $A --check --root "$tmp/other" "$tmp/p.ppkg"

# Usage errors.
expect 2 patch-apply
expect 2 patch-apply $A --bogus "$tmp/p.ppkg"
expect 2 patch-create -o "$tmp/x.ppkg" "$old"
expect 2 patch-apply $A --root "$tmp/nonexistent" "$tmp/p.ppkg"
finish
