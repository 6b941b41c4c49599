#!/bin/sh
# Copies from the new file's earlier bytes (spec/delta.md section 5.3):
# above the threshold (1 MiB at --memory 16M), a block that the new file
# repeats far apart is paid for once, in patch-delta's delta and in a
# package; patch-delta apply reads it back from the output file, or from
# a temporary file in TMPDIR when the output is a pipe, and the package
# applier from the staged file (from a temporary file while it verifies).
. "$top_srcdir/tests/cli/lib.sh"

pd=$top_builddir/cmd/patch-delta
mkdir -p "$tmp/o" "$tmp/n"
head -c 1572864 /dev/urandom >"$tmp/o/img"
head -c 307200 /dev/urandom >"$tmp/blk"
{
	for i in 1 2 3 4 5; do cat "$tmp/blk"; printf 'round %d' $i; done
	head -c 524288 "$tmp/o/img"
} >"$tmp/n/img"

# Without copies from NEW the delta would hold the block five times.
expect 0 "$pd" -f diff --memory 16M "$tmp/o/img" "$tmp/n/img" "$tmp/d"
size=$(wc -c <"$tmp/d")
[ "$size" -lt 360000 ] && ok || fail "delta of $size bytes"
expect 0 "$pd" info "$tmp/d"
grep -q "copies from the new file's earlier bytes: allowed" "$tmp/out" && ok ||
	fail "info does not say: $(cat "$tmp/out")"

# Into a file: read back from it, no temporary file needed.
expect 0 env TMPDIR=/nonexistent "$pd" -f apply "$tmp/o/img" "$tmp/d" \
	"$tmp/d.new"
cmp -s "$tmp/d.new" "$tmp/n/img" && ok || fail "wrong result in a file"

# Into a pipe: a temporary copy in TMPDIR is read back.
mkdir "$tmp/spool"
TMPDIR=$tmp/spool "$pd" apply "$tmp/o/img" "$tmp/d" >"$tmp/piped" &&
	ok || fail "apply to standard output"
cmp -s "$tmp/piped" "$tmp/n/img" && ok || fail "wrong result on stdout"
TMPDIR=$tmp/spool "$pd" apply "$tmp/o/img" <"$tmp/d" | cmp -s - "$tmp/n/img" &&
	ok || fail "wrong result through a pipe"
[ -z "$(ls "$tmp/spool")" ] && ok || fail "temporary files left behind"
TMPDIR=/nonexistent "$pd" apply "$tmp/o/img" "$tmp/d" 2>"$tmp/err" |
	cat >/dev/null
grep -q "cannot create a temporary file in '/nonexistent'" "$tmp/err" &&
	ok || fail "no temporary file, no message: $(cat "$tmp/err")"

# A new file that does not repeat itself (the old one with a few bytes
# changed, above the threshold too): no copy from NEW, so the delta does
# not say it may make one, and applies to a pipe without a temporary file.
head -c 1572864 "$tmp/o/img" >"$tmp/plain"
printf 'edited' | dd of="$tmp/plain" bs=1 seek=700000 conv=notrunc 2>/dev/null
expect 0 "$pd" -f diff --memory 16M "$tmp/o/img" "$tmp/plain" "$tmp/dp"
expect 0 "$pd" info "$tmp/dp"
grep -q "earlier bytes" "$tmp/out" && fail "flag SELF without a copy from NEW" ||
	ok
TMPDIR=/nonexistent "$pd" apply "$tmp/o/img" "$tmp/dp" | cmp -s - "$tmp/plain" &&
	ok || fail "no repeats: wrong result through a pipe"

# A package: verified (into a temporary file), installed, rolled back.
expect 0 patch-create -q --name self --memory 16M -o "$tmp/p.ppkg" "$tmp/o" \
	"$tmp/n"
size=$(wc -c <"$tmp/p.ppkg")
# The forward delta holds the block once, the rollback delta OLD's bytes.
[ "$size" -lt 1500000 ] && ok || fail "package of $size bytes"
copy_tree "$tmp/o" "$tmp/t"
expect 0 env TMPDIR=$tmp/spool patch-apply $(unsigned_opts a) --root "$tmp/t" \
	"$tmp/p.ppkg"
cmp -s "$tmp/t/img" "$tmp/n/img" && ok || fail "package: wrong result"
[ "$(ls -A "$tmp/t")" = img ] && ok || fail "files left in the tree"
expect 0 patch-rollback --state-dir "$tmp/state.a" --root "$tmp/t" self
cmp -s "$tmp/t/img" "$tmp/o/img" && ok || fail "rollback: wrong result"
finish
