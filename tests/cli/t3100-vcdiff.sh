#!/bin/sh
# VCDIFF (spec/vcdiff.md) against Debian's xdelta3, both ways, byte for
# byte: xdelta3 -e with -S none, lzma and djw, with and without -n, at
# -1 and -9, with a source window (-B) smaller than old, decoded by
# patch-delta; patch-delta's VCDIFF, plain and with --secondary=lzma,
# decoded by xdelta3 -d.  On generated edge cases, the golden files of
# testdata/vcdiff and the corpus pairs.
. "$top_srcdir/tests/cli/lib.sh"
pd=$top_builddir/cmd/patch-delta

if ! command -v xdelta3 >/dev/null 2>&1; then
	echo "SKIP: xdelta3 is not installed (scripts/install-deps)"
	exit 77
fi

# xd3_to_pf OLD NEW WHAT OPTS...: xdelta3 -e OPTS, then patch-delta
# apply gives NEW.  DJW may be refused, with status 4 and a message
# naming it, when a window really uses it.
xd3_to_pf() {
	_old=$1 _new=$2 _what=$3
	shift 3
	if ! xdelta3 -e -f "$@" -s "$_old" "$_new" "$tmp/x.vcd" 2>"$tmp/err"; then
		fail "$_what: xdelta3 -e $*: $(cat "$tmp/err")"
		return
	fi
	rm -f "$tmp/x.out"
	"$pd" -f apply "$_old" "$tmp/x.vcd" "$tmp/x.out" 2>"$tmp/err"
	_rc=$?
	case "$_rc $*" in
	"4 "*djw*)
		grep -q "djw secondary compression is not supported" "$tmp/err" &&
			ok || fail "$_what: xdelta3 $*: message: $(cat "$tmp/err")"
		return ;;
	esac
	[ "$_rc" -eq 0 ] && cmp -s "$_new" "$tmp/x.out" && ok ||
		fail "$_what: xdelta3 -e $* decoded by patch-delta: exit $_rc: $(cat "$tmp/err")"
}

# pf_to_xd3 OLD NEW WHAT OPTS...: patch-delta diff OPTS, then xdelta3 -d
# and patch-delta apply both give NEW.
pf_to_xd3() {
	_old=$1 _new=$2 _what=$3
	shift 3
	if ! "$pd" -f diff --format=vcdiff "$@" "$_old" "$_new" "$tmp/p.vcd" 2>"$tmp/err"; then
		fail "$_what: patch-delta diff $*: $(cat "$tmp/err")"
		return
	fi
	xdelta3 -d -f -s "$_old" "$tmp/p.vcd" "$tmp/p.out" 2>"$tmp/err" &&
		cmp -s "$_new" "$tmp/p.out" && ok ||
		fail "$_what: patch-delta $* decoded by xdelta3: $(cat "$tmp/err")"
	"$pd" -f apply "$_old" "$tmp/p.vcd" "$tmp/p.out2" 2>"$tmp/err" &&
		cmp -s "$_new" "$tmp/p.out2" && ok ||
		fail "$_what: patch-delta $* decoded by patch-delta: $(cat "$tmp/err")"
}

# both_ways OLD NEW WHAT [XDELTA3-OPTS]: every combination above (the
# runs of the suite that repeat it, PF_CRASH_STRIDE set: at -9 only).
levels="-1 -9"
[ -n "${PF_CRASH_STRIDE:-}" ] && levels=-9
both_ways() {
	for _s in none lzma djw; do
		for _l in $levels; do
			xd3_to_pf "$1" "$2" "$3" $_l -S $_s ${4:-}
			xd3_to_pf "$1" "$2" "$3" $_l -S $_s -n ${4:-}
		done
	done
	pf_to_xd3 "$1" "$2" "$3"
	pf_to_xd3 "$1" "$2" "$3" --secondary=lzma
}

# The golden files: each delta's exit status, and its output.
gold=$top_srcdir/testdata/vcdiff
grep -v '^#' "$gold/expected" | while read -r delta status result; do
	rm -f "$tmp/g.out"
	"$pd" -f apply "$gold/old" "$gold/$delta" "$tmp/g.out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$status" ]; then
		echo "FAIL: golden $delta: exit $rc, expected $status: $(cat "$tmp/err")" >&2
		echo x >>"$tmp/golden-failed"
	elif [ "$result" = - ] && [ -e "$tmp/g.out" ]; then
		echo "FAIL: golden $delta: a refused delta left an output" >&2
		echo x >>"$tmp/golden-failed"
	elif [ "$result" != - ] && ! cmp -s "$gold/$result" "$tmp/g.out"; then
		echo "FAIL: golden $delta: output differs from $result" >&2
		echo x >>"$tmp/golden-failed"
	fi
