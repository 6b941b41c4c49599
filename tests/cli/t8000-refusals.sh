#!/bin/sh
# Refusals no other test makes, each with its status and a message that
# names the object: patch-create given builds it cannot compare or carry
# (also as tar archives), or no temporary directory;
# patch-apply on a target whose path has the wrong type, a symlink with
# another target, another mode, a special file, or a directory to remove
# that holds a file the package does not know, each leaving the target as
# it was; and patch-apply --output of a tree with symlinks and
# directories, which must come out as the new build has them, and
# patch-inspect --extract of a file whose mode alone changed.
. "$top_srcdir/tests/cli/lib.sh"

old=$tmp/old new=$tmp/new
mkdir -p "$old/etc" "$old/lib/plugins" "$new/etc" "$new/share/doc"
echo one >"$old/etc/conf" && echo two >"$new/etc/conf"
echo data >"$old/lib/plugins/a.so"
echo mine >"$old/tool" && chmod 755 "$old/tool"
echo mine2 >"$new/tool" && chmod 755 "$new/tool"
ln -s conf "$old/etc/link" && ln -s ../share/doc/readme "$new/etc/link"
echo readme >"$new/share/doc/readme"
echo same >"$old/script" && echo same >"$new/script" && chmod 755 "$new/script"

# patch-create: what it cannot compare or carry.
expect 5 patch-create -q -o "$tmp/x.ppkg" "$tmp/none" "$new"
grep -q "cannot read '$tmp/none'" "$tmp/err" || fail "old: $(cat "$tmp/err")"
expect 5 patch-create -q -o "$tmp/x.ppkg" "$old" "$tmp/none"
grep -q "cannot read '$tmp/none'" "$tmp/err" || fail "new: $(cat "$tmp/err")"
expect 2 patch-create -q -o "$tmp/x.ppkg" "$old" "$new/etc/conf"
grep -q "must be two directories or two files" "$tmp/err" ||
	fail "dir and file: $(cat "$tmp/err")"
expect 2 patch-create -q --path etc/conf -o "$tmp/x.ppkg" "$old" "$new"
grep -q "a path can only be given when comparing two files" "$tmp/err" ||
	fail "--path with trees: $(cat "$tmp/err")"
cp -a "$new" "$tmp/fifo"
mkfifo "$tmp/fifo/etc/pipe"
expect 2 patch-create -q -o "$tmp/x.ppkg" "$old" "$tmp/fifo"
grep -q "'etc/pipe' is a FIFO, not a file, directory or symlink" "$tmp/err" ||
	fail "FIFO: $(cat "$tmp/err")"
expect 5 env TMPDIR="$tmp/none" patch-create -q -o "$tmp/x.ppkg" "$old" "$new"
grep -q "cannot create a temporary file in '$tmp/none'" "$tmp/err" ||
	fail "TMPDIR: $(cat "$tmp/err")"
# Builds as tar archives with what a package cannot carry.
if command -v python3 >/dev/null; then
	for kind in fifo blk chr empty-link; do
		python3 - "$tmp/$kind.tar" "$kind" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    data = b"two\n"
    i = tarfile.TarInfo("etc/conf"); i.size = len(data)
    t.addfile(i, io.BytesIO(data))
    i = tarfile.TarInfo("dev/x")
    i.type = {"fifo": tarfile.FIFOTYPE, "blk": tarfile.BLKTYPE,
              "chr": tarfile.CHRTYPE, "empty-link": tarfile.SYMTYPE}[sys.argv[2]]
    t.addfile(i)
PY
	done
	tar -C "$old" -cf "$tmp/old.tar" .
	for kind in fifo:FIFO blk:"block device" chr:"character device"; do
		expect 2 patch-create -q -o "$tmp/x.ppkg" "$tmp/old.tar" \
		    "$tmp/${kind%%:*}.tar"
		grep -q "'dev/x' in '.*' is a ${kind#*:}, not a file" \
		    "$tmp/err" || fail "tar ${kind%%:*}: $(cat "$tmp/err")"
	done
	expect 2 patch-create -q -o "$tmp/x.ppkg" "$tmp/old.tar" \
	    "$tmp/empty-link.tar"
	grep -q "symlink 'dev/x' in '.*' has an empty target" "$tmp/err" ||
		fail "tar empty symlink: $(cat "$tmp/err")"
