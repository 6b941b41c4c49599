#!/bin/sh
# Hot patching what real programs do (testdata/hotpatch/README): a
# function that reads a global in the anonymous tail of .bss, past the
# file-backed pages, is patched like any other.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/live.sh"
prog=
sleeper=
trap 'test -n "$prog" && kill -9 $prog 2>/dev/null
test -n "$sleeper" && kill -9 $sleeper 2>/dev/null; cleanup' EXIT
A="--keyring $tmp/keys --state-dir $tmp/state"
S="--state-dir $tmp/state"

# start NAME [DIR]: runs DIR/NAME (by default a copy of the old build of
# NAME), its output in $tmp/NAME.out; waits until it says it is ready.
start() {
	d=${2:-$tmp/run-$1}
	if [ $# -eq 1 ]; then
		mkdir -p "$d"
		cp "$live/old/$1" "$d/"
	fi
	prog_start "$d/$1" "$tmp/$1.out"
}

# ask: the answer of the running program to SIGUSR1, its last line.
ask() {
	prog_ask "$tmp/$name.out"
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
expect 0 patch-create -q --key "$tmp/test.key" --name bss -o "$tmp/bss.ppkg" \
	"$tmp/b-old" "$tmp/b-new"
expect 0 patch-inspect "$tmp/bss.ppkg"
grep -q 'replace report' "$tmp/out" || fail "inspect: no report"
start $name
case $(ask) in [1-9]*) ok;; *) fail "old build: $(tail -1 "$tmp/$name.out")";; esac
expect 0 patch-apply $A --pid "$prog" "$tmp/bss.ppkg"
case $(ask) in -[1-9]*) ok;; *) fail "after apply: $(tail -1 "$tmp/$name.out")";; esac
expect 0 patch-rollback $S --pid "$prog" bss
case $(ask) in [1-9]*) ok;; *) fail "after rollback: $(tail -1 "$tmp/$name.out")";; esac

# patch-apply --live: the files on disk, then every process of the old
# build in memory; a process that still maps a replaced file and could
# not be patched (a build without a record: sleeper, stripped) is listed.
for v in old new; do
	mkdir -p "$tmp/l-$v/opt"
	cp "$live/$v/$name" "$tmp/l-$v/opt/"
	cp "$(command -v sleep)" "$tmp/l-$v/opt/sleeper"
done
printf x >>"$tmp/l-new/opt/sleeper"
expect 0 patch-create -q --key "$tmp/test.key" --name lv -o "$tmp/lv.ppkg" \
	"$tmp/l-old" "$tmp/l-new"
cp -a "$tmp/l-old" "$tmp/root"
"$tmp/root/opt/sleeper" 120 &
sleeper=$!
kill -9 "$prog" 2>/dev/null
start $name "$tmp/root/opt"
expect 0 patch-apply $A --skip-needs --root "$tmp/root" --live "$tmp/lv.ppkg"
grep -q "'lv' is live in process $prog" "$tmp/out" || fail "--live: $(cat "$tmp/out")"
grep -q "process $sleeper (sleeper) still maps 'opt/sleeper', replaced on disk: restart it" \
	"$tmp/out" || fail "--live: sleeper not listed: $(cat "$tmp/out")"
grep -q "process $prog .*still maps" "$tmp/out" && fail "--live: patched process listed"
cmp -s "$tmp/root/opt/$name" "$live/new/$name" && ok || fail "--live: file not installed"
case $(ask) in -[1-9]*) ok;; *) fail "--live: $(tail -1 "$tmp/$name.out")";; esac
expect 0 patch-apply $A --skip-needs --root "$tmp/root" --live --json "$tmp/lv.ppkg"
grep -q "\"pid\":$prog,\"status\":\"already-applied\"" "$tmp/out" &&
	grep -q "\"pid\":$sleeper,\"status\":\"needs-restart\",\"path\":\"opt/sleeper\"" "$tmp/out" &&
	ok || fail "--live --json: $(cat "$tmp/out")"
