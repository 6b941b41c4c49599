# Shared by the shell tests of the tools: sourced, not run.
# The harness exports top_builddir, top_srcdir and PF_CORPUS.
set -u
: "${top_builddir:=$(pwd)}" "${top_srcdir:=$(pwd)}"
PATH=$top_builddir:$top_builddir/tests/tools:$PATH
export PATH LC_ALL=C

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pf-test.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0
count=0

# pf_config NAME: whether the build defines NAME to 1 (config.h).
pf_config() {
	grep -q "^#define $1 1" "$top_builddir/config.h" 2>/dev/null
}

# mem_bound KIB: a bound on peak memory, in KiB, for this build.  A
# sanitizer build holds several times a normal one's (ASan's shadow
# memory and redzones) and, on top, up to ASan's quarantine of freed
# blocks, which does not scale with the program's own peak: the windowed
# diff of t0850 holds 29 MiB in a normal build and 206 MiB under ASan.
if pf_config PF_SANITIZERS; then
	mem_factor=4 mem_extra=65536
else
	mem_factor=1 mem_extra=0
fi
mem_bound() {
	echo $(($1 * mem_factor + mem_extra))
}

# gcov_aside CMD...: runs CMD, a run killed on purpose at a point that
# may fall after its exit has begun (the live kill loops count calls of
# the whole run).  In a coverage build (make coverage) every process
# writes its counts into the .gcda files when it exits; killed while it
# does, it would leave one torn and fail the whole report, so such runs
# write theirs aside, into $tmp.  (inject.sh's points stop before.)
if pf_config PF_COVERAGE; then
	gcov_aside() { GCOV_PREFIX=$tmp/gcov-aside "$@"; }
else
	gcov_aside() { "$@"; }
fi

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

ok() {
	count=$((count + 1))
}

# expect STATUS CMD...: runs CMD, checks its exit status.
expect() {
	want=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "'$*' exited $got, expected $want: $(cat "$tmp/err")"
		return 1
	fi
	ok
	return 0
}

# A fingerprint of a tree: paths, types, modes, link targets, contents.
# (tests/tools/treehash: one process, where find, sort and sha256sum were
# eight, for tests that take it hundreds of times.)
tree_hash() {
	treehash "$1"
}

# Copies a tree, keeping modes, symlinks and ownership.
copy_tree() {
	cp -a "$1" "$2"
}

# A signing key for the test, and a keyring that trusts it.
make_key() {
	patch-keygen -o "$tmp/${1:-test}" >/dev/null || fail "patch-keygen"
	mkdir -p "$tmp/keys"
	cp "$tmp/${1:-test}.pub" "$tmp/keys/"
}

# Options that keep a test's trust and state out of the tree it patches.
signed_opts() {
	echo "--keyring $tmp/keys --state-dir $tmp/state.$1 $needs"
}
# The corpus trees hold one package each, not the libraries it needs.
needs=
unsigned_opts() {
	echo "--allow-unsigned --state-dir $tmp/state.$1"
}

need_corpus() {
	if [ ! -d "$PF_CORPUS/trees" ]; then
		echo "SKIP: no corpus at $PF_CORPUS"
		exit 77
	fi
	needs=--skip-needs
}

# refused_by_readers STATUS WHAT PATTERN PACKAGE: patch-apply, with and
# without --check (root $tmp/root, state $tmp/state), and patch-inspect
# all exit with STATUS, with a message holding PATTERN, on lines of their
# own and without a raw control byte.
refused_by_readers() {
	_apply="patch-apply --allow-unsigned --state-dir $tmp/state"
	_apply="$_apply --root $tmp/root"
	for _cmd in "$_apply" "$_apply --check" patch-inspect; do
		$_cmd "$4" >/dev/null 2>"$tmp/err"
		_rc=$?
		[ $_rc -eq "$1" ] && ok ||
			fail "$2 ($_cmd): exit $_rc, expected $1: $(cat "$tmp/err")"
		grep -q "$3" "$tmp/err" && ok ||
			fail "$2 ($_cmd): message: $(cat "$tmp/err")"
		! grep -qv '^patch-' "$tmp/err" &&
			[ "$(tr -d '[:print:]\n' <"$tmp/err" | wc -c)" -eq 0 ] &&
			ok || fail "$2 ($_cmd): raw control bytes in the message"
	done
}

# The functions the shared library exports, one a line, into
# $tmp/exported; skips the test when there is no shared library.
shared_exports() {
	_so=$top_builddir/libpatchfmt/.libs/libpatchfmt.so
	if [ ! -f "$_so" ]; then
		echo "SKIP: no shared library (configured with --disable-shared)"
		exit 77
	fi
	# A --enable-coverage build links libgcov, whose functions the
	# library then exports too (__gcov_*, mangle_path): not ours.
	nm -D --defined-only "$_so" | awk '{ print $3 }' | sort -u \
		>"$tmp/exported"
	if grep -q '^__gcov' "$tmp/exported"; then
		nm --defined-only "$(${CC:-cc} -print-file-name=libgcov.a)" \
			2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u \
			>"$tmp/gcov"
		comm -23 "$tmp/exported" "$tmp/gcov" | grep -v '^__gcov' \
			>"$tmp/exported.own"
		mv "$tmp/exported.own" "$tmp/exported"
	fi
}

finish() {
	echo "$count checks, $failures failures"
	[ "$failures" -eq 0 ]
}
