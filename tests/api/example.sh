#!/bin/sh
# doc/examples/apply.c, a program that uses only the public API of the
# shared library, verifies and installs the example package exactly as
# patch-apply does, and refuses what patch-apply refuses.
. "$top_srcdir/tests/cli/lib.sh"
ex=$top_builddir/doc/examples/apply
[ -x "$ex" ] || { echo "SKIP: doc/examples/apply was not built"; exit 77; }

sh "$top_srcdir/testdata/example/build.sh" "$tmp" >/dev/null 2>&1 ||
	{ fail "cannot build testdata/example"; finish; exit 1; }
make_key
patch-create -q --key "$tmp/test.key" --name hello-fix --package-version 1.1 \
	-o "$tmp/fix.ppkg" "$tmp/old" "$tmp/new" || fail "patch-create"
patch-create -q --name unsigned -o "$tmp/unsigned.ppkg" "$tmp/old" "$tmp/new" ||
	fail "patch-create unsigned"
copy_tree "$tmp/old" "$tmp/root"
h_old=$(tree_hash "$tmp/old")

expect 7 "$ex" "$tmp/keys" "$tmp/unsigned.ppkg" "$tmp/root" "$tmp/state"
grep -q "unsigned" "$tmp/err" || fail "unsigned: $(cat "$tmp/err")"
[ "$(tree_hash "$tmp/root")" = "$h_old" ] && ok || fail "refused package changed the tree"

expect 0 "$ex" "$tmp/keys" "$tmp/fix.ppkg" "$tmp/root" "$tmp/state"
grep -q "hello-fix: applied" "$tmp/out" || fail "apply: $(cat "$tmp/out")"
grep -q "^replace *etc/greet.conf$" "$tmp/out" || fail "apply: no entry listed: $(cat "$tmp/out")"
[ "$(tree_hash "$tmp/root")" = "$(tree_hash "$tmp/new")" ] && ok ||
	fail "the example's install differs from the new build"
expect 0 "$ex" "$tmp/keys" "$tmp/fix.ppkg" "$tmp/root" "$tmp/state"
grep -q "already applied" "$tmp/out" || fail "second apply: $(cat "$tmp/out")"

# The tools see what the library recorded, and can undo it.
expect 0 patch-status --state-dir "$tmp/state" --root "$tmp/root"
grep -q "hello-fix .* intact" "$tmp/out" || fail "status: $(cat "$tmp/out")"
expect 0 patch-rollback --state-dir "$tmp/state" --root "$tmp/root" hello-fix
[ "$(tree_hash "$tmp/root")" = "$h_old" ] && ok || fail "rollback is not OLD"
finish
