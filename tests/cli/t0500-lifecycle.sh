#!/bin/sh
# Lifecycle: apply, roll back, apply again on the corpus trees with the
# tree hashed at each step; a superseding patch over an earlier one,
# rolled back; rollback refused when files changed, unless forced.
. "$top_srcdir/tests/cli/lib.sh"
need_corpus
make_key

for name in libcurl4 libpython; do
	old=$PF_CORPUS/trees/$name-old new=$PF_CORPUS/trees/$name-new
	patch-create -q --key "$tmp/test.key" --name "$name-fix" --package-version 1 \
		-o "$tmp/$name.ppkg" "$old" "$new" || fail "create $name"
	copy_tree "$old" "$tmp/$name"
	A="--keyring $tmp/keys --state-dir $tmp/state-$name --root $tmp/$name $needs"
	S="--state-dir $tmp/state-$name --root $tmp/$name"
	h_old=$(tree_hash "$old") h_new=$(tree_hash "$new")
	for round in 1 2; do
		expect 0 patch-apply $A "$tmp/$name.ppkg"
		[ "$(tree_hash "$tmp/$name")" = "$h_new" ] && ok ||
			fail "$name round $round: applied tree differs"
		expect 0 patch-status $S
		grep -q "$name-fix .* intact" "$tmp/out" || fail "status: $(cat "$tmp/out")"
		expect 0 patch-rollback $S --check "$name-fix"
		[ "$(tree_hash "$tmp/$name")" = "$h_new" ] && ok ||
			fail "$name round $round: rollback --check changed the tree"
		expect 0 patch-rollback $S "$name-fix"
		[ "$(tree_hash "$tmp/$name")" = "$h_old" ] && ok ||
			fail "$name round $round: rolled-back tree differs from OLD"
	done
	expect 0 patch-status $S
	grep -q "no patches installed" "$tmp/out" || fail "state not empty"
done

# Superseding: P1 makes MID, P2 (supersedes P1) makes NEW from MID.
old=$PF_CORPUS/trees/libcurl4-old new=$PF_CORPUS/trees/libcurl4-new
copy_tree "$new" "$tmp/mid"
chmod u+w "$tmp/mid/usr/share/doc/libcurl4" "$tmp/mid/usr/share/doc/libcurl4/changelog.Debian.gz"
cp "$old/usr/share/doc/libcurl4/changelog.Debian.gz" "$tmp/mid/usr/share/doc/libcurl4/"
chmod 0444 "$tmp/mid/usr/share/doc/libcurl4/changelog.Debian.gz"
chmod u-w "$tmp/mid/usr/share/doc/libcurl4"
patch-create -q --key "$tmp/test.key" --name p1 --family curl --release 1 \
	-o "$tmp/p1.ppkg" "$old" "$tmp/mid" || fail "create p1"
patch-create -q --key "$tmp/test.key" --name p2 --family curl --release 2 \
	--supersedes p1 -o "$tmp/p2.ppkg" "$tmp/mid" "$new" || fail "create p2"
copy_tree "$old" "$tmp/s"
A="--keyring $tmp/keys --state-dir $tmp/state-s --root $tmp/s $needs"
S="--state-dir $tmp/state-s --root $tmp/s"
expect 0 patch-apply $A "$tmp/p1.ppkg"
expect 0 patch-apply $A "$tmp/p2.ppkg"
[ "$(tree_hash "$tmp/s")" = "$(tree_hash "$new")" ] && ok || fail "p1+p2 tree"
expect 0 patch-status $S --json
grep -q '"id":"p1",.*"superseded_by":"p2"' "$tmp/out" || fail "p1 not superseded: $(cat "$tmp/out")"
expect 8 patch-rollback $S p1
grep -q "superseded by 'p2'" "$tmp/err" || fail "superseded message"
expect 0 patch-rollback $S p2
[ "$(tree_hash "$tmp/s")" = "$(tree_hash "$tmp/mid")" ] && ok || fail "rollback of p2 is not MID"
expect 0 patch-status $S --json
grep -q '"id":"p1",.*"superseded_by":null' "$tmp/out" || fail "p1 not in force again"
expect 0 patch-rollback $S p1
[ "$(tree_hash "$tmp/s")" = "$(tree_hash "$old")" ] && ok || fail "rollback of p1 is not OLD"

# Files changed since the install: refused, then forced.
expect 0 patch-apply $A "$tmp/p1.ppkg"
f=$tmp/s/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0
chmod u+w "$f" && printf 'local edit' >>"$f" && chmod 0444 "$f"
expect 17 patch-status $S
grep -q "p1 .* modified" "$tmp/out" || fail "status does not see the edit"
changed=$(tree_hash "$tmp/s")
expect 1 patch-rollback $S p1
[ "$(tree_hash "$tmp/s")" = "$changed" ] && ok || fail "refused rollback changed the tree"
expect 0 patch-rollback $S --force p1
[ "$(tree_hash "$tmp/s")" = "$(tree_hash "$old")" ] && ok || fail "forced rollback is not OLD"
expect 16 patch-rollback $S p1
finish
