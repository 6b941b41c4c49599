#!/bin/sh
# create -> apply on the real corpus trees gives a tree identical to NEW,
# modes and symlinks included; applying again is "already applied".
. "$top_srcdir/tests/cli/lib.sh"
need_corpus
make_key

for name in libcurl4 libpython; do
	old=$PF_CORPUS/trees/$name-old new=$PF_CORPUS/trees/$name-new
	expect 0 patch-create -q --name "$name" --package-version test \
		--key "$tmp/test.key" -o "$tmp/$name.ppkg" "$old" "$new" || continue
	expect 0 patch-inspect "$tmp/$name.ppkg"
	expect 0 patch-inspect --json "$tmp/$name.ppkg"
	copy_tree "$old" "$tmp/$name"
	expect 0 patch-apply $(signed_opts $name) --check --root "$tmp/$name" "$tmp/$name.ppkg"
	[ "$(tree_hash "$tmp/$name")" = "$(tree_hash "$old")" ] ||
		fail "$name: --check changed the tree"
	expect 0 patch-apply $(signed_opts $name) --root "$tmp/$name" "$tmp/$name.ppkg"
	if diff -r --no-dereference "$tmp/$name" "$new" >/dev/null &&
	    [ "$(tree_hash "$tmp/$name")" = "$(tree_hash "$new")" ]; then
		ok
	else
		fail "$name: applied tree differs from NEW"
	fi
	expect 0 patch-apply $(signed_opts $name) --root "$tmp/$name" "$tmp/$name.ppkg"
	grep -q "already applied" "$tmp/out" || fail "$name: not 'already applied'"
	# From a pipe, into a fresh copy.
	copy_tree "$old" "$tmp/$name-pipe"
	patch-apply $(signed_opts $name-pipe) --root "$tmp/$name-pipe" - \
		<"$tmp/$name.ppkg" >/dev/null ||
		fail "$name: apply from a pipe failed"
	[ "$(tree_hash "$tmp/$name-pipe")" = "$(tree_hash "$new")" ] ||
		fail "$name: apply from a pipe differs from NEW"
	# Reproducible: same inputs and SOURCE_DATE_EPOCH, same bytes.
	SOURCE_DATE_EPOCH=1700000000 patch-create -q --key "$tmp/test.key" \
		-o "$tmp/a.ppkg" "$old" "$new"
	SOURCE_DATE_EPOCH=1700000000 patch-create -q --key "$tmp/test.key" \
		-o "$tmp/b.ppkg" "$old" "$new"
	cmp -s "$tmp/a.ppkg" "$tmp/b.ppkg" && ok || fail "$name: not reproducible"
done
finish
