#!/bin/sh
# mkbuilds.sh DIR: two small builds, DIR/old and DIR/new, with what
# archives carry: nested directories, an empty one, an executable, a
# symlink, a hard-link pair, a file with an extended attribute (where
# the file system allows it), and files added, changed and removed.
set -eu
d=$1
for v in old new; do
	mkdir -p "$d/$v/usr/bin" "$d/$v/usr/share/doc/pkg" "$d/$v/var/empty"
	printf '#!/bin/sh\necho %s\n' "$v" >"$d/$v/usr/bin/tool"
	chmod 755 "$d/$v/usr/bin/tool"
	ln -s tool "$d/$v/usr/bin/tool-alias"
	echo "copyright" >"$d/$v/usr/share/doc/pkg/copyright"
	seq 1 2000 >"$d/$v/usr/share/doc/pkg/numbers"
	chmod 700 "$d/$v/var/empty"
done
echo "only old" >"$d/old/usr/share/doc/pkg/gone"
echo "only new" >"$d/new/usr/share/doc/pkg/added"
seq 1 2100 >"$d/new/usr/share/doc/pkg/numbers"
echo "linked" >"$d/new/usr/bin/data"
ln "$d/new/usr/bin/data" "$d/new/usr/bin/data-link"
chmod 640 "$d/new/usr/bin/data"
setfattr -n user.origin -v build "$d/new/usr/share/doc/pkg/copyright" \
	2>/dev/null || true
