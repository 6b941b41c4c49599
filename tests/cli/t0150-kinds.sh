#!/bin/sh
# Every kind of difference between two builds: files added, removed and
# changed; directories added and removed (nested); symlinks, absolute and
# dangling; type changes; permission bits.
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

expect 0 patch-create -q -o "$tmp/p.ppkg" "$old" "$new"
expect 0 patch-inspect --json "$tmp/p.ppkg"
grep -q '"op":"remove"' "$tmp/out" || fail "no removal in the manifest"
grep -q '"target":"/other/dangling"' "$tmp/out" || fail "symlink target missing"
grep -q '"path":"keep/same"' "$tmp/out" && fail "unchanged file has an entry"

copy_tree "$old" "$tmp/t"
# --check agrees with the real run, also where a file becomes a
# directory that gets children.
expect 0 patch-apply $(unsigned_opts t) --check --root "$tmp/t" "$tmp/p.ppkg"
[ "$(tree_hash "$tmp/t")" = "$(tree_hash "$old")" ] && ok ||
	fail "--check changed the tree"
expect 0 patch-apply $(unsigned_opts t) --root "$tmp/t" "$tmp/p.ppkg"
[ "$(tree_hash "$tmp/t")" = "$(tree_hash "$new")" ] && ok ||
	fail "applied tree differs from NEW: $(diff -r --no-dereference "$tmp/t" "$new")"
expect 0 patch-apply $(unsigned_opts t) --root "$tmp/t" "$tmp/p.ppkg"
grep -q "already applied" "$tmp/out" || fail "second apply not 'already applied'"

# Two single files.
expect 0 patch-create -q -o "$tmp/f.ppkg" "$old/keep/big" "$new/keep/big"
mkdir "$tmp/single" && cp "$old/keep/big" "$tmp/single/big"
expect 0 patch-apply $(unsigned_opts s) --root "$tmp/single" "$tmp/f.ppkg"
cmp -s "$tmp/single/big" "$new/keep/big" && ok || fail "single file differs"

# Failures and crashes at every step of the commit: t0160-crash.sh.
finish
