#!/bin/sh
# Trust: tampering in every section of a signed package, a wrong key, a
# removed signature, a threshold not met, an expired package, a
# downgrade, a missing requirement and a conflict: each refused with its
# documented exit status, and the tree unchanged.
. "$top_srcdir/tests/cli/lib.sh"

make_key
patch-keygen -o "$tmp/second" >/dev/null
patch-keygen -o "$tmp/stranger" >/dev/null
mkdir -p "$tmp/strangers" && cp "$tmp/stranger.pub" "$tmp/strangers/"

mkdir -p "$tmp/old/bin" "$tmp/new/bin"
head -c 50000 /dev/urandom >"$tmp/old/bin/tool"
cp "$tmp/old/bin/tool" "$tmp/new/bin/tool" && printf 'fixed' >>"$tmp/new/bin/tool"
echo a >"$tmp/old/bin/conf" && echo b >"$tmp/new/bin/conf"

mk() { # NAME, then patch-create options
	out=$1
	shift
	patch-create -q "$@" -o "$tmp/$out" "$tmp/old" "$tmp/new" ||
		fail "create $out"
}
mk p.ppkg --key "$tmp/test.key" --name fix --package-version 1 --requires base=2 \
	--deps /dev/null
mk plain.ppkg --key "$tmp/test.key" --name fix --package-version 1
copy_tree "$tmp/old" "$tmp/t"
before=$(tree_hash "$tmp/t")
A="--keyring $tmp/keys --state-dir $tmp/state --root $tmp/t"

refused() { # STATUS WHAT PACKAGE [OPTIONS]
	want=$1 what=$2 pkg=$3
	shift 3
	patch-apply $A "$@" "$pkg" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq "$want" ] && ok ||
		fail "$what: exit $rc, expected $want: $(cat "$tmp/err")"
	[ "$(tree_hash "$tmp/t")" = "$before" ] || fail "$what: tree changed"
}

# The offsets of each section, from the header.
le64() { od -An -tu8 -j"$2" -N8 "$1" | tr -d ' '; }
man=$(le64 "$tmp/plain.ppkg" 32) deps=$(le64 "$tmp/plain.ppkg" 40)
sig=$(le64 "$tmp/plain.ppkg" 48) pay=$(le64 "$tmp/plain.ppkg" 56)
s_man=80 s_sig=$((80 + man + deps)) s_pay=$((80 + man + deps + sig))
s_rb=$((s_pay + pay))
flip() { # FILE OFFSET OUT
	cp "$1" "$3"
	b=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" |
		dd of="$3" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
flip "$tmp/plain.ppkg" 24 "$tmp/x" && refused 3 "optional feature bits" "$tmp/x"
flip "$tmp/plain.ppkg" $((s_man + 5)) "$tmp/x" && refused 3 "manifest byte" "$tmp/x"
flip "$tmp/p.ppkg" $((80 + $(le64 "$tmp/p.ppkg" 32) + 2)) "$tmp/x" &&
	refused 3 "dependency list byte" "$tmp/x"
flip "$tmp/plain.ppkg" $((s_sig + 3)) "$tmp/x" && refused 3 "stored digest" "$tmp/x"
flip "$tmp/plain.ppkg" $((s_sig + 42)) "$tmp/x" && refused 7 "key ID" "$tmp/x"
flip "$tmp/plain.ppkg" $((s_sig + 60)) "$tmp/x" && refused 7 "signature" "$tmp/x"
flip "$tmp/plain.ppkg" $((s_pay + 100)) "$tmp/x" && refused 3 "payload" "$tmp/x"
flip "$tmp/plain.ppkg" $((s_rb + 100)) "$tmp/x" && refused 3 "rollback data" "$tmp/x"
# An attacker who edits the manifest and recomputes the digest.
flip "$tmp/plain.ppkg" $((s_man + 5)) "$tmp/x" && forge -r "$tmp/x" "$tmp/y" &&
	refused 7 "manifest edited, digest recomputed" "$tmp/y"
grep -q 'does not verify' "$tmp/err" || fail "broken signature message"

forge -s "$tmp/plain.ppkg" "$tmp/x" && refused 7 "signature removed" "$tmp/x"
grep -q 'not signed' "$tmp/err" || fail "unsigned message"
refused 7 "wrong key" "$tmp/plain.ppkg" --keyring "$tmp/strangers"
grep -q 'not in the keyring' "$tmp/err" || fail "unknown key message"
refused 7 "threshold not met" "$tmp/plain.ppkg" --threshold 2
grep -q 'signed by 1 trusted keys, 2 required' "$tmp/err" || fail "threshold message"
refused 7 "missing keyring" "$tmp/plain.ppkg" --keyring "$tmp/nonexistent"
mk old-expiry.ppkg --key "$tmp/test.key" --name fix --expires 1000
refused 9 "expired" "$tmp/old-expiry.ppkg"
refused 8 "missing requirement" "$tmp/p.ppkg"
grep -q "requires 'base' 2" "$tmp/err" || fail "requirement message"

# Two keys meet a threshold of two; unsigned needs --allow-unsigned.
cp "$tmp/second.pub" "$tmp/keys/"
mk two.ppkg --key "$tmp/test.key" --key "$tmp/second.key" --name fix
expect 0 patch-apply $A --check --threshold 2 "$tmp/two.ppkg"
mk unsigned.ppkg --name fix
refused 7 "unsigned" "$tmp/unsigned.ppkg"
expect 0 patch-apply $A --check --allow-unsigned "$tmp/unsigned.ppkg"
grep -q WARNING "$tmp/err" || fail "--allow-unsigned is not loud"
expect 0 patch-inspect --verify --keyring "$tmp/keys" "$tmp/two.ppkg"
grep -c 'valid' "$tmp/out" | grep -q 2 || fail "inspect --verify shows two keys"
expect 7 patch-inspect --verify --keyring "$tmp/strangers" "$tmp/two.ppkg"

# Release counters: release 2 installed, release 1 of the family refused.
mkdir -p "$tmp/v2" && cp -a "$tmp/new/." "$tmp/v2/" && echo c >"$tmp/v2/bin/conf"
patch-create -q --key "$tmp/test.key" --name fam-2 --family fam --release 2 \
	-o "$tmp/r2.ppkg" "$tmp/old" "$tmp/new" || fail "create r2"
patch-create -q --key "$tmp/test.key" --name fam-1 --family fam --release 1 \
	-o "$tmp/r1.ppkg" "$tmp/new" "$tmp/v2" || fail "create r1"
expect 0 patch-apply $A "$tmp/r2.ppkg"
after2=$(tree_hash "$tmp/t")
patch-apply $A "$tmp/r1.ppkg" >/dev/null 2>"$tmp/err"
[ $? -eq 10 ] && ok || fail "downgrade: $(cat "$tmp/err")"
[ "$(tree_hash "$tmp/t")" = "$after2" ] || fail "downgrade changed the tree"
expect 0 patch-apply $A --force-downgrade "$tmp/r1.ppkg"
grep -q WARNING "$tmp/err" || fail "--force-downgrade is not loud"

# A conflict with what is installed.
patch-create -q --key "$tmp/test.key" --name other --conflicts fam-2 \
	-o "$tmp/c.ppkg" "$tmp/v2" "$tmp/old" || fail "create c"
hash=$(tree_hash "$tmp/t")
patch-apply $A "$tmp/c.ppkg" >/dev/null 2>"$tmp/err"
[ $? -eq 8 ] && ok || fail "conflict: $(cat "$tmp/err")"
[ "$(tree_hash "$tmp/t")" = "$hash" ] || fail "conflict changed the tree"
finish
