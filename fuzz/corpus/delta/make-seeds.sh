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
# Above the windowed encoder's threshold at --memory 16M (1 MiB), with
# content repeated farther apart than a window: copies from NEW (SELF).
seq 1 20000 >"$tmp/seq"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do cat "$tmp/seq"; done >"$tmp/repeats"

"$pd" -f diff "$tmp/old" "$tmp/edit" "$dir/good-edit"
"$pd" -f diff "$tmp/old" "$tmp/longer" "$dir/good-longer"
"$pd" -f diff "$tmp/old" "$tmp/old" "$dir/good-identical"
"$pd" -f diff "$tmp/old" "$tmp/empty" "$dir/good-empty"
"$pd" -f diff --memory 16M "$tmp/old" "$tmp/repeats" "$dir/good-self"
# Against the target's second old file (big_old[]): long copies, with
# skip decisions (flag SKIP), a few changed lines between them.
seq 1 20000 | head -c 65536 >"$tmp/big"
sed 's/^1234$/4321/; s/^4000$/4x00/; s/^9999$/99999/' "$tmp/big" >"$tmp/big-edit"
"$pd" -f diff "$tmp/big" "$tmp/big-edit" "$dir/good-skip"
# Version 2 without hashes, as the deltas inside packages are.
"$pd" -f diff --no-sha256 "$tmp/old" "$tmp/edit" "$dir/good-bare-edit"
"$pd" -f diff --no-sha256 "$tmp/old" "$tmp/longer" "$dir/good-bare-longer"
head -c 60 "$dir/good-longer" >"$dir/bad-truncated"
{ printf 'X'; tail -c +2 "$dir/good-edit"; } >"$dir/bad-magic"
{ head -c 8 "$dir/good-edit"; printf '\003'; tail -c +10 "$dir/good-edit"; } \
	>"$dir/unsupported-version"
{ head -c 110 "$dir/good-longer"; printf '\377'; tail -c +112 "$dir/good-longer"; } \
	>"$dir/bad-flipped"
