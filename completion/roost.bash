# bash completion for roost(1): subcommands, their options, container
# names (running ones and stored ones, from `roost ls`), and bridge names
# for --net bridge: (from `ip -o link show type bridge`).
#
# Installed as $(DATADIR)/bash-completion/completions/roost; stand-alone
# (it needs bash, not the bash-completion package).  The subcommands and
# options follow the usage texts of frontend/main.c and frontend/cmd_*.c.

# Running containers: the rows of `roost ls` up to its blank line.
_roost_running() {
	"$_roost_cmd" ls 2>/dev/null | awk 'NR == 1 { next } /^$/ { exit }
	    { print $1 }'
}

# Stored containers: the lines under STORED, after the blank line.
_roost_stored() {
	"$_roost_cmd" ls 2>/dev/null | awk 'f { print $1 } /^$/ { b = 1; next }
	    b && /^STORED$/ { f = 1 }'
}

_roost_bridges() {
	command -v ip >/dev/null 2>&1 || return 0
	ip -o link show type bridge 2>/dev/null |
	    awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
}

# _roost_add WORD...: the WORDs that extend the word being completed.  Bash
# completes only what follows the last ':' or '=' (COMP_WORDBREAKS), so
# that much of the word is cut from each match.
_roost_add() {
	local w pre= cs=
	[[ $COMP_WORDBREAKS == *:* ]] && cs+=:
	[[ $COMP_WORDBREAKS == *=* ]] && cs+==
	[[ -n $cs ]] && pre=${_roost_cur%"${_roost_cur##*[$cs]}"}
	for w in "$@"; do
		[[ $w == "$_roost_cur"* ]] && COMPREPLY+=("${w#"$pre"}")
	done
}

# Files (-f) or directories (-d) for the part after the last ':' or '='.
_roost_files() {
	local IFS=$'\n' c=${_roost_cur##*[:=]}
	compopt -o filenames 2>/dev/null
	COMPREPLY+=($(compgen "$1" -- "$c"))
}

# A comma list: complete its last element from the WORDs.
_roost_list() {
	local w head=
	[[ $_roost_cur == *,* ]] && head=${_roost_cur%,*},
	compopt -o nospace 2>/dev/null
	for w in "$@"; do
		_roost_add "$head$w"
	done
}

# --net SPEC (or roost net add's SPEC; $1 = 1 offers none and host too).
_roost_spec() {
	local b
	compopt -o nospace 2>/dev/null
	case $_roost_cur in
	bridge:*,*|routed:*,*)
		_roost_add "${_roost_cur%,*},name=" "${_roost_cur%,*},addr=" \
		    "${_roost_cur%,*},gw="
		;;
	bridge:*)
		for b in $(_roost_bridges); do
			_roost_add "bridge:$b"
		done
		;;
	*)
		[[ $1 == 1 ]] && _roost_add none host
		_roost_add bridge: routed:
		;;
	esac
}

# The value of OPTION ($2) of subcommand VERB ($1); none for the others.
_roost_value() {
	case $2 in
	--rootfs|--from-dir)	_roost_files -d ;;
	--bind|--from-tar|--subuid|--subgid|--usernet)	_roost_files -f ;;
	--net)			_roost_spec 1 ;;
	--ns)	_roost_list user mnt pid ipc uts net cgroup ;;
	--map|--to)
		compopt -o nospace 2>/dev/null
		_roost_add auto u: g:
		;;
	esac
	return 0
}

# Options of VERB; those taking a value are listed in _roost_argopts.
_roost_opts() {
	case $1 in
	run)	echo --rootfs --bind --name -d --detach --hostname --net --ns \
		    --map --uid --gid --env --no-idmap -t --tty -T --no-tty \
		    --help ;;
	unshare)	echo --map --help ;;
	ls)	echo --json --help ;;
	net)	echo --help ;;
	lxc-hook)	echo -n --help ;;
	enter)	echo --uid --gid --cwd --env --clear-env -t --tty -T \
		    --no-tty --help ;;
	exec)	echo --all --jobs --timeout --json --help ;;
	stop)	echo --timeout --help ;;
	kill)	echo --help ;;
	policy)	echo --help ;;
	doctor)	echo --help ;;
	shift)	echo --to --reverse -j --jobs -q --quiet --help ;;
	create)	echo --from-tar --from-dir -q --quiet --help ;;
	destroy)	echo --help ;;
	version)	echo --help ;;
	esac
}

