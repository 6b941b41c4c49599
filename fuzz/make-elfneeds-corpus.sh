#!/bin/sh
# Writes the seed corpus of fuzz_elfneeds: ELF needs records encoded by
# hand, field by field (spec/elf-needs.md section 3), so that every seed
# can be read here and made again.  Every length is below 128, so each
# tag and length is one byte.
#   sh fuzz/make-elfneeds-corpus.sh [OUTDIR]   (default fuzz/corpus/elfneeds)
set -eu
export LC_ALL=C
out=${1:-$(dirname "$0")/corpus/elfneeds}
mkdir -p "$out"

byte() { printf "\\$(printf %03o "$1")"; }
# A string field: tag, length, bytes.
str() { byte "$1"; byte "${#2}"; printf %s "$2"; }
# A NEED field: soname, then its versions in order.
need() {
	inner=$(str 1 "$1"; shift; for v in "$@"; do str 3 "$v"; done)
	byte 1; byte "${#inner}"; printf %s "$inner"
}

: >"$out/empty"
# The example of spec section 3.3.
{ need libgreet.so.1 VERS_2; str 3 '$ORIGIN/../lib'; } >"$out/example"
# A program as cc makes them: libc and libm, and a two-entry run path.
{ need libc.so.6 GLIBC_2.2.5 GLIBC_2.34; need libm.so.6 GLIBC_2.29
  need libpthread.so.0; str 3 '/opt/app/lib'; str 3 '${ORIGIN}'; } \
	>"$out/program"
# Unknown fields that are not critical: a reader skips them.
{ need liba.so.1 V_1; str 3 '/lib'; str 4 'later'; str 6 'x'; } \
	>"$out/unknown-even"
# Refused: out of order, repeated version, unknown critical tag.
{ need libb.so.1; need liba.so.1; } >"$out/bad-order"
need liba.so.1 V_1 V_1 >"$out/bad-repeat"
{ need liba.so.1; str 5 'x'; } >"$out/bad-critical"