done
[ ! -e "$tmp/golden-failed" ] && ok ||
	fail "$(wc -l <"$tmp/golden-failed") golden files decoded wrongly"
# The hand-made self-copying window means the same to xdelta3.
xdelta3 -d -c -s "$gold/old" "$gold/good-self.vcdiff" 2>/dev/null |
	cmp -s - "$gold/self" && ok || fail "xdelta3 reads good-self.vcdiff otherwise"

# Generated pairs: text with edits, moves and repeats.
awk 'BEGIN { for (i = 0; i < 6000; i++) printf "line %d of the old file %x\n", i, i * 7919 }' \
	>"$tmp/old"
sed -e 's/of the old file 1/of the NEW file 1/' -e '/line 500 /d' \
	"$tmp/old" >"$tmp/new"
: >"$tmp/empty"
head -c 100000 /dev/zero | tr '\0' 'z' >"$tmp/zzz"
# New repeats itself: copies inside the target window pay.
awk 'BEGIN { for (r = 0; r < 40; r++) for (i = 0; i < 300; i++) printf "repeat %d\n", i }' \
	>"$tmp/selfrep"

both_ways "$tmp/old" "$tmp/new" "edited text"
both_ways "$tmp/old" "$tmp/old" "identical"
both_ways "$tmp/old" "$tmp/empty" "empty new"
both_ways "$tmp/empty" "$tmp/new" "empty old"
both_ways "$tmp/empty" "$tmp/empty" "both empty"
both_ways "$tmp/zzz" "$tmp/new" "no common bytes"
both_ways "$tmp/old" "$tmp/selfrep" "target-window copies"
# patch-delta's plain VCDIFF copies the repeats from its own target
# window: a fraction of new, which has little in common with old.
"$pd" -f diff --format=vcdiff "$tmp/old" "$tmp/selfrep" "$tmp/self.vcd"
[ "$(wc -c <"$tmp/self.vcd")" -lt "$(($(wc -c <"$tmp/selfrep") / 20))" ] && ok ||
	fail "no target-window copies: $(wc -c <"$tmp/self.vcd") bytes"
# Source windows (-B, at least 512 KiB) smaller than old: xdelta3 cuts
# its source segments.
awk 'BEGIN { for (i = 0; i < 90000; i++) printf "entry %d of the mid file %x\n", i, i * 40503 }' \
	>"$tmp/mid.old"
sed -e 's/of the mid file 2/of the MID file 2/' -e '/entry 5000 /d' \
	"$tmp/mid.old" >"$tmp/mid.new"
echo "moved to the end" >>"$tmp/mid.new"
head -c 300000 "$tmp/mid.old" >>"$tmp/mid.new"
both_ways "$tmp/mid.old" "$tmp/mid.new" "-B 524288" "-B 524288"

# Larger than one window: xdelta3 with 64 KiB windows (-W), and
# patch-delta's own 8 MiB windows on a 9 MiB file.
xd3_to_pf "$tmp/old" "$tmp/new" "small windows" -9 -S lzma -W 65536
xd3_to_pf "$tmp/mid.old" "$tmp/mid.new" "small windows" -S none -W 65536 -B 524288
awk 'BEGIN { for (i = 0; i < 330000; i++) printf "row %d value %x\n", i, i * 2654435761 % 4294967296 }' \
	>"$tmp/big.old"
sed -e 's/^row 1000 /ROW 1000 /' -e 's/^row 300000 /ROW 300000 /' \
	"$tmp/big.old" >"$tmp/big.new"
[ "$(wc -c <"$tmp/big.new")" -gt 8388608 ] && ok ||
	fail "the big pair is not larger than one window"
pf_to_xd3 "$tmp/big.old" "$tmp/big.new" "two windows"
# The runs of the suite that repeat it (PF_CRASH_STRIDE set: sanitizers,
# distcheck) leave out the slowest repeats of what the first run tried.
[ -n "${PF_CRASH_STRIDE:-}" ] ||
	pf_to_xd3 "$tmp/big.old" "$tmp/big.new" "two windows" --secondary=lzma

