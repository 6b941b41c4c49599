#!/bin/sh
# Keyrings with root metadata (spec/keyring.md): TUF's attacks that apply
# here, each refused with its documented status and the tree unchanged:
# an arbitrary package (unknown key), a revoked key, an expired key, a
# rollback of the metadata, a root signed by fewer than the threshold, a
# fork, freeze (an expired root), mix-and-match (a signing key or root of
# another keyring).  And what works: the chain of updates, rotation, a
# bare keyring with its note, and a crash while the root is written.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/inject.sh"

for k in A B C D S T U X R2; do
	patch-keygen -o "$tmp/$k" >/dev/null || fail "patch-keygen $k"
done
id() { sed -n '1s/.* //p' "$tmp/$1.pub"; }

mkdir -p "$tmp/old" "$tmp/new"
echo a >"$tmp/old/f" && echo b >"$tmp/new/f"
mk() { # NAME KEY...
	_out=$1
	shift
	_keys=
	for _k; do _keys="$_keys --key $tmp/$_k.key"; done
	patch-create -q $_keys -o "$tmp/$_out.ppkg" "$tmp/old" "$tmp/new" ||
		fail "create $_out"
}
mk pS S && mk pT T && mk pX X && mk pTU T U && mk pU U
copy_tree "$tmp/old" "$tmp/t"
before=$(tree_hash "$tmp/t")
ring=$tmp/ring
kr() { patch-keyring "$@" >"$tmp/out" 2>"$tmp/err"; }
AB="--sign $tmp/A.key --sign $tmp/B.key"

# refused STATUS WHAT PATTERN PACKAGE [KEYRING]: patch-apply and
# patch-inspect --verify refuse, saying PATTERN; the tree is unchanged.
refused() {
	for _tool in apply inspect; do
		if [ $_tool = apply ]; then
			patch-apply --state-dir "$tmp/state" --root "$tmp/t" \
			    --keyring "${5:-$ring}" "$4" >/dev/null 2>"$tmp/err"
		else
			patch-inspect --keyring "${5:-$ring}" "$4" >/dev/null \
			    2>"$tmp/err"
		fi
		_rc=$?
		[ $_rc -eq "$1" ] && ok ||
			fail "$2 ($_tool): exit $_rc, expected $1: $(cat "$tmp/err")"
		grep -q "$3" "$tmp/err" && ok ||
			fail "$2 ($_tool): message: $(cat "$tmp/err")"
	done
	[ "$(tree_hash "$tmp/t")" = "$before" ] && ok ||
		fail "$2: the tree changed"
}

# accepted PACKAGE [KEYRING]: patch-inspect --verify trusts it.
accepted() {
	expect 0 patch-inspect --keyring "${2:-$ring}" "$1" &&
		grep -q '^verified yes' "$tmp/out" && ok ||
		fail "$1 not trusted: $(cat "$tmp/err")"
}

# A root of two keys, both needed; one signing key, S.
kr init "$ring" --root "$tmp/A.pub" --root "$tmp/B.pub" --threshold 2 $AB &&
	ok || fail "init: $(cat "$tmp/err")"
kr add-key "$ring" "$tmp/S.pub" $AB && ok || fail "add-key: $(cat "$tmp/err")"
grep -q "is at version 2" "$tmp/out" && ok || fail "add-key: $(cat "$tmp/out")"
ls -a "$ring" | grep -q '^\.root' && fail "a temporary file was left"
accepted "$tmp/pS.ppkg"
copy_tree "$tmp/old" "$tmp/t2"
expect 0 patch-apply --keyring "$ring" --state-dir "$tmp/state2" \
	--root "$tmp/t2" "$tmp/pS.ppkg"
grep -q 'cannot be revoked' "$tmp/err" && fail "note on a rooted keyring"
[ "$(cat "$tmp/t2/f")" = b ] && ok || fail "signed package not installed"
cp "$ring/root.pfkr" "$tmp/v2.pfkr"

