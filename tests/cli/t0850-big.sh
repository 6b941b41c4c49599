#!/bin/sh
# Big files in bounded memory: with --memory 16M, files above 1 MiB are
# streamed through the compressor, so an added file of 160 MiB of zeros
# and a sparse file of 1 GiB apparent size are packed and installed with
# a peak resident size far below their size; incompressible bytes fall
# back to being stored.
. "$top_srcdir/tests/cli/lib.sh"

if ! [ -x /usr/bin/time ]; then
	echo "SKIP: no /usr/bin/time"
	exit 77
fi
old=$tmp/old new=$tmp/new
mkdir -p "$old" "$new"
echo same >"$old/keep"
cp "$old/keep" "$new/keep"
dd if=/dev/zero of="$new/zeros" bs=1M count=160 2>/dev/null
truncate -s 1G "$new/sparse"
printf "data in the middle" |
	dd of="$new/sparse" bs=1 seek=500000000 conv=notrunc 2>/dev/null
head -c 3000000 /dev/urandom >"$new/random"
seq 1 400000 >"$new/text"

# peak KIB CMD...: runs CMD under /usr/bin/time; the peak RSS in $peak.
peak() {
	/usr/bin/time -f %M -o "$tmp/rss" "$@" >"$tmp/out" 2>"$tmp/err"
	_rc=$?
	peak=$(tail -n 1 "$tmp/rss")
	[ $_rc -eq 0 ] && ok || fail "'$*' exited $_rc: $(cat "$tmp/err")"
}

peak patch-create -q --memory 16M -o "$tmp/p.ppkg" "$old" "$new"
[ "$peak" -lt "$(mem_bound 81920)" ] && ok ||
	fail "patch-create held $peak KiB for 160 MiB of zeros"
patch-inspect "$tmp/p.ppkg" >"$tmp/inspect" || fail "patch-inspect"
grep -A4 'add    random' "$tmp/inspect" | grep -q 'stored, 3000000 bytes' &&
	ok || fail "incompressible file not stored: $(cat "$tmp/inspect")"
grep -A4 'add    text' "$tmp/inspect" | grep -q 'lzma2' && ok ||
	fail "text not compressed: $(cat "$tmp/inspect")"
[ "$(wc -c <"$tmp/p.ppkg")" -lt 3500000 ] && ok ||
	fail "package of $(wc -c <"$tmp/p.ppkg") bytes"

copy_tree "$old" "$tmp/t"
peak patch-apply $(unsigned_opts a) --root "$tmp/t" "$tmp/p.ppkg"
[ "$peak" -lt "$(mem_bound 65536)" ] && ok ||
	fail "patch-apply held $peak KiB"
for f in zeros sparse random text; do
	cmp -s "$new/$f" "$tmp/t/$f" && ok || fail "'$f' differs after apply"
done
[ "$(du -k "$tmp/t/sparse" | cut -f1)" -lt 1024 ] && ok ||
	fail "the sparse file was installed dense"

# A changed file above the threshold is diffed in windows: a block moved
# from the start to the end (far beyond a window) is still found, so the
# delta of 3 MiB of random bytes stays small, both ways.
mkdir -p "$tmp/o2" "$tmp/n2"
head -c 3145728 /dev/urandom >"$tmp/o2/disk.img"
{
	tail -c +524289 "$tmp/o2/disk.img" | head -c 1048576
	head -c 262144 /dev/zero
	tail -c +1572865 "$tmp/o2/disk.img"
	printf 'an edit'
	head -c 524288 "$tmp/o2/disk.img"
} >"$tmp/n2/disk.img"
peak patch-create -q --name big --memory 16M -o "$tmp/w.ppkg" "$tmp/o2" "$tmp/n2"
# About 29 MiB in a normal build.
[ "$peak" -lt "$(mem_bound 51200)" ] && ok ||
	fail "windowed diff held $peak KiB"
patch-inspect "$tmp/w.ppkg" >"$tmp/inspect" || fail "patch-inspect"
[ "$(grep -c 'blob [01], pfdelta' "$tmp/inspect")" -eq 2 ] && ok ||
	fail "no windowed deltas: $(cat "$tmp/inspect")"
[ "$(wc -c <"$tmp/w.ppkg")" -lt 65536 ] && ok ||
	fail "windowed package of $(wc -c <"$tmp/w.ppkg") bytes"
copy_tree "$tmp/o2" "$tmp/t2"
expect 0 patch-apply $(unsigned_opts c) --root "$tmp/t2" "$tmp/w.ppkg"
cmp -s "$tmp/t2/disk.img" "$tmp/n2/disk.img" && ok ||
	fail "windowed delta: wrong result"
