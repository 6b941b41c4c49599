#!/bin/sh
# The hot-patch analysis on the corpus pairs (stripped Debian builds):
# for each pair, how many functions the record replaces, how many it
# refuses, and how many of those are unnamed functions that could not be
# matched (spec/hotpatch.md section 8.3).  The files are copied without
# holes: patch-create does not analyse a sparse file (its contents are
# never loaded whole).  A benchmark: it prints a
# table, asserts nothing.  Usage: bench/live-stripped.sh BUILDDIR
# [DEBUGDIR]; PF_CORPUS is the corpus (default /work/shared/corpus),
# PAIRS the pair directories to run (default: all of pairs and pairs2).
set -u
b=${1:?usage: live-stripped.sh BUILDDIR [DEBUGDIR]}
dbg=${2:-}
corpus=${PF_CORPUS:-/work/shared/corpus}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pf-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf '| pair | replaced | refused | unmatched unnamed | seconds |\n'
printf '|---|---|---|---|---|\n'
for d in ${PAIRS:-"$corpus"/pairs/* "$corpus"/pairs2/*}; do
	[ -f "$d/old" ] && [ -f "$d/new" ] || continue
	p=$(basename "$d")
	rm -rf "$tmp/o" "$tmp/n"
	mkdir -p "$tmp/o" "$tmp/n"
	cp --sparse=never "$d/old" "$tmp/o/$p"
	cp --sparse=never "$d/new" "$tmp/n/$p"
	s=$(date +%s.%N)
	"$b/patch-create" -q -f ${dbg:+--debug-dir "$dbg"} -o "$tmp/p.ppkg" \
		"$tmp/o" "$tmp/n" 2>"$tmp/err" || { echo "| $p | failed | | | |"; continue; }
	e=$(date +%s.%N)
	"$b/patch-inspect" --explain "$tmp/p.ppkg" >"$tmp/out"
	rep=$(grep -c '^  replace ' "$tmp/out")
	ref=$(grep -c '^refused ' "$tmp/out")
	unm=$(grep -c '^refused .*could not be matched' "$tmp/out")
	printf '| %s | %s | %s | %s | %.1f |\n' "$p" "$rep" "$ref" "$unm" \
		"$(echo "$e - $s" | bc)"
done