# Arbitrary package: a key the root does not name, even as a .pub file
# dropped into the directory.
refused 7 "unknown key" "signed only by keys not in the keyring" "$tmp/pX.ppkg"
cp "$tmp/X.pub" "$ring/"
refused 7 ".pub file beside the root" "not in the keyring" "$tmp/pX.ppkg"
rm "$ring/X.pub"

# Mix-and-match: a signing key and the root of another keyring.
kr init "$tmp/other" --root "$tmp/R2.pub" --sign "$tmp/R2.key" &&
	kr add-key "$tmp/other" "$tmp/X.pub" --sign "$tmp/R2.key" ||
	fail "other keyring: $(cat "$tmp/err")"
accepted "$tmp/pX.ppkg" "$tmp/other"
kr update "$ring" "$tmp/other/root.pfkr"
[ $? -eq 7 ] && ok || fail "root of another keyring accepted"
grep -q "signed by 0 of the keyring's root keys" "$tmp/err" && ok ||
	fail "other root: $(cat "$tmp/err")"
cmp -s "$ring/root.pfkr" "$tmp/v2.pfkr" && ok || fail "keyring changed"

# Revoked key: a package signed before the revocation is refused too.
kr revoke "$ring" "$(id S)" $AB && ok || fail "revoke: $(cat "$tmp/err")"
refused 7 "revoked key" "signing key $(id S) is revoked" "$tmp/pS.ppkg"
kr add-key "$ring" "$tmp/S.pub" $AB
[ $? -eq 2 ] && grep -q "is revoked" "$tmp/err" && ok ||
	fail "a revoked key was added again: $(cat "$tmp/err")"

# Expired key.
kr add-key "$ring" "$tmp/T.pub" --expires 2000-01-01 $AB && ok ||
	fail "add-key T: $(cat "$tmp/err")"
refused 7 "expired key" "signing key $(id T) expired on 2000-01-01" \
	"$tmp/pT.ppkg"
kr show "$ring" && grep -q "expires 2000-01-01 (expired)" "$tmp/out" && ok ||
	fail "show expired key: $(cat "$tmp/out")"

# The signing threshold of the root: two keys must sign.
kr add-key "$ring" "$tmp/U.pub" --expires +30d --signing-threshold 2 $AB ||
	fail "add-key U: $(cat "$tmp/err")"
refused 7 "signing threshold" "signed by 1 trusted keys, 2 required" \
	"$tmp/pU.ppkg"
refused 7 "expired key under a threshold" "expired on 2000-01-01" \
	"$tmp/pTU.ppkg"
kr add-key "$ring" "$tmp/T.pub" --expires +1d --signing-threshold 1 $AB ||
	fail "renew T: $(cat "$tmp/err")"
accepted "$tmp/pTU.ppkg"
accepted "$tmp/pU.ppkg"
cur=$(cat "$ring/root.pfkr" | sha256sum)

# Rollback of the metadata to an older version.
kr update "$ring" "$tmp/v2.pfkr"
[ $? -eq 7 ] && grep -q "older than the keyring's version" "$tmp/err" && ok ||
	fail "rollback: $(cat "$tmp/err")"
[ "$(sha256sum <"$ring/root.pfkr")" = "$cur" ] && ok || fail "rollback changed it"
refused 7 "revoked key after a rollback" "is revoked" "$tmp/pS.ppkg"

# A root signed by fewer than the threshold: the next version made on a
# copy, with one of its two signatures cut away.
cp -a "$ring" "$tmp/work"
kr add-key "$tmp/work" "$tmp/X.pub" $AB || fail "work: $(cat "$tmp/err")"
size=$(wc -c <"$tmp/work/root.pfkr")
body=$((size - 8 - 2 * 72))
{ head -c $body "$tmp/work/root.pfkr"; printf '\001\0\0\0\0\0\0\0'
	tail -c 72 "$tmp/work/root.pfkr"; } >"$tmp/one-sig.pfkr"
kr update "$ring" "$tmp/one-sig.pfkr"
[ $? -eq 7 ] && grep -q "signed by 1 of its root keys, 2 required" \
	"$tmp/err" && ok || fail "under threshold: $(cat "$tmp/err")"