expect 0 patch-rollback --state-dir "$tmp/state.c" --root "$tmp/t2" big
cmp -s "$tmp/t2/disk.img" "$tmp/o2/disk.img" && ok ||
	fail "windowed rollback delta: wrong result"

# patch-delta diff has the same knob; the delta applies.
peak "$top_builddir/cmd/patch-delta" -f diff --memory 16M "$tmp/o2/disk.img" "$tmp/n2/disk.img" \
	"$tmp/d"
[ "$(wc -c <"$tmp/d")" -lt 32768 ] && ok ||
	fail "patch-delta windowed: $(wc -c <"$tmp/d") bytes"
expect 0 "$top_builddir/cmd/patch-delta" -f apply "$tmp/o2/disk.img" "$tmp/d" "$tmp/d.new"
cmp -s "$tmp/d.new" "$tmp/n2/disk.img" && ok || fail "patch-delta: wrong result"
expect 2 "$top_builddir/cmd/patch-delta" -f diff --memory 1M "$tmp/o2/disk.img" "$tmp/n2/disk.img" \
	"$tmp/d"

# A tree diffed on one thread and on three gives the same package.
mkdir -p "$tmp/o3" "$tmp/n3"
for i in $(seq 1 60); do
	mkdir -p "$tmp/o3/d$((i % 7))" "$tmp/n3/d$((i % 7))"
	seq $i 3000 >"$tmp/o3/d$((i % 7))/f$i"
	seq $i 3001 >"$tmp/n3/d$((i % 7))/f$i"
done
cp "$tmp/o2/disk.img" "$tmp/o3/" && cp "$tmp/n2/disk.img" "$tmp/n3/"
export SOURCE_DATE_EPOCH=1700000000
expect 0 patch-create --memory 16M -j 1 -o "$tmp/j1.ppkg" "$tmp/o3" "$tmp/n3"
[ ! -s "$tmp/err" ] && ok || fail "output on a stderr that is no terminal"
expect 0 patch-create -q --memory 16M -j 3 -o "$tmp/j3.ppkg" "$tmp/o3" \
	"$tmp/n3"
cmp -s "$tmp/j1.ppkg" "$tmp/j3.ppkg" && ok || fail "-j 1 and -j 3 differ"
copy_tree "$tmp/o3" "$tmp/t3"
expect 0 patch-apply $(unsigned_opts d) --root "$tmp/t3" "$tmp/j3.ppkg"
[ "$(tree_hash "$tmp/t3")" = "$(tree_hash "$tmp/n3")" ] && ok ||
	fail "-j 3: trees differ"
expect 2 patch-create -q -j 0 -o "$tmp/j0.ppkg" "$tmp/o3" "$tmp/n3"

# -j 1 runs everything on one thread; with -j 2 a file diffed alone
# starts a helper (its candidates, the halves of its matching).
if command -v strace >/dev/null 2>&1 && strace -qq -o /dev/null true; then
	seq 1 100000 >"$tmp/s.old"
	seq 2 100001 >"$tmp/s.new"
	for j in 1 2; do
		# LeakSanitizer's own thread cannot trace a traced process.
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=clone,clone3 -o "$tmp/st$j" \
		    patch-create -q -j $j -o "$tmp/s$j.ppkg" "$tmp/s.old" \
		    "$tmp/s.new" && ok || fail "patch-create -j $j under strace"
	done
	[ "$(grep -c 'clone' "$tmp/st1")" -eq 0 ] && ok ||
		fail "-j 1 started threads: $(cat "$tmp/st1")"
	[ "$(grep -c 'clone' "$tmp/st2")" -gt 0 ] && ok ||
		fail "-j 2 started no helper for a file diffed alone"
	cmp -s "$tmp/s1.ppkg" "$tmp/s2.ppkg" && ok || fail "-j 1 and -j 2 differ"
fi

# Progress shows on a terminal only, and not with --no-progress.
if command -v script >/dev/null; then
	script -qec "patch-create -j 2 -o '$tmp/j4.ppkg' '$tmp/o3' '$tmp/n3'" \
		/dev/null >"$tmp/tty" 2>&1
	grep -q '60/60 files\|[0-9]* files, ' "$tmp/tty" && ok ||
		fail "no progress on a terminal: $(cat "$tmp/tty")"
	script -qec "patch-create --no-progress -o '$tmp/j5.ppkg' '$tmp/o3' \
		'$tmp/n3'" /dev/null >"$tmp/tty" 2>&1
	grep -q ' files, ' "$tmp/tty" && fail "progress with --no-progress" ||
		ok
fi

# A limit below the least is refused.
expect 2 patch-create -q --memory 1M -o "$tmp/r.ppkg" "$old" "$new"
expect 2 patch-create -q --memory lots -o "$tmp/r.ppkg" "$old" "$new"
finish