fi
[ -e "$tmp/x.ppkg" ] && fail "a refused build left a package"

expect 0 patch-create -q --no-live -o "$tmp/p.ppkg" "$old" "$new"
apply() {
	patch-apply --allow-unsigned --skip-needs --state-dir "$tmp/state" \
	    --root "$tmp/t" "$@" "$tmp/p.ppkg"
}
# refused STATUS PATTERN WHAT: patch-apply on $tmp/t fails so, the tree
# unchanged.
refused() {
	_before=$(tree_hash "$tmp/t")
	expect "$1" apply || return
	grep -q "$2" "$tmp/err" || fail "$3: message: $(cat "$tmp/err")"
	[ "$(tree_hash "$tmp/t")" = "$_before" ] || fail "$3: tree changed"
}
fresh() {
	rm -rf "$tmp/t" "$tmp/state"
	cp -a "$old" "$tmp/t"
}

fresh
rm "$tmp/t/etc/conf" && mkdir "$tmp/t/etc/conf"
refused 1 "'etc/conf' does not match the package: expected a file, found a directory" type
fresh
ln -sf plugins "$tmp/t/etc/link"
refused 1 "'etc/link' does not match the package: expected a symlink to 'conf', found one to 'plugins'" "symlink target"
fresh
chmod 700 "$tmp/t/tool"
refused 1 "'tool' does not match the package: expected mode 0755, found 0700" mode
fresh
rm "$tmp/t/etc/conf" && mkfifo "$tmp/t/etc/conf"
refused 1 "'etc/conf' is a special file; the package expects a file, directory or symlink" "special file"
fresh
echo stray >"$tmp/t/lib/plugins/b.so"
refused 1 "directory 'lib/plugins' holds 'lib/plugins/b.so', which the package does not know: refusing to remove it" "unknown file"

# --output: the new build's symlinks and directories, the root only read.
fresh
before=$(tree_hash "$tmp/t")
expect 0 patch-apply --allow-unsigned --skip-needs --root "$tmp/t" \
    --output "$tmp/built" "$tmp/p.ppkg"
[ "$(tree_hash "$tmp/t")" = "$before" ] || fail "--output changed the root"
[ "$(readlink "$tmp/built/etc/link")" = ../share/doc/readme ] ||
	fail "--output: symlink is $(readlink "$tmp/built/etc/link")"
[ -d "$tmp/built/share/doc" ] && [ "$(cat "$tmp/built/share/doc/readme")" = readme ] ||
	fail "--output: no new directory with its file"
[ "$(stat -c %a "$tmp/built/tool")" = 755 ] || fail "--output: mode of tool"
[ -e "$tmp/built/lib" ] && fail "--output wrote what the package removes"
[ "$(stat -c %a "$tmp/built/script")" = 755 ] && [ "$(cat "$tmp/built/script")" = same ] ||
	fail "--output: a file whose mode alone changed"

# --extract of a file whose mode alone changed: its content is the old
# file's, which must be there and match.
expect 0 patch-inspect --extract script -o "$tmp/script" --root "$old" "$tmp/p.ppkg"
[ "$(cat "$tmp/script")" = same ] || fail "--extract of a mode change"
mkdir "$tmp/empty"
expect 1 patch-inspect --extract script -o "$tmp/script2" --root "$tmp/empty" \
    "$tmp/p.ppkg"
grep -q "cannot open the old file 'script' under '$tmp/empty'" "$tmp/err" ||
	fail "--extract without the old file: $(cat "$tmp/err")"
[ -e "$tmp/script2" ] && fail "a failed --extract left its file"

finish
