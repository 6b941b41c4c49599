#!/bin/sh
# Hostile packages: paths with "..", absolute paths, writing through a
# symlink in the package or in the target tree.  Each is refused and
# nothing is written inside or outside the root.
. "$top_srcdir/tests/cli/lib.sh"

mkdir -p "$tmp/root/sub" "$tmp/outside"
echo keep >"$tmp/root/sub/file"
ln -s "$tmp/outside" "$tmp/root/linkdir"
before=$(tree_hash "$tmp/root")
outside=$(tree_hash "$tmp/outside")

hostile() {
	# $1: expected status, $2: description, then the forge lines
	want=$1 what=$2
	shift 2
	printf '%s\n' "$@" >"$tmp/desc"
	forge "$tmp/desc" "$tmp/h.ppkg" || { fail "forge: $what"; return; }
	patch-apply --allow-unsigned --state-dir "$tmp/state" --root "$tmp/root" \
		"$tmp/h.ppkg" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq "$want" ] && ok || fail "$what: exit $rc, expected $want: $(cat "$tmp/err")"
	patch-apply --allow-unsigned --state-dir "$tmp/state" --check \
		--root "$tmp/root" "$tmp/h.ppkg" >/dev/null 2>&1
	[ $? -eq "$want" ] || fail "$what: --check disagrees"
}

hostile 6 "dot-dot path" "file ../escape 644 pwned"
hostile 6 "nested dot-dot" "dir sub 755" "file sub/../../escape 644 pwned"
hostile 6 "absolute path" "file $tmp/outside/abs 644 pwned"
hostile 6 "empty component" "file sub//x 644 pwned"
hostile 6 "dot component" "file ./x 644 pwned"
hostile 6 "symlink in the package" "symlink evil $tmp/outside" \
	"file evil/pwned 644 pwned"
hostile 6 "symlinked directory in the target" "file linkdir/pwned 644 pwned"
hostile 6 "deep through target symlink" "dir linkdir/a 755" \
	"file linkdir/a/pwned 644 pwned"
# Section 5.3.1: a path over 4096 bytes is refused as the string field
# it is (corrupt), before the path rules (unsafe) are looked at.
long=$(printf 'd%.0s' $(seq 200))
long=$(printf "$long/%.0s" $(seq 21))x
hostile 3 "path longer than 4096 bytes" "file $long 644 pwned"
grep -q "entry path is longer than 4096 bytes" "$tmp/err" ||
	fail "long path message: $(cat "$tmp/err")"
hostile 3 "unsorted entries" "file zz 644 a" "file aa 644 b"
hostile 3 "repeated entry" "file aa 644 a" "file aa 644 b"
grep -q "not sorted or repeat" "$tmp/err" || fail "repeat message"

# Content whose blob is intact but decodes to the wrong file: --check
# decodes every payload, so it is refused before any apply.
hostile 3 "content does not match its entry" "lie lie 644 content"

[ "$(tree_hash "$tmp/root")" = "$before" ] && ok || fail "the root changed"
[ "$(tree_hash "$tmp/outside")" = "$outside" ] && ok || fail "outside changed"
[ -z "$(ls -A "$tmp/outside")" ] && ok || fail "something was written outside"

# A sane forged package does install, so the refusals above are real.
hostile 0 "sane package" "dir newdir 755" "file newdir/ok 644 fine"
[ "$(cat "$tmp/root/newdir/ok")" = "fine" ] && ok || fail "sane package content"
finish
