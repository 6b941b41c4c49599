#!/bin/sh
# Hot patching end to end (spec/hotpatch.md): tests/live/hpharness applies
# and reverts patches of a running multi-threaded server under load, and
# checks the refusals.  Exit 77 (skip) where ptrace is not permitted.
: "${top_builddir:=.}"
harness=$top_builddir/tests/live/hpharness
pid=
trap 'test -n "$pid" && kill -9 $pid 2>/dev/null' EXIT INT TERM
# The harness kills its children itself and they die with it
# (PR_SET_PDEATHSIG); it also stops itself after four minutes.
"$harness" "$top_builddir/tests/live" "${PF_LIVE_ROUNDS:-20}" &
pid=$!
wait $pid
status=$?
pid=
exit $status
