#!/bin/sh
# Builds testdata/exec/prog.c twice (OUT/NAME.old, and OUT/NAME.new with
# -DVERSION2) for each kind of build that tests/cli/t3200-exec.sh
# checks: -O0 and -O2, PIE and not, executable and shared library.
# CC names the compiler (t3210-exec-aarch64.sh: aarch64-linux-gnu-gcc).
#   sh testdata/exec/build.sh OUT
set -eu
src=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUT}
cc=${CC:-cc}
mkdir -p "$out"
build() {
	name=$1
	shift
	$cc "$@" -g0 -o "$out/$name.old" "$src/prog.c"
	$cc "$@" -g0 -DVERSION2 -o "$out/$name.new" "$src/prog.c"
}
build o0-pie -O0 -fPIE -pie
build o2-pie -O2 -fPIE -pie
build o2-nopie -O2 -fno-pie -no-pie
build o0-so -O0 -fPIC -shared -DLIB
build o2-so -O2 -fPIC -shared -DLIB
