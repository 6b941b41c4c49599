#!/bin/sh
# Codec 4 (VCDIFF) in packages: patch-create --codec vcdiff writes plain
# RFC 3284 blobs that xdelta3 decodes; the reader walks each codec 4 blob
# while it verifies the package, so one that cannot make its entry is a
# damaged package (status 3) before the tree is touched; one made against
# another base of the same size fails the content hash, tree unchanged.
. "$top_srcdir/tests/cli/lib.sh"
PATH=$top_builddir/cmd:$PATH

seq 1 3000 >"$tmp/before"
seq 1 3000 | sed -e 's/^1000$/one thousand/' -e '/^2000$/d' >"$tmp/after"
seq 1 3000 | sed 's/^5$/6/' >"$tmp/other"
mkdir -p "$tmp/old" "$tmp/new" "$tmp/root"
cp "$tmp/before" "$tmp/old/f"
cp "$tmp/after" "$tmp/new/f"
cp "$tmp/before" "$tmp/root/f"
chmod 644 "$tmp/old/f" "$tmp/new/f" "$tmp/root/f"
before=$(tree_hash "$tmp/root")

# patch-create: codec 4 when asked, codec 3 by default.
expect 0 patch-create -q --name vc --codec vcdiff -o "$tmp/vc.ppkg" \
	"$tmp/old" "$tmp/new"
expect 0 patch-inspect "$tmp/vc.ppkg" &&
	{ grep -q "vcdiff" "$tmp/out" && ok || fail "inspect: $(cat "$tmp/out")"; }
expect 0 patch-create -q --name pd -o "$tmp/pd.ppkg" "$tmp/old" "$tmp/new"
expect 0 patch-inspect "$tmp/pd.ppkg" &&
	{ ! grep -q "vcdiff" "$tmp/out" && grep -q pfdelta "$tmp/out" && ok ||
	fail "default codec: $(cat "$tmp/out")"; }
expect 2 patch-create -q --name x --codec bsdiff -o "$tmp/x.ppkg" \
	"$tmp/old" "$tmp/new"

# The payload blob is the plain VCDIFF that patch-delta writes, which
# xdelta3 decodes.
patch-delta diff --format=vcdiff "$tmp/before" "$tmp/after" "$tmp/blob"
python3 -c 'import sys; sys.exit(open(sys.argv[1], "rb").read() not in open(sys.argv[2], "rb").read())' \
	"$tmp/blob" "$tmp/vc.ppkg" && ok || fail "the package does not hold the plain VCDIFF blob"
if command -v xdelta3 >/dev/null 2>&1; then
	xdelta3 -d -c -s "$tmp/before" "$tmp/blob" | cmp -s - "$tmp/after" && ok ||
		fail "xdelta3 does not decode the blob"
fi

# round_trip PACKAGE ID: installed, then rolled back.
round_trip() {
	expect 0 patch-apply --allow-unsigned --state-dir "$tmp/state" \
		--root "$tmp/root" "$1"
	cmp -s "$tmp/root/f" "$tmp/after" && ok || fail "$2: not applied"
	expect 0 patch-rollback --state-dir "$tmp/state" --root "$tmp/root" "$2"
	[ "$(tree_hash "$tmp/root")" = "$before" ] && ok || fail "$2: rollback"
}
round_trip "$tmp/vc.ppkg" vc

# Forged packages.
patch-delta diff --format=vcdiff "$tmp/after" "$tmp/before" "$tmp/rblob"
sed 's/^1000$/one thousand/' "$tmp/other" >"$tmp/after2"
patch-delta diff --format=vcdiff "$tmp/other" "$tmp/after2" "$tmp/otherbase"
patch-delta diff --format=vcdiff "$tmp/before" "$tmp/other" "$tmp/othernew"
head -c 3 /dev/zero >"$tmp/zero3"
patch-delta diff --format=vcdiff "$tmp/zero3" "$tmp/after" "$tmp/nocopy"
head -c 30 "$tmp/blob" >"$tmp/short"
forged() {
	printf '%s\n' "set name forged" "$1" >"$tmp/desc"
	forge "$tmp/desc" "$tmp/f.ppkg" || fail "forge: $1"
}
damaged() {
	forged "$3"
	refused_by_readers "$4" "$1" "$2" "$tmp/f.ppkg"
	[ "$(tree_hash "$tmp/root")" = "$before" ] && ok ||
		fail "$1: the tree changed"
}
damaged "vcdiff making another size" "payload blob 0 is damaged" \
	"vcdiff f 644 $tmp/before $tmp/after $tmp/othernew" 3
damaged "vcdiff cut short" "payload blob 0 is damaged" \
	"vcdiff f 644 $tmp/before $tmp/after $tmp/short" 3
damaged "stored bytes that are no vcdiff" "payload blob 0 is damaged" \
	"vcdiff f 644 $tmp/before $tmp/after $tmp/after" 3
if command -v xdelta3 >/dev/null 2>&1; then
	# A source segment past the end of the base: make one with a
	# longer old file, where the copied bytes lie past its size.
	{ head -c 20000 /dev/zero; cat "$tmp/before"; } >"$tmp/long"
	tail -c 5000 "$tmp/before" >"$tmp/tailnew"
	xdelta3 -e -f -S none -s "$tmp/long" "$tmp/tailnew" "$tmp/far" 2>/dev/null
	damaged "vcdiff reading past its base" "payload blob 0 is damaged" \
		"vcdiff f 644 $tmp/before $tmp/tailnew $tmp/far" 3
	xdelta3 -e -f -S djw -s "$tmp/zero3" "$tmp/after" "$tmp/djw" 2>/dev/null
	damaged "vcdiff with djw" "payload blob 0 is not supported" \
		"vcdiff f 644 $tmp/zero3 $tmp/after $tmp/djw" 4
fi

# Made against another base of the same size: it passes verification
# (VCDIFF names no base), and the content hash stops it, tree unchanged.
[ "$(wc -c <"$tmp/other")" -eq "$(wc -c <"$tmp/before")" ] && ok ||
	fail "other is not the size of before"
forged "vcdiff f 644 $tmp/before $tmp/after2 $tmp/otherbase"
expect 0 patch-inspect "$tmp/f.ppkg"
expect 3 patch-apply --allow-unsigned --state-dir "$tmp/state" \
	--root "$tmp/root" "$tmp/f.ppkg"
[ "$(tree_hash "$tmp/root")" = "$before" ] && ok ||
	fail "a wrong vcdiff changed the tree"
# And right deltas both ways, forged: installed and rolled back.
forged "vcdiff f 644 $tmp/before $tmp/after $tmp/blob $tmp/rblob"
round_trip "$tmp/f.ppkg" forged
finish
