#!/bin/sh
# Replays the saved corpus of every fuzz target built for `make check`.
: "${top_builddir:=.}" "${top_srcdir:=.}"
status=0 ran=0
for prog in "$top_builddir"/fuzz/fuzz_*; do
	[ -x "$prog" ] || continue
	case $prog in *.c|*.o) continue ;; esac
	name=${prog##*/fuzz_}
	dir=$top_srcdir/fuzz/corpus/$name
	[ -d "$dir" ] || continue
	"$prog" "$dir" || status=1
	ran=$((ran + 1))
done
echo "replayed the corpus of $ran fuzz targets"
exit $status
