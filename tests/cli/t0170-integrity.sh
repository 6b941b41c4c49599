#!/bin/sh
# What the applier trusts (issue 8): the copy it keeps is the package it
# verified; trust anchors and the state never come from the tree being
# patched; a mode change never goes through a hard link to a file outside
# the root; a planted huge file is not hashed; --check tells a full file
# system; a signal during a commit undoes it with status 12.
. "$top_srcdir/tests/cli/lib.sh"

make_key
old=$tmp/old new=$tmp/new
mkdir -p "$old/bin" "$new/bin"
printf 'old code\n' >"$old/bin/tool" && chmod 0755 "$old/bin/tool"
printf 'new code!\n' >"$new/bin/tool" && chmod 0755 "$new/bin/tool"
printf 'config\n' >"$old/conf" && chmod 0644 "$old/conf"
printf 'config\n' >"$new/conf" && chmod 0600 "$new/conf"
expect 0 patch-create -q --name fix --key "$tmp/test.key" -o "$tmp/p.ppkg" \
	"$old" "$new"
A="--keyring $tmp/keys --skip-needs"

# The stored copy must be the package that was installed: another,
# self-consistent package put in its place is refused by rollback.
copy_tree "$old" "$tmp/t1"
expect 0 patch-apply $A --state-dir "$tmp/s1" --root "$tmp/t1" "$tmp/p.ppkg"
printf 'evil\n' >"$tmp/evil-new"
expect 0 patch-create -q --name fix -o "$tmp/evil.ppkg" "$old/bin/tool" \
	"$tmp/evil-new"
cp "$tmp/evil.ppkg" "$tmp/s1/patches/fix/package"
expect 7 patch-rollback --state-dir "$tmp/s1" --root "$tmp/t1" fix
grep -q "not the one that was installed" "$tmp/err" && ok ||
	fail "tampered copy: $(cat "$tmp/err")"
[ "$(tree_hash "$tmp/t1")" = "$(tree_hash "$new")" ] && ok ||
	fail "tampered copy: the tree changed"

# A record line cannot be forged through a value: a damaged record is an
# error, never "not installed".
printf 'id fix\nrelease 1x\n' >"$tmp/s1/patches/fix/record"
expect 5 patch-status --state-dir "$tmp/s1" --root "$tmp/t1"
grep -q "damaged" "$tmp/err" && ok || fail "damaged record: $(cat "$tmp/err")"

# With --root, the keyring is the host's and the tree's own is ignored.
copy_tree "$old" "$tmp/t2"
mkdir -p "$tmp/t2/etc/patchfmt/keys"
cp "$tmp/test.pub" "$tmp/t2/etc/patchfmt/keys/"
expect 7 patch-apply --skip-needs --state-dir "$tmp/s2" --root "$tmp/t2" \
	"$tmp/p.ppkg"
[ "$(tree_hash "$tmp/t2")" != "$(tree_hash "$new")" ] && ok ||
	fail "the tree's own keyring was trusted"
# ... and its state directory is not reached through a symlink.
mkdir -p "$tmp/t2/var/lib" "$tmp/elsewhere"
ln -s "$tmp/elsewhere" "$tmp/t2/var/lib/patchfmt"
expect 6 patch-apply $A --root "$tmp/t2" "$tmp/p.ppkg"
[ -z "$(ls "$tmp/elsewhere")" ] && ok || fail "state written through a symlink"
rm "$tmp/t2/var/lib/patchfmt"

# A mode change of a file that is a hard link to one outside the root
# replaces the path; the outside file keeps its mode.
copy_tree "$old" "$tmp/t3"
mkdir -p "$tmp/out3"
mv "$tmp/t3/conf" "$tmp/out3/conf"
ln "$tmp/out3/conf" "$tmp/t3/conf"
expect 0 patch-apply $A --state-dir "$tmp/s3" --root "$tmp/t3" "$tmp/p.ppkg"
[ "$(stat -c %a "$tmp/out3/conf")" = 644 ] && ok ||
	fail "the mode reached a file outside the root"
[ "$(stat -c '%a %h' "$tmp/t3/conf")" = "600 1" ] && ok ||
	fail "the path did not get its own file with the new mode"

