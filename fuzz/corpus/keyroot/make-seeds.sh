#!/bin/sh
# Makes the seed corpus of fuzz/fuzz_keyroot.c: keyring root files
# (spec/keyring.md) made by patch-keyring with throwaway keys made for
# this corpus only, and damaged forms of them.
# Usage: sh make-seeds.sh BUILDDIR [DIR]
set -eu
b=$1
dir=${2:-$(dirname "$0")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PATH=$b:$PATH

for k in a b c d s t; do patch-keygen -o "$tmp/$k" >/dev/null; done
kr() { patch-keyring "$@" >/dev/null; }
kr init "$tmp/r" --root "$tmp/a.pub" --sign "$tmp/a.key"
cp "$tmp/r/root.pfkr" "$dir/good-init"
kr rotate-root "$tmp/r" --root "$tmp/a.pub" --root "$tmp/b.pub" \
	--threshold 2 --sign "$tmp/a.key" --sign "$tmp/b.key"
kr add-key "$tmp/r" "$tmp/s.pub" --expires 2030-01-01 --signing-threshold 2 \
	--sign "$tmp/a.key" --sign "$tmp/b.key"
kr add-key "$tmp/r" "$tmp/t.pub" --sign "$tmp/a.key" --sign "$tmp/b.key"
kr revoke "$tmp/r" 0123456789abcdef --sign "$tmp/a.key" --sign "$tmp/b.key"
cp "$tmp/r/root.pfkr" "$dir/good-keys"
kr rotate-root "$tmp/r" --root "$tmp/c.pub" --root "$tmp/d.pub" \
	--sign "$tmp/a.key" --sign "$tmp/b.key" --sign "$tmp/c.key" \
	--sign "$tmp/d.key"
cp "$tmp/r/root.pfkr" "$dir/good-rotated"

f=$dir/good-keys
size=$(wc -c <"$f")
{ printf 'PFKX'; tail -c +5 "$f"; } >"$dir/bad-magic"
head -c $((size - 1)) "$f" >"$dir/bad-truncated"
{ cat "$f"; printf '\0'; } >"$dir/bad-trailing"
# The two root keys swapped: out of key ID order.
{ head -c 32 "$f"; tail -c +65 "$f" | head -c 32; tail -c +33 "$f" |
	head -c 32; tail -c +97 "$f"; } >"$dir/bad-order"
# One signature of two: below the root threshold.
{ head -c $((size - 152)) "$f"; printf '\001\0\0\0\0\0\0\0'
	tail -c 72 "$f"; } >"$dir/bad-threshold"
