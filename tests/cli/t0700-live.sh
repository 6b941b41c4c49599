#!/bin/sh
# Hot patching with the tools: patch-create finds the changed functions of
# the test server and its library, patch-apply --pid puts a signed package
# into the running server under load, the fixed behaviour shows without a
# restart, patch-status --pid lists it, patch-rollback --pid takes it out;
# many rounds, also of --live (disk and memory), not one failed request.  Unsigned packages and processes
# that do not run the build are refused.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/live.sh"
expect 0 patch-create -q --key "$tmp/test.key" --name hp-fix --package-version 2 \
	-o "$tmp/hp.ppkg" "$tmp/old" "$tmp/new"
expect 0 patch-inspect "$tmp/hp.ppkg"
grep -q 'replace add_numbers' "$tmp/out" || fail "inspect: no add_numbers"
grep -q 'replace demo_checksum' "$tmp/out" || fail "inspect: no demo_checksum"
patch-create -q --no-live --name plain -o "$tmp/plain.ppkg" "$tmp/old" "$tmp/new"
patch-inspect "$tmp/plain.ppkg" | grep -q '^live' && fail "--no-live kept hot patches"

hp_serve

old_add=$(hpask "$sock" "ADD 10 5")
A="--keyring $tmp/keys --state-dir $tmp/state"
S="--state-dir $tmp/state"
rounds=${PF_LIVE_ROUNDS:-10}
r=0
while [ $r -lt "$rounds" ]; do
	expect 0 patch-apply $A --pid "$server" "$tmp/hp.ppkg" || break
	[ "$(hpask "$sock" "ADD 10 5")" = "15" ] && ok ||
		fail "round $r: ADD after apply: $(hpask "$sock" "ADD 10 5")"
	expect 0 patch-apply $A --pid "$server" "$tmp/hp.ppkg"
	grep -q "already live" "$tmp/out" || fail "round $r: not 'already live'"
	expect 0 patch-status $S --pid "$server"
	grep -q "hp-fix" "$tmp/out" || fail "round $r: status --pid"
	expect 0 patch-rollback $S --pid "$server" hp-fix
	[ "$(hpask "$sock" "ADD 10 5")" = "$old_add" ] && ok ||
		fail "round $r: ADD after rollback"
	r=$((r + 1))
done
[ "$old_add" = "16" ] || fail "the old build answers ADD 10 5 with '$old_add'"

# patch-apply --live under the same load: the files under the server's
# root, then the server itself; patch-rollback --live takes both back.
r=0
while [ $r -lt 5 ]; do
	expect 0 patch-apply $A --skip-needs --root "$tmp/run" --live \
		"$tmp/hp.ppkg" || break
	grep -q "'hp-fix' is live in process $server" "$tmp/out" ||
		fail "--live round $r: $(cat "$tmp/out")"
	(cd "$tmp/new" && find . -type f) | while read -r f; do
		cmp -s "$tmp/run/$f" "$tmp/new/$f" ||
			echo "--live round $r: $f not installed"
	done >"$tmp/diffs"
	[ -s "$tmp/diffs" ] && fail "$(cat "$tmp/diffs")"
	[ "$(hpask "$sock" "ADD 10 5")" = "15" ] && ok ||
		fail "--live round $r: ADD after apply"
	expect 0 patch-rollback --root "$tmp/run" $S --live hp-fix
	(cd "$tmp/old" && find . -type f) | while read -r f; do
		cmp -s "$tmp/run/$f" "$tmp/old/$f" ||
			echo "--live round $r: $f not restored"
	done >"$tmp/diffs"
	[ -s "$tmp/diffs" ] && fail "$(cat "$tmp/diffs")"
	[ "$(hpask "$sock" "ADD 10 5")" = "$old_add" ] && ok ||
		fail "--live round $r: ADD after rollback"
	r=$((r + 1))
done

# The records of a process that has ended are pruned by the next apply.
mkdir -p "$tmp/state/live/4194303-1" && : >"$tmp/state/live/4194303-1/gone"
expect 0 patch-apply $A --pid "$server" "$tmp/hp.ppkg"
[ ! -e "$tmp/state/live/4194303-1" ] && ok || fail "stale live record kept"
expect 0 patch-rollback $S --pid "$server" hp-fix

