#!/bin/sh
# Section 5.6, rule 11: the names and words of a package (patch ID,
# versions, family, product, from and to versions, dependency names and
# versions) are checked once the manifest and the dependency list are
# both decoded.  A dependency name holding a newline once reached the
# line-oriented state records and forged their lines.
. "$top_srcdir/tests/cli/lib.sh"

mkdir -p "$tmp/root"
echo keep >"$tmp/root/file"
before=$(tree_hash "$tmp/root")
long=$(printf '%0129d' 0)

# $1: description, $2: what the message must name, then the forge lines.
refused() {
	what=$1 word=$2
	shift 2
	printf '%s\n' "file new 644 content" "$@" >"$tmp/desc"
	forge "$tmp/desc" "$tmp/w.ppkg" || { fail "forge: $what"; return; }
	refused_by_readers 3 "$what" "$word" "$tmp/w.ppkg"
}

refused "dependency name with a newline" "dependency name" \
	'dep 1 base\nfamily\sx'
refused "dependency name with a control byte" "dependency name" \
	'dep 2 evil\x1b[31m'
refused "dependency name with a space" "dependency name" 'dep 3 two\swords'
refused "over-long dependency name" "dependency name" "dep 4 $long"
refused "empty dependency name" "dependency name" 'dep 1 \x00'
refused "dependency version with a newline" "dependency version" \
	'dep 1 base 1.0\nrelease\s99'
refused "dependency version with a space" "dependency version" \
	'dep 1 base 1.0\s2'
refused "package name with a newline" "package name" 'set name a\nb'
refused "version with a control byte" "package version" 'set version 1\x07'
refused "family with a space" "family" 'set family a\sb'
refused "product with a tab" "product" 'set product a\tb'
refused "from version with a newline" "from" 'set product p' 'set from 1\n2'
refused "to version with a space" "to" 'set product p' 'set to 2\s0'

[ "$(tree_hash "$tmp/root")" = "$before" ] && ok || fail "the root changed"
[ ! -e "$tmp/state/patches" ] || [ -z "$(ls -A "$tmp/state/patches")" ] &&
	ok || fail "something was recorded"

# The same words, valid, are accepted: the refusals above are real.
printf '%s\n' "file new 644 content" "set name good-1" "set version 1.0" \
	"set family fam" "set product p" "set from 0.9" "set to 1.0" \
	"dep 4 base 2.0" >"$tmp/desc"
forge "$tmp/desc" "$tmp/w.ppkg" || fail "forge: sane"
expect 0 patch-inspect "$tmp/w.ppkg"
expect 0 patch-apply --allow-unsigned --state-dir "$tmp/state" \
	--root "$tmp/root" "$tmp/w.ppkg"
grep -q "^provides base=2.0$" "$tmp/state/patches/good-1/record" && ok ||
	fail "the dependency was not recorded"
finish
