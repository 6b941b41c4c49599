#!/bin/sh
# patch-inspect never sends a control byte from a package to the
# terminal: the text escapes them (\n, \x1b, \\), the JSON escapes them
# per RFC 8259, and error messages are escaped too.
. "$top_srcdir/tests/cli/lib.sh"

printf '%s\n' 'set description about\x1b]0;owned\x07 it\nforged\sline' \
	'file a\x1b[2Jb 644 content' 'file back\\slash 644 x' \
	'file c1-\xc2\x9b31m 644 w' 'symlink link target\x1b[0m\nx' \
	'file nl\nname 644 y' 'file utf8-\xc3\xa9 644 z' \
	>"$tmp/desc"
forge "$tmp/desc" "$tmp/e.ppkg" || fail "forge"

# $1: file to check: printable ASCII, newlines and UTF-8 letters only.
inert() {
	if LC_ALL=C tr -d '\040-\176\n\303\251' <"$1" | grep -q .; then
		fail "$2: raw control bytes: $(od -c "$1" | head -20)"
	else
		ok
	fi
}

expect 0 patch-inspect "$tmp/e.ppkg"
cp "$tmp/out" "$tmp/text"
inert "$tmp/text" "text"
grep -qF 'about    about\x1b]0;owned\x07 it\nforged line' "$tmp/text" && ok ||
	fail "description not escaped: $(cat "$tmp/text")"
grep -qF 'add    a\x1b[2Jb' "$tmp/text" && ok || fail "path not escaped"
grep -qF 'add    back\\slash' "$tmp/text" && ok || fail "backslash not doubled"
grep -qF 'add    nl\nname' "$tmp/text" && ok || fail "newline in a path"
grep -qF 'add    utf8-é' "$tmp/text" && ok || fail "UTF-8 letter escaped"
grep -qF 'add    c1-\xc2\x9b31m' "$tmp/text" && ok || fail "C1 control shown"
grep -qF -- '-> target\x1b[0m\nx' "$tmp/text" && ok ||
	fail "symlink target not escaped"
# One line per entry: a newline in a name forges no line.
[ "$(grep -c '^  add' "$tmp/text")" -eq 6 ] && ok || fail "entry lines"

expect 0 patch-inspect --json "$tmp/e.ppkg"
inert "$tmp/out" "json"
grep -qF '"description":"about\u001b]0;owned\u0007 it\nforged line"' \
	"$tmp/out" && ok || fail "JSON description: $(cat "$tmp/out")"
grep -qF '"path":"back\\slash"' "$tmp/out" && ok || fail "JSON backslash"
grep -qF '"path":"c1-\u009b31m"' "$tmp/out" && ok || fail "JSON C1 control"
grep -qF '"target":"target\u001b[0m\nx"' "$tmp/out" && ok ||
	fail "JSON symlink target"

# patch-apply and patch-rollback list the paths they change, escaped.
mkdir "$tmp/root"
expect 0 patch-apply --allow-unsigned --skip-needs --state-dir "$tmp/st" \
	--root "$tmp/root" "$tmp/e.ppkg"
inert "$tmp/out" "patch-apply"
grep -qF 'create    nl\nname' "$tmp/out" && ok || fail "apply: $(cat "$tmp/out")"
id=$(patch-status --state-dir "$tmp/st" --root "$tmp/root" | cut -d' ' -f1)
expect 0 patch-rollback --state-dir "$tmp/st" --root "$tmp/root" "$id"
inert "$tmp/out" "patch-rollback"

# An error message that quotes a name escapes it as well.
printf '%s\n' 'file a\x1b[2J/../b 644 x' >"$tmp/desc"
forge "$tmp/desc" "$tmp/bad.ppkg" || fail "forge"
expect 6 patch-inspect "$tmp/bad.ppkg"
inert "$tmp/err" "message"
grep -qF "'a\\x1b[2J/../b'" "$tmp/err" && ok || fail "message: $(cat "$tmp/err")"
finish
