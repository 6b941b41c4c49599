#!/bin/sh
# The layer rules of libpatchfmt/README.md, read from the #include lines:
# each folder includes only the folders the table allows, and only
# compress/ includes <lzma.h>.
. "$top_srcdir/tests/cli/lib.sh"

lib=$top_srcdir/libpatchfmt
readme=$lib/README.md
# The table: "| `dir/` | job | a, b, c |" gives "dir a b c".
sed -n 's/^| `\([a-z]*\)\/` |.*| \([^|]*\) |$/\1 \2/p' "$readme" |
	sed 's/,//g; s/nothing else//; s/everything above except state/ALL-BUT-STATE/' \
	>"$tmp/rules"
[ "$(wc -l <"$tmp/rules")" -ge 12 ] && ok ||
	fail "cannot read the layer table of $readme: $(cat "$tmp/rules")"
dirs=$(cut -d' ' -f1 "$tmp/rules")
for d in $dirs; do
	allowed=$(sed -n "s/^$d //p" "$tmp/rules")
	if [ "$allowed" = ALL-BUT-STATE ]; then
		allowed=$(echo "$dirs" | grep -v "^state\$" | tr '\n' ' ')
	fi
	[ -d "$lib/$d" ] || { fail "layer '$d' has no folder"; continue; }
	for f in "$lib/$d"/*.[ch]; do
		[ -f "$f" ] || continue
		for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f" | sort -u); do
			[ "$inc" = "$d" ] && continue
			case " $allowed " in
			*" $inc "*) ok ;;
			*) fail "${f#"$top_srcdir"/} ($d) includes $inc/, which the layer rules do not allow" ;;
			esac
		done
	done
done
# Every folder of the library is in the table.
for p in "$lib"/*/; do
	d=$(basename "$p")
	grep -q "^$d " "$tmp/rules" || fail "folder $d/ is not in the layer table"
done
# liblzma belongs to compress/.
grep -l '^#include <lzma.h>' "$lib"/*/*.[ch] | sed "s|^$lib/||" |
	grep -v '^compress/' >"$tmp/lzma" || true
[ -s "$tmp/lzma" ] && fail "outside compress/, <lzma.h> is included by: $(cat "$tmp/lzma")" || ok
finish
