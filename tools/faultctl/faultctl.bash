# SPDX-License-Identifier: GPL-2.0
# bash completion for faultctl(8)

# Keys come from faultctl itself, so they never go stale.
_faultctl_keys()
{
	"${1:-faultctl}" --help 2>/dev/null |
		awk '/^Keys:/ { k = 1; next } k && /^  [a-z]/ { print $1 } /^$/ { k = 0 }'
}

_faultctl()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else	# without the bash-completion package
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local cmds="show set stats monitor showconf apply version help"
	local gopts="-j --json -p --pretty -h --help -V --version"
	local i cmd="" cmdi=0
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) ;;
		*) cmd=${words[i]}; cmdi=$i; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$gopts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
		fi
		return
	fi

	case $cmd in
	set)
		# KEY VALUE pairs: complete a key in key position
		if (((cword - cmdi) % 2 == 1)); then
			local used="" k
			for ((i = cmdi + 1; i < cword; i += 2)); do
				used+=" ${words[i]}"
			done
			local keys=""
			for k in $(_faultctl_keys "${words[0]}"); do
				[[ " $used " == *" $k "* ]] || keys+=" $k"
			done
			COMPREPLY=($(compgen -W "$keys --help" -- "$cur"))
		fi
		;;
	stats)
		COMPREPLY=($(compgen -W "--per-cpu -c --reset -j --json -p --pretty --help" -- "$cur"))
		;;
	monitor)
		case $prev in
		--count | -n) return ;;
		esac
		COMPREPLY=($(compgen -W "--count -n -j --json -p --pretty --help" -- "$cur"))
		;;
	apply)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--help" -- "$cur"))
		elif declare -F _filedir >/dev/null; then
			_filedir
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		;;
	help)
		((cword == cmdi + 1)) && COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
		;;
	show | version | showconf)
		COMPREPLY=($(compgen -W "-j --json -p --pretty --help" -- "$cur"))
		;;
	esac
} &&
	complete -F _faultctl faultctl
