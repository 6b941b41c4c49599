#!/bin/sh
# Exact files (issue 9): owners, capabilities, extended attributes, ACLs,
# hard links, sparse files and a setgid directory go through create,
# apply and rollback unchanged; a change of metadata alone round-trips;
# a sparse 1 GiB file is applied in memory and space of its data.  The
# first part runs as anyone; the rest needs root (setcap, chown).
. "$top_srcdir/tests/cli/lib.sh"

compare=$top_srcdir/tests/cli/meta-compare.sh
# same A B WHAT: the two trees agree in every attribute.
same() {
	sh "$compare" "$1" >"$tmp/a.attrs" && sh "$compare" "$2" >"$tmp/b.attrs"
	if cmp -s "$tmp/a.attrs" "$tmp/b.attrs"; then
		ok
	else
		fail "$3: $(diff "$tmp/a.attrs" "$tmp/b.attrs" | head -20)"
	fi
}

# Anyone: what cannot be carried is refused by name; links, holes and
# times are recorded.
mkdir -p "$tmp/u/old" "$tmp/u/new"
mkfifo "$tmp/u/new/pipe"
expect 2 patch-create -q -o "$tmp/u.ppkg" "$tmp/u/old" "$tmp/u/new" &&
	grep -q "'pipe' is a FIFO" "$tmp/err" && ok ||
	fail "a FIFO is not refused by name: $(cat "$tmp/err")"
rm "$tmp/u/new/pipe"
echo linked >"$tmp/u/new/a" && ln "$tmp/u/new/a" "$tmp/u/new/b"
truncate -s 64M "$tmp/u/new/sparse"
printf data | dd of="$tmp/u/new/sparse" bs=1 seek=4096 conv=notrunc 2>/dev/null
touch -d @1700000000 "$tmp/u/new/a"
expect 0 patch-create -q --keep-mtime -o "$tmp/u.ppkg" "$tmp/u/old" \
	"$tmp/u/new"
expect 0 patch-inspect "$tmp/u.ppkg"
grep -q 'hard link to a' "$tmp/out" && grep -q 'sparse, ' "$tmp/out" &&
	grep -q 'mtime 1700000000.000000000' "$tmp/out" && ok ||
	fail "inspect lacks link, holes or time: $(cat "$tmp/out")"
[ "$(stat -c %s "$tmp/u.ppkg")" -lt 4096 ] && ok ||
	fail "the holes of a 64 MiB file went into the package"

if [ "$(id -u)" -ne 0 ] || ! command -v setcap >/dev/null ||
    ! command -v getfattr >/dev/null || ! command -v setfacl >/dev/null; then
	echo "SKIP: the rest needs root, setcap, getfattr and setfacl"
	[ "$failures" -eq 0 ] || finish
	exit 77
fi

# The test tree, built here: old and new builds of a small system.
old=$tmp/old new=$tmp/new
mkdir -p "$old/bin" "$old/etc" "$new/bin" "$new/etc" "$new/srv"
cp /bin/true "$old/bin/ping" && cp /bin/true "$new/bin/ping"
echo tool >>"$new/bin/ping"
setcap cap_net_raw=ep "$new/bin/ping"
echo conf >"$old/etc/conf" && echo conf2 >"$new/etc/conf"
setfattr -n user.origin -v build "$new/etc/conf"
setfattr -n security.pftest -v label "$new/etc/conf"
setfattr -n trusted.pftest -v t "$new/etc/conf"
setfacl -m u:1234:rw,g:4321:r "$new/etc/conf"
echo same >"$old/etc/keep" && echo same >"$new/etc/keep"
echo pair >"$new/etc/h1" && ln "$new/etc/h1" "$new/etc/h2"
truncate -s 1G "$new/srv/sparse"
printf one | dd of="$new/srv/sparse" bs=1 seek=4096 conv=notrunc 2>/dev/null
printf two | dd of="$new/srv/sparse" bs=1 seek=536870912 conv=notrunc \
	2>/dev/null
echo owned >"$new/srv/owned" && chown 1234:1234 "$new/srv/owned"
mkdir "$new/srv/shared" && chown 1234:1234 "$new/srv/shared" &&
	chmod 2775 "$new/srv/shared"
ln -s ../etc/conf "$new/srv/link" && chown -h 1234:1234 "$new/srv/link"

expect 0 patch-create -q --name meta1 -o "$tmp/p.ppkg" "$old" "$new"
expect 0 patch-inspect "$tmp/p.ppkg"
grep -q 'xattr security.capability cap_net_raw=ep' "$tmp/out" &&
	grep -q 'xattr system.posix_acl_access u::rw-,u:1234:rw-' "$tmp/out" &&
	ok || fail "inspect does not decode capability and ACL"

copy_tree "$old" "$tmp/t"
copy_tree "$old" "$tmp/orig"
S="--state-dir $tmp/state --root $tmp/t"
A="--allow-unsigned --skip-needs"
/usr/bin/time -f '%M %e' -o "$tmp/time" patch-apply $A $S \
	"$tmp/p.ppkg" >"$tmp/out" 2>"$tmp/err" && ok ||
	fail "apply: $(cat "$tmp/err")"
same "$new" "$tmp/t" "applied tree differs from new"
[ "$(stat -c %i "$tmp/t/etc/h1")" = "$(stat -c %i "$tmp/t/etc/h2")" ] && ok ||
	fail "the hard-link pair became two files"
