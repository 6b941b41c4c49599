#!/bin/sh
# A pfdelta blob whose header names another base (or another result)
# than its entry's states is a damaged package (status 3), found while
# the package is verified; it used to pass verification and then fail on
# a matching tree as a mismatch (status 1).
. "$top_srcdir/tests/cli/lib.sh"
PATH=$top_builddir/cmd:$PATH

seq 1 2000 >"$tmp/before"
seq 1 2000 | sed 's/^1000$/one thousand/' >"$tmp/after"
seq 5 2000 >"$tmp/other"
patch-delta diff "$tmp/before" "$tmp/after" "$tmp/good" || fail "diff"
patch-delta diff "$tmp/after" "$tmp/before" "$tmp/rgood" || fail "diff"
patch-delta diff "$tmp/other" "$tmp/after" "$tmp/wrongbase" || fail "diff"
patch-delta diff "$tmp/before" "$tmp/other" "$tmp/wrongnew" || fail "diff"
patch-delta diff "$tmp/other" "$tmp/before" "$tmp/rwrongbase" || fail "diff"
head -c 30 "$tmp/good" >"$tmp/short"

mkdir -p "$tmp/root"
cp "$tmp/before" "$tmp/root/f"
chmod 644 "$tmp/root/f"
before=$(tree_hash "$tmp/root")

# $1: description, $2: what the message says, then the forge line.
damaged() {
	what=$1 says=$2
	printf '%s\n' "$3" >"$tmp/desc"
	forge "$tmp/desc" "$tmp/d.ppkg" || { fail "forge: $what"; return; }
	refused_by_readers 3 "$what" "$says" "$tmp/d.ppkg"
	[ "$(tree_hash "$tmp/root")" = "$before" ] && ok ||
		fail "$what: the tree changed"
}

damaged "payload delta from another base" "payload blob 0 is a delta from" \
	"delta f 644 $tmp/before $tmp/after $tmp/wrongbase"
damaged "payload delta to another file" "payload blob 0 is a delta to" \
	"delta f 644 $tmp/before $tmp/after $tmp/wrongnew"
damaged "rollback delta from another base" "rollback blob 1 is a delta from" \
	"delta f 644 $tmp/before $tmp/after $tmp/good $tmp/rwrongbase"
damaged "delta shorter than its header" "payload blob 0 is damaged" \
	"delta f 644 $tmp/before $tmp/after $tmp/short"
damaged "stored bytes that are no delta" "payload blob 0 is damaged" \
	"delta f 644 $tmp/before $tmp/after $tmp/after"

# Right deltas both ways: installed and rolled back.
printf '%s\n' "set name deltas" \
	"delta f 644 $tmp/before $tmp/after $tmp/good $tmp/rgood" >"$tmp/desc"
forge "$tmp/desc" "$tmp/d.ppkg" || fail "forge: good"
expect 0 patch-inspect "$tmp/d.ppkg"
expect 0 patch-apply --allow-unsigned --state-dir "$tmp/state" \
	--root "$tmp/root" "$tmp/d.ppkg"
cmp -s "$tmp/root/f" "$tmp/after" && ok || fail "payload delta not applied"
expect 0 patch-rollback --state-dir "$tmp/state" --root "$tmp/root" deltas
[ "$(tree_hash "$tmp/root")" = "$before" ] && ok || fail "rollback"
finish
