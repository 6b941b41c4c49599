#!/bin/sh
# Hot patches of a process with a shared library, and patches stacked on
# patches (spec/hotpatch.md sections 7 and 7.2).
#
# - A package that changes the executable and its library goes in (and
#   out) in one stop: the tool freezes the process once (one SIGSTOP, one
#   SIGCONT, counted with strace), and a thread of the server that calls
#   the executable's add_numbers, the library's demo_checksum and
#   add_numbers again never sees one module patched and the other not in
#   an order one stop cannot give.
# - hp-a (old -> new) and hp-b (old -> stack, made against the unpatched
#   build too) both replace add_numbers; hp-b also replaces the
#   library's demo_version, which hp-a does not touch.  hp-b goes on top
#   of hp-a, its add_numbers replaces hp-a's, rolling back hp-a while hp-b
#   is live is refused (exit 8, naming hp-b), hp-b out gives hp-a's back,
#   hp-a out the old build.  Three layers, the other order, and layers
#   that do not overlap (rolled back in any order) too.
# - A kill test: patch-apply and patch-rollback of hp-b on top of hp-a
#   killed at the calls that change the process or the journal; after the
#   next tool's recovery the server runs hp-a or hp-a with hp-b, and
#   patch-status says which.  PF_LIVE_KILL=all (make check-long) tries
#   every call.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/live.sh"
if [ ! -x "$live/stack/hpserver" ]; then
	echo "SKIP: stacked test server not built"
	exit 77
fi
mkdir -p "$tmp/stack/opt/hp"
cp "$live/stack/hpserver" "$live/stack/libhpdemo.so" "$tmp/stack/opt/hp/"
unique_build_id "$tmp/stack/opt/hp/hpserver"
unique_build_id "$tmp/stack/opt/hp/libhpdemo.so"

mk() {
	patch-create -q --key "$tmp/test.key" --name "$1" --package-version 2 \
		-o "$tmp/$1.ppkg" "$tmp/old" "$tmp/$2" || fail "patch-create $1"
}
mk hp-a new
mk hp-a2 new
mk hp-b stack
patch-create -q --key "$tmp/test.key" --name hp-v --package-version 2 \
	--live-only demo_version -o "$tmp/hp-v.ppkg" "$tmp/old" "$tmp/stack" ||
	fail "patch-create hp-v"

# The old server, no client: the stacked build answers what the client
# would count as wrong.
hp_start
grep -q ready "$tmp/server.out" || { finish; exit 1; }

