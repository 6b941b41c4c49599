#!/bin/sh
# Remakes the seeds of fuzz_state from a build (run in the build
# directory): a record and a journal written by the tools themselves,
# the journal left by killing patch-apply at its first rename in the
# tree, and damaged forms of both.
set -eu
out=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/o/d" "$tmp/n/d" "$tmp/n/new"
echo old >"$tmp/o/d/f" && echo new >"$tmp/n/d/f" && echo x >"$tmp/n/new/x"
./patch-create -q --name fix --package-version 1.0 --family fam --release 3 \
	--supersedes old --provides feat=1 \
	-o "$tmp/p.ppkg" "$tmp/o" "$tmp/n"
cp -a "$tmp/o" "$tmp/t"
./patch-apply --allow-unsigned --skip-needs --state-dir "$tmp/s" \
	--root "$tmp/t" "$tmp/p.ppkg" >/dev/null 2>&1 || true
cp "$tmp/s/patches/fix/record" "$out/record"
rm -rf "$tmp/t" "$tmp/s" && cp -a "$tmp/o" "$tmp/t"
strace -qq -o /dev/null -e trace=renameat -e inject=renameat:signal=KILL:when=3 \
	./patch-apply --allow-unsigned --skip-needs --state-dir "$tmp/s" \
	--root "$tmp/t" "$tmp/p.ppkg" >/dev/null 2>&1 || true
cp "$tmp/s/journal" "$out/journal"
sed 's/^release 3$/release 3x/' "$out/record" >"$out/bad-record-number"
printf 'id fix\nid fix\ndigest 00\n' >"$out/bad-record-twice"
head -c 100 "$out/journal" >"$out/bad-journal-cut"
sed 's/^step \([0-9]*\) 2/step \1 9/' "$out/journal" >"$out/bad-journal-step"
