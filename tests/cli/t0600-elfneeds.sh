#!/bin/sh
# ELF dependencies: a changed library that needs a symbol version its
# dependency does not define under the root, and one that needs a library
# that is not there, are refused (exit 8) naming what is missing, with the
# tree unchanged; a package that ships the library it needs is fine.
. "$top_srcdir/tests/cli/lib.sh"
command -v cc >/dev/null || { echo "SKIP: no C compiler"; exit 77; }
make_key

src=$tmp/src
mkdir -p "$src"
printf 'VERS_1 { global: f1; local: *; };\n' >"$src/v1.map"
printf 'VERS_1 { global: f1; local: *; };\nVERS_2 { global: f2; } VERS_1;\n' >"$src/v2.map"
printf 'int f1(void) { return 1; }\n' >"$src/dep1.c"
printf 'int f1(void) { return 1; }\nint f2(void) { return 2; }\n' >"$src/dep2.c"
printf 'int f1(void);\nint use(void) { return f1(); }\n' >"$src/use1.c"
printf 'int f2(void);\nint use(void) { return f2(); }\n' >"$src/use2.c"
lib() { # OUT SONAME SOURCE [MAP] [LIBS...]
	out=$1 so=$2 c=$3 map=$4
	shift 4
	cc -shared -fPIC -nostdlib -Wl,-soname,"$so" ${map:+-Wl,--version-script,"$map"} \
		-o "$out" "$c" "$@" || fail "cc $out"
}
lib "$src/libdep.so.1.v1" libdep.so.1 "$src/dep1.c" "$src/v1.map"
lib "$src/libdep.so.1.v2" libdep.so.1 "$src/dep2.c" "$src/v2.map"
lib "$src/libuse.so.1.old" libuse.so.1 "$src/use1.c" "" "$src/libdep.so.1.v1"
lib "$src/libuse.so.1.new" libuse.so.1 "$src/use2.c" "" "$src/libdep.so.1.v2"

# OLD: libuse and libdep with VERS_1 only.  NEW: libuse needs VERS_2.
mkdir -p "$tmp/old/usr/lib" "$tmp/new/usr/lib"
cp "$src/libdep.so.1.v1" "$tmp/old/usr/lib/libdep.so.1"
cp "$src/libdep.so.1.v1" "$tmp/new/usr/lib/libdep.so.1"
cp "$src/libuse.so.1.old" "$tmp/old/usr/lib/libuse.so.1"
cp "$src/libuse.so.1.new" "$tmp/new/usr/lib/libuse.so.1"
patch-create -q --key "$tmp/test.key" --name use-2 -o "$tmp/p.ppkg" \
	"$tmp/old" "$tmp/new" || fail "create"
expect 0 patch-inspect --json "$tmp/p.ppkg"
grep -q '"needs":\[{"soname":"libdep.so.1","versions":\["VERS_2"\]}\]' "$tmp/out" ||
	fail "needs not recorded: $(cat "$tmp/out")"

copy_tree "$tmp/old" "$tmp/t"
before=$(tree_hash "$tmp/t")
A="--keyring $tmp/keys --state-dir $tmp/state --root $tmp/t"
expect 8 patch-apply $A "$tmp/p.ppkg"
grep -q "'usr/lib/libuse.so.1' needs VERS_2 from libdep.so.1" "$tmp/err" ||
	fail "version message: $(cat "$tmp/err")"
expect 8 patch-apply $A --check "$tmp/p.ppkg"
rm "$tmp/t/usr/lib/libdep.so.1"
before2=$(tree_hash "$tmp/t")
expect 8 patch-apply $A "$tmp/p.ppkg"
grep -q "needs libdep.so.1, which is not under the root" "$tmp/err" ||
	fail "soname message: $(cat "$tmp/err")"
[ "$(tree_hash "$tmp/t")" = "$before2" ] && ok || fail "refusal changed the tree"
cp "$src/libdep.so.1.v1" "$tmp/t/usr/lib/libdep.so.1"
[ "$(tree_hash "$tmp/t")" = "$before" ] && ok || fail "tree not restored"
expect 0 patch-apply $A --skip-needs --check "$tmp/p.ppkg"

# A package that also ships libdep with VERS_2 satisfies itself.
cp "$src/libdep.so.1.v2" "$tmp/new/usr/lib/libdep.so.1"
patch-create -q --key "$tmp/test.key" --name use-2b -o "$tmp/q.ppkg" \
	"$tmp/old" "$tmp/new" || fail "create q"
expect 0 patch-apply $A "$tmp/q.ppkg"
[ "$(tree_hash "$tmp/t")" = "$(tree_hash "$tmp/new")" ] && ok || fail "q tree"

# Many missing libraries with long names: every one is named, in the
# text message and in the JSON error, none cut (issue 10: the message
# stopped mid-word after 1024 bytes and hid 3 of 14).
mkdir -p "$tmp/many-old/usr/lib" "$tmp/many-new/usr/lib"
long=a-library-with-a-rather-long-name-for-a-test-of-the-message
libs=
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14; do
	lib "$src/lib$i.so" "lib$long-$i.so.1" "$src/dep1.c" ""
	libs="$libs $src/lib$i.so"
done
printf 'int many(void) { return 1; }\n' >"$src/many.c"
lib "$tmp/many-old/usr/lib/libmany.so.1" libmany.so.1 "$src/many.c" ""
printf 'int many(void) { return 2; }\n' >"$src/many.c"
lib "$tmp/many-new/usr/lib/libmany.so.1" libmany.so.1 "$src/many.c" "" \
	-Wl,--no-as-needed $libs
patch-create -q --key "$tmp/test.key" --name many -o "$tmp/many.ppkg" \
	"$tmp/many-old" "$tmp/many-new" || fail "create many"
copy_tree "$tmp/many-old" "$tmp/tm"
expect 8 patch-apply --keyring "$tmp/keys" --state-dir "$tmp/sm" \
	--root "$tmp/tm" "$tmp/many.ppkg"
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14; do
	grep -q "needs lib$long-$i.so.1, which is not under the root" \
		"$tmp/err" && ok || fail "library $i is not named: $(cat "$tmp/err")"
done
expect 8 patch-apply --json --keyring "$tmp/keys" --state-dir "$tmp/sm" \
	--root "$tmp/tm" "$tmp/many.ppkg"
python3 - "$tmp/out" "$long" <<'EOF' && ok || fail "JSON error cut: $(cat "$tmp/out")"
import json, sys
msg = json.load(open(sys.argv[1]))["error"]["message"]
for i in range(1, 15):
    assert "needs lib%s-%02d.so.1, which is not" % (sys.argv[2], i) in msg, i
EOF

finish
