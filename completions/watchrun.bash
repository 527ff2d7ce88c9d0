# watchrun.bash: bash completion for watchrun(1).  Installed as
# share/bash-completion/completions/watchrun, where bash-completion loads
# it on first use; it needs none of bash-completion's helpers, so it can
# also be sourced alone.  Event names come from `watchrun --list-events`.

# _watchrun_valueopt WORD: succeeds, printing the option, when the next
# word is the value of an option WORD ends with: "-d", "--debounce",
# "-qd".  "-d5" and "--debounce=5" carry their values.
_watchrun_valueopt()
{
	local w=$1 i

	case $w in
	--file | --watch | --ignore | --regex | --events | --debounce | \
	    --shell | --jobs | --on-busy | --max-wait | --run-timeout | \
	    --wait-timeout | --signal | --stop-signal | --stop-timeout | \
	    --max-paths | --explain | --backend | --color)
		printf '%s\n' "$w"
		return 0
		;;
	--* | - | [!-]*)
		return 1
		;;
	esac
	# A cluster of short options: the first that takes a value ends it.
	for ((i = 1; i < ${#w}; i++)); do
		case ${w:i:1} in
		[fwrexdsj])
			((i == ${#w} - 1)) || return 1
			printf '%s\n' "-${w:i:1}"
			return 0
			;;
		esac
	done
	return 1
}

# _watchrun_events PROG CUR: the event names PROG accepts, each after the
# names CUR already holds, so that `-e 'CREATE|MO` completes the last one.
_watchrun_events()
{
	local prog=$1 cur=$2 head=
	local -a names

	if [[ $cur == *[\|,]* ]]; then
		head=${cur%"${cur##*[\|,]}"}
		cur=${cur##*[\|,]}
	fi
	mapfile -t names < <("$prog" --list-events 2>/dev/null)
	# Names are taken in any case; they are offered in upper case.
	mapfile -t COMPREPLY < <(compgen -P "$head" -W "${names[*]}" \
	    -- "${cur^^}")
	compopt -o nospace
}

# _watchrun_duration CUR: CUR's number with each unit duration_parse()
# knows.  An empty word gets nothing: there is no one right number.
_watchrun_duration()
{
	local cur=$1 num

	num=${cur%%[!0-9.]*}
	[[ -n $num ]] || return 0
	mapfile -t COMPREPLY < <(compgen -W \
	    "${num}us ${num}ms ${num}s ${num}m ${num}h" -- "$cur")
}

# _watchrun_signals CUR: signal names as --signal takes them, with or
# without SIG.  kill(1)'s list, not the builtin's: that one adds the
# shell's own (EXIT, ERR) and names real-time signals as watchrun cannot.
_watchrun_signals()
{
	local cur=${1^^} pre=

	[[ $cur == SIG* ]] && pre=SIG
	mapfile -t COMPREPLY < <(compgen -P "$pre" \
	    -W "$(env kill -l 2>/dev/null)" -- "${cur#SIG}")
}

_watchrun()
{
	local cur prev prog opt i w
	local -a opts

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --opt=value reaches us as "--opt" "=" "value": '=' breaks words.
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	# A value in quotes is completed without its opening quote.
	cur=${cur#[\'\"]}

	prog=${COMP_WORDS[0]}
	prog=${prog/#\~/$HOME}
	[[ $prog == */* && -x $prog ]] || prog=watchrun

	# Past "--" or the command's first word, the words are the command's.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == = ]]; then
			((i++))	# the value after "--opt="
		elif [[ ${COMP_WORDS[i + 1]} == = ]]; then
			continue
		elif [[ $w == -- ]]; then
			break
		elif [[ $w == -* ]]; then
			_watchrun_valueopt "$w" >/dev/null && ((i++))
		else
			# An argument of the command: file names.
			compopt -o default
			return
		fi
	done
	if ((i < COMP_CWORD)); then
		if ((i == COMP_CWORD - 1)); then
			compopt -o filenames
			mapfile -t COMPREPLY < <(compgen -c -- "$cur")
		else
			compopt -o default
		fi
		return
	fi

	if opt=$(_watchrun_valueopt "$prev"); then
		case $opt in
		-e | --events)
			_watchrun_events "$prog" "$cur"
			;;
		-d | --debounce | --max-wait | --run-timeout | \
		    --wait-timeout | --stop-timeout)
			_watchrun_duration "$cur"
			;;
		--on-busy)
			mapfile -t COMPREPLY < <(compgen -W \
			    'queue restart ignore signal' -- "$cur")
			;;
		--color)
			mapfile -t COMPREPLY < <(compgen -W \
			    'auto always never' -- "$cur")
			;;
		--backend)
			mapfile -t COMPREPLY < <(compgen -W \
			    'auto inotify fanotify poll poll=1s' -- "$cur")
			;;
		--signal | --stop-signal)
			_watchrun_signals "$cur"
			;;
		-w | --watch)
			compopt -o filenames
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
			;;
		-f | --file | --explain)
			compopt -o filenames
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			;;
		esac
		# A regex, a number or a command line: nothing to offer.
		return
	fi

	if [[ $cur == -* ]]; then
		opts=(-f --file -w --watch -x --ignore -r --regex -e --events
		    -d --debounce -s --shell -R --restart -q --quiet -h --help
		    -i --initial -c --clear -j --jobs --check --print --json
		    --once --on-busy --stop-timeout --partial
		    --follow-symlinks --version --list-events --max-paths
		    --existing --max-wait --run-timeout --wait-timeout
		    --signal --stop-signal --no-loop --no-default-ignores
		    --no-vcs-ignore --explain --backend --init --color --bell
		    --)
		mapfile -t COMPREPLY < <(compgen -W "${opts[*]}" -- "$cur")
		return
	fi
	# The command's first word.
	compopt -o filenames
	mapfile -t COMPREPLY < <(compgen -c -- "$cur")
}

complete -F _watchrun watchrun
