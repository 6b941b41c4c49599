#!/bin/sh
# meta-compare.sh DIR: prints every attribute of every path under DIR, one
# block per path, sorted, so that two trees compare with cmp(1): type,
# owner, group, mode, link count, size, allocated blocks of sparse files,
# every extended attribute (getfattr -m -), capabilities (getcap) and
# ACLs (getfacl).  Timestamps are left out; link counts of directories
# depend only on their subdirectories.
set -eu
cd "$1"
find . -mindepth 1 | LC_ALL=C sort | while read -r p; do
	stat -c '%n %F %u %g %a %h %s' "$p"
	# Blocks say whether holes stayed holes; small files are left out,
	# since their allocation depends on the file system alone.
	[ -f "$p" ] && [ "$(stat -c %s "$p")" -gt 1048576 ] &&
		echo "blocks $(stat -c %b "$p")"
	getfattr -h -d -m - -e hex --absolute-names "$p" 2>/dev/null |
		grep -v '^#' | grep -v '^$' || true
	[ -f "$p" ] && [ ! -L "$p" ] && getcap "$p" 2>/dev/null || true
	[ -L "$p" ] || getfacl -n -p -E "$p" 2>/dev/null | grep -v '^#' || true
done