_roost_argopts=' --rootfs --bind --name --hostname --net --ns --map --uid --gid --env --cwd --jobs --timeout --to --from-tar --from-dir --subuid --subgid --usernet -n -j '

_roost() {
	local line=${COMP_LINE:0:COMP_POINT} words=() i w verb prev dd=-1
	local pos=() _roost_cur _roost_cmd
	COMPREPLY=()
	# Words split on blanks only: a ':' or '=' stays in its word.
	read -ra words <<< "$line"
	if [[ $line == *[[:blank:]] || ${#words[@]} -eq 0 ]]; then
		_roost_cur=
	else
		_roost_cur=${words[${#words[@]}-1]}
		unset 'words[${#words[@]}-1]'
	fi
	_roost_cmd=roost
	[[ ${words[0]} == */* && -x ${words[0]} ]] && _roost_cmd=${words[0]}

	if [[ ${#words[@]} -le 1 ]]; then
		_roost_add run unshare ls net lxc-hook enter exec stop kill \
		    policy doctor shift create destroy version help
		return 0
	fi
	verb=${words[1]}

	# The positional arguments before the word, the options' values
	# skipped, and where a "--" is.
	for ((i = 2; i < ${#words[@]}; i++)); do
		w=${words[i]}
		if ((dd >= 0)); then
			pos+=("$w")
		elif [[ $w == -- ]]; then
			dd=${#pos[@]}
		elif [[ $_roost_argopts == *" $w "* ]]; then
			((i++))		# its value, or the word completed
		elif [[ $w != -* ]]; then
			pos+=("$w")
		fi
	done
	# The word right after an option that takes a value.
	prev=${words[${#words[@]}-1]}
	if ((dd < 0)) && [[ $prev == -* && $_roost_argopts == *" $prev "* ]]; then
		_roost_value "$verb" "$prev"
		return 0
	fi
	if ((dd < 0)) && [[ $_roost_cur == --*=* ]]; then
		w=${_roost_cur%%=*}
		_roost_cur=${_roost_cur#*=}
		_roost_value "$verb" "$w"
		return 0
	fi
	# After "--": a command, then its arguments.
	if ((dd >= 0)); then
		if ((${#pos[@]} == dd)); then
			COMPREPLY=($(compgen -c -- "$_roost_cur" | sort -u))
		else
			_roost_files -f
		fi
		return 0
	fi
	if [[ $_roost_cur == -* ]]; then
		_roost_add $(_roost_opts "$verb")
		[[ $verb == policy && ${pos[0]} == explain ]] && _roost_add --json
		[[ $verb == policy && ${pos[0]} == import ]] &&
		    _roost_add --subuid --subgid --usernet
		return 0
	fi

	case $verb in
	run)
		if ((${#pos[@]} == 0)); then
			_roost_add $(_roost_stored)
			COMPREPLY+=($(compgen -c -- "$_roost_cur" | sort -u))
		else
			_roost_files -f
		fi
		;;
	enter|stop)
		((${#pos[@]} == 0)) && _roost_add $(_roost_running)
		;;
	exec)
		_roost_add $(_roost_running)
		;;
	kill)
		if ((${#pos[@]} == 0)); then
			_roost_add $(_roost_running)
		elif ((${#pos[@]} == 1)); then
			w=$(compgen -A signal)
			_roost_add ${w//SIG/}
		fi
		;;
	net)
		case ${#pos[@]} in
		0)	_roost_add add del ls ;;
		1)	_roost_add $(_roost_running) ;;
		2)	[[ ${pos[0]} == add ]] && _roost_spec 0
			[[ ${pos[0]} == del ]] && _roost_add $("$_roost_cmd" \
			    net ls "${pos[1]}" 2>/dev/null | awk 'NR > 1 {
			    print $1 }')
			;;
		esac
		;;
	destroy)
		((${#pos[@]} == 0)) && _roost_add $(_roost_stored)
		;;
	shift)
		((${#pos[@]} == 0)) && _roost_files -d
		;;
	policy)
		case ${#pos[@]} in
		0)	_roost_add check explain import ;;
		1)	[[ ${pos[0]} == check ]] && _roost_files -f
			[[ ${pos[0]} == explain ]] &&
			    COMPREPLY+=($(compgen -u -- "$_roost_cur"))
			;;
		esac
		;;
	esac
	return 0
}

complete -F _roost roost
