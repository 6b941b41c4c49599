#!/bin/sh
# Makes the seed corpus of fuzz/fuzz_keyfile.c: a public and a secret key
# file made by patch-keygen (a throwaway key, made for this corpus only),
# and damaged forms of each (section 11.1 of spec/patchfmt.md).
# Usage: sh make-seeds.sh PATH/TO/patch-keygen [DIR]
set -eu
kg=$1
dir=${2:-$(dirname "$0")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$kg" -o "$tmp/k" >/dev/null
cp "$tmp/k.pub" "$dir/good-public"
cp "$tmp/k.key" "$dir/good-secret"
head -n 1 "$tmp/k.pub" >"$dir/bad-one-line"
{ cat "$tmp/k.pub"; echo extra; } >"$dir/bad-third-line"
tr -d '\n' <"$tmp/k.pub" >"$dir/bad-no-newline"
sed '2s/^./B/' "$tmp/k.pub" >"$dir/bad-magic"
# The tenth base64 character lies in the key ID: change it, whatever it is.
sed '2s/^\(.\{9\}\)A/\1B/;t;2s/^\(.\{9\}\)./\1A/' "$tmp/k.pub" \
	>"$dir/bad-key-id"
sed 's/^untrusted/trusted/' "$tmp/k.pub" >"$dir/bad-comment"
sed '2s/$/\r/' "$tmp/k.pub" >"$dir/bad-carriage-return"
sed '2s/=$//' "$tmp/k.key" >"$dir/bad-padding"
printf 'untrusted comment: \000\n' >"$dir/bad-nul"
