#!/bin/sh
# Hot patching what real programs do (testdata/hotpatch/README): a
# function that reads a global in the anonymous tail of .bss, past the
# file-backed pages, is patched like any other.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/live.sh"
prog=
trap 'test -n "$prog" && kill -9 $prog 2>/dev/null; cleanup' EXIT
A="--keyring $tmp/keys --state-dir $tmp/state"
S="--state-dir $tmp/state"

# start NAME: runs a copy of the old build of NAME, its output in
# $tmp/NAME.out; waits until it says it is ready.
start() {
	mkdir -p "$tmp/run-$1"
	cp "$live/old/$1" "$tmp/run-$1/"
	"$tmp/run-$1/$1" >"$tmp/$1.out" 2>&1 &
	prog=$!
	i=0
	while ! grep -q ready "$tmp/$1.out" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q ready "$tmp/$1.out" || fail "$1 did not start"
}

# ask: the answer of the running program to SIGUSR1, its last line.
ask() {
	n=$(wc -l <"$tmp/$name.out")
	kill -USR1 "$prog"
	i=0
	while [ "$(wc -l <"$tmp/$name.out")" -le "$n" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	tail -1 "$tmp/$name.out"
}

# .bss past its file-backed pages belongs to the module.
name=bsstail
mkdir -p "$tmp/b-old/opt" "$tmp/b-new/opt"
cp "$live/old/$name" "$tmp/b-old/opt/"
cp "$live/new/$name" "$tmp/b-new/opt/"
# The fixture is what it claims: ticks lies past the last page that the
# file backs (the end of the last PT_LOAD's file part, rounded up).
filend=0
for e in $(readelf -lW "$live/old/$name" | awk '$1 == "LOAD" { print $3 "+" $5 }'); do
	filend=$(( ($e + 4095) / 4096 * 4096 ))
done
ticks=$(nm "$live/old/$name" | awk '$3 == "ticks" { print "0x" $1 }')
ticks=$((${ticks:-0}))
[ "$filend" -gt 0 ] && [ "$ticks" -ge "$filend" ] && ok ||
	fail "ticks at $ticks is not past the file-backed pages ($filend)"
expect 0 patch-create -q --key "$tmp/test.key" --name bss -o "$tmp/bss.pfpk" \
	"$tmp/b-old" "$tmp/b-new"
expect 0 patch-inspect "$tmp/bss.pfpk"
grep -q 'replace report' "$tmp/out" || fail "inspect: no report"
start $name
case $(ask) in [1-9]*) ok;; *) fail "old build: $(tail -1 "$tmp/$name.out")";; esac
expect 0 patch-apply $A --pid "$prog" "$tmp/bss.pfpk"
case $(ask) in -[1-9]*) ok;; *) fail "after apply: $(tail -1 "$tmp/$name.out")";; esac
expect 0 patch-rollback $S --pid "$prog" bss
case $(ask) in [1-9]*) ok;; *) fail "after rollback: $(tail -1 "$tmp/$name.out")";; esac
kill -9 "$prog" 2>/dev/null
prog=
finish
