#!/bin/sh
# Writes the seed corpus of fuzz/fuzz_undo.c, byte by byte: three hot-patch
# journals (spec/hotpatch.md section 9.1).  Run from the source tree.
set -eu
out=fuzz/corpus/undo
mkdir -p "$out"
# bytes OCTAL...: the bytes, given in octal.
bytes() {
	for b in "$@"; do printf "\\$b"; done
}
digest() {
	i=0
	while [ $i -lt 32 ]; do bytes 253; i=$((i + 1)); done
}
# One module: PFHU, version 2, mapped, build id 01020304, base 0x1000,
# region 0x2000, 4096 bytes, one 5-byte site at 0x1234.
undo() {
	printf 'PFHU'
	bytes 002 001 004 001 002 003 004 200 040 200 100 200 040 001
	bytes 264 044 005 125 110 211 345 123 351 001 002 003 004
}
# The journal header: PFHJ, version 1, digest, phase, flags.
head() {
	printf 'PFHJ'
	bytes 001
	digest
	bytes "$1" "$2"
}
# A live patch: no thread held, one module of 31 bytes.
{ head 002 000; bytes 000 001 037; undo; } >"$out/live"
# Going in, frozen, the main thread held in mmap, no module yet.
{
	head 001 001
	bytes 020 200 040 011 200 100 200 040 000 000 000 000
	i=0
	while [ $i -lt 216 ]; do bytes 000; i=$((i + 1)); done
	bytes 000
} >"$out/applying"
# Going out, frozen, one module.
{ head 003 001; bytes 000 001 037; undo; } >"$out/reverting"
