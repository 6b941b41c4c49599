# Fault injection for the shell tests: sourced after lib.sh.  strace
# stops a command at its N-th file-system call and either kills it
# (SIGKILL, as a crash or power loss would) or fails the call with an
# errno, so that every step of a transaction can be interrupted.
#
#   fs_calls SET CMD...      lists CMD's calls of SET ($FS_CHANGES or
#                            $FS_CALLS) in $tmp/calls; prints how many
#   inject N ACTION CMD...   runs CMD with ACTION (signal=KILL,
#                            error=EIO, ...) at the N-th call listed

# Calls that change what is on disk (and open, for O_CREAT): the disk
# only changes at these, so a kill before each of them (strace stops a
# call before it runs) reaches every state a crash can leave.
FS_CHANGES=open,openat,creat,write,pwrite64,fsync,fdatasync,rename,renameat
FS_CHANGES=$FS_CHANGES,renameat2,link,linkat,unlink,unlinkat,mkdir,mkdirat
FS_CHANGES=$FS_CHANGES,rmdir,symlink,symlinkat,fchmod,fchmodat,fchown
FS_CHANGES=$FS_CHANGES,fchownat,ftruncate,fallocate,fsetxattr,lsetxattr
FS_CHANGES=$FS_CHANGES,fremovexattr,lremovexattr
# And every call that can fail on a file system, for injected errors.
FS_CALLS=$FS_CHANGES,close,read,pread64,flock,newfstatat,fstat,fstatfs
FS_CALLS=$FS_CALLS,getdents64,readlinkat,lseek

# Whole strings in a coverage build, where fs_calls looks for .gcda paths.
_gcov_strings=
pf_config PF_COVERAGE &&
	_gcov_strings="-s 4096"

# Every second point by default (make check: the odd ones); make
# check-long sets PF_CRASH_STRIDE=1 and tries every one, and the runs of
# the suite that repeat it (sanitizers, distcheck) every K-th.
stride=${PF_CRASH_STRIDE:-2}

# LeakSanitizer cannot work in a traced process (sanitizer builds).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS

need_strace() {
	if ! command -v strace >/dev/null 2>&1 ||
	    ! strace -qq -o /dev/null true 2>/dev/null; then
		echo "SKIP: strace cannot trace here"
		exit 77
	fi
}

fs_calls() {
	_set=$1
	shift
	strace -f -qq -o "$tmp/trace" $_gcov_strings -e trace="$_set" \
	    -e signal=none "$@" >/dev/null 2>&1
	grep -E '^[0-9]* *[a-z0-9_]+\(' "$tmp/trace" >"$tmp/calls.full"
	# In a coverage build the run ends with libgcov writing its counts
	# into the .gcda files: an error or a kill there is no point of the
	# program's, and would tear a file and with it the whole report.
	# The points stop where it opens the first one.
	if [ -n "$_gcov_strings" ]; then
		_cut=$(grep -n -m1 '\.gcda"' "$tmp/calls.full" | cut -d: -f1)
		[ -z "$_cut" ] || sed -i "$_cut,\$d" "$tmp/calls.full"
	fi
	sed 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/' "$tmp/calls.full" >"$tmp/calls"
	wc -l <"$tmp/calls"
}

# strace counts each system call on its own: the N-th call of the whole
# run is the K-th call of its name.
inject() {
	_n=$1 _action=$2
	shift 2
	_name=$(sed -n "${_n}p" "$tmp/calls")
	_k=$(head -n "$_n" "$tmp/calls" | grep -cx "$_name")
	strace -f -qq -o /dev/null -e trace="$_name" -e signal=none \
	    -e inject="$_name:$_action:when=$_k" "$@"
}

# The number of the first call listed that names TEXT (say, the package):
# calls before it belong to starting the program (the dynamic loader).
first_call() {
	grep -n -F -- "$1" "$tmp/calls.full" | head -1 | cut -d: -f1
}

# No staged or backup file of a transaction anywhere under a directory.
no_leftovers() {
	_left=$(find "$@" -name '.pf-*' -o -name '.new-*' -o -name '.old-*' \
	    -o -name journal -o -name '.journal.tmp' 2>/dev/null | head -3)
	[ -z "$_left" ]
}
