#!/bin/sh
# Odd entries named *.pub in a keyring (section 11.2): a FIFO once blocked
# patch-apply and patch-inspect forever, a directory gave status 5 and a
# file over 4096 bytes status 2.  Each is now a trust failure (status 7)
# at once, naming the entry; a symbolic link to a key still works.
. "$top_srcdir/tests/cli/lib.sh"

make_key
mkdir -p "$tmp/old" "$tmp/new"
echo a >"$tmp/old/f" && echo b >"$tmp/new/f"
patch-create -q --key "$tmp/test.key" -o "$tmp/p.ppkg" "$tmp/old" "$tmp/new" ||
	fail "create"
copy_tree "$tmp/old" "$tmp/t"
before=$(tree_hash "$tmp/t")

# $1: description, $2: what the message says; the odd entry is in place.
odd() {
	what=$1 says=$2
	for tool in apply inspect; do
		if [ $tool = apply ]; then
			set -- patch-apply --state-dir "$tmp/state" --root "$tmp/t"
		else
			set -- patch-inspect
		fi
		timeout 60 "$@" --keyring "$tmp/ring" "$tmp/p.ppkg" \
			>/dev/null 2>"$tmp/err"
		rc=$?
		[ $rc -eq 7 ] && ok ||
			fail "$what ($tool): exit $rc, expected 7: $(cat "$tmp/err")"
		grep -q "$says" "$tmp/err" && ok ||
			fail "$what ($tool): message: $(cat "$tmp/err")"
	done
	[ "$(tree_hash "$tmp/t")" = "$before" ] && ok ||
		fail "$what: the tree changed"
	rm -rf "$tmp/ring"
}

ring() {
	rm -rf "$tmp/ring" && mkdir "$tmp/ring" && cp "$tmp/test.pub" "$tmp/ring/"
}

ring && mkfifo "$tmp/ring/z.pub"
odd "FIFO" "public key '$tmp/ring/z.pub' is a FIFO, not a regular file"
ring && mkdir "$tmp/ring/z.pub"
odd "directory" "'$tmp/ring/z.pub' is a directory, not a regular file"
ring && ln -s "$tmp/nowhere" "$tmp/ring/z.pub"
odd "dangling symlink" "'$tmp/ring/z.pub' is a dangling symbolic link"
ring && mkfifo "$tmp/fifo" && ln -s "$tmp/fifo" "$tmp/ring/z.pub"
odd "symlink to a FIFO" "'$tmp/ring/z.pub' is a FIFO"
ring && { echo 'untrusted comment: big'; head -c 5000 /dev/zero | tr '\0' A; } \
	>"$tmp/ring/z.pub"
odd "key file over 4096 bytes" "'$tmp/ring/z.pub' is larger than 4096 bytes"
ring && echo 'untrusted comment: none' >"$tmp/ring/z.pub"
odd "invalid key file" "is not a patchfmt public key file"

# A symbolic link to a key file is followed, as section 11.2 says.
mkdir "$tmp/ring" && ln -s "$tmp/test.pub" "$tmp/ring/linked.pub"
expect 0 patch-inspect --keyring "$tmp/ring" "$tmp/p.ppkg"
grep -q "^verified yes" "$tmp/out" && ok || fail "linked key not trusted"

# The same checks hold for a secret key given to patch-create.
mkfifo "$tmp/fifo.key"
expect 2 timeout 60 patch-create --key "$tmp/fifo.key" -o "$tmp/q.ppkg" \
	"$tmp/old" "$tmp/new"
grep -q "secret key '$tmp/fifo.key' is a FIFO" "$tmp/err" && ok ||
	fail "secret key FIFO message: $(cat "$tmp/err")"
finish