# A damaged journal is reported as damaged by every tool, never taken
# for a missing one; the process is left alone.
start=$(sed 's/.*) //' "/proc/$server/stat" | cut -d' ' -f20)
mkdir -p "$tmp/state/live/$server-$start"
printf 'PFHJ\001damaged' >"$tmp/state/live/$server-$start/hp-fix"
expect 5 patch-status $S --pid "$server"
grep -q "damaged" "$tmp/err" && grep -q "damaged record" "$tmp/out" || fail "status of a damaged journal"
expect 5 patch-apply $A --pid "$server" "$tmp/hp.ppkg"
grep -q "damaged live record 'hp-fix'" "$tmp/err" || fail "apply over a damaged journal"
expect 5 patch-rollback $S --pid "$server" hp-fix
expect 5 patch-rollback $S --check --pid "$server" hp-fix
[ "$(hpask "$sock" "ADD 10 5")" = "$old_add" ] && ok || fail "damaged journal: server changed"
rm "$tmp/state/live/$server-$start/hp-fix"

# Every process that runs the build, without naming it.  Test servers
# of the same build run by other test runs on this machine may be there
# too, and traced by their own tests: only this server is judged.
patch-apply $A --all-processes "$tmp/hp.ppkg" >"$tmp/out" 2>"$tmp/err"
grep -q "is live in process $server" "$tmp/out" && ok || fail "--all-processes: $(cat "$tmp/out" "$tmp/err")"
grep -Eq "process $server([^0-9]|\$)" "$tmp/err" && fail "--all-processes: $(cat "$tmp/err")"
[ "$(hpask "$sock" "ADD 10 5")" = "15" ] && ok || fail "--all-processes: ADD"
expect 0 patch-rollback $S --pid "$server" hp-fix

# Stripped builds, as distributions ship them, with their symbols in
# debug files found by build ID: under each tree's usr/lib/debug, or in
# a --debug-dir.  The process runs the unstripped old build: the same
# build ID and code.  Without the debug files, symbols come from .dynsym
# and functions from .eh_frame (spec/hotpatch.md section 8.3).
for v in old new; do
	mkdir -p "$tmp/s$v/opt/hp"
	for f in hpserver libhpdemo.so; do
		cp "$tmp/$v/opt/hp/$f" "$tmp/s$v/opt/hp/"
		id=$(readelf -n "$tmp/s$v/opt/hp/$f" | awk '/Build ID/ { print $3 }')
		d=$tmp/s$v/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)
		[ "$f" = libhpdemo.so ] && d=$tmp/dbg/.build-id/$(echo "$id" | cut -c1-2)
		mkdir -p "$d"
		objcopy --only-keep-debug "$tmp/s$v/opt/hp/$f" "$d/$(echo "$id" | cut -c3-).debug"
		strip "$tmp/s$v/opt/hp/$f"
	done
done
# Without them: the library's exported demo_checksum is found by
# .dynsym; the executable exports nothing, and its rewritten add_numbers
# and greet are too unlike their old code to be matched by place: they
# are refused, never guessed.  The library's fix alone (--live-only)
# goes in and out under load.
for v in old new; do
	cp -a "$tmp/s$v" "$tmp/n$v"
	rm -r "$tmp/n$v/usr"
done
expect 0 patch-create -q --key "$tmp/test.key" --name hp-nodbg --debug-dir "$tmp/none" \
	-o "$tmp/nodebug.ppkg" "$tmp/nold" "$tmp/nnew"
expect 0 patch-inspect --explain "$tmp/nodebug.ppkg"
grep -q '^changed .*: demo_checksum: .*matched by its symbol in \.dynsym' "$tmp/out" &&
	grep -q '^refused .*hpserver: unnamed@0x[0-9a-f]*: unnamed function at 0x[0-9a-f]* changed and could not be matched' "$tmp/out" ||
	fail "stripped without debug files: $(cat "$tmp/out")"
expect 0 patch-create -q -f --key "$tmp/test.key" --name hp-nodbg --live-only demo_checksum \
	--debug-dir "$tmp/none" -o "$tmp/nodebug.ppkg" "$tmp/nold" "$tmp/nnew"
