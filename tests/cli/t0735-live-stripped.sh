#!/bin/sh
# Hot patching builds stripped of .symtab, with no debug file
# (spec/hotpatch.md section 8.3, testdata/hotpatch/stripped.c): exported
# functions are found by .dynsym, the others by .eh_frame and matched
# by their place and content; what cannot be matched is refused.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/live.sh"
prog=
trap 'test -n "$prog" && kill -9 $prog 2>/dev/null; cleanup' EXIT
A="--keyring $tmp/keys --state-dir $tmp/state"
S="--state-dir $tmp/state"
out=$tmp/prog.out


# pkg CASE: a package from the old build to new/stripped-CASE, both as
# opt/prog, with no debug file anywhere.
pkg() {
	mkdir -p "$tmp/$1-old/opt" "$tmp/$1-new/opt"
	cp "$live/old/stripped" "$tmp/$1-old/opt/prog"
	cp "$live/new/stripped-$1" "$tmp/$1-new/opt/prog"
	readelf -S "$tmp/$1-new/opt/prog" | grep -q '\.symtab' &&
		fail "stripped-$1 has a .symtab"
	expect 0 patch-create -q --key "$tmp/test.key" --name "s-$1" \
		--debug-dir "$tmp/none" -o "$tmp/$1.ppkg" "$tmp/$1-old" "$tmp/$1-new"
	expect 0 patch-inspect --explain "$tmp/$1.ppkg"
}

mkdir -p "$tmp/run"
cp "$live/old/stripped" "$tmp/run/prog"
prog_start "$tmp/run/prog" "$out"
before=$(prog_ask "$out")
[ -n "$before" ] || fail "no answer from the old build"

# (a) A fix in an exported function: matched by its .dynsym name.
pkg a
grep -q '^changed .*: scale: .*matched by its symbol in \.dynsym' "$tmp/out" ||
	fail "a: explain: $(cat "$tmp/out")"
grep -q '^refused' "$tmp/out" && fail "a: refused: $(cat "$tmp/out")"
expect 0 patch-apply $A --pid "$prog" "$tmp/a.ppkg"
[ "$(prog_ask "$out")" = "22 ${before#* }" ] && ok || fail "a: after apply: $(tail -1 "$out")"
expect 0 patch-rollback $S --pid "$prog" s-a
[ "$(prog_ask "$out")" = "$before" ] && ok || fail "a: after rollback: $(tail -1 "$out")"

# (b) A fix in a static function between exported ones: known only by
# its FDE, matched by its place between anchors and its content.
pkg b
grep -q '^changed .*: unnamed@0x[0-9a-f]*: .*matched by its place between .* (\.eh_frame), [0-9]*% alike' \
	"$tmp/out" || fail "b: explain: $(cat "$tmp/out")"
grep -q '^refused' "$tmp/out" && fail "b: refused: $(cat "$tmp/out")"
expect 0 patch-apply $A --pid "$prog" "$tmp/b.ppkg"
after=$(prog_ask "$out")
[ "${after% *}" = "${before% *}" ] && [ "${after#* }" != "${before#* }" ] &&
	ok || fail "b: after apply: $before, then $after"
expect 0 patch-rollback $S --pid "$prog" s-b
[ "$(prog_ask "$out")" = "$before" ] && ok || fail "b: after rollback: $(tail -1 "$out")"
# Five more rounds: nothing is left behind.
r=0
while [ $r -lt 5 ]; do
	expect 0 patch-apply $A --pid "$prog" "$tmp/b.ppkg" || break
	[ "$(prog_ask "$out")" = "$after" ] && ok || fail "b: round $r: $(tail -1 "$out")"
	expect 0 patch-rollback $S --pid "$prog" s-b
	[ "$(prog_ask "$out")" = "$before" ] && ok || fail "b: round $r: rollback"
	r=$((r + 1))
done

# (c) The changed static function has a new neighbour with no name:
# two unnamed functions where the old build has one.  No guess: refused,
# and the process is left alone.
pkg c
grep -q '^refused .*: unnamed@0x[0-9a-f]*: unnamed function at 0x[0-9a-f]* changed and could not be matched: between .* the old build has 1 unnamed functions and the new 2' \
	"$tmp/out" || fail "c: explain: $(cat "$tmp/out")"
expect 4 patch-apply $A --pid "$prog" "$tmp/c.ppkg"
grep -q 'cannot be hot-patched safely' "$tmp/err" || fail "c: apply: $(cat "$tmp/err")"
[ "$(prog_ask "$out")" = "$before" ] && ok || fail "c: process changed: $(tail -1 "$out")"

# A real stripped build (the corpus's sshd pair): GOT slots that hold the
# address of an unnamed function are keyed by the function once it is
# matched, so code that reaches it through the GOT is not refused as a
# new import.
if [ -n "${PF_CORPUS:-}" ] && [ -f "$PF_CORPUS/pairs/sshd/old" ]; then
	mkdir -p "$tmp/sshd-old" "$tmp/sshd-new"
	cp "$PF_CORPUS/pairs/sshd/old" "$tmp/sshd-old/sshd"
	cp "$PF_CORPUS/pairs/sshd/new" "$tmp/sshd-new/sshd"
	expect 0 patch-create -q --name sshd -o "$tmp/sshd.ppkg" "$tmp/sshd-old" "$tmp/sshd-new"
	expect 0 patch-inspect --explain "$tmp/sshd.ppkg"
	grep -q '^changed .*(\.eh_frame)' "$tmp/out" || fail "sshd: nothing matched by .eh_frame"
	grep -q 'does not import (got:8:' "$tmp/out" &&
		fail "sshd: a local GOT slot taken for an import: $(grep 'got:8:' "$tmp/out")"
fi
finish
