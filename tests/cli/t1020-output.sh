#!/bin/sh
# The new files elsewhere (issue 10): patch-apply --output DIR and
# --output-tar FILE|- rebuild every path the package adds or changes
# from the old files under --root, which stays untouched, as does the
# state directory; the result is complete or absent.  patch-inspect
# --list [-0] prints the paths, --extract PATH -o FILE one new file.
. "$top_srcdir/tests/cli/lib.sh"

export SOURCE_DATE_EPOCH=1700000000
sh "$top_srcdir/testdata/archive/mkbuilds.sh" "$tmp"
expect 0 patch-create -f -q --no-live -o "$tmp/p.ppkg" "$tmp/old" "$tmp/new"
root=$tmp/root
cp -a "$tmp/old" "$root"
before=$(tree_hash "$root")
opts="--allow-unsigned --skip-needs --state-dir $tmp/state --root $root"

# same_as_new DIR: every path under DIR is the new build's, attribute
# for attribute (type, owner, mode, size, content, extended attributes).
same_as_new() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort) >"$tmp/paths"
	_bad=
	while read -r p; do
		for d in "$1" "$tmp/new"; do
			(cd "$d" && stat -c '%F %u %g %a %s' "$p" &&
				{ [ ! -f "$p" ] || [ -L "$p" ] || sha256sum "$p"; } &&
				getfattr -h -d -m - --absolute-names "$p" \
					2>/dev/null | grep -v '^#')
		done >"$tmp/pair"
		n=$(wc -l <"$tmp/pair")
		[ $((n % 2)) -eq 0 ] && [ "$(head -n $((n / 2)) "$tmp/pair")" = \
			"$(tail -n $((n / 2)) "$tmp/pair")" ] || _bad="$_bad $p"
	done <"$tmp/paths"
	[ -z "$_bad" ] && ok || fail "$2: differs from the new build:$_bad"
}

# --list: every path, one a line; -0: NUL-terminated.
expect 0 patch-inspect --list "$tmp/p.ppkg"
printf '%s\n' usr/bin/data usr/bin/data-link usr/bin/tool \
	usr/share/doc/pkg/added usr/share/doc/pkg/copyright \
	usr/share/doc/pkg/gone usr/share/doc/pkg/numbers >"$tmp/want"
cmp -s "$tmp/out" "$tmp/want" && ok || fail "--list: $(cat "$tmp/out")"
patch-inspect --list -0 "$tmp/p.ppkg" | tr '\0' '\n' >"$tmp/nul"
cmp -s "$tmp/nul" "$tmp/want" && ok || fail "--list -0"
[ "$(patch-inspect --list -0 "$tmp/p.ppkg" | tr -cd '\0' | wc -c)" -eq 7 ] &&
	ok || fail "--list -0 does not end each path with NUL"
expect 2 patch-inspect -0 "$tmp/p.ppkg"

# --output DIR: the new state of each path the package keeps, the
# removed one absent, root and state untouched.
expect 0 patch-apply $opts --output "$tmp/o" "$tmp/p.ppkg"
same_as_new "$tmp/o" "--output"
[ "$(cd "$tmp/o" && find . -type f -o -type l | LC_ALL=C sort)" = \
	"$(printf './%s\n' usr/bin/data usr/bin/data-link usr/bin/tool \
	usr/share/doc/pkg/added usr/share/doc/pkg/copyright \
	usr/share/doc/pkg/numbers)" ] && ok ||
	fail "--output holds other paths: $(cd "$tmp/o" && find .)"
[ "$(stat -c %i "$tmp/o/usr/bin/data")" = \
	"$(stat -c %i "$tmp/o/usr/bin/data-link")" ] && ok ||
	fail "--output lost the hard link"
[ "$(tree_hash "$root")" = "$before" ] && ok || fail "--output changed root"
[ ! -e "$tmp/state" ] && ok || fail "--output wrote the state directory"
expect 2 patch-apply $opts --output "$tmp/o" "$tmp/p.ppkg" &&
	grep -q "exists" "$tmp/err" && ok || fail "--output over a directory"