# patch-rollback --live takes it out of the processes, then the tree.
expect 0 patch-rollback --root "$tmp/root" $S --live lv
grep -q "'lv' taken out of process $prog" "$tmp/out" || fail "rollback --live: $(cat "$tmp/out")"
case $(ask) in [1-9]*) ok;; *) fail "rollback --live: $(tail -1 "$tmp/$name.out")";; esac
cmp -s "$tmp/root/opt/$name" "$live/old/$name" && ok || fail "rollback --live: file not restored"
kill -9 "$sleeper" 2>/dev/null

# A package without hot-patch records says so, once, not that the
# process runs none of its builds.
expect 0 patch-create -q --no-live --key "$tmp/test.key" --name plain \
	-o "$tmp/plain.ppkg" "$tmp/b-old" "$tmp/b-new"
expect 1 patch-apply $A --pid "$prog" "$tmp/plain.ppkg"
grep -q "has no hot-patch records" "$tmp/err" || fail "no records: $(cat "$tmp/err")"
expect 1 patch-apply $A --all-processes "$tmp/plain.ppkg"
[ "$(grep -c "has no hot-patch records" "$tmp/err")" = 1 ] && ok ||
	fail "no records, all processes: $(cat "$tmp/err")"
kill -9 "$prog" 2>/dev/null
prog=

# Kernel threads run no program: --all-processes passes over them
# instead of counting them as processes it could not look into.  A
# package of a build that no process runs (quirks exits at once) keeps
# other tests' processes out of it.
mkdir -p "$tmp/q-old/opt" "$tmp/q-new/opt"
cp "$live/old/quirks" "$tmp/q-old/opt/"
cp "$live/new/quirks" "$tmp/q-new/opt/"
expect 0 patch-create -q --key "$tmp/test.key" --name q -o "$tmp/q.ppkg" \
	"$tmp/q-old" "$tmp/q-new"
# patch-inspect --explain says why each function counts as changed
# (its first instruction that differs); --live-skip leaves one out, and
# patch-inspect shows it, in text and JSON.
expect 0 patch-inspect --explain "$tmp/q.ppkg"
grep -q '^changed .*: pick: .*first difference: old +0x[0-9a-f]*: ' "$tmp/out" ||
	fail "explain: $(cat "$tmp/out")"
grep -q ': above: ' "$tmp/out" && fail "explain: above counts as changed"
expect 0 patch-inspect "$tmp/q.ppkg"
grep -q '^changed ' "$tmp/out" && fail "changed notes shown without --explain"
expect 0 patch-create -q --key "$tmp/test.key" --name q --live-skip pick \
	-o "$tmp/skip.ppkg" "$tmp/q-old" "$tmp/q-new"
expect 0 patch-inspect "$tmp/skip.ppkg"
grep -q 'replace pick' "$tmp/out" && fail "--live-skip: pick replaced"
grep -q '^left-out .*: pick: changed (.*), left out on purpose (patch-create --live-skip)' \
	"$tmp/out" || fail "--live-skip: $(cat "$tmp/out")"
expect 0 patch-inspect --json "$tmp/skip.ppkg"
grep -q '"live_notes":\[{"path":"opt/quirks","kind":"left-out","name":"pick"' "$tmp/out" ||
	fail "--live-skip json: $(cat "$tmp/out")"

if [ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ]; then
	expect 1 patch-apply $A --pid 2 "$tmp/q.ppkg"
	grep -q "runs no program" "$tmp/err" || fail "kernel thread: $(cat "$tmp/err")"
	kthreads=$(grep -l '^PPid:[[:space:]]*2$' /proc/[0-9]*/status 2>/dev/null | wc -l)
	expect 1 patch-apply $A --all-processes "$tmp/q.ppkg"
	hidden=$(sed -n 's/.*: \([0-9]*\) processes could not be looked into.*/\1/p' "$tmp/err")
	[ "${hidden:-0}" -lt "$kthreads" ] && ok ||
		fail "$hidden processes not looked into, $kthreads kernel threads"
fi
finish
