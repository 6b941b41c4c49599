#!/bin/sh
# Debug files given by name (patch-create --debug-file): a -dbgsym .deb
# as Debian ships them, built here by dpkg-deb from the debug files of
# testdata/hotpatch/bsstail.c, or one ELF debug file; each is taken by
# build ID, and one that belongs to no build is refused.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/live.sh"
if ! command -v dpkg-deb >/dev/null; then
	echo "SKIP: no dpkg-deb"
	exit 77
fi
prog=
trap 'test -n "$prog" && kill -9 $prog 2>/dev/null; cleanup' EXIT
A="--keyring $tmp/keys --state-dir $tmp/state"
S="--state-dir $tmp/state"
name=bsstail
out=$tmp/prog.out

# Stripped trees, and the debug files in a package's layout.
mkdir -p "$tmp/deb/DEBIAN"
for v in old new; do
	mkdir -p "$tmp/$v/opt"
	cp "$live/$v/$name" "$tmp/$v/opt/"
	id=$(readelf -n "$live/$v/$name" | awk '/Build ID/ { print $3 }')
	d=$tmp/deb/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)
	mkdir -p "$d"
	objcopy --only-keep-debug "$live/$v/$name" "$d/$(echo "$id" | cut -c3-).debug"
	cp "$d/$(echo "$id" | cut -c3-).debug" "$tmp/$v.debug"
	strip "$tmp/$v/opt/$name"
done
cat >"$tmp/deb/DEBIAN/control" <<EOT
Package: bsstail-dbgsym
Version: 1
Architecture: amd64
Maintainer: test <test@example.org>
Description: debug symbols for bsstail
EOT
dpkg-deb --build -Zxz "$tmp/deb" "$tmp/bsstail-dbgsym.deb" >/dev/null ||
	fail "dpkg-deb"

# With the .deb: report() is found by its name in the debug file.
expect 0 patch-create -q --key "$tmp/test.key" --name dbg \
	--debug-file "$tmp/bsstail-dbgsym.deb" -o "$tmp/deb.ppkg" "$tmp/old" "$tmp/new"
expect 0 patch-inspect --explain "$tmp/deb.ppkg"
grep -q '^changed .*: report: .*matched by its symbol in the debug file' "$tmp/out" ||
	fail ".deb: $(cat "$tmp/out")"
# Without it the same stripped pair has no name for report().
expect 0 patch-create -q --name nodbg -o "$tmp/nodbg.ppkg" "$tmp/old" "$tmp/new"
expect 0 patch-inspect --explain "$tmp/nodbg.ppkg"
grep -q 'report' "$tmp/out" && fail "no debug file, yet report is named"

# The process runs the unstripped old build: the same build ID.
mkdir -p "$tmp/run"
cp "$live/old/$name" "$tmp/run/"
prog_start "$tmp/run/$name" "$out"
case $(prog_ask "$out") in [1-9]*) ok;; *) fail "old build: $(tail -1 "$out")";; esac
expect 0 patch-apply $A --pid "$prog" "$tmp/deb.ppkg"
case $(prog_ask "$out") in -[1-9]*) ok;; *) fail ".deb: after apply: $(tail -1 "$out")";; esac
expect 0 patch-rollback $S --pid "$prog" dbg
case $(prog_ask "$out") in [1-9]*) ok;; *) fail ".deb: after rollback: $(tail -1 "$out")";; esac

# ELF debug files by name, and a directory, do the same.
expect 0 patch-create -q --name elf --debug-file "$tmp/old.debug" \
	--debug-file "$tmp/new.debug" -o "$tmp/elf.ppkg" "$tmp/old" "$tmp/new"
expect 0 patch-inspect --explain "$tmp/elf.ppkg"
grep -q '^changed .*: report: .*matched by its symbol in the debug file' "$tmp/out" ||
	fail "ELF debug files: $(cat "$tmp/out")"
expect 0 patch-create -q --name dir --debug-file "$tmp/deb/usr/lib/debug" \
	-o "$tmp/dir.ppkg" "$tmp/old" "$tmp/new"
expect 0 patch-inspect --explain "$tmp/dir.ppkg"
grep -q 'report: .*in the debug file' "$tmp/out" || fail "directory: $(cat "$tmp/out")"

# A debug file of another build is refused, with both named.
objcopy --only-keep-debug "$live/old/quirks" "$tmp/quirks.debug"
expect 1 patch-create -q --name bad --debug-file "$tmp/quirks.debug" \
	-o "$tmp/bad.ppkg" "$tmp/old" "$tmp/new"
grep -q "debug file '$tmp/quirks.debug' has the build ID of no stripped ELF file of the builds" \
	"$tmp/err" || fail "mismatch: $(cat "$tmp/err")"
[ ! -e "$tmp/bad.ppkg" ] && ok || fail "mismatch: a package was written"

finish
