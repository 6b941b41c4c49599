#!/bin/sh
# bash completion: options come from each tool's --help, commands of
# patch-delta and patch-keyring, values of --codec and --sbom, and the
# installed patch IDs for patch-rollback.
. "${top_srcdir:-.}/tests/cli/lib.sh"
PATH=$top_builddir/cmd:$PATH
bc=/usr/share/bash-completion/bash_completion
if [ ! -r "$bc" ] || ! command -v bash >/dev/null; then
	echo "SKIP: bash-completion is not installed (scripts/install-deps)"
	exit 77
fi

# complete WORDS...: the candidates bash offers for the last word.
complete_words() {
	bash -c '
		. "$1"; . "$2"; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_patchfmt "$1" "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' sh "$bc" \
		"$top_srcdir/completion/patchfmt.bash" "$@"
}

has() {
	_want=$1
	shift
	complete_words "$@" >"$tmp/c" 2>"$tmp/err"
	grep -qx -- "$_want" "$tmp/c" && ok ||
		fail "completing '$*' does not offer '$_want': $(tr '\n' ' ' <"$tmp/c") $(cat "$tmp/err")"
}

has --root patch-apply --ro
has --all-processes patch-apply --all
has --package-version patch-create --pack
has --codec patch-create --co
has vcdiff patch-create --codec v
has spdx patch-inspect --sbom s
has --explain patch-inspect --ex
has --log patch-status --l
has diff patch-delta d
has info patch-delta i
has rotate-root patch-keyring ro
has --version patch-keygen --ver

# Installed patch IDs for patch-rollback.
sh "$top_srcdir/testdata/example/build.sh" "$tmp/b" >/dev/null || fail "build"
cp -a "$tmp/b/old" "$tmp/root"
expect 0 patch-create -q --name hello-fix -o "$tmp/p.ppkg" "$tmp/b/old" "$tmp/b/new"
expect 0 patch-apply --allow-unsigned --skip-needs --root "$tmp/root" "$tmp/p.ppkg"
has hello-fix patch-rollback --root "$tmp/root" hel
finish
