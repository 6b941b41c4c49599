# bash completion for the patchfmt tools: patch-create, patch-apply,
# patch-inspect, patch-rollback, patch-status, patch-keygen,
# patch-keyring and patch-delta.  Installed once under each tool's name
# in bash-completion's directory.  The options come from the tool's own
# --help, so they never drift from the program.

_patchfmt_options()
{
	"$1" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

# The IDs of the patches installed under the --root on the line.
_patchfmt_installed()
{
	local root=/ i
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == --root ]] && root=${COMP_WORDS[i + 1]}
	done
	patch-status --json --root "$root" 2>/dev/null |
		grep -o '"id":"[^"]*"' | cut -d'"' -f4
}

_patchfmt()
{
	local cur prev words cword tool
	_init_completion -s || return
	tool=${words[0]##*/}

	case $prev in
	--root | --state-dir | --needs-root | --debug-dir)
		_filedir -d
		return ;;
	--keyring)
		_filedir -d
		_filedir pub
		return ;;
	--key | -k | --sign)
		_filedir key
		return ;;
	--codec)
		COMPREPLY=($(compgen -W 'pfdelta vcdiff' -- "$cur"))
		return ;;
	--sbom)
		COMPREPLY=($(compgen -W 'cyclonedx spdx' -- "$cur"))
		return ;;
	--hook)
		COMPREPLY=($(compgen -W 'pre-apply= post-apply= pre-rollback=
			post-rollback= health=' -- "$cur"))
		compopt -o nospace
		return ;;
	--pid)
		COMPREPLY=($(compgen -W "$(command ls /proc | grep '^[0-9]')" \
			-- "$cur"))
		return ;;
	-o | --output | --deps | --path)
		_filedir
		return ;;
	--name | --package-version | --description | --product | \
	--from-version | --to-version | --family | --release | --expires | \
	--requires | --conflicts | --supersedes | --provides | --threshold | \
	--signing-threshold | --wait | --memory | -j | --jobs | --issue | \
	--source-rev | --source-url | --phase | --phase-seed | \
	--hook-timeout | --live-only | --live-skip | --root-expires)
		return ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_patchfmt_options "$tool")" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
	fi
	case $tool in
	patch-delta)
		if ((cword == 1)) || [[ ${words[cword - 1]} == -* && cword -le 3 ]]; then
			COMPREPLY=($(compgen -W 'diff apply info' -- "$cur"))
			return
		fi ;;
	patch-keyring)
		if ((cword == 1)); then
			COMPREPLY=($(compgen -W 'init add-key revoke rotate-root
				update show' -- "$cur"))
			return
		fi ;;
	patch-rollback)
		COMPREPLY=($(compgen -W "$(_patchfmt_installed)" -- "$cur"))
		return ;;
	patch-apply | patch-inspect)
		_filedir ppkg
		return ;;
	esac
	_filedir
}
complete -F _patchfmt patch-create patch-apply patch-inspect \
	patch-rollback patch-status patch-keygen patch-keyring patch-delta