[ "$(sha256sum <"$ring/root.pfkr")" = "$cur" ] && ok || fail "keyring changed"
kr add-key "$tmp/work" "$tmp/C.pub" --sign "$tmp/A.key"
[ $? -eq 7 ] && ok || fail "patch-keyring signed below the threshold"
# Put in place by hand, the applier refuses it as a whole.
cp -a "$ring" "$tmp/forged" && cp "$tmp/one-sig.pfkr" "$tmp/forged/root.pfkr"
refused 7 "root below its threshold" "2 required" "$tmp/pX.ppkg" "$tmp/forged"
refused 7 "root below its threshold" "2 required" "$tmp/pU.ppkg" "$tmp/forged"
# A flipped byte in the body breaks the signatures.
cp "$ring/root.pfkr" "$tmp/forged/root.pfkr"
printf 'Z' | dd of="$tmp/forged/root.pfkr" bs=1 seek=20 conv=notrunc 2>/dev/null
refused 7 "altered root" "does not verify" "$tmp/pU.ppkg" "$tmp/forged"
# A root file that is not a regular file is refused at once, whole.
rm "$tmp/forged/root.pfkr" && mkfifo "$tmp/forged/root.pfkr"
refused 7 "root FIFO" "root metadata '$tmp/forged/root.pfkr' is a FIFO" \
	"$tmp/pU.ppkg" "$tmp/forged"
rm "$tmp/forged/root.pfkr" && ln -s "$tmp/nowhere" "$tmp/forged/root.pfkr"
refused 7 "dangling root" "is a dangling symbolic link" "$tmp/pU.ppkg" \
	"$tmp/forged"

# A fork: two different roots with the same version.
cp -a "$ring" "$tmp/fork"
kr add-key "$tmp/fork" "$tmp/C.pub" $AB || fail "fork: $(cat "$tmp/err")"
kr update "$ring" "$tmp/work/root.pfkr" && ok ||
	fail "update: $(cat "$tmp/err")"
accepted "$tmp/pX.ppkg"
kr update "$ring" "$tmp/fork/root.pfkr"
[ $? -eq 7 ] && grep -q "(a fork)" "$tmp/err" && ok ||
	fail "fork: $(cat "$tmp/err")"
cmp -s "$ring/root.pfkr" "$tmp/work/root.pfkr" && ok || fail "fork changed it"
kr update "$ring" "$tmp/work/root.pfkr" && grep -q "already" "$tmp/out" &&
	ok || fail "the same root again: $(cat "$tmp/err")"

# Freeze: an expired root is refused, and so is an update to one; a
# newer root that has not expired mends the keyring.
cp -a "$ring" "$tmp/frozen"
kr revoke "$tmp/frozen" "$(id C)" --root-expires 2001-02-03 $AB &&
	grep -q "in the past" "$tmp/err" && ok ||
	fail "expired root: $(cat "$tmp/err")"
refused 7 "freeze" "expired on 2001-02-03" "$tmp/pX.ppkg" "$tmp/frozen"
kr update "$ring" "$tmp/frozen/root.pfkr"
[ $? -eq 7 ] && grep -q "expired on 2001-02-03" "$tmp/err" && ok ||
	fail "update to an expired root: $(cat "$tmp/err")"
kr show "$tmp/frozen" && grep -q "(expired" "$tmp/out" && ok ||
	fail "show frozen: $(cat "$tmp/out")"
cp -a "$tmp/frozen" "$tmp/thawed"
kr revoke "$tmp/thawed" "$(id D)" --root-expires +10d $AB ||
	fail "renew: $(cat "$tmp/err")"
kr update "$tmp/frozen" "$tmp/thawed/root.pfkr" && ok ||
	fail "update of a frozen keyring: $(cat "$tmp/err")"
accepted "$tmp/pX.ppkg" "$tmp/frozen"

