#!/bin/sh
# The outputs of patch-create and patch-delta (cmd/outfile.c) when the
# file system fails: from the first call that names the output, every
# file-system call fails once with EIO (and with ENOSPC where it
# writes).  Either the run succeeded and wrote exactly what a run
# without faults writes, or it failed with status 5 and a message, and
# the output directory holds nothing it did not hold before: no half
# package or delta under its name, no temporary file beside it.  A name
# that is taken between the tool's check and its rename is not replaced.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/inject.sh"
need_strace
# Every second call by default (make check-long: every call), and at
# least every fifth: the package has few calls after its file is made,
# and some of them must be seen to fail.
[ -z "${PF_CRASH_STRIDE:-}" ] && stride=2
[ "$stride" -gt 5 ] && stride=5
pd=$top_builddir/cmd/patch-delta

export SOURCE_DATE_EPOCH=1700000000
sh "$top_srcdir/testdata/archive/mkbuilds.sh" "$tmp"
old=$tmp/old/usr/share/doc/pkg/numbers new=$tmp/new/usr/share/doc/pkg/numbers
mkdir "$tmp/ref"
expect 0 patch-create -q --no-live -o "$tmp/ref/p.ppkg" "$tmp/old" "$tmp/new"
expect 0 "$pd" diff "$old" "$new" "$tmp/ref/d.pfd"
expect 0 "$pd" apply "$old" "$tmp/ref/d.pfd" "$tmp/ref/out"

# run_faults NAME REF CMD...: CMD writes $tmp/w/NAME, which must be REF
# when it succeeds.  The faults start at the call that makes the file
# beside it (NAME.XXXXXX): the calls before read the inputs.
run_faults() {
	out=$1 ref=$2
	shift 2
	mkdir -p "$tmp/w"
	total=$(fs_calls "$FS_CALLS" "$@")
	rm -rf "$tmp/w" && mkdir "$tmp/w"
	first=$(first_call "w/$out.")
	[ -n "$first" ] || { fail "$out: no file is made beside the output"; return; }
	n=$first points=0 failed_runs=0
	while [ "$n" -le "$total" ]; do
		for e in EIO ENOSPC; do
			call=$(sed -n "${n}p" "$tmp/calls")
			case $e:$call in
			ENOSPC:write|ENOSPC:pwrite64|ENOSPC:fsync|ENOSPC:openat) ;;
			ENOSPC:*) continue ;;
			esac
			points=$((points + 1))
			rc=0
			inject "$n" "error=$e" "$@" >"$tmp/o.out" 2>"$tmp/o.err" ||
				rc=$?
			if [ "$rc" -eq 0 ]; then
				cmp -s "$tmp/w/$out" "$ref" ||
					fail "$out: succeeded with $e at $call ($n) but differs"
				rm -f "$tmp/w/$out"
			else
				failed_runs=$((failed_runs + 1))
				[ "$rc" -eq 5 ] && [ -s "$tmp/o.err" ] ||
					fail "$out: exit $rc with $e at $call ($n): $(cat "$tmp/o.err")"
			fi
			left=$(ls -A "$tmp/w")
			[ -z "$left" ] || fail "$out: $e at $call ($n) left: $left"
			rm -rf "$tmp/w" && mkdir "$tmp/w"
		done
		n=$((n + stride))
	done
	[ "$failed_runs" -gt 0 ] && ok ||
		fail "$out: no fault made the run fail ($points points)"
	echo "# $out: $points fault points, $failed_runs runs failed"
}

run_faults p.ppkg "$tmp/ref/p.ppkg" \
	patch-create -q --no-live -o "$tmp/w/p.ppkg" "$tmp/old" "$tmp/new"
run_faults d.pfd "$tmp/ref/d.pfd" "$pd" diff "$old" "$new" "$tmp/w/d.pfd"
run_faults out "$tmp/ref/out" \
	"$pd" apply "$old" "$tmp/ref/d.pfd" "$tmp/w/out"

# A file that appears under the name after the check is kept: the
# rename that would replace it fails as if it had (EEXIST), and the
# tools say the name is taken (status 2) and leave nothing beside it.
mkdir -p "$tmp/w"
for tool in create diff; do
	case $tool in
	create) set -- patch-create -q --no-live -o "$tmp/w/x" "$tmp/old" "$tmp/new" ;;
	diff) set -- "$pd" diff "$old" "$new" "$tmp/w/x" ;;
	esac
	rc=0
	strace -f -qq -o /dev/null -e trace=renameat2 -e signal=none \
	    -e inject=renameat2:error=EEXIST "$@" 2>"$tmp/o.err" || rc=$?
	[ "$rc" -eq 2 ] && grep -q "exists: give -f" "$tmp/o.err" &&
	    [ -z "$(ls -A "$tmp/w")" ] && ok ||
		fail "$tool: a name taken before the rename: exit $rc, $(cat "$tmp/o.err"), left $(ls -A "$tmp/w")"
done
finish
