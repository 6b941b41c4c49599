#!/bin/sh
# Hooks signed into the package (spec section 9.8): a failing pre-apply
# hook leaves the tree exactly as it was (status 15); a failing health
# check rolls the patch back to exactly the old tree (status 14); hooks
# see the documented environment and nothing else (no variable, no
# descriptor of the applier), time out, lose what they leave running, and
# never run for --check; a tampered hook fails the signature; --no-hooks
# is loud; pre-rollback and post-rollback hooks run around patch-rollback.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/field.sh"
need_chroot

old=$tmp/old new=$tmp/new
shell_tree "$old" && shell_tree "$new"
mkdir -p "$old/usr/share/app" "$new/usr/share/app"
echo one >"$old/usr/share/app/data" && echo two >"$new/usr/share/app/data"
echo gone >"$old/usr/share/app/old-only"
echo fresh >"$new/usr/share/app/new-only"
make_key
meta_old=$(tree_meta "$old")
meta_new=$(tree_meta "$new")

hook() {
	printf '#!/bin/sh\n%s\n' "$2" >"$tmp/$1.sh"
}
# pkg NAME OPTIONS...: a signed package of old to new.
pkg() {
	_n=$1
	shift
	expect 0 patch-create -q --no-live --name "$_n" --key "$tmp/test.key" \
	    --product app --from-version 1.0 --to-version 1.1 "$@" \
	    -o "$tmp/$_n.ppkg" "$old" "$new"
}
fresh() {
	rm -rf "$tmp/t"
	cp -a "$old" "$tmp/t"
}
apply() {
	patch-apply --keyring "$tmp/keys" --skip-needs --root "$tmp/t" "$@"
}
log=$tmp/t/var/lib/patchfmt/log

# A failing pre-apply hook: nothing written to the tree.
hook fail 'echo refusing; exit 3'
pkg pre --hook pre-apply="$tmp/fail.sh"
fresh
expect 15 apply "$tmp/pre.ppkg"
grep -q "pre-apply hook of 'pre' failed with status 3" "$tmp/err" ||
	fail "no message for a failed pre-apply hook: $(cat "$tmp/err")"
grep -q refusing "$tmp/err" || fail "the hook's output is not shown"
[ "$(tree_meta "$tmp/t")" = "$meta_old" ] ||
	fail "a failed pre-apply hook changed the tree"
expect 0 patch-status --root "$tmp/t"
grep -q "no patches installed" "$tmp/out" || fail "pre: recorded anyway"
log_lines_ok "$log" || fail "pre: the log is not JSON lines"
grep -q '"event":"hook","by":[0-9]*,"hook":"pre-apply".*"result":"failed","status":3' \
    "$log" || fail "pre: no log line for the hook: $(cat "$log")"
grep -q 'refusing' "$log" || fail "pre: the hook's output is not logged"
grep -q '"event":"install"' "$log" && fail "pre: an install was logged"

# --no-hooks: loud, and the apply goes on without the hook.
expect 0 apply --no-hooks "$tmp/pre.ppkg"
grep -q 'WARNING: --no-hooks' "$tmp/err" || fail "--no-hooks is quiet"
[ "$(tree_meta "$tmp/t")" = "$meta_new" ] || fail "--no-hooks did not apply"

# --check never runs a hook, and writes nothing.
hook mark 'echo ran >/pre-ran'
pkg mark --hook pre-apply="$tmp/mark.sh" --hook health="$tmp/mark.sh"
fresh
expect 0 apply --check "$tmp/mark.ppkg"
[ -e "$tmp/t/pre-ran" ] && fail "--check ran a hook"
[ -e "$tmp/t/var" ] && fail "--check made the state directory"

# The environment: documented variables only, no inherited descriptor.
hook env 'set >/hook-env
while read -r p; do echo "path $p"; done <"$PF_CHANGED_PATHS" >/hook-paths
if (: >&7) 2>/hook-fd-err; then echo open; else echo closed; fi >/hook-fd'
pkg env --hook pre-apply="$tmp/env.sh" --issue BUG-7 --phase 100
fresh
exec 7>"$tmp/leak"
SECRET_TOKEN=hunter2 expect 0 apply "$tmp/env.ppkg"
exec 7>&-
e=$tmp/t/hook-env
for want in "PF_ROOT='/'" "PF_PACKAGE_ID='env'" "PF_PHASE='pre-apply'" \
    "PF_ACTION='install'" "PF_FROM_VERSION='1.0'" "PF_TO_VERSION='1.1'" \
    "PF_PRODUCT='app'" "PF_ISSUE='BUG-7'" "PF_ROLLOUT_PERCENT='100.00'" \
    "LC_ALL='C'" "HOME='/'" \
    "PATH='/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'"; do
	grep -qx "$want" "$e" || fail "hook environment lacks $want: $(cat "$e")"
