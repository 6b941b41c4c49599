#!/bin/sh
# A hot patch killed at any point (spec/hotpatch.md section 9.1): strace
# kills patch-apply --pid, and then patch-rollback --pid, with SIGKILL
# at the Nth call of one system call (ptrace, the writes into the
# process, every write, sync and rename of the journal, the SIGSTOP and
# SIGCONT).  Right after each kill the test server runs fully old or
# fully new code, or is stopped (frozen by the tool); the next
# patch-status, patch-apply or patch-rollback --pid (in turn) recovers
# it; then it runs fully old or fully new code, patch-status says which,
# and a rollback and a re-apply work.  A client under load never sees an
# answer that is neither old nor new.  PF_LIVE_KILL=all tries every call
# of every kind listed (a few minutes); the default takes every write
# into the process and SIGSTOP or SIGCONT, every other call of the other
# kinds (odd ones killing the apply, even ones the rollback), and every
# tenth openat and mkdirat; the runs of the suite that repeat it
# (PF_CRASH_STRIDE=K of 10 or more) fewer, every (K / 5)-th write.
. "$top_srcdir/tests/cli/lib.sh"
if ! command -v strace >/dev/null 2>&1; then
	echo "SKIP: no strace"
	exit 77
fi
. "$top_srcdir/tests/cli/live.sh"
patch-create -q --key "$tmp/test.key" --name hp-fix --package-version 2 \
	-o "$tmp/hp.ppkg" "$tmp/old" "$tmp/new" || fail "patch-create"
hp_serve
grep -q ready "$tmp/server.out" || { finish; exit 1; }

hp_opts
# One answer of each module's replaced code: the executable's add_numbers
# and greet, the library's demo_checksum.
fp() {
	echo "$(ask "ADD 10 5")/$(ask "SUM abc")/$(ask "GREET bob")"
}
old=$(fp)
patch-apply $A "$tmp/hp.ppkg" >/dev/null || fail "first apply"
new=$(fp)
[ "$old" != "$new" ] || fail "old and new answer alike: $old"
patch-rollback $S $W hp-fix >/dev/null || fail "first rollback"

# How many calls of each kind one apply and one rollback make.
kinds="ptrace pwrite64 process_vm_writev kill fsync write renameat unlinkat mkdirat openat"
strace -f -qq -c -U name,calls -o "$tmp/c.apply" \
	-e trace="$(echo $kinds | tr ' ' ,)" patch-apply $A "$tmp/hp.ppkg" >/dev/null
strace -f -qq -c -U name,calls -o "$tmp/c.rollback" \
	-e trace="$(echo $kinds | tr ' ' ,)" patch-rollback $S $W hp-fix >/dev/null
calls() {
	awk -v k="$2" '$1 == k { print $2 }' "$tmp/c.$1" | head -1
}

# Brings the server back to fully old, with nothing recorded.
to_old() {
	if patch-status $S 2>/dev/null | grep -q '^hp-fix .*live'; then
		patch-rollback $S $W hp-fix >/dev/null 2>&1 || fail "$1: rollback failed"
	fi
}

# check WHAT: after a kill and a recovery.
check() {
	hp_killed "$1" "$old" "$new" "$tmp/hp.ppkg" hp-fix
	listed=no
	patch-status $S 2>"$tmp/err" | grep -q '^hp-fix .*live' && listed=yes
	[ -s "$tmp/err" ] && fail "$1: patch-status: $(cat "$tmp/err")"
	case $f/$listed in
	"$old/no"|"$new/yes") ok ;;
	*) fail "$1: after recovery '$f', recorded: $listed" ;;
	esac
	# Both ways work again.
	to_old "$1"
	[ "$(fp)" = "$old" ] || fail "$1: rollback did not give the old code"
	patch-apply $A "$tmp/hp.ppkg" >/dev/null 2>&1 || fail "$1: re-apply failed"
	[ "$(fp)" = "$new" ] || fail "$1: re-apply did not give the new code"
	ls -A "$tmp/state/live/"*/ 2>/dev/null | grep -q '^\.' &&
		fail "$1: temporary file left in the state directory"
}

for op in apply rollback; do
	for k in $kinds; do
		n=$(calls $op "$k")
		[ -n "$n" ] || continue
		step=1 i=1
		if [ "${PF_LIVE_KILL:-}" != all ]; then
			case $k in
			pwrite64|process_vm_writev|kill) ;;
			openat|mkdirat) step=10 ;;
			*) step=2 ;;
			esac
			# Odd calls for the apply, even ones for the rollback.
			[ $op = rollback ] && [ $step -eq 2 ] && i=2
			# The runs of the suite that repeat it (sanitizers,
			# distcheck) try fewer of the calls around the writes,
			# and every (PF_CRASH_STRIDE / 5)-th write.
			[ $step -gt 1 ] && [ -n "${PF_CRASH_STRIDE:-}" ] &&
				step=$((step * PF_CRASH_STRIDE / 2 + 1))
			[ $step -eq 1 ] && [ "${PF_CRASH_STRIDE:-1}" -ge 10 ] &&
				step=$((PF_CRASH_STRIDE / 5))
		fi
		while [ "$i" -le "$n" ]; do
			if [ $op = apply ]; then
				to_old "$op $k $i (before)"
				set -- patch-apply $A "$tmp/hp.ppkg"
			else
				set -- patch-rollback $S $W hp-fix
			fi
			# strace kills itself with the signal that killed its
			# tracee: the subshell, which outlives it, keeps the
			# shell quiet about that.
			(gcov_aside strace -f -qq -o /dev/null -e trace="$k" \
				-e inject="$k:signal=KILL:when=$i" "$@" \
				>/dev/null 2>&1; true) 2>/dev/null
			check "$op: SIGKILL at $k call $i of $n"
			[ -n "${PF_LIVE_KILL_TRACE:-}" ] && echo "$(date +%T) $op $k $i/$n"
			i=$((i + step))
		done
	done
done
to_old final

kill -TERM "$client"
wait "$client"
status=$?
client=
[ $status -eq 0 ] && ok || fail "client saw wrong answers: $(cat "$tmp/client.out")"
echo "$tried kill points tried (apply and rollback), $(grep . "$tmp/client.out" | tail -1)"
kill -9 "$server" 2>/dev/null
server=
finish
