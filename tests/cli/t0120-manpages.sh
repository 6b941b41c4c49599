#!/bin/sh
# Every option a tool's usage and --help name is documented in its
# manual page, and every option the page lists is one --help names:
# the page and the program cannot drift apart.
. "${top_srcdir:-.}/tests/cli/lib.sh"
PATH=$top_builddir/cmd:$PATH

for t in patch-create patch-apply patch-inspect patch-rollback \
	patch-status patch-keygen patch-keyring patch-delta; do
	page=$top_srcdir/man/$t.1
	"$t" --help >"$tmp/help" 2>&1 || fail "$t --help"
	# Long options of the help: --name (with or without =value).
	grep -o -- '--[a-z][a-z0-9-]*' "$tmp/help" | sort -u >"$tmp/long"
	# Short options of the help: "-x," "-x " or a cluster "[-fqv]".
	{ grep -o -- '^ *-[a-zA-Z0-9],' "$tmp/help" | tr -d ' ,-'
	  grep -o -- '\[-[a-zA-Z0-9]*\]' "$tmp/help" | tr -d '[]-' |
		fold -w1; } | sort -u >"$tmp/short"
	while read -r o; do
		grep -q -- "Fl $o\\b\\|Fl -${o#--}\\b" "$page" && ok ||
			fail "$t: $o is in --help but not in $t.1"
	done <"$tmp/long"
	while read -r o; do
		[ -n "$o" ] || continue
		grep -q "Fl [a-zA-Z0-9]*$o" "$page" && ok ||
			fail "$t: -$o is in --help but not in $t.1"
	done <"$tmp/short"
	# The page's option list: every ".It Fl -name" is in --help.
	grep -o '^\.It Fl -[a-z][a-z0-9-]*\|^\.It Fl [a-zA-Z] , Fl -[a-z][a-z0-9-]*' \
		"$page" | sed 's/.*Fl -/--/' | sort -u >"$tmp/page"
	while read -r o; do
		grep -q -- "$o\\b" "$tmp/help" && ok ||
			fail "$t: $o is in $t.1 but not in --help"
	done <"$tmp/page"
done
finish