done
grep -q "^PF_DIGEST='[0-9a-f]\{64\}'$" "$e" || fail "no PF_DIGEST"
grep -q "^PF_CHANGED_PATHS='/var/lib/patchfmt/" "$e" ||
	fail "PF_CHANGED_PATHS is not in the chrooted state directory"
grep -q SECRET_TOKEN "$e" && fail "the hook inherited the environment"
[ "$(grep -c '^[A-Z_]*=' "$e")" -le 22 ] || fail "extra variables: $(cat "$e")"
printf 'path usr/share/app/data\npath usr/share/app/new-only\npath usr/share/app/old-only\n' |
    cmp -s - "$tmp/t/hook-paths" ||
	fail "changed paths: $(cat "$tmp/t/hook-paths")"
[ "$(cat "$tmp/t/hook-fd")" = closed ] || fail "descriptor 7 was inherited"
ls "$tmp/t/var/lib/patchfmt" | grep -q '^\.pf-hook' &&
	fail "the hook's script was left in the state directory"

# A failing health check: rolled back to exactly the old tree.
hook sick 'echo sick; exit 1'
hook post 'echo post-ran >/post-rollback-ran'
pkg sick --hook health="$tmp/sick.sh" --hook post-rollback="$tmp/post.sh"
fresh
expect 14 apply "$tmp/sick.ppkg"
grep -q "health hook of 'sick' failed with status 1; 'sick' was rolled back" \
    "$tmp/err" || fail "no message for the rollback: $(cat "$tmp/err")"
[ -e "$tmp/t/post-rollback-ran" ] ||
	fail "the automatic rollback did not run the post-rollback hook"
rm -f "$tmp/t/post-rollback-ran"
[ "$(tree_meta "$tmp/t")" = "$meta_old" ] ||
	fail "a failed health check did not roll back to exactly old"
expect 0 patch-status --root "$tmp/t"
grep -q "no patches installed" "$tmp/out" || fail "sick: still recorded"
log_lines_ok "$log" || fail "sick: the log is not JSON lines"
events=$(grep -o '"event":"[a-z-]*"\(,"by":[0-9]*,"hook":"[a-z-]*"\)\?' "$log" |
    sed 's/,"by":[0-9]*//' | tr '\n' ' ')
[ "$events" = '"event":"install" "event":"hook","hook":"health" "event":"rollback" "event":"hook","hook":"post-rollback" ' ] ||
	fail "sick: logged $events"
expect 14 apply --json "$tmp/sick.ppkg"
grep -q '"exit_status":14' "$tmp/out" || fail "sick: JSON: $(cat "$tmp/out")"

# A healthy patch stays, after post-apply.
hook fine 'exit 0'
hook post-apply 'echo $PF_PHASE >/post-apply-ran'
pkg fine --hook post-apply="$tmp/post-apply.sh" --hook health="$tmp/fine.sh"
fresh
expect 0 apply "$tmp/fine.ppkg"
[ "$(cat "$tmp/t/post-apply-ran" 2>/dev/null)" = post-apply ] ||
	fail "post-apply did not run"
rm -f "$tmp/t/post-apply-ran"
[ "$(tree_meta "$tmp/t")" = "$meta_new" ] || fail "fine: not new"

# A failing post-apply hook rolls back too.
pkg badpost --hook post-apply="$tmp/fail.sh"
fresh
expect 14 apply "$tmp/badpost.ppkg"
[ "$(tree_meta "$tmp/t")" = "$meta_old" ] || fail "badpost: not old"

# Rollback hooks: a failing pre-rollback hook keeps the patch.
pkg keep --hook pre-rollback="$tmp/fail.sh" --hook post-rollback="$tmp/post.sh"
fresh
expect 0 apply "$tmp/keep.ppkg"
expect 15 patch-rollback --root "$tmp/t" keep
[ "$(tree_meta "$tmp/t")" = "$meta_new" ] || fail "keep: tree changed"
expect 0 patch-rollback --root "$tmp/t" --no-hooks keep
grep -q 'WARNING: --no-hooks' "$tmp/err" || fail "rollback --no-hooks is quiet"
[ -e "$tmp/t/post-rollback-ran" ] && fail "--no-hooks ran post-rollback"
[ "$(tree_meta "$tmp/t")" = "$meta_old" ] || fail "keep: not rolled back"
pkg keep2 --hook post-rollback="$tmp/post.sh"
expect 0 apply "$tmp/keep2.ppkg"
expect 0 patch-rollback --root "$tmp/t" keep2
[ -e "$tmp/t/post-rollback-ran" ] || fail "post-rollback did not run"
rm -f "$tmp/t/post-rollback-ran"

# Time out: the whole process group is killed.
hook spin '( while :; do :; done ) &
while :; do :; done'
expect 0 patch-create -q --no-live --name spin --key "$tmp/test.key" \
    --hook pre-apply="$tmp/spin.sh" --hook-timeout 1 \
    -o "$tmp/spin.ppkg" "$old" "$new"
