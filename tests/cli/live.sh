# Shared by the hot-patch shell tests (t07xx): sourced after lib.sh, not
# run.  Skips without the test server or ptrace, copies the old and new
# builds of the test server into $tmp/old and $tmp/new, and starts
# (hp_serve) a server from a copy of the old build and a client under
# load; the exit trap kills both.
live=$top_builddir/tests/live
if [ ! -x "$live/old/hpserver" ]; then
	echo "SKIP: test server not built"
	exit 77
fi
if [ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" = 3 ]; then
	echo "SKIP: ptrace is disabled (kernel.yama.ptrace_scope=3)"
	exit 77
fi
make_key
server= client=
cleanup() {
	[ -n "$client" ] && kill -9 "$client" 2>/dev/null
	[ -n "$server" ] && kill -9 "$server" 2>/dev/null
	chmod -R u+w "$tmp" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
# Each test's copies get build IDs of their own (the same 20 bytes of the
# note rewritten in place: nothing moves), so that --all-processes and
# --live of one test never patch the servers of another test running at
# the same time from the same build directory.
unique_build_id() {
	objcopy -O binary --only-section=.note.gnu.build-id "$1" "$tmp/note" &&
	_n=$(stat -c %s "$tmp/note") && [ "$_n" -gt 20 ] &&
	{ head -c $((_n - 20)) "$tmp/note"
	  printf '%s' "$1" | sha1sum | cut -c1-40 |
		perl -ne 'chomp; print pack("H*", $_)'; } >"$tmp/note.new" &&
	objcopy --update-section .note.gnu.build-id="$tmp/note.new" "$1" &&
	rm -f "$tmp/note" "$tmp/note.new" || fail "cannot give $1 a build ID"
}
for v in old new; do
	mkdir -p "$tmp/$v/opt/hp"
	cp "$live/$v/hpserver" "$live/$v/libhpdemo.so" "$tmp/$v/opt/hp/"
	unique_build_id "$tmp/$v/opt/hp/hpserver"
	unique_build_id "$tmp/$v/opt/hp/libhpdemo.so"
done
sock=$tmp/hp.sock

# The old server, from a copy of the old build (hp_start), and a client
# under load (hp_serve).
hp_start() {
	cp -a "$tmp/old" "$tmp/run"
	"$tmp/run/opt/hp/hpserver" "$sock" 4 >"$tmp/server.out" 2>&1 &
	server=$!
	i=0
	while ! grep -q ready "$tmp/server.out" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q ready "$tmp/server.out" || fail "server did not start"
}
hp_serve() {
	hp_start
	"$live/hpclient" "$sock" 2 >"$tmp/client.out" 2>&1 &
	client=$!
}

# The tools' options for the server, with a generous --wait (the
# machine may be busy), and one request to it.
hp_opts() {
	A="--keyring $tmp/keys --state-dir $tmp/state --pid $server --wait 10000"
	S="--state-dir $tmp/state --pid $server"
	W="--wait 10000"
}
ask() {
	timeout 10 hpask "$sock" "$1"
}

# The kill tests (t0710, t0730).  Whether a thread of the server is
# stopped (frozen by a tool).
hp_stopped() {
	for t in /proc/$server/task/*/stat; do
		case $(sed 's/.*) //' "$t" 2>/dev/null | cut -c1) in
		T|t) return 0 ;;
		esac
	done
	return 1
}
# hp_killed WHAT BEFORE AFTER PACKAGE ID: after a tool was killed, the
# server lives and, unless frozen, answers (the test's fp) BEFORE or
# AFTER; then patch-status, patch-apply PACKAGE or patch-rollback ID (in
# turn, with the test's $S, $A and $W) recovers it and lets it run.
# Sets f to its answers then.
tried=0
hp_killed() {
	tried=$((tried + 1))
	if ! kill -0 "$server" 2>/dev/null; then
		fail "$1: the server died"
		finish
		exit 1
	fi
	# Right after the kill: frozen, or fully one build.  The threads a
	# dead tracer let go take a moment to stop again.
	sleep 0.05
	if ! hp_stopped; then
		f=$(fp)
		[ "$f" = "$2" ] || [ "$f" = "$3" ] ||
			fail "$1: mixed code right after the kill: $f"
	fi
	case $((tried % 3)) in
	0) patch-status $S >"$tmp/rec" 2>&1 ;;
	1) patch-apply $A "$4" >"$tmp/rec" 2>&1 ;;
	2) patch-rollback $S $W "$5" >"$tmp/rec" 2>&1 ;;
	esac
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 2 ] ||
		fail "$1: recovery ($((tried % 3))) exited $rc: $(cat "$tmp/rec")"
	hp_stopped && fail "$1: still stopped after the recovery"
	f=$(fp)
}

# prog_start EXE OUT: runs EXE (a program of testdata/hotpatch that says
# "ready", then answers SIGUSR1 with a line) into OUT, as $prog.
prog_start() {
	"$1" >"$2" 2>&1 &
	prog=$!
	i=0
	while ! grep -qs ready "$2" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q ready "$2" || fail "$1 did not start"
}

# prog_ask OUT: the answer of $prog to SIGUSR1, the last line of OUT.
prog_ask() {
	n=$(wc -l <"$1")
	kill -USR1 "$prog"
	i=0
	while [ "$(wc -l <"$1")" -le "$n" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	tail -1 "$1"
}