hp_opts
# What the server runs: add_numbers (16 old, 15 hp-a, 1015 hp-b),
# demo_version (libhpdemo 1 old, 2 hp-b) and demo_checksum (hp-a).
fp() {
	echo "$(ask "ADD 10 5")/$(ask VERSION)/$(ask "SUM abc")"
}
is() {
	f=$(fp)
	[ "$f" = "$2" ] && ok || fail "$1: the server runs '$f', expected '$2'"
}
apply() {
	expect 0 patch-apply $A "$tmp/$1.ppkg" || fail "$2: $(cat "$tmp/out")"
}
rollback() {
	expect "${3:-0}" patch-rollback $S $W "$1" || fail "$2: $(cat "$tmp/out")"
}
old=$(fp)
apply hp-a "first hp-a"
a=$(fp)
rollback hp-a "first hp-a"
sum_old=${old##*/} sum_a=${a##*/}
[ "$old" = "16/libhpdemo 1/$sum_old" ] || fail "old build answers '$old'"
[ "$a" = "15/libhpdemo 1/$sum_a" ] && [ "$sum_a" != "$sum_old" ] ||
	fail "hp-a answers '$a'"
ab="1015/libhpdemo 2/$sum_a"
av="15/libhpdemo 2/$sum_a"
v="16/libhpdemo 2/$sum_old"
b="1015/libhpdemo 2/$sum_old"

# One stop for the executable and the library, going in and going out.
watch() {
	ask "WATCH 2500" >"$tmp/watch" &
	watcher=$!
	sleep 0.5
}
# watched WHAT FIELD: the watcher's count FIELD (1 ahead, 2 behind) is 0.
watched() {
	wait "$watcher"
	n=$(cut -d' ' -f"$2" "$tmp/watch")
	[ "$(cut -d' ' -f3 "$tmp/watch")" -gt 0 ] 2>/dev/null ||
		fail "$1: the watching thread did not run: $(cat "$tmp/watch")"
	[ "$n" = 0 ] && ok ||
		fail "$1: a thread saw one module patched and not the other: $(cat "$tmp/watch")"
}
# stops CMD...: every jump CMD writes into the server (a 5-byte write of
# its memory) falls in one stop of it, between one SIGSTOP and the next
# SIGCONT (the tool stops it again between tries while a thread is in a
# function to replace; those stops write nothing).
stops() {
	if command -v strace >/dev/null 2>&1; then
		# LeakSanitizer (a sanitizer build) does not work under ptrace.
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -e trace=kill,pwrite64 -e signal=none -o "$tmp/kills" \
			"$@" >"$tmp/out" 2>"$tmp/err" || fail "$*: $(cat "$tmp/err")"
		w=$(awk '/kill\(.*SIGSTOP/ { n++ } /kill\(.*SIGCONT/ { n++ }
			/pwrite64\(.*, 5, [0-9]+\) = 5/ { print n }' "$tmp/kills" | sort -u)
		[ "$(echo "$w" | wc -w)" = 1 ] && [ $((w % 2)) = 1 ] &&
			[ "$(grep -c 'pwrite64(.*, 5, [0-9]*) = 5' "$tmp/kills")" -ge 2 ] && ok ||
			fail "$*: the jumps are not written in one stop: $(cat "$tmp/kills")"
	else
		"$@" >"$tmp/out" 2>"$tmp/err" || fail "$*: $(cat "$tmp/err")"
	fi
}
watch
stops patch-apply $A "$tmp/hp-a.ppkg"
grep -q "in 2 modules" "$tmp/out" || fail "hp-a: not 2 modules: $(cat "$tmp/out")"
watched "apply" 1
is "hp-a in one stop" "$a"
watch
stops patch-rollback $S $W hp-a
watched "rollback" 2
is "hp-a out in one stop" "$old"

# hp-b on top of hp-a: its add_numbers replaces hp-a's; hp-a's
# demo_checksum stays.
apply hp-a "hp-a"
apply hp-b "hp-b on hp-a"
is "hp-b on hp-a" "$ab"
# patch-status says which patch stands on which.
status_is() {
	expect 0 patch-status $S || fail "status $1: $(cat "$tmp/out")"
	[ "$(sed 's/  */ /g' "$tmp/out")" = "$2" ] && ok ||
		fail "status $1: $(cat "$tmp/out")"
}
status_is "hp-b on hp-a" "hp-a live in process $server
hp-b live in process $server, on top of hp-a"
expect 0 patch-status --json $S
grep -q '"live":\["hp-a","hp-b"\],"on_top_of":{"hp-a":\[\],"hp-b":\["hp-a"\]}' \
	"$tmp/out" && ok || fail "status --json: $(cat "$tmp/out")"
rollback hp-a "hp-a under hp-b" 8
grep -q "patch 'hp-b' is live in process $server on top of 'hp-a'" "$tmp/err" ||
	fail "rollback of hp-a under hp-b: $(cat "$tmp/err")"
is "hp-a refused" "$ab"
rollback hp-b "hp-b"
is "hp-b out" "$a"
rollback hp-a "hp-a"
is "hp-a out" "$old"

# Three layers over add_numbers, taken out from the top.
apply hp-a "3 layers: hp-a"
apply hp-b "3 layers: hp-b"
apply hp-a2 "3 layers: hp-a2"
is "3 layers" "$av"
status_is "3 layers" "hp-a live in process $server
hp-a2 live in process $server, on top of hp-a, hp-b
hp-b live in process $server, on top of hp-a"
rollback hp-b "3 layers: hp-b under hp-a2" 8
rollback hp-a2 "3 layers: hp-a2"
is "3 layers: hp-a2 out" "$ab"
rollback hp-b "3 layers: hp-b"
is "3 layers: hp-b out" "$a"
rollback hp-a "3 layers: hp-a"
is "3 layers: all out" "$old"

# The other order: hp-a on top of hp-b.
apply hp-b "hp-b first"
is "hp-b alone" "$b"
apply hp-a "hp-a on hp-b"
is "hp-a on hp-b" "$av"
rollback hp-b "hp-b under hp-a" 8
rollback hp-a "hp-a on hp-b"
is "hp-a off hp-b" "$b"
rollback hp-b "hp-b alone"
is "hp-b alone out" "$old"

# Layers that share no function go out in any order.
apply hp-a "hp-v: hp-a"
apply hp-v "hp-v on hp-a"
is "hp-v on hp-a" "$av"
status_is "hp-v beside hp-a" "hp-a live in process $server
hp-v live in process $server"
rollback hp-a "hp-a under hp-v"
is "hp-a out, hp-v stays" "$v"
rollback hp-v "hp-v"
is "hp-v out" "$old"

# Killed while hp-b goes on or comes off hp-a.
if ! command -v strace >/dev/null 2>&1; then
	echo "no strace: no kill test"
	kill -9 "$server"
	server=
	finish
	exit
fi
listed() {
	patch-status $S 2>/dev/null | grep -q "^$1 .*live"
}
apply hp-a "kill: hp-a"
kinds="ptrace pwrite64 process_vm_writev kill fsync write renameat unlinkat"
strace -f -qq -c -U name,calls -o "$tmp/c.apply" -e trace="$(echo $kinds | tr ' ' ,)" \
	patch-apply $A "$tmp/hp-b.ppkg" >/dev/null
strace -f -qq -c -U name,calls -o "$tmp/c.rollback" -e trace="$(echo $kinds | tr ' ' ,)" \
	patch-rollback $S $W hp-b >/dev/null
calls() {
	awk -v k="$2" '$1 == k { print $2 }' "$tmp/c.$1" | head -1
}
check() {
	hp_killed "$1" "$a" "$ab" "$tmp/hp-b.ppkg" hp-b
	l=no
	listed hp-b && l=yes
	listed hp-a || fail "$1: hp-a is no longer listed"
	case $f/$l in
	"$a/no"|"$ab/yes") ok ;;
	*) fail "$1: after recovery '$f', hp-b recorded: $l" ;;
	esac
	listed hp-b && { patch-rollback $S $W hp-b >/dev/null 2>&1 || fail "$1: rollback"; }
	[ "$(fp)" = "$a" ] || fail "$1: rollback did not give hp-a"
}
for op in apply rollback; do
	for k in $kinds; do
		n=$(calls $op "$k")
		[ -n "$n" ] || continue
		echo "$op: $n calls of $k"
		step=1
		if [ "${PF_LIVE_KILL:-}" != all ]; then
			case $k in
			pwrite64|process_vm_writev|kill) ;;
			*) step=4 ;;
			esac
		fi
		i=1
		while [ "$i" -le "$n" ]; do
			if [ $op = apply ]; then
				set -- patch-apply $A "$tmp/hp-b.ppkg"
			else
				patch-apply $A "$tmp/hp-b.ppkg" >/dev/null 2>&1 ||
					fail "$op $k $i: apply before"
				set -- patch-rollback $S $W hp-b
			fi
			(gcov_aside strace -f -qq -o /dev/null -e trace="$k" \
				-e inject="$k:signal=KILL:when=$i" "$@" \
				>/dev/null 2>&1; true) 2>/dev/null
			check "$op: SIGKILL at $k call $i of $n"
			i=$((i + step))
		done
	done
done
rollback hp-a "kill: hp-a"
is "kill: all out" "$old"
echo "$tried kill points tried"
kill -9 "$server" 2>/dev/null
server=
finish
