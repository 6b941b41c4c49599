#!/bin/sh
# Builds as archives (issue 10): patch-create reads OLD and NEW as .deb,
# tar (plain, gzip, xz, zstd, bzip2), cpio and zip, detected by content
# and mixed with trees, and the package equals byte for byte the one
# made from the same trees; a .deb's control file fills in the target
# and the dpkg origin; hostile archives are refused by name.
. "$top_srcdir/tests/cli/lib.sh"

export SOURCE_DATE_EPOCH=1700000000
td=$top_srcdir/testdata/archive
sh "$td/mkbuilds.sh" "$tmp" || fail "mkbuilds.sh"

# same_pkg WHAT OLD NEW [OPTION...]: the package equals $ref, made from
# the trees.
ref=$tmp/tree.ppkg
same_pkg() {
	_what=$1 _o=$2 _n=$3
	shift 3
	expect 0 patch-create -f -q --no-live "$@" -o "$tmp/x.ppkg" "$_o" "$_n" ||
		return
	cmp -s "$tmp/x.ppkg" "$ref" && ok ||
		fail "$_what: the package differs from the trees' package"
}

expect 0 patch-create -f -q --no-live -o "$tmp/tree.ppkg" "$tmp/old" "$tmp/new"
expect 0 patch-inspect "$tmp/tree.ppkg"
grep -q 'hard link to usr/bin/data' "$tmp/out" && ok ||
	fail "the trees' package lacks the hard link: $(cat "$tmp/out")"

# tar: every compression, and mixed with a tree on either side.
for v in old new; do
	tar --xattrs -C "$tmp/$v" -cf "$tmp/$v.tar" .
	xz -k "$tmp/$v.tar" && gzip -k "$tmp/$v.tar" && bzip2 -k "$tmp/$v.tar" &&
		zstd -q "$tmp/$v.tar" -o "$tmp/$v.tar.zst"
done
for z in "" .xz .gz .bz2 .zst; do
	same_pkg "tar$z" "$tmp/old.tar$z" "$tmp/new.tar$z"
done
same_pkg "tree against tar.xz" "$tmp/old" "$tmp/new.tar.xz"
same_pkg "tar.gz against tree" "$tmp/old.tar.gz" "$tmp/new"
# Contents are streamed through a spool directory that is removed.
mkdir "$tmp/spool"
TMPDIR=$tmp/spool expect 0 patch-create -f -q --no-live -o "$tmp/x.ppkg" \
	"$tmp/old.tar" "$tmp/new.tar"
[ -z "$(ls "$tmp/spool")" ] && ok || fail "the spool was left behind"

# A file above a sixteenth of the memory limit is streamed from the
# spool and diffed in windows (create/bigfile.c), as from a tree.
mkdir -p "$tmp/bo" "$tmp/bn"
head -c 3000000 /dev/urandom >"$tmp/bo/blob"
cp "$tmp/bo/blob" "$tmp/bn/blob"
printf changed | dd of="$tmp/bn/blob" bs=1 seek=1500000 conv=notrunc \
	2>/dev/null
tar -C "$tmp/bo" -cf "$tmp/bo.tar" . && tar -C "$tmp/bn" -cJf "$tmp/bn.tar.xz" .
expect 0 patch-create -f -q --no-live --memory 16M -o "$tmp/big.ppkg" \
	"$tmp/bo" "$tmp/bn"
ref=$tmp/big.ppkg
same_pkg "big file" "$tmp/bo.tar" "$tmp/bn.tar.xz" --memory 16M
[ "$(stat -c %s "$tmp/big.ppkg")" -lt 65536 ] && ok ||
	fail "the big file was not diffed"
ref=$tmp/tree.ppkg

