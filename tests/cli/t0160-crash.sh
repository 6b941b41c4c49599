#!/bin/sh
# Crash points: patch-apply and patch-rollback are killed (SIGKILL) at
# every file-system call of a package that mixes a real library, a new
# nested directory, a directory becoming a file, a file becoming a
# directory, symlinks and mode changes; `patch-apply --recover` must then
# leave exactly the old or exactly the new tree, no staging or backup file
# anywhere, a state directory that agrees with the tree, and a re-run that
# completes.  The same calls failed with EIO, ENOSPC and EACCES must give
# a clean failure with the tree exactly old, or success with it new.
# A file system in memory where there is one: fsync costs nothing there,
# and what a kill leaves is the same.
[ -d /dev/shm ] && [ -w /dev/shm ] && TMPDIR=/dev/shm && export TMPDIR
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/inject.sh"
need_strace
lib=$PF_CORPUS/pairs/libcurl
if [ ! -f "$lib/old" ]; then
	echo "SKIP: no corpus at $PF_CORPUS"
	exit 77
fi

old=$tmp/old new=$tmp/new
if [ -n "${PF_CRASH_OLD:-}" ]; then
	# make check-long: a pair of whole trees instead (the corpus's).
	cp -a "$PF_CRASH_OLD" "$old" && cp -a "$PF_CRASH_NEW" "$new"
else
	mkdir -p "$old/usr/lib" "$old/etc/app" "$old/gone/sub" "$old/todir"
	cp "$lib/old" "$old/usr/lib/libcurl.so.4.8.0"
	ln -s libcurl.so.4.8.0 "$old/usr/lib/libcurl.so.4"
	echo conf >"$old/etc/app/conf" && chmod 0640 "$old/etc/app/conf"
	echo bye >"$old/gone/sub/file"
	echo was-file >"$old/becomes-dir"
	mkdir "$old/becomes-file" && echo inner >"$old/becomes-file/x"
	chmod 0755 "$old/etc/app"

	mkdir -p "$new/usr/lib" "$new/etc/app" "$new/fresh/a/b" "$new/todir"
	cp "$lib/new" "$new/usr/lib/libcurl.so.4.8.0"
	ln -s libcurl.so.4.8.0 "$new/usr/lib/libcurl.so.4"
	echo conf >"$new/etc/app/conf" && chmod 0600 "$new/etc/app/conf"
	echo hello >"$new/fresh/a/b/hello"
	mkdir "$new/becomes-dir" && echo in >"$new/becomes-dir/child"
	echo now-a-file >"$new/becomes-file"
	chmod 0700 "$new/etc/app"
fi

expect 0 patch-create -q --no-live --name mix -o "$tmp/p.ppkg" "$old" "$new"
h_old=$(tree_hash "$old") h_new=$(tree_hash "$new")
opts() { echo "--allow-unsigned --skip-needs --root $tmp/t --state-dir $tmp/s"; }

fresh_old() {
	rm -rf "$tmp/t" "$tmp/s"
	copy_tree "$old" "$tmp/t"
}

fresh_new() {
	rm -rf "$tmp/t" "$tmp/s"
	cp -a "$tmp/installed" "$tmp/t"
	cp -a "$tmp/installed-state" "$tmp/s"
}

# After recovery: old or new, nothing left over, state agreeing.
judge() {
	_what=$1
	if ! patch-apply --recover --root "$tmp/t" --state-dir "$tmp/s" \
	    >/dev/null 2>"$tmp/rec"; then
		fail "$_what: recovery failed: $(cat "$tmp/rec")"
		return
	fi
	_h=$(tree_hash "$tmp/t")
	patch-status --root "$tmp/t" --state-dir "$tmp/s" >"$tmp/st" 2>&1
	if [ "$_h" = "$h_new" ]; then
		grep -q '^mix .*intact' "$tmp/st" ||
			fail "$_what: tree is new but the state says: $(cat "$tmp/st")"
	elif [ "$_h" = "$h_old" ]; then
		grep -q '^mix ' "$tmp/st" &&
			fail "$_what: tree is old but the state says: $(cat "$tmp/st")"
	else
		fail "$_what: tree is neither old nor new:" \
		    "$(diff -r --no-dereference "$tmp/t" "$old" | head -5)"
		return
	fi
	no_leftovers "$tmp/t" "$tmp/s" ||
		fail "$_what: left $(find "$tmp/t" "$tmp/s" -name '.pf-*' \
		    -o -name '.new-*' -o -name '.old-*' -o -name journal | head -2)"
	ok
}

