# per-path.awk OLD NEW NOW: the attribute listings of meta-compare.sh for
# the tree before, after, and at some moment in between.  Every path of
# NOW that is not a staging or backup file must show, as a whole, its
# attributes of OLD or of NEW: never a new file without its capability,
# owner or ACL.  Link counts are left out: the backup the transaction
# keeps as a hard link counts as one until it is dropped.  Prints the
# first path that does not, and exits 1.
function start(line) {
	return line ~ /^\.\/[^ ]* (regular file|regular empty file|directory|symbolic link) [0-9]+ [0-9]+ [0-7]+ [0-9]+ [0-9]+$/
}
FNR == 1 { file++ }
{
	line = $0
	if (start($0)) {
		path = $1
		block[file, path] = ""
		line = $1
		for (i = 2; i < NF - 1; i++)
			line = line " " $i
		line = line " " $NF
	}
	block[file, path] = block[file, path] line "\n"
	if (file == 3 && start($0))
		paths[path] = 1
}
END {
	for (p in paths) {
		if (p ~ /\/\.pf-(new|old)-/)
			continue
		if (block[3, p] != block[1, p] && block[3, p] != block[2, p]) {
			print p
			exit 1
		}
	}
}
