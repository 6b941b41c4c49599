#!/bin/sh
# patch-delta: diff, apply and info through files and pipes; a wrong old
# file is refused with exit status 1 and leaves NEW untouched.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
pd=$top_builddir/cmd/patch-delta
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t3000.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0 n=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1"
}

check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# A pair: 200 KiB of varied bytes, and the same with a few edits.
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "line %d of the old file %x\n", i, i * 7919 }' \
	>"$tmp/old"
sed -e 's/of the old file 1/of the NEW file 1/' -e '/line 5000 /d' \
	"$tmp/old" >"$tmp/new"

check "diff to a file" "$pd" diff "$tmp/old" "$tmp/new" "$tmp/d1"
check "apply from files" "$pd" apply "$tmp/old" "$tmp/d1" "$tmp/out1"
check "applied file is new" cmp -s "$tmp/new" "$tmp/out1"
check "diff to stdout" sh -c '"$1" diff "$2/old" "$2/new" >"$2/d2"' x "$pd" "$tmp"
check "same delta either way" cmp -s "$tmp/d1" "$tmp/d2"
check "diff with new from stdin" \
	sh -c '"$1" diff "$2/old" - - <"$2/new" >"$2/d3"' x "$pd" "$tmp"
check "stdin gives the same delta" cmp -s "$tmp/d1" "$tmp/d3"
check "apply through pipes" \
	sh -c 'cat "$2/d1" | "$1" apply "$2/old" | cat >"$2/out2"' x "$pd" "$tmp"
check "piped output is new" cmp -s "$tmp/new" "$tmp/out2"
check "apply with - names" \
	sh -c '"$1" apply "$2/old" - - <"$2/d1" >"$2/out3"' x "$pd" "$tmp"
check "dash output is new" cmp -s "$tmp/new" "$tmp/out3"

"$pd" info "$tmp/d1" >"$tmp/info"
check "info exits 0" test $? -eq 0
check "info states the sizes" grep -q "^new size: $(wc -c <"$tmp/new" | tr -d ' ')\$" "$tmp/info"
check "info states old sha256" grep -q "^old sha256: $(sha256sum "$tmp/old" | cut -c1-64)\$" "$tmp/info"
check "info states the skips" grep -q "^unchanged copied bytes: skipped, 4096 at a decision\$" "$tmp/info"

# A wrong old file: exit status 1, a clear message, NEW untouched.
cp "$tmp/new" "$tmp/wrong"
echo x >>"$tmp/wrong"
echo "keep me" >"$tmp/out4"
"$pd" -f apply "$tmp/wrong" "$tmp/d1" "$tmp/out4" 2>"$tmp/err"
status=$?
check "wrong old exits 1" test "$status" -eq 1
check "wrong old message" grep -q "^patch-delta: '$tmp/wrong' does not match the delta: expected" "$tmp/err"
check "new left untouched" test "$(cat "$tmp/out4")" = "keep me"
check "no temporary file left" sh -c '! ls "$1"/out4.* >/dev/null 2>&1' x "$tmp"
# Of the right size: into a file its hash is checked after the decode
# (NEW's covers it), into a pipe before the first byte goes out; the
# same status and message either way.
cp "$tmp/old" "$tmp/wrong2"
printf 'Z' | dd of="$tmp/wrong2" bs=1 seek=100 conv=notrunc 2>/dev/null
"$pd" -f apply "$tmp/wrong2" "$tmp/d1" "$tmp/out4" 2>"$tmp/err"
check "same-size wrong old exits 1" test $? -eq 1
check "same-size wrong old message" grep -q "^patch-delta: '$tmp/wrong2' does not match the delta: expected sha256 [0-9a-f]*, found" "$tmp/err"
check "new left untouched (same size)" test "$(cat "$tmp/out4")" = "keep me"
"$pd" apply "$tmp/wrong2" "$tmp/d1" - >"$tmp/piped" 2>"$tmp/err"
check "same-size wrong old to stdout exits 1" test $? -eq 1
check "nothing written to stdout for a wrong old" test ! -s "$tmp/piped"

# Damaged deltas: exit status 3, nothing written.
head -c 300 "$tmp/d1" >"$tmp/short"
"$pd" apply "$tmp/old" "$tmp/short" "$tmp/out5" 2>/dev/null
check "truncated delta exits 3" test $? -eq 3
check "truncated delta writes nothing" test ! -e "$tmp/out5"
"$pd" info "$tmp/old" 2>/dev/null
check "not a delta exits 3" test $? -eq 3
"$pd" frobnicate 2>/dev/null
check "unknown command exits 2" test $? -eq 2

# A real pair from the corpus, when there is one.
pair=${PF_CORPUS:-}/pairs/sshd
if [ -r "$pair/old" ] && [ -r "$pair/new" ]; then
	check "corpus diff" "$pd" diff "$pair/old" "$pair/new" "$tmp/c.d"
	check "corpus apply" "$pd" apply "$pair/old" "$tmp/c.d" "$tmp/c.new"
	check "corpus result" cmp -s "$pair/new" "$tmp/c.new"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