fresh
start=$(date +%s)
expect 15 apply "$tmp/spin.ppkg"
[ $(($(date +%s) - start)) -lt 10 ] || fail "the hook was not stopped in time"
grep -q 'did not end within 1 seconds and was killed' "$tmp/err" ||
	fail "no timeout message: $(cat "$tmp/err")"
grep -q '"timed_out":true' "$log" || fail "the timeout is not logged"
[ "$(tree_meta "$tmp/t")" = "$meta_old" ] || fail "spin: tree changed"
# Left running by a hook that ended: killed with its group.
hook bg '( while :; do :; done ) &
exit 0'
pkg bg --hook pre-apply="$tmp/bg.sh"
fresh
expect 0 apply "$tmp/bg.ppkg"
sleep 0.2
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/root" 2>/dev/null)" = "$tmp/t" ] &&
		fail "a process the hook left is still running: $p"
done

# A tampered hook: the signature covers it.
hook tamper 'echo MARKER-ORIGINAL; exit 0'
pkg tamper --hook pre-apply="$tmp/tamper.sh"
sed 's/MARKER-ORIGINAL/MARKER-REPLACED/' "$tmp/tamper.ppkg" >"$tmp/bad.ppkg"
cmp -s "$tmp/tamper.ppkg" "$tmp/bad.ppkg" && fail "the hook was not found"
fresh
expect 3 apply "$tmp/bad.ppkg"
# An attacker who also recomputes the digest meets the signature.
forge -r "$tmp/bad.ppkg" "$tmp/forged.ppkg" || fail "forge -r"
expect 7 apply "$tmp/forged.ppkg"
expect 7 patch-inspect --keyring "$tmp/keys" "$tmp/forged.ppkg"
[ "$(tree_meta "$tmp/t")" = "$meta_old" ] || fail "tamper: tree changed"
expect 0 patch-inspect "$tmp/tamper.ppkg"
grep -q '^hook     pre-apply [0-9]* bytes timeout 60s sha256 [0-9a-f]\{64\}$' \
    "$tmp/out" || fail "patch-inspect does not show the hook: $(cat "$tmp/out")"
expect 0 patch-inspect --json "$tmp/tamper.ppkg"
grep -q '"hooks":\[{"kind":"pre-apply","timeout":60,"size":[0-9]*,"script":"#!/bin/sh\\necho MARKER-ORIGINAL' \
    "$tmp/out" || fail "patch-inspect --json does not show the hook"

# With --state-dir, a root that is not / cannot run hooks chrooted.
fresh
expect 15 apply --state-dir "$tmp/s" "$tmp/fine.ppkg"
grep -q 'need its own state directory' "$tmp/err" ||
	fail "no reason for refusing hooks: $(cat "$tmp/err")"
[ "$(tree_meta "$tmp/t")" = "$meta_old" ] || fail "state-dir: tree changed"

# patch-create refuses what it cannot store.
expect 2 patch-create -q --hook bogus=x -o "$tmp/x.ppkg" "$old" "$new"
expect 2 patch-create -q --hook health="$tmp/fine.sh" --hook-timeout 0 \
    -o "$tmp/x.ppkg" "$old" "$new"
expect 5 patch-create -q --hook health="$tmp/missing.sh" \
    -o "$tmp/x.ppkg" "$old" "$new"

# SIGINT (Ctrl-C) while a hook runs ends the hook and all it started,
# not just the tool: before the commit nothing is written, after it the
# patch is rolled back; either way status 12 and the old tree.
hook spin 'echo $$ >/hook.pid; while :; do :; done'
for kind in pre-apply health; do
	pkg "spin-$kind" --hook "$kind=$tmp/spin.sh"
	fresh
	patch-apply --keyring "$tmp/keys" --skip-needs --root "$tmp/t" \
	    "$tmp/spin-$kind.ppkg" >"$tmp/out" 2>"$tmp/err" &
	ap=$!
	i=0
	while [ ! -s "$tmp/t/hook.pid" ] && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	hp=$(cat "$tmp/t/hook.pid" 2>/dev/null)
	kill -INT $ap
	wait $ap
	rc=$?
	[ "$rc" -eq 12 ] && ok ||
		fail "SIGINT in the $kind hook: status $rc: $(cat "$tmp/err")"
	sleep 0.2
	if [ -n "$hp" ] && kill -0 "$hp" 2>/dev/null; then
		kill -9 "$hp"
		fail "the $kind hook outlived the tool"
	else
		ok
	fi
	rm -f "$tmp/t/hook.pid"
	[ "$(tree_meta "$tmp/t")" = "$meta_old" ] && ok ||
		fail "SIGINT in the $kind hook: the tree is not the old one"
done

finish
