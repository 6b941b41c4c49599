#!/bin/sh
# Makes the seed corpus of fuzz/fuzz_predict.c: prediction section bodies
# (spec/delta.md section 10.1) written byte by byte, for an old file of
# 12188 bytes (three pages less 100).
# Usage: sh make-seeds.sh [DIR]
set -eu
dir=${1:-$(dirname "$0")}
# lo 0, span 0x10000 (80 80 04); one CODE region of the whole file at
# address 0 (kind 1, gap 0, size 12188 = 9c 5f, vaddr 0, param 0); two
# breaks: 0x100 moves by +0x20 (gap 80 02, zigzag 40), 0x2000 by +0x40
# (gap 0x1f00 = 80 3e, zigzag of +0x20 = 40).
printf '\000\200\200\004\001\001\000\234\137\000\000\002\200\002\100\200\076\100' \
	>"$dir/good-code"
# The same with PTR64, RELA, DYN, SYM, EHTAB and EHFRAME regions of 1000
# bytes each, one after the other (kinds 2 to 7, gap 0, size e8 07).
{
	printf '\000\200\200\004\006'
	for k in 2 3 4 6 5 7; do
		printf "\\00$k\\000\\350\\007\\000"
		[ "$k" = 5 ] && printf '\007' || printf '\000'
	done
	printf '\001\200\002\100'
} >"$dir/good-tables"
# A CODE region of the first page at address 0 and a JUMPTAB region of
# the rest at 0x1000 (kind 9, size 8092 = 9c 3f, vaddr 80 20), the same
# breaks: the lea of the pattern name tables there (section 10.5.1).
printf '\000\200\200\004\002\001\000\200\040\000\000\011\000\234\077\200\040\000\002\200\002\100\200\076\100' \
	>"$dir/good-jumptab"
# A region past the end of the old file, and an unknown kind.
printf '\000\200\200\004\001\001\000\377\377\003\000\000\000' >"$dir/bad-past-end"
printf '\000\200\200\004\001\010\000\020\000\000\000' >"$dir/bad-kind"
# Breaks out of order (a zero gap after the first).
printf '\000\200\200\004\000\002\200\002\100\000\100' >"$dir/bad-order"
