#!/bin/sh
# Dependencies and targets as the applier evaluates them (spec sections
# 5.1.1 and 6): requires (with versions compared as strverscmp does),
# conflicts, provides, supersedes, --deps files, and the product's
# installed version.  Every refusal leaves the tree and the state as
# they were, and rollback keeps what a later patch requires.
. "$top_srcdir/tests/cli/lib.sh"
make_key

mkdir -p "$tmp/empty" "$tmp/root"
# mk NAME [OPTIONS...]: a package that adds the file NAME.txt.
mk() {
	_n=$1
	shift
	rm -rf "$tmp/new-$_n"
	mkdir -p "$tmp/new-$_n"
	echo "$_n" >"$tmp/new-$_n/$_n.txt"
	patch-create -q --key "$tmp/test.key" --name "$_n" "$@" \
		-o "$tmp/$_n.ppkg" "$tmp/empty" "$tmp/new-$_n" ||
		fail "create $_n $*"
}
A="--keyring $tmp/keys --state-dir $tmp/state --root $tmp/root"
S="--state-dir $tmp/state --root $tmp/root"
# refused STATUS PATTERN PACKAGE: --check and the apply both refuse, and
# nothing changes.
refused() {
	_before=$(tree_hash "$tmp/root") _st=$(tree_hash "$tmp/state")
	expect "$1" patch-apply $A --check "$3"
	grep -q "$2" "$tmp/err" || fail "--check $3: message: $(cat "$tmp/err")"
	expect "$1" patch-apply $A "$3"
	grep -q "$2" "$tmp/err" || fail "apply $3: message: $(cat "$tmp/err")"
	[ "$(tree_hash "$tmp/root")" = "$_before" ] && ok ||
		fail "refused $3 changed the tree"
	[ "$(tree_hash "$tmp/state")" = "$_st" ] && ok ||
		fail "refused $3 changed the state"
}
# An unrelated patch first, so that the state directory exists.
mk seed
expect 0 patch-apply $A "$tmp/seed.ppkg"

# requires: not installed, then installed at too low a version, then met.
mk base --package-version 1.9
mk app --requires base
mk app2 --requires base=1.10
refused 8 "requires 'base'" "$tmp/app.ppkg"
expect 0 patch-apply $A "$tmp/base.ppkg"
refused 8 "requires 'base' 1.10" "$tmp/app2.ppkg"   # 1.9 < 1.10
expect 0 patch-apply $A "$tmp/app.ppkg"
[ -f "$tmp/root/app.txt" ] && ok || fail "app not installed"

# Rollback keeps a patch that another requires, unless forced (12.5).
expect 8 patch-rollback $S base
grep -q "app" "$tmp/err" || fail "rollback of required base: $(cat "$tmp/err")"
[ -f "$tmp/root/base.txt" ] && ok || fail "refused rollback removed base"
expect 0 patch-rollback $S --force base
[ ! -e "$tmp/root/base.txt" ] && [ -f "$tmp/root/app.txt" ] && ok ||
	fail "forced rollback of base"
expect 0 patch-rollback $S app

# provides: a name at a version, satisfying requires by that name.
mk lib --provides libfoo=2.0
mk user --requires libfoo=1.5
mk user3 --requires libfoo=3
expect 0 patch-apply $A "$tmp/lib.ppkg"
refused 8 "requires 'libfoo' 3" "$tmp/user3.ppkg"
expect 0 patch-apply $A "$tmp/user.ppkg"

# conflicts: with any version, and with an exact one only.
mk rival --conflicts libfoo
mk rival2 --conflicts libfoo=1.0
mk rival3 --conflicts libfoo=2.0
refused 8 "conflicts with installed 'lib'" "$tmp/rival.ppkg"
refused 8 "conflicts with installed 'lib'" "$tmp/rival3.ppkg"
expect 0 patch-apply $A "$tmp/rival2.ppkg"   # 2.0 is not 1.0

# supersedes: the superseded patch no longer counts, but what it
# provided is still provided by its successor.
mk lib2 --supersedes lib --provides libfoo=2.1
expect 0 patch-apply $A "$tmp/lib2.ppkg"
expect 0 patch-status $S --json
grep -q '"id":"lib",.*"superseded_by":"lib2"' "$tmp/out" ||
	fail "lib not superseded: $(cat "$tmp/out")"
mk user4 --requires lib
expect 0 patch-apply $A --check "$tmp/user4.ppkg"   # lib2 supersedes lib

# --deps files: the same words, comments, and a bad line refused.
cat >"$tmp/deps" <<'DEPS'
# what fromfile needs
requires base   # not installed
DEPS
mk fromfile --deps "$tmp/deps"
refused 8 "requires 'base'" "$tmp/fromfile.ppkg"
printf 'needs base\n' >"$tmp/bad-deps"
expect 2 patch-create -q --name bad -o "$tmp/bad.ppkg" --deps "$tmp/bad-deps" \
	"$tmp/empty" "$tmp/new-base"
grep -q "line 1: expected 'requires|conflicts|supersedes|provides" "$tmp/err" ||
	fail "bad deps line: $(cat "$tmp/err")"
[ ! -e "$tmp/bad.ppkg" ] && ok || fail "a package was written from bad deps"
patch-inspect "$tmp/fromfile.ppkg" >"$tmp/out" 2>&1
grep -q "requires base" "$tmp/out" || fail "inspect does not show the dependency: $(cat "$tmp/out")"

# The product's installed version (section 5.1.1): unknown at first, so
# the states decide; then the 'to' of the patch in force.
mk v1 --product tool --from-version 1.0 --to-version 1.1
mk v2 --product tool --from-version 1.1 --to-version 1.2
mk v2b --product tool --from-version 1.0 --to-version 1.2
mk other --product gadget --from-version 9.9.9
expect 0 patch-apply $A "$tmp/v1.ppkg"
refused 1 "applies to tool 1.0; installed is 1.1" "$tmp/v2b.ppkg"
expect 0 patch-apply $A "$tmp/v2.ppkg"
expect 0 patch-apply $A --check "$tmp/other.ppkg"   # nothing known of gadget
# Rolling v2 back makes 1.1 the installed version again.
expect 0 patch-rollback $S v2
refused 1 "applies to tool 1.0; installed is 1.1" "$tmp/v2b.ppkg"
expect 0 patch-apply $A "$tmp/v2.ppkg"
finish
