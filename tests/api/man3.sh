#!/bin/sh
# The manual pages of the library and its public headers cannot drift
# apart: every PF_EXTERN function of libpatchfmt.h and libpatchfmt_delta.h
# is in the SYNOPSIS of a man/*.3 page, with the prototype of the header,
# and every function of such a SYNOPSIS is a PF_EXTERN one.
. "$top_srcdir/tests/cli/lib.sh"
man=$top_srcdir/man

# The prototypes, one a line, as "type name(args)" with blanks squeezed
# and none around '*', '(', ')' or ',' (so that both sides compare).
squeeze() {
	sed -e 's/[[:space:]][[:space:]]*/ /g' -e 's/ *\([*(),]\) */\1/g' \
	    -e 's/^ //' -e 's/ $//'
}
for h in libpatchfmt.h libpatchfmt_delta.h; do
	awk '/^PF_EXTERN/ { p = ""; on = 1 }
	    on { p = p " " $0 }
	    on && /;/ { sub(/^ PF_EXTERN /, "", p); sub(/;.*/, "", p)
		print p; on = 0 }' "$top_srcdir/libpatchfmt/$h"
done | squeeze | sort >"$tmp/header"
[ -s "$tmp/header" ] || fail "no PF_EXTERN declaration found in the headers"

# The SYNOPSIS of each page: ".Ft type" then ".Fn name "arg" ...".
for p in "$man"/*.3; do
	awk -v page="${p##*/}" '
	    /^\.Sh / { syn = ($2 == "SYNOPSIS") }
	    syn && /^\.Ft / { ft = substr($0, 5) }
	    syn && /^\.Fn / {
		line = substr($0, 5); name = line; sub(/ .*/, "", name)
		args = substr(line, length(name) + 2); out = ""; n = 0
		while (match(args, /"[^"]*"|[^ "]+/)) {
			a = substr(args, RSTART, RLENGTH)
			gsub(/"/, "", a)
			out = out (n++ ? ", " : "") a
			args = substr(args, RSTART + RLENGTH)
		}
		print ft " " name "(" out ")\t" page; ft = "" }' "$p"
done >"$tmp/pages.tab"
cut -f1 "$tmp/pages.tab" | squeeze | sort >"$tmp/pages"

name_of() {
	sed 's/(.*//; s/.*[ *]//'
}
name_of <"$tmp/header" | sort -u >"$tmp/header.names"
name_of <"$tmp/pages" | sort -u >"$tmp/pages.names"
comm -23 "$tmp/header.names" "$tmp/pages.names" >"$tmp/undocumented"
comm -13 "$tmp/header.names" "$tmp/pages.names" >"$tmp/unknown"
if [ -s "$tmp/undocumented" ]; then
	fail "PF_EXTERN functions in no SYNOPSIS of man/*.3:
$(cat "$tmp/undocumented")"
else
	ok
fi
if [ -s "$tmp/unknown" ]; then
	fail "functions in a SYNOPSIS of man/*.3 that the headers do not export:
$(cat "$tmp/unknown")"
else
	ok
fi
# Each function once, and with the header's own prototype.
name_of <"$tmp/pages" | sort | uniq -d >"$tmp/twice"
if [ -s "$tmp/twice" ]; then
	fail "functions in more than one SYNOPSIS: $(cat "$tmp/twice")"
else
	ok
fi
comm -13 "$tmp/header" "$tmp/pages" | while read -r proto; do
	n=$(echo "$proto" | name_of)
	grep -qx "$n" "$tmp/header.names" || continue
	echo "$n: the page has '$proto', the header '$(grep "[ *]$n(" \
	    "$tmp/header")'"
done >"$tmp/differ"
if [ -s "$tmp/differ" ]; then
	fail "prototypes differ from the headers:
$(cat "$tmp/differ")"
else
	ok
fi

# Every page is installed, and clean under mandoc -Tlint when it is here.
for p in "$man"/*.3; do
	if grep -q "man/${p##*/}" "$man/local.mk"; then
		ok
	else
		fail "${p##*/} is not in dist_man_MANS (man/local.mk)"
	fi
done
if command -v mandoc >/dev/null; then
	if mandoc -Tlint -Wwarning "$man"/*.3 >"$tmp/lint" 2>&1; then
		ok
	else
		fail "mandoc -Tlint: $(cat "$tmp/lint")"
	fi
fi
finish