# Rotation: the new root is signed by the old threshold and the new one;
# a machine two versions behind follows it in one step, and the old root
# keys sign nothing after it.
cp -a "$ring" "$tmp/behind"
kr revoke "$ring" "$(id D)" $AB || fail "revoke D: $(cat "$tmp/err")"
kr rotate-root "$ring" --root "$tmp/C.pub" --root "$tmp/D.pub" \
	--threshold 2 $AB --sign "$tmp/C.key"
[ $? -eq 2 ] && grep -q "revoked" "$tmp/err" && ok ||
	fail "rotate to a revoked key: $(cat "$tmp/err")"
kr rotate-root "$ring" --root "$tmp/C.pub" --root "$tmp/T.pub" \
	--threshold 2 $AB --sign "$tmp/C.key"
[ $? -eq 7 ] && grep -q "signed by 1 of its root keys, 2 required" \
	"$tmp/err" && ok || fail "rotation without the new keys: $(cat "$tmp/err")"
kr rotate-root "$ring" --root "$tmp/C.pub" --root "$tmp/R2.pub" \
	--threshold 2 $AB --sign "$tmp/C.key" --sign "$tmp/R2.key" && ok ||
	fail "rotate-root: $(cat "$tmp/err")"
kr update "$tmp/behind" "$ring/root.pfkr" && ok ||
	fail "update across a rotation: $(cat "$tmp/err")"
cmp -s "$ring/root.pfkr" "$tmp/behind/root.pfkr" && ok || fail "not the same"
kr add-key "$ring" "$tmp/X.pub" $AB
[ $? -eq 2 ] && grep -q "not a root key" "$tmp/err" && ok ||
	fail "old root keys still sign: $(cat "$tmp/err")"
kr show --json "$ring" &&
	grep -q "\"root\":{\"threshold\":2,\"keys\":\[" "$tmp/out" &&
	grep -q "\"revoked\":\[\"" "$tmp/out" && ok ||
	fail "show --json: $(cat "$tmp/out")"
accepted "$tmp/pU.ppkg"

# A bare keyring still works, with its note.
make_key
mk pK test
expect 0 patch-inspect --keyring "$tmp/keys" "$tmp/pK.ppkg"
grep -q "keyring '$tmp/keys' has no root metadata: its keys cannot be revoked" \
	"$tmp/err" && ok || fail "no note: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || fail "more than one line"

# Usage errors.
expect 2 patch-keyring add-key "$ring" "$tmp/S.pub" --expires 2027-02-30 $AB
expect 2 patch-keyring add-key "$ring" "$tmp/S.pub" --expires tomorrow $AB
expect 2 patch-keyring frobnicate "$ring"
expect 2 patch-keyring init "$ring" --root "$tmp/A.pub" --sign "$tmp/A.key"
expect 7 patch-keyring update "$tmp/keys" "$ring/root.pfkr"

# A crash at every write of an update leaves the old root or the new one.
if ! command -v strace >/dev/null 2>&1 ||
    ! strace -qq -o /dev/null true 2>/dev/null; then
	echo "no strace: crash points not tried"
	finish
	exit
fi
mkdir "$tmp/c" && cp "$tmp/v2.pfkr" "$tmp/c/root.pfkr"
cp "$tmp/v2.pfkr" "$tmp/c-old"
n=$(fs_calls "$FS_CHANGES" patch-keyring update "$tmp/c" "$ring/root.pfkr")
start=$(first_call "$tmp/c")
i=$start olds=0 news=0
while [ "$i" -le "$n" ]; do
	rm -rf "$tmp/c" && mkdir "$tmp/c" && cp "$tmp/c-old" "$tmp/c/root.pfkr"
	inject "$i" signal=KILL patch-keyring update "$tmp/c" \
		"$ring/root.pfkr" >/dev/null 2>&1
	if cmp -s "$tmp/c/root.pfkr" "$tmp/c-old"; then olds=$((olds + 1))
	elif cmp -s "$tmp/c/root.pfkr" "$ring/root.pfkr"; then news=$((news + 1))
	else fail "crash at call $i: a root that is neither"; fi
	i=$((i + 1))
done
[ "$olds" -gt 0 ] && [ "$news" -gt 0 ] && ok ||
	fail "crash points: $olds old roots, $news new ones"
finish
