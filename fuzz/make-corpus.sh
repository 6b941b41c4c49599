#!/bin/sh
# Makes the seed corpus of fuzz_package from small trees built here, so
# that no opaque file is committed without the means to make it again.
# Run from the build directory: sh $srcdir/fuzz/make-corpus.sh OUTDIR
set -eu
out=${1:?usage: make-corpus.sh OUTDIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out" "$tmp/o/d" "$tmp/n/d" "$tmp/n/e"
echo one >"$tmp/o/d/f"; echo two >"$tmp/n/d/f"
echo gone >"$tmp/o/g"; ln -s d/f "$tmp/n/l"; chmod 700 "$tmp/n/e"
export SOURCE_DATE_EPOCH=0
./patch-create -q --name seed --package-version 1 -o "$out/tree.ppkg" "$tmp/o" "$tmp/n"
./patch-create -q -o "$out/file.ppkg" "$tmp/o/d/f" "$tmp/n/d/f"
# Metadata (feature bit 2): a hard-link pair, a sparse file, an extended
# attribute where setfattr(1) is installed, and modification times.
mkdir -p "$tmp/mo" "$tmp/mn"
echo same >"$tmp/mo/h"; echo linked >"$tmp/mn/h"; ln "$tmp/mn/h" "$tmp/mn/i"
truncate -s 1M "$tmp/mn/s"; printf data | dd of="$tmp/mn/s" bs=1 seek=8192 \
	conv=notrunc 2>/dev/null
command -v setfattr >/dev/null && setfattr -n user.seed -v 1 "$tmp/mn/h"
touch -d @1700000000 "$tmp/mo/h" "$tmp/mn/h" "$tmp/mn/s"
./patch-create -q --keep-mtime --name seed-meta -o "$out/meta.ppkg" \
	"$tmp/mo" "$tmp/mn"
# pfdelta version 2 blobs without hashes (spec/delta.md section 3.4).
mkdir -p "$tmp/do" "$tmp/dn"
seq 1 2000 >"$tmp/do/n"; seq 1 2000 | sed 's/^999$/x/' >"$tmp/dn/n"
./patch-create -q --name seed-delta -o "$out/delta.ppkg" "$tmp/do" "$tmp/dn"
printf 'file a 644 x\ndir b 755\nsymlink b/c ../a\n' >"$tmp/desc"
./tests/tools/forge "$tmp/desc" "$out/forged.ppkg"
# With the hot-patch test builds made (make check), a package with hot-patch
# records and ELF dependency records too.
if [ -x tests/live/old/hpserver ]; then
	mkdir -p "$tmp/lo" "$tmp/ln"
	cp tests/live/old/libhpdemo.so "$tmp/lo/" && cp tests/live/new/libhpdemo.so "$tmp/ln/"
	./patch-create -q --name seed-live -o "$out/live.ppkg" "$tmp/lo" "$tmp/ln"
fi
