#!/bin/sh
# Every kind of difference between two builds: files added, removed and
# changed; directories added and removed (nested); symlinks, absolute and
# dangling; type changes; permission bits; then undoing a failed commit
# at every step leaves the tree exactly as it was.
. "$top_srcdir/tests/cli/lib.sh"

old=$tmp/old new=$tmp/new
mkdir -p "$old/keep" "$old/gone/deeper" "$old/todir" "$old/modes"
echo same >"$old/keep/same"
echo old >"$old/keep/changed"
echo bye >"$old/gone/deeper/file"
ln -s ../keep/same "$old/gone/link"
echo was-file >"$old/becomes-dir"
mkdir "$old/becomes-file" && echo inner >"$old/becomes-file/x"
echo f >"$old/becomes-link"
ln -s /nonexistent/target "$old/abs-link"
echo m >"$old/modes/exec" && chmod 0644 "$old/modes/exec"
chmod 0755 "$old/modes"
head -c 100000 /dev/urandom >"$old/keep/big"

mkdir -p "$new/keep" "$new/fresh/sub" "$new/todir" "$new/modes"
echo same >"$new/keep/same"
echo new >"$new/keep/changed"
mkdir "$new/becomes-dir" && echo in >"$new/becomes-dir/child"
echo now-a-file >"$new/becomes-file"
ln -s keep/same "$new/becomes-link"
ln -s /other/dangling "$new/abs-link"
echo hello >"$new/fresh/sub/hello"
ln -s sub/hello "$new/fresh/link"
echo m >"$new/modes/exec" && chmod 4755 "$new/modes/exec"
chmod 0700 "$new/modes"
cp "$old/keep/big" "$new/keep/big" && printf x >>"$new/keep/big"

expect 0 patch-create -q -o "$tmp/p.pfpk" "$old" "$new"
expect 0 patch-inspect --json "$tmp/p.pfpk"
grep -q '"op":"remove"' "$tmp/out" || fail "no removal in the manifest"
grep -q '"target":"/other/dangling"' "$tmp/out" || fail "symlink target missing"
grep -q '"path":"keep/same"' "$tmp/out" && fail "unchanged file has an entry"

copy_tree "$old" "$tmp/t"
expect 0 patch-apply $(unsigned_opts t) --root "$tmp/t" "$tmp/p.pfpk"
[ "$(tree_hash "$tmp/t")" = "$(tree_hash "$new")" ] && ok ||
	fail "applied tree differs from NEW: $(diff -r --no-dereference "$tmp/t" "$new")"
expect 0 patch-apply $(unsigned_opts t) --root "$tmp/t" "$tmp/p.pfpk"
grep -q "already applied" "$tmp/out" || fail "second apply not 'already applied'"

# Two single files.
expect 0 patch-create -q -o "$tmp/f.pfpk" "$old/keep/big" "$new/keep/big"
mkdir "$tmp/single" && cp "$old/keep/big" "$tmp/single/big"
expect 0 patch-apply $(unsigned_opts s) --root "$tmp/single" "$tmp/f.pfpk"
cmp -s "$tmp/single/big" "$new/keep/big" && ok || fail "single file differs"

# A failure injected at each step of the commit is undone completely.
before=$(tree_hash "$old")
step=0
while [ $step -lt 40 ]; do
	rm -rf "$tmp/f$step"
	copy_tree "$old" "$tmp/f$step"
	PATCHFMT_FAIL_AFTER=$step patch-apply --allow-unsigned \
		--state-dir "$tmp/st$step" --root "$tmp/f$step" "$tmp/p.pfpk" \
		>/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 0 ]; then
		[ "$(tree_hash "$tmp/f$step")" = "$(tree_hash "$new")" ] && ok ||
			fail "step $step: success but tree differs from NEW"
		break
	fi
	[ $rc -eq 5 ] || fail "step $step: exit $rc, expected 5"
	[ "$(tree_hash "$tmp/f$step")" = "$before" ] && ok ||
		fail "step $step: failed apply changed the tree"
	leftovers=$(find "$tmp/f$step" -name '.pf-*' | head -1)
	[ -z "$leftovers" ] || fail "step $step: left '$leftovers' behind"
	rm -rf "$tmp/f$step"
	step=$((step + 1))
done
[ $step -gt 5 ] || fail "failure injection never failed"
finish
