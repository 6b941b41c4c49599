# Shared by the tests of patches in the field (t09xx): sourced, not run.

# A tree a hook can run chrooted in: dash as /bin/sh and the libraries it
# loads, beside whatever the test puts in it.
shell_tree() {
	mkdir -p "$1/bin" "$1/etc"
	cp /bin/dash "$1/bin/sh"
	for _l in $(ldd /bin/dash | grep -o '/[^ ]*'); do
		mkdir -p "$1$(dirname "$_l")"
		cp -L "$_l" "$1$_l"
	done
}

need_chroot() {
	if [ "$(id -u)" != 0 ] || [ ! -x /bin/dash ]; then
		echo "SKIP: hooks under --root run chrooted: needs root and dash"
		exit 77
	fi
}

# The attributes of every path of a tree, as tests/cli/meta-compare.sh
# prints them, without the state directory the tree holds.
tree_meta() {
	rm -rf "$tmp/meta-copy"
	cp -a "$1" "$tmp/meta-copy"
	rm -rf "$tmp/meta-copy/var/lib/patchfmt"
	rmdir "$tmp/meta-copy/var/lib" "$tmp/meta-copy/var" 2>/dev/null
	sh "$top_srcdir/tests/cli/meta-compare.sh" "$tmp/meta-copy"
	(cd "$tmp/meta-copy" && find . -type f -exec sha256sum {} + | sort)
}

# Every line of a log is one JSON object.
log_lines_ok() {
	python3 -c '
import json, sys
for n, line in enumerate(open(sys.argv[1], "rb").read().split(b"\n")[:-1]):
    json.loads(line)
data = open(sys.argv[1], "rb").read()
sys.exit(0 if data == b"" or data.endswith(b"\n") else 1)
' "$1"
}
