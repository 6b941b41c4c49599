#!/bin/sh
# pfdelta version 2 (spec/delta.md section 3.4): a delta made without
# hashes is refused on its own unless the new file's hash is given; the
# hashes given are checked; a few changed bytes cost little; packages
# made with version 1 deltas (testdata/v1) still apply and roll back.
. "$top_srcdir/tests/cli/lib.sh"
PATH=$top_builddir/cmd:$PATH

head -c 1048576 /dev/urandom >"$tmp/old"
cp "$tmp/old" "$tmp/new"
printf 'XY' | dd of="$tmp/new" bs=1 seek=500000 conv=notrunc 2>/dev/null
sha_old=$(sha256sum <"$tmp/old" | cut -c1-64)
sha_new=$(sha256sum <"$tmp/new" | cut -c1-64)

expect 0 patch-delta diff --no-sha256 "$tmp/old" "$tmp/new" "$tmp/bare.d"
expect 0 patch-delta diff "$tmp/old" "$tmp/new" "$tmp/full.d"
# Fixed cost: two changed bytes in 1 MiB, with and without the hashes.
[ "$(wc -c <"$tmp/bare.d")" -le 150 ] && ok ||
	fail "bare delta of $(wc -c <"$tmp/bare.d") bytes"
[ "$(wc -c <"$tmp/full.d")" -le 214 ] && ok ||
	fail "delta with hashes of $(wc -c <"$tmp/full.d") bytes"
expect 0 patch-delta info "$tmp/bare.d"
grep -q '^format: pfdelta 2$' "$tmp/out" && ok || fail "info: version"
grep -q '^new sha256: none$' "$tmp/out" && ok || fail "info: no hash"
expect 0 patch-delta info "$tmp/full.d"
grep -q "^new sha256: $sha_new\$" "$tmp/out" && ok || fail "info: hash"

# On its own, a delta without hashes is refused: nothing would check it.
expect 4 patch-delta apply "$tmp/old" "$tmp/bare.d" "$tmp/out1"
grep -q "holds no sha256" "$tmp/err" && ok || fail "message: $(cat "$tmp/err")"
[ ! -e "$tmp/out1" ] && ok || fail "refused delta wrote its output"
expect 0 patch-delta apply --new-sha256 "$sha_new" "$tmp/old" "$tmp/bare.d" \
	"$tmp/out2"
cmp -s "$tmp/out2" "$tmp/new" && ok || fail "bare delta with --new-sha256"
expect 3 patch-delta apply --new-sha256 "$sha_old" "$tmp/old" "$tmp/bare.d" \
	"$tmp/out3"
grep -q "does not match the expected sha256" "$tmp/err" && ok ||
	fail "message: $(cat "$tmp/err")"
[ ! -e "$tmp/out3" ] && ok || fail "wrong result kept"
expect 1 patch-delta apply --old-sha256 "$sha_new" --new-sha256 "$sha_new" \
	"$tmp/old" "$tmp/bare.d" "$tmp/out4"
[ ! -e "$tmp/out4" ] && ok || fail "wrong old: output written"
expect 2 patch-delta apply --new-sha256 abc "$tmp/old" "$tmp/bare.d" \
	"$tmp/out5"
# A delta with hashes needs none given, and checks the ones given.
expect 0 patch-delta apply "$tmp/old" "$tmp/full.d" "$tmp/out6"
cmp -s "$tmp/out6" "$tmp/new" && ok || fail "delta with hashes"
expect 3 patch-delta apply --new-sha256 "$sha_old" "$tmp/old" "$tmp/full.d" \
	"$tmp/out7"

# A package of version 1 deltas, made before version 2, still applies.
mkdir -p "$tmp/root"
seq 1 3000 >"$tmp/root/numbers"
printf 'unchanged\n' >"$tmp/root/same"
chmod 644 "$tmp/root/numbers" "$tmp/root/same"
before=$(tree_hash "$tmp/root")
v1=$top_srcdir/testdata/v1/good-v1.ppkg
expect 0 patch-inspect "$v1"
expect 0 patch-apply --allow-unsigned --state-dir "$tmp/state" \
	--root "$tmp/root" "$v1"
seq 1 3000 | sed 's/^1500$/fifteen hundred/' | cmp -s - "$tmp/root/numbers" &&
	ok || fail "version 1 delta not applied"
expect 0 patch-rollback --state-dir "$tmp/state" --root "$tmp/root" v1-deltas
[ "$(tree_hash "$tmp/root")" = "$before" ] && ok || fail "rollback"

# Packages made now carry version 2 deltas without hashes, and apply.
mkdir -p "$tmp/b/old" "$tmp/b/new"
cp "$tmp/old" "$tmp/b/old/f"
cp "$tmp/new" "$tmp/b/new/f"
expect 0 patch-create -q --name v2 -o "$tmp/v2.ppkg" "$tmp/b/old" "$tmp/b/new"
expect 0 patch-inspect "$tmp/v2.ppkg"
grep -q "pfdelta" "$tmp/out" && ok || fail "no pfdelta blob"
[ "$(wc -c <"$tmp/v2.ppkg")" -lt 1024 ] && ok ||
	fail "package of $(wc -c <"$tmp/v2.ppkg") bytes"
mkdir -p "$tmp/r2"
cp "$tmp/old" "$tmp/r2/f"
expect 0 patch-apply --allow-unsigned --state-dir "$tmp/state2" \
	--root "$tmp/r2" "$tmp/v2.ppkg"
cmp -s "$tmp/r2/f" "$tmp/new" && ok || fail "version 2 package not applied"
# A tree whose file differs (same size) is refused, untouched.
cp "$tmp/old" "$tmp/r3f"
printf 'Z' | dd of="$tmp/r3f" bs=1 seek=7 conv=notrunc 2>/dev/null
mkdir -p "$tmp/r3"
cp "$tmp/r3f" "$tmp/r3/f"
expect 1 patch-apply --allow-unsigned --state-dir "$tmp/state3" \
	--root "$tmp/r3" "$tmp/v2.ppkg"
cmp -s "$tmp/r3/f" "$tmp/r3f" && ok || fail "mismatching tree changed"
finish