# Apply, killed at every file-system call.
fresh_old
total=$(fs_calls "$FS_CHANGES" patch-apply $(opts) "$tmp/p.ppkg")
[ "$(tree_hash "$tmp/t")" = "$h_new" ] || fail "traced apply did not apply"
cp -a "$tmp/t" "$tmp/installed" && cp -a "$tmp/s" "$tmp/installed-state"
n=1
while [ "$n" -le "$total" ]; do
	fresh_old
	inject "$n" signal=KILL patch-apply $(opts) "$tmp/p.ppkg" \
	    >/dev/null 2>&1
	judge "apply killed at call $n ($(sed -n "${n}p" "$tmp/calls"))"
	patch-apply $(opts) "$tmp/p.ppkg" >/dev/null 2>"$tmp/err" &&
	    [ "$(tree_hash "$tmp/t")" = "$h_new" ] ||
		fail "apply killed at call $n: re-run failed: $(cat "$tmp/err")"
	n=$((n + stride))
done
echo "apply: $total crash points, every $stride tried"
points=$total

# Rollback, killed at every file-system call.
fresh_new
total=$(fs_calls "$FS_CHANGES" patch-rollback --root "$tmp/t" --state-dir "$tmp/s" mix)
[ "$(tree_hash "$tmp/t")" = "$h_old" ] || fail "traced rollback failed"
n=1
while [ "$n" -le "$total" ]; do
	fresh_new
	inject "$n" signal=KILL patch-rollback --root "$tmp/t" \
	    --state-dir "$tmp/s" mix >/dev/null 2>&1
	judge "rollback killed at call $n ($(sed -n "${n}p" "$tmp/calls"))"
	if grep -q '^mix ' "$tmp/st"; then
		patch-rollback --root "$tmp/t" --state-dir "$tmp/s" mix \
		    >/dev/null 2>"$tmp/err" || fail "rollback killed at" \
		    "call $n: re-run failed: $(cat "$tmp/err")"
	fi
	[ "$(tree_hash "$tmp/t")" = "$h_old" ] ||
		fail "rollback killed at call $n: not old after a re-run"
	n=$((n + stride))
done
echo "rollback: $total crash points, every $stride tried"
points=$((points + total))

# Errors instead of kills, at every call that changes the disk and at
# close and flock: a clean failure with the tree exactly old, or success
# (a failure to clean up after the commit point is a warning, and the next
# run removes what is left).
errs="EIO ENOSPC EACCES"
error_points() {
	_tool=$1 _from=$2 _to=$3
	shift 3
	fresh_$_from
	total=$(fs_calls "$FS_CHANGES,close,flock" "$@")
	n=$(first_call "$tmp/")
	errors=$((total - n + 1))
	while [ "$n" -le "$total" ]; do
		set -- $errs
		shift $((n % 3))
		_e=$1
		eval "set -- $cmdline"
		fresh_$_from
		inject "$n" "error=$_e" "$@" >/dev/null 2>"$tmp/err"
		rc=$?
		h=$(tree_hash "$tmp/t")
		what="$_tool with $_e at call $n ($(sed -n "${n}p" "$tmp/calls"))"
		case $rc in
		0) ;;
		5) if [ "$h" = "$(eval echo \$h_$_to)" ]; then
			grep -q "cannot write the report" "$tmp/err" ||
			    fail "$what: exit 5 after it was done"
		   else
			[ "$h" = "$(eval echo \$h_$_from)" ] &&
			    no_leftovers "$tmp/t" ||
			    fail "$what: exit 5, tree changed or leftovers"
		   fi ;;
		2|3|7) [ "$h" = "$(eval echo \$h_$_from)" ] &&
			no_leftovers "$tmp/t" "$tmp/s" ||
			fail "$what: exit $rc, tree changed or leftovers" ;;
		*) fail "$what: undocumented exit $rc: $(cat "$tmp/err")" ;;
		esac
		judge "$what"
		n=$((n + stride))
	done
	echo "$_tool: $errors error points, every $stride tried"
	points=$((points + errors))
}
cmdline='patch-apply $(opts) "$tmp/p.ppkg"'
error_points apply old new patch-apply $(opts) "$tmp/p.ppkg"
cmdline='patch-rollback --root "$tmp/t" --state-dir "$tmp/s" mix'
error_points rollback new old patch-rollback --root "$tmp/t" \
    --state-dir "$tmp/s" mix
echo "$points points in all"
finish
