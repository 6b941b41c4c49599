#!/bin/sh
# An I/O error at every file-system call of patch-apply and of
# patch-rollback on a small tree with every kind of change (a file
# replaced, a mode changed, a symlink retargeted, a directory made, a
# directory with its file removed): each run either succeeds, the tree
# exactly new (or old after the rollback), or fails with status 5, the
# tree exactly as it was and nothing of the transaction left in it.
# t0160 does the same on a larger tree at every PF_CRASH_STRIDE-th call;
# this tree is small enough to try every call in make check, and every
# (PF_CRASH_STRIDE / 2)-th in the runs of the suite that repeat it
# (sanitizers, distcheck).
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/inject.sh"
need_strace

old=$tmp/old new=$tmp/new
mkdir -p "$old/lib/mods" "$new/lib" "$new/doc/html"
printf 'v = 1\n' >"$old/lib/cfg" && printf 'v = 2\n' >"$new/lib/cfg"
echo mod >"$old/lib/mods/m.so"
echo run >"$old/run" && cp "$old/run" "$new/run" && chmod 750 "$new/run"
ln -s cfg "$old/lib/current" && ln -s ../doc/html/index "$new/lib/current"
echo index >"$new/doc/html/index"
expect 0 patch-create -q --no-live --name fix -o "$tmp/p.ppkg" "$old" "$new"
h_old=$(tree_hash "$old") h_new=$(tree_hash "$new")

step=1
[ "${PF_CRASH_STRIDE:-1}" -gt 2 ] && step=$((PF_CRASH_STRIDE / 2))

# tries TOOL FROM TO CMD...: every step-th call of CMD on a fresh copy of
# FROM.
tries() {
	_tool=$1 _from=$2 _to=$3
	shift 3
	fresh "$_from"
	total=$(fs_calls "$FS_CHANGES,close" "$@")
	n=$(first_call "$tmp/")
	tried=0
	while [ "$n" -le "$total" ]; do
		fresh "$_from"
		inject "$n" error=EIO "$@" >/dev/null 2>"$tmp/err"
		rc=$?
		h=$(tree_hash "$tmp/t")
		what="$_tool with EIO at call $n ($(sed -n "${n}p" "$tmp/calls"))"
		case $rc in
		# Past the commit point a failure to clean up is a warning,
		# and the next run removes what is left.
		# (A second rollback then says "not installed", status 16.)
		0) case $_tool in rollback) ! grep -q "installed, but" \
			"$tmp/err" || fail "$what: a rollback that says" \
			"installed: $(cat "$tmp/err")" ;; esac
		   [ "$h" = "$(eval echo \$h_$_to)" ] || { "$@" >/dev/null 2>&1
			[ "$(tree_hash "$tmp/t")" = "$(eval echo \$h_$_to)" ]; } ||
			fail "$what: succeeded, but the tree is not $_to" ;;
		5) if grep -q "cannot write the report" "$tmp/err"; then
			[ "$h" = "$(eval echo \$h_$_to)" ] ||
			    fail "$what: no report, and the tree is not $_to"
		   else
			[ "$h" = "$(eval echo \$h_$_from)" ] &&
			    no_leftovers "$tmp/t" ||
			    fail "$what: failed, but the tree changed or has leftovers"
		   fi
		   grep -q "patch-" "$tmp/err" ||
			fail "$what: failed without a message" ;;
		*) fail "$what: exit $rc: $(cat "$tmp/err")" ;;
		esac
		tried=$((tried + 1))
		n=$((n + step))
	done
	[ $((tried * step)) -gt 20 ] && ok ||
		fail "$_tool: only $tried calls tried, every $step-th"
	echo "# $_tool: $tried error points"
}
# fresh old|new: the target as that build, with its state directory.
fresh() {
	rm -rf "$tmp/t" "$tmp/s"
	cp -a "$old" "$tmp/t"
	[ "$1" = new ] && patch-apply --allow-unsigned --skip-needs \
	    --state-dir "$tmp/s" --root "$tmp/t" "$tmp/p.ppkg" >/dev/null 2>&1
	[ "$(tree_hash "$tmp/t")" = "$(eval echo \$h_$1)" ] ||
		fail "cannot make the $1 tree"
}
tries apply old new patch-apply --allow-unsigned --skip-needs \
    --state-dir "$tmp/s" --root "$tmp/t" "$tmp/p.ppkg"
tries rollback new old patch-rollback --root "$tmp/t" --state-dir "$tmp/s" fix
finish
