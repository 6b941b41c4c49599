#!/bin/sh
# Makes the seed corpus of fuzz/fuzz_delta.c: a few valid deltas against
# the fixed old buffer of the fuzz target, and a few damaged ones.  The
# v1-* seeds are version 1 deltas that patch-delta wrote before version 2
# (spec/delta.md section 3.4); this script no longer makes them.
# Usage: sh make-seeds.sh PATH/TO/patch-delta [DIR]
set -eu
pd=$1
dir=${2:-$(dirname "$0")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The same bytes as fuzz_old[] in fuzz/fuzz_delta.c.
printf 'the quick brown fox jumps over the lazy dog 0123456789\n\177ELF\002\001\001\000 a few bytes of pretend machine code \350\020' >"$tmp/old"
sed 's/lazy/sleepy/' "$tmp/old" >"$tmp/edit"
{ cat "$tmp/old"; printf 'and some new bytes at the end\n'; } >"$tmp/longer"
: >"$tmp/empty"

"$pd" diff "$tmp/old" "$tmp/edit" "$dir/good-edit"
"$pd" diff "$tmp/old" "$tmp/longer" "$dir/good-longer"
"$pd" diff "$tmp/old" "$tmp/old" "$dir/good-identical"
"$pd" diff "$tmp/old" "$tmp/empty" "$dir/good-empty"
# Version 2 without hashes, as the deltas inside packages are.
"$pd" diff --no-sha256 "$tmp/old" "$tmp/edit" "$dir/good-bare-edit"
"$pd" diff --no-sha256 "$tmp/old" "$tmp/longer" "$dir/good-bare-longer"
head -c 60 "$dir/good-longer" >"$dir/bad-truncated"
{ printf 'X'; tail -c +2 "$dir/good-edit"; } >"$dir/bad-magic"
{ head -c 8 "$dir/good-edit"; printf '\003'; tail -c +10 "$dir/good-edit"; } \
	>"$dir/unsupported-version"
{ head -c 110 "$dir/good-longer"; printf '\377'; tail -c +112 "$dir/good-longer"; } \
	>"$dir/bad-flipped"
