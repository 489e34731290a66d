# SPDX-License-Identifier: GPL-2.0
# bash completion for faultctl(8)

# Keys come from faultctl itself, so they never go stale.
_faultctl_keys()
{
	"${1:-faultctl}" --help 2>/dev/null |
		awk '/^Keys:/ { k = 1; next } k && /^  [a-z]/ { print $1 } /^$/ { k = 0 }'
}

# The keys a cgroup's scope takes, from the line --help prints of them.
_faultctl_scoped()
{
	"${1:-faultctl}" --help 2>/dev/null |
		sed -n 's/^For a cgroup (set ... cgroup PATH)://p' | head -n 1
}

# cgroup v2 directories for cgroup PATH.
_faultctl_cgroups()
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -d -- "${cur:-/sys/fs/cgroup/}"))
	compopt -o filenames 2>/dev/null
}

# The values that go with KEY, from the range --help prints for it:
# 0..1 gives both, a window the powers of two, a size a few sizes.
_faultctl_values()
{
	local range
	range=$("${1:-faultctl}" --help 2>/dev/null |
		awk -v k="$2" '/^Keys:/ { f = 1; next } f && $1 == k { print $2; exit }')
	case $range in
	0..1) echo "0 1" ;;
	SIZE) echo "0 16M 64M 256M 1G" ;;
	1..*) echo "1 2 4 8 16 32 64" ;;
	esac
}

# Is any of the words after the command one of $@?
_faultctl_has()
{
	local w o
	for w in "${words[@]:cmdi+1:cword-cmdi-1}"; do
		for o in "$@"; do
			[[ $w == "$o" ]] && return 0
		done
	done
	return 1
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

	local cmds="show set unset stats monitor showconf apply version help"
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
		# KEY VALUE pairs: a key in key position, its values after it;
		# cgroup PATH among them, and then only the keys a scope takes
		if (((cword - cmdi) % 2 == 1)); then
			local used="" k all
			for ((i = cmdi + 1; i < cword; i += 2)); do
				used+=" ${words[i]}"
			done
			all=$(_faultctl_keys "${words[0]}")
			[[ " $used " == *" cgroup "* ]] &&
				all=$(_faultctl_scoped "${words[0]}")
			local keys=""
			for k in $all cgroup; do
				[[ " $used " == *" $k "* ]] || keys+=" $k"
			done
			# fault-around and anon-fault-around are one key in a scope
			if [[ " $used " == *" cgroup "* ]] &&
			   [[ " $used " == *" fault-around "* || " $used " == *" anon-fault-around "* ]]; then
				keys=${keys/ anon-fault-around/}
				keys=${keys/ fault-around/}
			fi
			COMPREPLY=($(compgen -W "$keys --help" -- "$cur"))
		elif [[ $prev == cgroup ]]; then
			_faultctl_cgroups
		else
			COMPREPLY=($(compgen -W "$(_faultctl_values "${words[0]}" "$prev")" -- "$cur"))
		fi
		;;
	unset)
		# scoped keys, and cgroup PATH
		if [[ $prev == cgroup ]]; then
			_faultctl_cgroups
			return
		fi
		local used=" ${words[*]:cmdi+1:cword-cmdi-1} " keys="" k
		for k in $(_faultctl_scoped "${words[0]}") cgroup; do
			[[ $used == *" $k "* ]] || keys+=" $k"
		done
		COMPREPLY=($(compgen -W "$keys --help" -- "$cur"))
		;;
	stats)
		case $prev in
		--interval | -i) COMPREPLY=($(compgen -W "1 2 5 10" -- "$cur")); return ;;
		--count | -n) COMPREPLY=($(compgen -W "1 5 10 60" -- "$cur")); return ;;
		esac
		# only what goes with what is there already
		local o="-j --json -p --pretty --help"
		if _faultctl_has --reset; then
			o="--help"
		elif _faultctl_has --per-cpu -c; then
			:
		elif _faultctl_has --interval -i; then
			o+=" --count -n --timestamp -t"
		else
			o+=" --per-cpu -c --reset --interval -i"
		fi
		COMPREPLY=($(compgen -W "$o" -- "$cur"))
		;;
	monitor)
		case $prev in
		--count | -n) COMPREPLY=($(compgen -W "1 5 10" -- "$cur")); return ;;
		esac
		COMPREPLY=($(compgen -W "--count -n --timestamp -t -j --json -p --pretty --help" -- "$cur"))
		;;
	apply)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--check --help" -- "$cur"))
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