# Memory and space follow the data: 1 GiB, two blocks.
read -r kb secs <"$tmp/time"
[ "$kb" -lt 65536 ] && ok || fail "apply used $kb KiB for a sparse file"
[ "$(stat -c %b "$tmp/t/srv/sparse")" -lt 1024 ] && ok ||
	fail "the sparse file was written out in full"
echo "apply of the 1 GiB sparse file: $kb KiB, $secs s"
expect 0 patch-apply $A $S "$tmp/p.ppkg"
grep -q already "$tmp/out" && ok || fail "second apply: $(cat "$tmp/out")"
expect 0 patch-rollback $S meta1
same "$tmp/orig" "$tmp/t" "rolled-back tree differs from old"

# A change of the before metadata is found before anything is written.
copy_tree "$old" "$tmp/t2"
setfattr -n user.stray -v 1 "$tmp/t2/etc/conf"
expect 1 patch-apply $A --state-dir "$tmp/state2" \
	--root "$tmp/t2" "$tmp/p.ppkg" &&
	grep -q "'etc/conf' does not match the package: expected no user.stray" \
	"$tmp/err" && ok || fail "stray xattr: $(cat "$tmp/err")"

# Metadata alone: owner, xattrs, ACL, capability and a new link.
copy_tree "$new" "$tmp/m"
chown 4321:4321 "$tmp/m/etc/conf"
setfattr -x user.origin "$tmp/m/etc/conf"
setfacl -m u:99:r "$tmp/m/etc/conf"
setcap cap_net_admin=ep "$tmp/m/bin/ping"
rm "$tmp/m/etc/keep" && ln "$tmp/m/etc/h1" "$tmp/m/etc/keep" 2>/dev/null ||
	true
chown 1234:1234 "$tmp/m/srv/shared" && chmod 3775 "$tmp/m/srv/shared"
expect 0 patch-create -q --name meta2 -o "$tmp/m.ppkg" "$new" "$tmp/m"
expect 0 patch-inspect "$tmp/m.ppkg"
grep -q 'changes owner, .*xattr removed user.origin' "$tmp/out" &&
	grep -q 'changes xattr changed security.capability' "$tmp/out" && ok ||
	fail "metadata-only entry: $(cat "$tmp/out")"
copy_tree "$new" "$tmp/t3"
copy_tree "$new" "$tmp/orig3"
S="--state-dir $tmp/state3 --root $tmp/t3"
expect 0 patch-apply $A $S "$tmp/m.ppkg"
same "$tmp/m" "$tmp/t3" "metadata-only apply differs"
expect 0 patch-rollback $S meta2
same "$tmp/orig3" "$tmp/t3" "metadata-only rollback differs"

# Killed at every call that changes the disk, then recovered: every
# attribute is exactly as before or exactly as after (the journaled
# transaction of t0160, on this tree).
if command -v strace >/dev/null 2>&1; then
	. "$top_srcdir/tests/cli/inject.sh"
	S="--state-dir $tmp/sk --root $tmp/f"
	rm -rf "$tmp/f" "$tmp/sk" && copy_tree "$new" "$tmp/f"
	total=$(fs_calls "$FS_CHANGES" patch-apply $A $S "$tmp/m.ppkg")
	sh "$compare" "$tmp/m" >"$tmp/new.attrs"
	sh "$compare" "$tmp/orig3" >"$tmp/old.attrs"
	n=1
	while [ "$n" -le "$total" ]; do
		rm -rf "$tmp/f" "$tmp/sk" && copy_tree "$new" "$tmp/f"
		inject "$n" signal=KILL patch-apply $A $S "$tmp/m.ppkg" \
			>/dev/null 2>&1
		# Before recovery, every path is wholly old or wholly new.
		sh "$compare" "$tmp/f" >"$tmp/f.attrs"
		bad=$(awk -f "$top_srcdir/tests/cli/per-path.awk" \
		    "$tmp/old.attrs" "$tmp/new.attrs" "$tmp/f.attrs") && ok ||
			fail "killed at call $n: '$bad' was seen half made"
		patch-apply --recover $S >/dev/null 2>"$tmp/err" ||
			fail "killed at call $n: recovery: $(cat "$tmp/err")"
		sh "$compare" "$tmp/f" >"$tmp/f.attrs"
		if cmp -s "$tmp/f.attrs" "$tmp/new.attrs" ||
		    cmp -s "$tmp/f.attrs" "$tmp/old.attrs"; then
			ok
		else
			fail "killed at call $n: neither old nor new:" \
			    "$(diff "$tmp/old.attrs" "$tmp/f.attrs" | head -5)"
		fi
		n=$((n + stride))
	done
	echo "metadata: $total crash points, every $stride tried"
fi

# Not root: owners and security.* are refused before any write.
copy_tree "$old" "$tmp/t4"
find "$tmp/t4" -type d -exec chmod a+rwx {} +
chmod a+rx "$tmp"
setpriv --reuid=65534 --regid=65534 --clear-groups patch-apply \
	$A --state-dir "$tmp/t4/.state" --root "$tmp/t4" \
	"$tmp/p.ppkg" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 4 ] && grep -q 'only root can set' "$tmp/err" && ok ||
	fail "not root: $(cat "$tmp/err")"
[ ! -e "$tmp/t4/srv" ] && ok || fail "not root: something was written"

finish