# cpio (newc, hard links sharing an inode) and .deb carry no extended
# attributes, zip no hard links either: they are compared with the trees
# without them.
cp -a "$tmp/old" "$tmp/pold" && cp -a "$tmp/new" "$tmp/pnew"
setfattr -x user.origin "$tmp/pnew/usr/share/doc/pkg/copyright" 2>/dev/null
expect 0 patch-create -f -q --no-live -o "$tmp/plain.ppkg" "$tmp/pold" \
	"$tmp/pnew"
ref=$tmp/plain.ppkg
python3 "$td/mkarchive.py" cpio "$tmp/old.cpio" "$tmp/old"
python3 "$td/mkarchive.py" cpio "$tmp/new.cpio" "$tmp/new"
same_pkg cpio "$tmp/old.cpio" "$tmp/new.cpio"
if command -v zip >/dev/null; then
	cp -a "$tmp/pold" "$tmp/zold" && cp -a "$tmp/pnew" "$tmp/znew"
	rm "$tmp/znew/usr/bin/data-link"
	(cd "$tmp/zold" && zip -qry "$tmp/old.zip" .)
	(cd "$tmp/znew" && zip -qry "$tmp/new.zip" .)
	expect 0 patch-create -f -q --no-live -o "$tmp/zip.ppkg" "$tmp/zold" \
		"$tmp/znew"
	ref=$tmp/zip.ppkg
	same_pkg zip "$tmp/old.zip" "$tmp/new.zip"
	ref=$tmp/plain.ppkg
else
	echo "SKIP: zip(1) is not installed: no zip archives"
fi

# .deb: dpkg-deb --build, root-owned; the control file fills in the
# target and the dpkg origin, options override it, --no-control keeps
# the trees' package.
if command -v dpkg-deb >/dev/null && [ "$(id -u)" -eq 0 ]; then
	for v in old new; do
		ver=1.0-1 && [ $v = new ] && ver=1.0-2
		cp -a "$tmp/$v" "$tmp/d$v" && mkdir "$tmp/d$v/DEBIAN"
		printf 'Package: pkg\nVersion: %s\nArchitecture: all\n%s\n%s\n%s\n' \
			"$ver" 'Maintainer: T <t@example.org>' \
			'Depends: libc6 (>= 2.34),' ' dpkg' >"$tmp/d$v/DEBIAN/control"
		echo 'Description: test' >>"$tmp/d$v/DEBIAN/control"
		dpkg-deb --root-owner-group -Zxz --build "$tmp/d$v" "$tmp/$v.deb" \
			>/dev/null || fail "dpkg-deb --build"
	done
	same_pkg "deb --no-control" "$tmp/old.deb" "$tmp/new.deb" --no-control
	same_pkg "deb against tree, --no-control" "$tmp/old.deb" "$tmp/pnew" \
		--no-control
	expect 0 patch-create -f -q --no-live -o "$tmp/deb.ppkg" "$tmp/old.deb" \
		"$tmp/new.deb"
	expect 0 patch-inspect "$tmp/deb.ppkg"
	grep -q '^target   pkg from 1.0-1 to 1.0-2$' "$tmp/out" &&
		grep -q '^dpkg     pkg 1.0-1 -> 1.0-2 (all)$' "$tmp/out" &&
		grep -q 'depends libc6 (>= 2.34), dpkg$' "$tmp/out" && ok ||
		fail "the control file did not fill in: $(cat "$tmp/out")"
	expect 0 patch-create -f -q --no-live --product other --to-version 9 \
		--from-version 8 -o "$tmp/deb2.ppkg" "$tmp/old.deb" "$tmp/new.deb"
	expect 0 patch-inspect "$tmp/deb2.ppkg"
	grep -q '^target   other from 8 to 9$' "$tmp/out" && ok ||
		fail "options do not override the control file: $(cat "$tmp/out")"
	# An ar archive that is no .deb is a single file, as before.
	ar rc "$tmp/old.a" "$tmp/old/usr/bin/tool" 2>/dev/null &&
		ar rc "$tmp/new.a" "$tmp/new/usr/bin/tool" 2>/dev/null &&
		expect 0 patch-create -f -q -o "$tmp/a.ppkg" "$tmp/old.a" "$tmp/new.a" &&
		expect 0 patch-inspect "$tmp/a.ppkg" &&
		grep -q '^  change new.a$' "$tmp/out" && ok ||
		fail "a static library is not one file: $(cat "$tmp/out")"
