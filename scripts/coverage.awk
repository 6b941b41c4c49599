# Line coverage per folder from an lcov tracefile (make coverage): one row
# per folder of libpatchfmt/ and cmd/, then the total.  Exits 1 when a
# folder is below min percent.
/^SF:/ {
	path = substr($0, 4)
	if (match(path, /libpatchfmt\/[a-z]+\//))
		dir = substr(path, RSTART, RLENGTH - 1)
	else if (match(path, /cmd\//))
		dir = "cmd"
	else
		dir = "other"
}
/^LF:/ { found[dir] += substr($0, 4); total_found += substr($0, 4) }
/^LH:/ { hit[dir] += substr($0, 4); total_hit += substr($0, 4) }
END {
	n = 0
	for (d in found)
		dirs[++n] = d
	for (i = 2; i <= n; i++)        # insertion sort, for a stable order
		for (j = i; j > 1 && dirs[j - 1] > dirs[j]; j--) {
			t = dirs[j]; dirs[j] = dirs[j - 1]; dirs[j - 1] = t
		}
	printf "%-24s %8s %8s %7s\n", "folder", "lines", "hit", "percent"
	bad = 0
	for (i = 1; i <= n; i++) {
		d = dirs[i]
		pct = found[d] ? 100 * hit[d] / found[d] : 100
		mark = pct < min ? "  below " min "%" : ""
		if (pct < min)
			bad = 1
		printf "%-24s %8d %8d %6.1f%%%s\n", d, found[d], hit[d], pct, mark
	}
	printf "%-24s %8d %8d %6.1f%%\n", "total", total_found, total_hit,
	    total_found ? 100 * total_hit / total_found : 100
	exit bad
}
