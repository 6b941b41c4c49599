#!/bin/sh
# Writes the seed corpus of fuzz/fuzz_hotpatch.c into fuzz/corpus/hotpatch,
# byte by byte from spec/hotpatch.md, so that no input is an opaque file.
# Usage: sh tests/live/make-hotpatch-seeds.sh [SRCDIR]
set -eu
out=${1:-.}/fuzz/corpus/hotpatch
mkdir -p "$out"
zero32='\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'

# good-small: one function with two relocations, one string, one refusal.
{
	printf 'PFHP\001\076'                       # magic, version, arch 62
	printf '\004\336\255\276\357'               # build id deadbeef
	printf '\003srv'                            # module name
	printf '\001'                               # one function
	printf '\003foo\000'                        # name, flags
	printf '\260\042\050'                       # old offset 0x1130, length 40
	printf "$zero32"                            # old sha256
	printf '\000\005\125\110\211\345\123'       # entry skip, head
	printf '\014\110\215\075\0\0\0\0\351\0\0\0\0' # code
	printf '\002'                               # two relocations
	printf '\003\004\000\007'                   # REL32_DATA 0, addend -4
	printf '\010\001\300\040\007'               # REL32_OLD 0x1040, -4
	printf '\001\000\000\001\003hi\000'          # one data blob "hi"
	printf '\001\005table\014size changed'      # one refusal
} > "$out/good-small"

# good-empty: a record that replaces nothing.
printf 'PFHP\001\076\001\252\000\000\000\000' > "$out/good-empty"

# bad-truncated: good-small cut in the middle of the old sha256.
head -c 30 "$out/good-small" > "$out/bad-truncated"

# bad-noncanonical: the function count as a two-byte uvarint.
printf 'PFHP\001\076\001\252\000\201\000\000\000' > "$out/bad-noncanonical"

# good-undo: an undo record with one site.
{
	printf 'PFHU\002\001\004\001\002\003\004'
	printf '\200\200\200\002\200\200\300\001\200\100\001'
	printf '\200\240\200\002\005\125\110\211\345\123\351\0\0\0\0'
} > "$out/good-undo"
