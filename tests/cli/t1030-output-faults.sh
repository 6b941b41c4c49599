#!/bin/sh
# patch-apply --output DIR and --output-tar FILE when the file system
# fails: an I/O error at every file-system call of a run (strace) ends
# in one of two states only.  Either the run succeeded and its output is
# exactly what a run without faults writes, or it failed with a message
# and left nothing: no output, no half-built directory beside it, no
# scratch tree in TMPDIR.  The root and the state directory are never
# touched either way.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/inject.sh"
need_strace
# Every second call by default (make check-long: every call).
[ -z "${PF_CRASH_STRIDE:-}" ] && stride=2

export SOURCE_DATE_EPOCH=1700000000
sh "$top_srcdir/testdata/archive/mkbuilds.sh" "$tmp"
expect 0 patch-create -f -q --no-live -o "$tmp/p.ppkg" "$tmp/old" "$tmp/new"
root=$tmp/root
cp -a "$tmp/old" "$root"
before=$(tree_hash "$root")
TMPDIR=$tmp/scratch
export TMPDIR
mkdir "$TMPDIR"
opts="--allow-unsigned --skip-needs --state-dir $tmp/state --root $root"
pa=$(command -v patch-apply)

# The reference outputs, made without faults.
expect 0 patch-apply $opts --output "$tmp/ref" "$tmp/p.ppkg"
want_dir=$(tree_hash "$tmp/ref")
expect 0 patch-apply $opts --output-tar "$tmp/ref.tar" "$tmp/p.ppkg"

# clean WHAT N ERRNO RC: nothing of a run may remain but its output,
# unless the fault struck the removal of the scratch tree itself; then
# the run fails and its message names what it could not remove.
clean() {
	[ "$4" -eq 0 ] && rm -rf "$tmp/w/o" "$tmp/w/o.tar"
	_left=$(find "$tmp/w" "$TMPDIR" -mindepth 1 -maxdepth 1 | head -1)
	[ -z "$_left" ] && return
	if [ "$4" -ne 0 ] && grep -q "scratch directory '$_left'" "$tmp/o.err"
	then
		left_named=$((left_named + 1))
	else
		fail "$1 with $3 at call $2 (exit $4) left: $_left"
	fi
	chmod -R u+rwx "$tmp/w" "$TMPDIR"
	rm -rf "$tmp/w" "$TMPDIR" && mkdir "$TMPDIR"
}

# run_faults WHAT OUTPUT-OPTION...: every call of the run, each failing
# once with EIO and once with ENOSPC where it writes.
run_faults() {
	_what=$1
	shift
	mkdir -p "$tmp/w"
	total=$(fs_calls "$FS_CALLS" "$pa" $opts "$@" "$tmp/p.ppkg")
	rm -rf "$tmp/w" && mkdir "$tmp/w"
	first=$(first_call p.ppkg)
	[ -n "$first" ] || { fail "$_what: the package is never opened"; return; }
	n=$first
	points=0 failed_runs=0 left_named=0
	while [ "$n" -le "$total" ]; do
		for e in EIO ENOSPC; do
			name=$(sed -n "${n}p" "$tmp/calls")
			case $e:$name in
			ENOSPC:write|ENOSPC:pwrite64|ENOSPC:fsync|ENOSPC:mkdir|\
			ENOSPC:mkdirat|ENOSPC:openat|ENOSPC:linkat|\
			ENOSPC:symlinkat|ENOSPC:fsetxattr|ENOSPC:fallocate) ;;
			ENOSPC:*) continue ;;
			esac
			points=$((points + 1))
			rc=0
			inject "$n" "error=$e" "$pa" $opts "$@" "$tmp/p.ppkg" \
				>"$tmp/o.out" 2>"$tmp/o.err" || rc=$?
			check_one "$_what" "$n" "$e" "$rc"
			rm -rf "$tmp/w" && mkdir "$tmp/w"
		done
		n=$((n + stride))
	done
	[ $((points * stride)) -gt 100 ] && ok ||
		fail "$_what: only $points fault points (calls $first..$total)"
	echo "# $_what: $points fault points, $failed_runs runs failed," \
		"$left_named of them naming a scratch tree they could not remove"
}

check_one() {
	if [ "$4" -eq 0 ]; then
		case $1 in
		dir) [ "$(tree_hash "$tmp/w/o")" = "$want_dir" ] ||
			fail "dir: succeeded with $3 at call $2 but differs" ;;
		tar) cmp -s "$tmp/w/o.tar" "$tmp/ref.tar" ||
			fail "tar: succeeded with $3 at call $2 but differs" ;;
		esac
	else
		failed_runs=$((failed_runs + 1))
		[ -s "$tmp/o.err" ] ||
			fail "$1: exit $4 with $3 at call $2 and no message"
		case $4 in 5) ;; *)
			fail "$1: exit $4 with $3 at call $2: $(cat "$tmp/o.err")"
		esac
	fi
	clean "$@"
	[ "$(tree_hash "$root")" = "$before" ] ||
		fail "$1: $3 at call $2 changed the root"
	[ ! -e "$tmp/state" ] || fail "$1: $3 at call $2 made a state directory"
}

run_faults dir --output "$tmp/w/o"
run_faults tar --output-tar "$tmp/w/o.tar"
finish