# The default is plain RFC 3284: no secondary compressor, no checksum.
"$pd" -f diff --format=vcdiff "$tmp/old" "$tmp/new" "$tmp/plain.vcd"
[ "$(od -An -tx1 -N5 "$tmp/plain.vcd" | tr -d ' \n')" = d6c3c40000 ] && ok ||
	fail "plain VCDIFF header is $(od -An -tx1 -N5 "$tmp/plain.vcd")"
xdelta3 printhdrs "$tmp/plain.vcd" >"$tmp/hdrs" 2>&1
! grep -q "VCD_ADLER32\|VCD_SECONDARY" "$tmp/hdrs" && ok ||
	fail "plain VCDIFF uses an xdelta3 extension: $(cat "$tmp/hdrs")"
"$pd" -f diff --format=vcdiff --secondary=lzma "$tmp/old" "$tmp/new" "$tmp/lz.vcd"
xdelta3 printhdrs "$tmp/lz.vcd" >"$tmp/hdrs" 2>&1
grep -q "VCDIFF secondary compressor: *lzma" "$tmp/hdrs" &&
	grep -q "VCD_ADLER32" "$tmp/hdrs" && ok ||
	fail "--secondary=lzma headers: $(cat "$tmp/hdrs")"
expect 0 "$pd" info "$tmp/lz.vcd" &&
	{ grep -q "^secondary compression: lzma$" "$tmp/out" && ok ||
	fail "info: $(cat "$tmp/out")"; }
# The same inputs give the same delta.
"$pd" -f diff --format=vcdiff --secondary=lzma "$tmp/old" "$tmp/new" "$tmp/lz2.vcd"
cmp -s "$tmp/lz.vcd" "$tmp/lz2.vcd" && ok || fail "vcdiff output is not deterministic"

# A wrong old file of the right size is found by xdelta3's checksums:
# status 1, no output.  One too short, by the source segments.
xdelta3 -e -f -S none -s "$tmp/old" "$tmp/new" "$tmp/x.vcd"
tr 0-9 1-90 <"$tmp/old" >"$tmp/wrong.old"
expect 1 "$pd" -f apply "$tmp/wrong.old" "$tmp/x.vcd" "$tmp/wrong.out" &&
	{ grep -q "adler-32" "$tmp/err" && ok || fail "wrong old: $(cat "$tmp/err")"; }
[ ! -e "$tmp/wrong.out" ] && ok || fail "a refused delta left an output"
expect 1 "$pd" -f apply "$tmp/empty" "$tmp/x.vcd" "$tmp/wrong.out" &&
	{ grep -q "right old file" "$tmp/err" && ok || fail "short old: $(cat "$tmp/err")"; }
# A delta through a pipe.
cat "$tmp/x.vcd" | "$pd" -f apply "$tmp/old" - "$tmp/piped.out" &&
	cmp -s "$tmp/new" "$tmp/piped.out" && ok || fail "piped vcdiff"

# Usage.
expect 2 "$pd" -f diff --secondary=lzma "$tmp/old" "$tmp/new" "$tmp/u.vcd"
expect 2 "$pd" -f diff --format=bsdiff "$tmp/old" "$tmp/new" "$tmp/u.vcd"

# The corpus pairs, when there are any: xdelta3's best, and a source
# window smaller than old on the largest pair.
for pair in "${PF_CORPUS:-/nonexistent}"/pairs/*; do
	[ -r "$pair/old" ] && [ -r "$pair/new" ] || continue
	name=$(basename "$pair")
	xd3_to_pf "$pair/old" "$pair/new" "$name" -9 -S lzma
	[ "$name" = git ] &&
		xd3_to_pf "$pair/old" "$pair/new" "$name" -1 -S none -n -B 524288
	# patch-delta's own VCDIFF of the big pairs: in the first run only.
	[ -n "${PF_CRASH_STRIDE:-}" ] && [ "$(wc -c <"$pair/old")" -gt 2000000 ] &&
		continue
	pf_to_xd3 "$pair/old" "$pair/new" "$name"
	pf_to_xd3 "$pair/old" "$pair/new" "$name" --secondary=lzma
done

finish