old_sum=$(hpask "$sock" "SUM abc")
r=0
while [ $r -lt 5 ]; do
	expect 0 patch-apply $A --pid "$server" "$tmp/nodebug.ppkg" || break
	new_sum=$(hpask "$sock" "SUM abc")
	[ -n "$new_sum" ] && [ "$new_sum" != "$old_sum" ] && ok ||
		fail "no debug file, round $r: SUM $old_sum, then $new_sum"
	expect 0 patch-rollback $S --pid "$server" hp-nodbg
	[ "$(hpask "$sock" "SUM abc")" = "$old_sum" ] && ok || fail "no debug file, round $r: rollback"
	r=$((r + 1))
done
expect 0 patch-create -q --key "$tmp/test.key" --name hp-strip --debug-dir "$tmp/dbg" \
	-o "$tmp/strip.ppkg" "$tmp/sold" "$tmp/snew"
expect 0 patch-inspect "$tmp/strip.ppkg"
grep -q 'replace add_numbers' "$tmp/out" && grep -q 'replace demo_checksum' "$tmp/out" ||
	fail "stripped with debug files: $(grep -c replace "$tmp/out") functions"
r=0
while [ $r -lt 5 ]; do
	expect 0 patch-apply $A --pid "$server" "$tmp/strip.ppkg" || break
	[ "$(hpask "$sock" "ADD 10 5")" = "15" ] && ok || fail "stripped round $r: ADD"
	expect 0 patch-rollback $S --pid "$server" hp-strip
	[ "$(hpask "$sock" "ADD 10 5")" = "$old_add" ] && ok || fail "stripped round $r: rollback"
	r=$((r + 1))
done

# A partial hot patch on purpose: only add_numbers goes in, greet stays
# old; patch-inspect says what was left out.
old_greet=$(hpask "$sock" "GREET x")
expect 0 patch-create -q --key "$tmp/test.key" --name hp-part --live-only add_numbers \
	-o "$tmp/part.ppkg" "$tmp/old" "$tmp/new"
expect 0 patch-inspect "$tmp/part.ppkg"
grep -q 'replace add_numbers' "$tmp/out" && ! grep -q 'replace greet' "$tmp/out" ||
	fail "--live-only: $(grep replace "$tmp/out")"
grep -q '^left-out .*: greet: changed .*--live-only' "$tmp/out" || fail "--live-only: no left-out greet"
expect 0 patch-apply $A --pid "$server" "$tmp/part.ppkg"
[ "$(hpask "$sock" "ADD 10 5")" = "15" ] && [ "$(hpask "$sock" "GREET x")" = "$old_greet" ] &&
	ok || fail "--live-only: ADD $(hpask "$sock" "ADD 10 5"), GREET $(hpask "$sock" "GREET x")"
expect 0 patch-rollback $S --pid "$server" hp-part

# Refusals leave the process as it was.
patch-create -q --name hp-unsigned -o "$tmp/u.ppkg" "$tmp/old" "$tmp/new"
expect 7 patch-apply $A --pid "$server" "$tmp/u.ppkg"
expect 7 patch-apply $A --allow-unsigned --pid "$server" "$tmp/u.ppkg"
grep -q "signed packages only" "$tmp/err" || fail "unsigned hot patch message"
expect 0 patch-apply $A --pid "$server" "$tmp/hp.ppkg"
expect 0 patch-rollback $S --check --pid "$server" hp-fix
[ "$(hpask "$sock" "ADD 10 5")" = "15" ] && ok || fail "rollback --check took it out"
expect 0 patch-rollback $S --pid "$server" hp-fix
sleep 30 &
other=$!
expect 1 patch-apply $A --pid "$other" "$tmp/hp.ppkg"
grep -q "runs none of the builds" "$tmp/err" || fail "wrong process message"
kill $other 2>/dev/null
expect 2 patch-rollback $S --pid "$server" hp-fix
[ "$(hpask "$sock" "ADD 10 5")" = "$old_add" ] && ok || fail "server changed"

kill -TERM "$client"
wait "$client"
status=$?
client=
[ $status -eq 0 ] && ok || fail "client saw wrong answers: $(cat "$tmp/client.out")"
grep . "$tmp/client.out" | tail -1
kill -9 "$server" 2>/dev/null
server=
finish
