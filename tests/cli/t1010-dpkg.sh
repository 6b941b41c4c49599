#!/bin/sh
# dpkg beside patchfmt (issue 10, spec section 5.1.7): a package made
# from two .deb builds checks ROOT/var/lib/dpkg/status before it writes
# (not installed: 16, another version: 1, the new build's Depends not
# met: 8, otherwise applied), never edits dpkg's files, and patch-status says which files no longer
# match dpkg's md5sums because the patch changed them.
. "$top_srcdir/tests/cli/lib.sh"

if ! command -v dpkg-deb >/dev/null || [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs dpkg-deb and root (root-owned .deb builds)"
	exit 77
fi
export SOURCE_DATE_EPOCH=1700000000
sh "$top_srcdir/testdata/archive/mkbuilds.sh" "$tmp"
for v in old new; do
	ver=1.0-1 && [ $v = new ] && ver=1.0-2
	mkdir "$tmp/$v/DEBIAN"
	printf 'Package: pkg\nVersion: %s\nArchitecture: amd64\n%s\n%s\n' \
		"$ver" 'Maintainer: T <t@example.org>' 'Description: test' \
		>"$tmp/$v/DEBIAN/control"
	[ $v = new ] && printf '%s\n' 'Depends: libc6 (>= 2.34),' \
		' foo | bar:any (>= 2~rc1), mta' >>"$tmp/$v/DEBIAN/control"
	dpkg-deb --root-owner-group --build "$tmp/$v" "$tmp/$v.deb" >/dev/null ||
		fail "dpkg-deb --build $v"
	rm -r "$tmp/$v/DEBIAN"
done
expect 0 patch-create -f -q --no-live -o "$tmp/p.ppkg" "$tmp/old.deb" \
	"$tmp/new.deb"

# A root as dpkg left it: the old build, its status and md5sums.
root=$tmp/root
cp -a "$tmp/old" "$root"
mkdir -p "$root/var/lib/dpkg/info"
(cd "$root" && find usr -type f -exec md5sum {} + | sort -k2) \
	>"$root/var/lib/dpkg/info/pkg:amd64.md5sums"
bar=2.0
status() {
	printf 'Package: libc6\nStatus: install ok installed\nVersion: 2.36\n\n'
	printf 'Package: bar\nStatus: install ok installed\nVersion: %s\n\n' \
		"$bar"
	printf 'Package: exim\nStatus: install ok installed\nVersion: 4\n'
	printf 'Provides: mail, mta (= 4)\n\n'
	printf 'Package: %s\nStatus: %s\nPriority: optional\n' "$1" "$2"
	printf 'Architecture: %s\nVersion: %s\nDescription: a\n long text\n' \
		"$3" "$4"
}
apply() {
	expect "$1" patch-apply --allow-unsigned --skip-needs \
		--state-dir "$tmp/state" --root "$root" ${2:-} "$tmp/p.ppkg"
}
before=$(tree_hash "$root/usr")

status other 'install ok installed' amd64 1.0-1 >"$root/var/lib/dpkg/status"
apply 16 --check && grep -q "dpkg package 'pkg' is not installed" \
	"$tmp/err" && ok || fail "absent: $(cat "$tmp/err")"
apply 16 --json && grep -q '"exit_status":16' "$tmp/out" && ok ||
	fail "absent, JSON: $(cat "$tmp/out")"
status pkg 'deinstall ok config-files' amd64 1.0-1 \
	>"$root/var/lib/dpkg/status"
apply 16 && ok || fail "config-files only counts as installed"
status pkg 'install ok installed' arm64 1.0-1 >"$root/var/lib/dpkg/status"
apply 16 && ok || fail "another architecture counts as installed"
status pkg 'install ok installed' amd64 1.0-0 >"$root/var/lib/dpkg/status"
apply 1 && grep -q "at version '1.0-0'.*applies to version '1.0-1'" \
	"$tmp/err" && ok || fail "other version: $(cat "$tmp/err")"
# The new build's Depends: "bar (>= 2~rc1)" is not met by 1.9.
bar=1.9
status pkg 'install ok installed' amd64 1.0-1 >"$root/var/lib/dpkg/status"
apply 8 && grep -q "depends on 'foo | bar:any (>= 2~rc1)'" "$tmp/err" &&
	ok || fail "Depends not met: $(cat "$tmp/err")"
bar=2.0
status pkg 'install ok installed' amd64 1.0-1 >"$root/var/lib/dpkg/status"
[ "$(tree_hash "$root/usr")" = "$before" ] && ok ||
	fail "a refused apply changed the root"
[ ! -e "$tmp/state" ] || [ -z "$(ls "$tmp/state")" ] && ok ||
	fail "a refused apply wrote the state directory"

# The right version: applied; dpkg's files stay as they were.
cp "$root/var/lib/dpkg/status" "$tmp/status.before"
apply 0 --check
apply 0
cmp -s "$root/var/lib/dpkg/status" "$tmp/status.before" && ok ||
	fail "dpkg's status was edited"
[ "$(cat "$root/usr/share/doc/pkg/added")" = "only new" ] && ok ||
	fail "not applied"
expect 0 patch-status --root "$root" --state-dir "$tmp/state"
grep -q "dpkg: 'usr/share/doc/pkg/numbers' no longer matches the md5sums of 'pkg'" \
	"$tmp/out" && grep -q "dpkg: 'usr/bin/tool' no longer" "$tmp/out" &&
	! grep -q "copyright" "$tmp/out" && ok ||
	fail "patch-status does not name stale md5sums: $(cat "$tmp/out")"
expect 0 patch-status --json --root "$root" --state-dir "$tmp/state"
grep -q '"dpkg_md5sums":\[{"id":.*"path":"usr/bin/tool"' "$tmp/out" && ok ||
	fail "patch-status --json: $(cat "$tmp/out")"

# A root without dpkg's database is not checked.
cp -a "$tmp/old" "$tmp/bare"
expect 0 patch-apply --allow-unsigned --skip-needs --state-dir \
	"$tmp/state2" --root "$tmp/bare" "$tmp/p.ppkg"
finish
