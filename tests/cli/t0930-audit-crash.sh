#!/bin/sh
# The audit log across crashes (spec section 12.8): patch-apply and
# patch-rollback are killed (SIGKILL) at every file-system call of a small
# transaction, or see it fail with EIO or ENOSPC, and recovered; the log
# then holds only whole JSON lines, no transaction twice, and exactly one
# line for the transaction whose effect the tree shows: "committed" when
# the tree is new after an install (old after a rollback), at most one
# "undone" line otherwise.  (t0160 does the same kills on a larger tree
# without looking at the log.)
[ -d /dev/shm ] && [ -w /dev/shm ] && TMPDIR=/dev/shm && export TMPDIR
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/inject.sh"
. "$top_srcdir/tests/cli/field.sh"
need_strace

old=$tmp/old new=$tmp/new
mkdir -p "$old/etc/app" "$new/etc/app" "$new/fresh"
echo one >"$old/etc/app/conf" && echo two >"$new/etc/app/conf"
echo gone >"$old/gone" && echo hi >"$new/fresh/hi"
expect 0 patch-create -q --no-live --name mix -o "$tmp/p.ppkg" "$old" "$new"
h_old=$(tree_hash "$old") h_new=$(tree_hash "$new")
opts="--allow-unsigned --skip-needs --root $tmp/t --state-dir $tmp/s"
log=$tmp/s/log

# The points to try: every stride-th (5th by default: the whole run is
# t0160's job), and every call from the opening of the log to the removal
# of the journal, where a line can be written twice or torn.
[ -z "${PF_CRASH_STRIDE:-}" ] && stride=5
points() {
	_lo=$(grep -n '"log"' "$tmp/calls.full" | head -1 | cut -d: -f1)
	_hi=$(grep -n 'unlink.*"journal"' "$tmp/calls.full" | tail -1 |
	    cut -d: -f1)
	{
		seq "${2:-1}" "$stride" "$1"
		[ -n "$_lo" ] && [ -n "$_hi" ] && seq "$_lo" "$_hi"
	} | sort -n | uniq
}

fresh_old() {
	rm -rf "$tmp/t" "$tmp/s"
	cp -a "$old" "$tmp/t"
}
fresh_new() {
	rm -rf "$tmp/t" "$tmp/s"
	cp -a "$tmp/installed" "$tmp/t" && cp -a "$tmp/installed-state" "$tmp/s"
}
# lines EVENT RESULT: how many lines of the log say so.
lines() {
	[ -f "$log" ] || { echo 0; return; }
	grep -c "\"event\":\"$1\".*\"result\":\"$2\"" "$log"
}
# judge WHAT EVENT DONE-HASH: after recovery, the log agrees with the tree.
judge() {
	patch-apply --recover --root "$tmp/t" --state-dir "$tmp/s" \
	    >/dev/null 2>&1 || { fail "$1: recovery failed"; return; }
	[ ! -f "$log" ] || log_lines_ok "$log" || fail "$1: a torn or bad line"
	if [ -f "$log" ] && grep -o '"txn":"[0-9a-f]*"' "$log" | sort |
	    uniq -d | grep -q .; then
		fail "$1: a transaction logged twice: $(cat "$log")"
	fi
	_c=$(lines "$2" committed) _u=$(lines "$2" undone)
	if [ "$(tree_hash "$tmp/t")" = "$3" ]; then
		[ "$_c" = 1 ] && [ "$_u" = 0 ] ||
			fail "$1: done, logged $_c committed, $_u undone"
	else
		[ "$_c" = 0 ] && [ "$_u" -le 1 ] ||
			fail "$1: not done, logged $_c committed, $_u undone"
	fi
	ok
}

fresh_old
total=$(fs_calls "$FS_CHANGES" patch-apply $opts "$tmp/p.ppkg")
[ "$(tree_hash "$tmp/t")" = "$h_new" ] || fail "traced apply did not apply"
[ "$(lines install committed)" = 1 ] || fail "one install, $(cat "$log")"
cp -a "$tmp/t" "$tmp/installed" && cp -a "$tmp/s" "$tmp/installed-state"
for n in $(points "$total"); do
	fresh_old
	inject "$n" signal=KILL patch-apply $opts "$tmp/p.ppkg" >/dev/null 2>&1
	judge "apply killed at call $n ($(sed -n "${n}p" "$tmp/calls"))" \
	    install "$h_new"
done
echo "apply: $total kill points, $(points "$total" | wc -l) tried"

fresh_new
total=$(fs_calls "$FS_CHANGES" patch-rollback --root "$tmp/t" \
    --state-dir "$tmp/s" mix)
for n in $(points "$total"); do
	fresh_new
	inject "$n" signal=KILL patch-rollback --root "$tmp/t" \
	    --state-dir "$tmp/s" mix >/dev/null 2>&1
	judge "rollback killed at call $n ($(sed -n "${n}p" "$tmp/calls"))" \
	    rollback "$h_old"
done
echo "rollback: $total kill points, $(points "$total" | wc -l) tried"

# Errors instead of kills, EIO and ENOSPC in turn: a failure to write the
# log keeps the journal, so that the next run logs the transaction.
fresh_old
total=$(fs_calls "$FS_CHANGES,close" patch-apply $opts "$tmp/p.ppkg")
for n in $(points "$total" "$(first_call "$tmp/p.ppkg")"); do
	fresh_old
	[ $((n % 2)) = 0 ] && e=EIO || e=ENOSPC
	inject "$n" "error=$e" patch-apply $opts "$tmp/p.ppkg" >/dev/null 2>&1
	judge "apply with $e at call $n ($(sed -n "${n}p" "$tmp/calls"))" \
	    install "$h_new"
done
echo "apply: $total error points, $(points "$total" \
    "$(first_call "$tmp/p.ppkg")" | wc -l) tried"
finish