# Type and size before any hash: a planted sparse 1 TiB file where the
# package expects a few bytes is refused at once.
copy_tree "$old" "$tmp/t4"
truncate -s 1T "$tmp/t4/bin/tool"
start=$(date +%s)
expect 1 patch-apply $A --check --state-dir "$tmp/s4" --root "$tmp/t4" \
	"$tmp/p.ppkg"
expect 1 patch-apply $A --state-dir "$tmp/s4" --root "$tmp/t4" "$tmp/p.ppkg"
grep -q "expected 9 bytes, found 1099511627776" "$tmp/err" && ok ||
	fail "huge file: $(cat "$tmp/err")"
[ $(($(date +%s) - start)) -lt 10 ] && ok || fail "the huge file was read"

# A user without write permission reads the state under its lock.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	copy_tree "$old" "$tmp/t7"
	expect 0 patch-apply $A --state-dir "$tmp/s7" --root "$tmp/t7" \
		"$tmp/p.ppkg"
	chmod a+rx "$tmp" && chmod -R a+rX "$tmp/s7" "$tmp/t7"
	expect 0 setpriv --reuid=65534 --regid=65534 --clear-groups \
		patch-status --state-dir "$tmp/s7" --root "$tmp/t7"
	# conf is 0600 in the new build: unreadable for this user.
	grep -q '^fix .*unreadable' "$tmp/out" && ok ||
		fail "user status: $(cat "$tmp/out")"
fi

# A root that is not a directory, for every tool.
expect 2 patch-apply $A --root "$tmp/nonexistent" "$tmp/p.ppkg"
expect 2 patch-status --root "$tmp/nonexistent"
expect 2 patch-rollback --root "$tmp/nonexistent" fix

# A signal during the commit: the step finishes, the install is undone,
# status 12, and nothing is left over.  It comes with the first rename in
# the tree (the third renameat: the record and the journal come first);
# one at the commit point (renameat2, in the state directory) would come
# too late to undo anything, and the install then completes.
if command -v strace >/dev/null 2>&1 && strace -qq -o /dev/null true; then
	for sig in TERM INT HUP; do
		copy_tree "$old" "$tmp/t5$sig"
		ASAN_OPTIONS=detect_leaks=0 \
		strace -f -qq -o /dev/null -e trace=renameat \
		    -e inject=renameat:signal=$sig:when=3 patch-apply $A \
		    --state-dir "$tmp/s5$sig" --root "$tmp/t5$sig" \
		    "$tmp/p.ppkg" >/dev/null 2>"$tmp/err"
		rc=$?
		[ $rc -eq 12 ] && ok || fail "SIG$sig: exit $rc: $(cat "$tmp/err")"
		[ "$(tree_hash "$tmp/t5$sig")" = "$(tree_hash "$old")" ] && ok ||
			fail "SIG$sig: the tree changed"
		[ -z "$(find "$tmp/t5$sig" "$tmp/s5$sig" -name '.pf-*' -o \
		    -name journal -o -name '.new-*')" ] && ok ||
			fail "SIG$sig: leftovers"
	done
fi

# A full file system (a small tmpfs, as root): --check says so, and the
# real run fails cleanly with the tree unchanged.
if [ "$(id -u)" -eq 0 ] && mkdir "$tmp/small" &&
    mount -t tmpfs -o size=64k tmpfs "$tmp/small" 2>/dev/null; then
	mkdir "$tmp/small/t"
	printf 'old code\n' >"$tmp/small/t/tool"
	head -c 200000 /dev/urandom >"$tmp/big"
	expect 0 patch-create -q --name big --key "$tmp/test.key" \
		--path tool -o "$tmp/big.ppkg" "$tmp/small/t/tool" "$tmp/big"
	expect 5 patch-apply $A --check --state-dir "$tmp/s6" \
		--root "$tmp/small/t" "$tmp/big.ppkg"
	grep -q "not enough space" "$tmp/err" && ok ||
		fail "--check on a full file system: $(cat "$tmp/err")"
	expect 5 patch-apply $A --state-dir "$tmp/s6" --root "$tmp/small/t" \
		"$tmp/big.ppkg"
	[ "$(cat "$tmp/small/t/tool")" = "old code" ] &&
		[ "$(ls -A "$tmp/small/t")" = tool ] && ok ||
		fail "full file system: the tree changed: $(ls -A "$tmp/small/t")"
	umount "$tmp/small"
fi
finish
