#!/bin/sh
# Builds the two example builds, OUT/old and OUT/new, from the sources
# beside this script: a program, the shared library it loads, a symlink,
# a configuration file, and (in new) an added file and a removed one.
#   sh testdata/example/build.sh OUT
set -eu
src=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUT}
cc=${CC:-cc}
for v in old new; do
	t=$out/$v
	rm -rf "$t"
	mkdir -p "$t/usr/bin" "$t/usr/lib" "$t/etc" "$t/usr/share/doc/hello"
	$cc -O2 -fPIC -shared -Wl,-soname,libgreet.so.1 -Wl,--build-id \
		-o "$t/usr/lib/libgreet.so.1" "$src/$v/greet.c"
	ln -s libgreet.so.1 "$t/usr/lib/libgreet.so"
	$cc -O2 -Wl,--build-id -o "$t/usr/bin/hello" "$src/$v/hello.c" \
		-L"$t/usr/lib" -lgreet -Wl,-rpath,'$ORIGIN/../lib'
	cp "$src/$v/greet.conf" "$t/etc/greet.conf"
	cp "$src/$v/NEWS" "$t/usr/share/doc/hello/NEWS"
	chmod 0644 "$t/etc/greet.conf" "$t/usr/share/doc/hello/NEWS"
done
echo "1.0 only" >"$out/old/usr/share/doc/hello/OLD-NOTES"
mkdir -p "$out/new/usr/share/doc/hello/examples"
echo 'hello "Ada"' >"$out/new/usr/share/doc/hello/examples/run.sh"
chmod 0755 "$out/new/usr/share/doc/hello/examples/run.sh"
