#!/bin/sh
# What an applier that is not root cannot do (spec section 9.5): a
# package whose files belong to root is refused by patch-apply --check
# run as another user (status 4, naming the file and the owner) unless
# --no-owners is given; one with an extended attribute of the trusted
# namespace likewise unless --no-xattrs is; then a root directory it may
# not write in (status 5, naming it); none of them writes anything.
# And --keep-mtime: a symlink gets the time the new build gave it.
. "$top_srcdir/tests/cli/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null ||
    ! command -v setfattr >/dev/null ||
    ! setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null
then
	echo "SKIP: needs root, setpriv and setfattr"
	exit 77
fi

old=$tmp/old new=$tmp/new
mkdir -p "$old" "$new"
echo one >"$old/f" && echo two >"$new/f"
setfattr -n trusted.pf-test -v yes "$new/f" 2>/dev/null || {
	echo "SKIP: no trusted extended attributes here"
	exit 77
}
ln -s f "$new/link"
touch -h -d '2001-02-03 04:05:06' "$new/link"
expect 0 patch-create -q --no-live --keep-mtime -o "$tmp/p.ppkg" "$old" "$new"

# As nobody: the tree and the package readable, a state directory of its own.
chmod 755 "$tmp"
chmod 644 "$tmp/p.ppkg"
cp -a "$old" "$tmp/t"
mkdir "$tmp/state" && chown 65534:65534 "$tmp/state"
before=$(tree_hash "$tmp/t")
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    patch-apply --allow-unsigned --skip-needs --state-dir "$tmp/state" \
	    --root "$tmp/t" --check "$@" "$tmp/p.ppkg"
}
expect 4 as_nobody
grep -q "'f' must belong to 0:0, which only root can set: run as root, or give --no-owners" \
    "$tmp/err" || fail "owners: $(cat "$tmp/err")"
expect 4 as_nobody --no-owners
grep -q "'f' needs extended attribute 'trusted.pf-test', which only root can set" \
    "$tmp/err" || fail "xattrs: $(cat "$tmp/err")"
# Then the root directory, which nobody may not write in.
expect 5 as_nobody --no-owners --no-xattrs
grep -q "cannot write in '.' (for 'f'): Permission denied" "$tmp/err" ||
	fail "preflight: $(cat "$tmp/err")"
chown 65534:65534 "$tmp/t"
expect 0 as_nobody --no-owners --no-xattrs
[ "$(tree_hash "$tmp/t")" = "$before" ] || fail "--check as nobody wrote"
chown 0:0 "$tmp/t"

# As root the whole package goes in, the symlink with its time.
expect 0 patch-apply --allow-unsigned --skip-needs --state-dir "$tmp/state.r" \
    --root "$tmp/t" "$tmp/p.ppkg"
[ "$(getfattr --only-values -n trusted.pf-test "$tmp/t/f" 2>/dev/null)" = yes ] ||
	fail "the trusted attribute was not set"
[ "$(stat -c %Y "$tmp/t/link")" = "$(stat -c %Y "$new/link")" ] ||
	fail "the symlink's time: $(stat -c %y "$tmp/t/link")"

finish