# --output-tar FILE and -: the same, as a tar archive.
expect 0 patch-apply $opts --output-tar "$tmp/o.tar" "$tmp/p.ppkg"
mkdir "$tmp/t" && tar --xattrs --xattrs-include='*' -C "$tmp/t" -xpf \
	"$tmp/o.tar" 2>/dev/null
same_as_new "$tmp/t" "--output-tar"
patch-apply $opts --output-tar - "$tmp/p.ppkg" 2>/dev/null >"$tmp/s.tar"
cmp -s "$tmp/s.tar" "$tmp/o.tar" && ok || fail "--output-tar - differs"
# The tar archive is itself a build: patch-create reads it back.
expect 0 patch-create -f -q --no-live -o "$tmp/x.ppkg" "$tmp/o" "$tmp/o.tar"
expect 0 patch-inspect "$tmp/x.ppkg"
grep -q '^entries  0$' "$tmp/out" && ok ||
	fail "--output and --output-tar differ: $(cat "$tmp/out")"
[ "$(tree_hash "$root")" = "$before" ] && ok ||
	fail "--output-tar changed root"

# A root that does not match: nothing written, nothing left over.
echo changed >>"$root/usr/bin/tool"
expect 1 patch-apply $opts --output "$tmp/o2" "$tmp/p.ppkg"
expect 1 patch-apply $opts --output-tar "$tmp/o2.tar" "$tmp/p.ppkg"
[ -z "$(ls -a "$tmp" | grep -e '^\.o2' -e '^o2')" ] && ok ||
	fail "a failed --output left: $(ls -a "$tmp")"
cp "$tmp/old/usr/bin/tool" "$root/usr/bin/tool"
expect 2 patch-apply $opts --output "$tmp/o3" --check "$tmp/p.ppkg"

# --extract: an added file from the package alone; a delta needs the
# old build, and says so.
expect 0 patch-inspect --extract usr/share/doc/pkg/added -o "$tmp/added" \
	"$tmp/p.ppkg"
cmp -s "$tmp/added" "$tmp/new/usr/share/doc/pkg/added" && ok ||
	fail "--extract of an added file"
expect 2 patch-inspect --extract usr/share/doc/pkg/numbers -o "$tmp/n" \
	"$tmp/p.ppkg" && grep -q -- "give --root" "$tmp/err" && ok ||
	fail "--extract of a delta without --root: $(cat "$tmp/err")"
[ ! -e "$tmp/n" ] && ok || fail "a failed --extract left its file"
expect 0 patch-inspect --extract usr/share/doc/pkg/numbers -o "$tmp/n" \
	--root "$root" "$tmp/p.ppkg"
cmp -s "$tmp/n" "$tmp/new/usr/share/doc/pkg/numbers" && ok ||
	fail "--extract with --root"
echo x >>"$root/usr/share/doc/pkg/numbers"
expect 1 patch-inspect --extract usr/share/doc/pkg/numbers -o "$tmp/n2" \
	--root "$root" "$tmp/p.ppkg" && grep -q "does not match" "$tmp/err" &&
	ok || fail "--extract from a wrong old file: $(cat "$tmp/err")"
expect 2 patch-inspect --extract usr/share/doc/pkg/gone -o "$tmp/g" \
	"$tmp/p.ppkg"
expect 2 patch-inspect --extract nothing/here -o "$tmp/g" "$tmp/p.ppkg"

# The corpus: libcurl's new library rebuilt from the old tree.
if [ -d "${PF_CORPUS:-}/trees" ]; then
	c=$PF_CORPUS/trees
	expect 0 patch-create -f -q --no-live -o "$tmp/c.ppkg" "$c/libcurl4-old" \
		"$c/libcurl4-new"
	expect 0 patch-apply --allow-unsigned --skip-needs --state-dir \
		"$tmp/cstate" --root "$c/libcurl4-old" --output "$tmp/co" \
		"$tmp/c.ppkg"
	for f in $(cd "$tmp/co" && find . -type f); do
		cmp -s "$tmp/co/$f" "$c/libcurl4-new/$f" || fail "corpus $f"
	done
	ok
else
	echo "SKIP: no corpus (PF_CORPUS): corpus part"
fi
finish
