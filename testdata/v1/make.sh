#!/bin/sh
# Remakes good-v1.ppkg, a package whose blobs are pfdelta version 1
# deltas (spec/delta.md before its version 2), with the tools of a
# commit before version 2 (7b80c24 was used): run from such a build.
# Usage: sh make.sh PATH/TO/BUILD OUTDIR
set -eu
build=$1
out=${2:-$(dirname "$0")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/old" "$tmp/new"
seq 1 3000 >"$tmp/old/numbers"
seq 1 3000 | sed 's/^1500$/fifteen hundred/' >"$tmp/new/numbers"
printf 'unchanged\n' >"$tmp/old/same"
cp "$tmp/old/same" "$tmp/new/same"
chmod 644 "$tmp/old/numbers" "$tmp/new/numbers" "$tmp/old/same" \
	"$tmp/new/same"
touch -d 2026-01-01T00:00:00Z "$tmp"/old/* "$tmp"/new/*
"$build/patch-create" -q --name v1-deltas --package-version 1 \
	-o "$out/good-v1.ppkg" "$tmp/old" "$tmp/new"