else
	echo "SKIP: dpkg-deb or root missing: no .deb builds"
fi
# .rpm: rpmbuild packs each tree (root-owned, as installed); its cpio
# payload, compressed, is the build.
if command -v rpmbuild >/dev/null && [ "$(id -u)" -eq 0 ]; then
	for v in old new; do
		rel=1 && [ $v = new ] && rel=2
		mkdir -p "$tmp/rpm$v/SPECS"
		cat >"$tmp/rpm$v/SPECS/pkg.spec" <<-SPEC
		Name: pkg
		Version: 1.0
		Release: $rel
		Summary: test
		License: MIT
		BuildArch: noarch
		%define __os_install_post %{nil}
		%define debug_package %{nil}
		%description
		test
		%install
		cp -a $tmp/p$v/. %{buildroot}/
		%files
		%defattr(-,root,root,-)
		/usr
		/var/empty
		SPEC
		rpmbuild -bb --quiet --define "_topdir $tmp/rpm$v" \
			"$tmp/rpm$v/SPECS/pkg.spec" >/dev/null 2>&1 ||
			fail "rpmbuild $v"
		cp "$tmp/rpm$v"/RPMS/noarch/*.rpm "$tmp/$v.rpm"
	done
	same_pkg rpm "$tmp/old.rpm" "$tmp/new.rpm"
	same_pkg "rpm against tree" "$tmp/old.rpm" "$tmp/pnew"
else
	echo "SKIP: rpmbuild or root missing: no .rpm builds"
fi

# A single file that is no archive against an archive: two kinds of
# build, refused.
expect 2 patch-create -f -q -o "$tmp/x.ppkg" "$tmp/old/usr/bin/tool" \
	"$tmp/new.tar" && grep -q "single file" "$tmp/err" && ok ||
	fail "a file against an archive: $(cat "$tmp/err")"

# Hostile archives: each refused with its path named, nothing written.
for k in absolute:6:/etc/evil dotdot:6:a/../../evil \
    through-symlink:6:link/evil duplicate:2:"'ok' appears twice" \
    device:2:"character device" huge:2:"larger than the limit" \
    badlink:2:missing; do
	kind=${k%%:*} rest=${k#*:}
	st=${rest%%:*} pat=${rest#*:}
	python3 "$td/mkarchive.py" "$kind" "$tmp/bad-$kind.tar"
	expect "$st" patch-create -f -q -o "$tmp/bad.ppkg" "$tmp/old.tar" \
		"$tmp/bad-$kind.tar" && grep -q -- "$pat" "$tmp/err" && ok ||
		fail "hostile $kind: $(cat "$tmp/err")"
	[ ! -e "$tmp/bad.ppkg" ] && ok || fail "hostile $kind: a package"
done

# The corpus: each tree packed as .tar.xz gives the trees' package.
if [ -d "${PF_CORPUS:-}/trees" ]; then
	c=$PF_CORPUS/trees
	for p in libcurl4 libpython; do
		tar -C "$c/$p-old" -cJf "$tmp/c-old.tar.xz" .
		tar -C "$c/$p-new" -cf "$tmp/c-new.tar" .
		expect 0 patch-create -f -q --no-live -o "$tmp/corpus.ppkg" \
			"$c/$p-old" "$c/$p-new"
		ref=$tmp/corpus.ppkg
		same_pkg "corpus $p" "$tmp/c-old.tar.xz" "$tmp/c-new.tar"
	done
else
	echo "SKIP: no corpus (PF_CORPUS): the corpus trees were not packed"
fi

finish
