#!/usr/bin/env bats
# completion.bats: the shell completions in completions/.  The bash one is
# driven as bash drives it, through COMP_WORDS and COMP_CWORD, and its
# replies are checked against what watchrun itself takes: the options of
# --help, the names of --list-events, the units, modes and signals its
# options accept.  The zsh file must load; the fish one is asked for its
# completions with `complete -C`.

load helpers

SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd -P)
COMPL=$SRC/completions

# bash_complete WORD...: runs the bash completion on the command line
# "watchrun WORD...", the last word being completed, and leaves its
# replies in $T/reply, one a line and sorted, and the options given to
# compopt in $T/compopt.
bash_complete() {
	: >"$T/compopt"
	bash -c '
		source "$1" || exit 1
		compopt() { echo "$*" >>"$T/compopt"; }
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_watchrun "$1" "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}" || exit 1
		printf "%s\n" "${COMPREPLY[@]}"' \
	    sh "$COMPL/watchrun.bash" "$WATCHRUN" "$@" | sort >"$T/reply"
	[ "${PIPESTATUS[0]}" -eq 0 ]
}

# expect_reply LINE...: the replies are exactly these, in any order.
expect_reply() {
	printf '%s\n' "$@" | sort >"$T/want"
	diff -u "$T/want" "$T/reply"
}

# replies_taken OPT: watchrun takes each reply as the value of OPT.
replies_taken() {
	local v

	while read -r v; do
		"$WATCHRUN" "$1" "$v" --check -- true >/dev/null 2>&1 || {
			echo "# watchrun refuses $1 $v" >&2
			return 1
		}
	done <"$T/reply"
}

# The options --help lists, short and long, one a line.
help_options() {
	"$WATCHRUN" --help | grep -E '^ +-' | cut -c 1-27 |
	    grep -oE -- '--?[A-Za-z][A-Za-z-]*'
}

@test "bash: after -, every option of --help, and --" {
	bash_complete -
	{ help_options; echo --; } | sort >"$T/want"
	[ "$(wc -l <"$T/want")" -gt 40 ]
	diff -u "$T/want" "$T/reply"
	bash_complete --li
	expect_reply --list-events
}

@test "bash: after -e and --events, the names of --list-events" {
	"$WATCHRUN" --list-events | sort >"$T/names"
	grep -qx IN_CLOSE_WRITE "$T/names"
	bash_complete -e ''
	diff -u "$T/names" "$T/reply"
	grep -qx -- "-o nospace" "$T/compopt"
	bash_complete --events ''
	diff -u "$T/names" "$T/reply"
	bash_complete -e MOVED_
	expect_reply MOVED_FROM MOVED_TO
	# Any case goes, as watchrun takes it.
	bash_complete -e cre
	expect_reply CREATE
}

@test "bash: after -e CREATE| and -e CREATE, the names again, after those given" {
	"$WATCHRUN" --list-events | sed 's/^/CREATE|/' | sort >"$T/names"
	bash_complete -e 'CREATE|'
	diff -u "$T/names" "$T/reply"
	# Typed in quotes, as a | must be: the quote is not part of a name.
	bash_complete -e "'CREATE|"
	diff -u "$T/names" "$T/reply"
	bash_complete -e "\"CREATE|"
	diff -u "$T/names" "$T/reply"
	bash_complete -e "'WRITE|CREATE|IN_MOVED_"
	expect_reply 'WRITE|CREATE|IN_MOVED_FROM' 'WRITE|CREATE|IN_MOVED_TO'
	bash_complete -e CREATE,MOVED_T
	expect_reply CREATE,MOVED_TO
	# --events=VALUE comes as three words: '=' breaks words in bash.
	bash_complete --events = CREATE,WRI
	expect_reply CREATE,WRITE
	# Every reply is taken by watchrun as it stands.
	bash_complete -e 'DELETE,'
	replies_taken -e
}

@test "bash: after -d 5 and the other durations, the number with each unit" {
	bash_complete -d 5
	expect_reply 5us 5ms 5s 5m 5h
	bash_complete --debounce 1.5
	expect_reply 1.5us 1.5ms 1.5s 1.5m 1.5h
	bash_complete --max-wait 2m
	expect_reply 2m 2ms
	for opt in --run-timeout --stop-timeout --wait-timeout; do
		bash_complete "$opt" 30
		expect_reply 30us 30ms 30s 30m 30h
	done
	bash_complete --max-wait = 7
	expect_reply 7us 7ms 7s 7m 7h
	# A cluster that ends in -d: its value is the next word.
	bash_complete -qd 3
	expect_reply 3us 3ms 3s 3m 3h
	# No number, no guess.
	bash_complete -d ''
	expect_reply
	bash_complete -d 1
	replies_taken -d
}

@test "bash: after --on-busy, the modes" {
	bash_complete --on-busy ''
	expect_reply queue restart ignore signal
	bash_complete --on-busy r
	expect_reply restart
	bash_complete --on-busy ''
	replies_taken --on-busy
}

@test "bash: after --backend, the backends" {
	bash_complete --backend ''
	expect_reply auto inotify fanotify poll poll=1s
	bash_complete --backend p
	expect_reply poll poll=1s
	bash_complete --backend ''
	replies_taken --backend
}

@test "bash: after --signal and --stop-signal, signal names watchrun takes" {
	bash_complete --stop-signal ''
	for s in HUP INT TERM KILL USR1; do
		grep -qx "$s" "$T/reply"
	done
	replies_taken --stop-signal
	bash_complete --signal SIGUS
	expect_reply SIGUSR1 SIGUSR2
	bash_complete --signal te
	expect_reply TERM
}

@test "bash: directories after -w, files after -f, nothing after a regex" {
	mkdir -p d1 d2
	: >f1
	bash_complete -w ''
	expect_reply d1 d2 runs w
	bash_complete --watch d
	expect_reply d1 d2
	bash_complete -f f
	expect_reply f1
	bash_complete --file ''
	grep -qx f1 "$T/reply"
	grep -qx d1 "$T/reply"
	bash_complete -r ''
	expect_reply
	bash_complete -x ''
	expect_reply
}

@test "bash: the command after -- or the first operand; its own arguments are left to bash" {
	bash_complete -- ech
	grep -qx echo "$T/reply"
	bash_complete -d 1s ech
	grep -qx echo "$T/reply"
	bash_complete -e WRITE -- make -
	expect_reply
	grep -qx -- "-o default" "$T/compopt"
	# An option's value is no operand: -e's is not the command.
	bash_complete -e CREATE -
	grep -qx -- --events "$T/reply"
	bash_complete --events = CREATE -
	grep -qx -- --events "$T/reply"
}

@test "bash: the completion is registered for watchrun" {
	run bash -c 'source "$1" && complete -p watchrun' sh \
	    "$COMPL/watchrun.bash"
	expect_eq "complete -p" "complete -F _watchrun watchrun" "$output"
}

@test "zsh: _watchrun loads, compinit takes it for watchrun, and it names every option" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	run zsh -n "$COMPL/_watchrun"
	[ "$status" -eq 0 ]
	run zsh -f -c 'fpath=("$1" $fpath)
	    autoload -Uz compinit && compinit -u -D || exit 1
	    autoload -Uz +X _watchrun || exit 1
	    print -r -- $_comps[watchrun]' zsh "$COMPL"
	echo "$output" | sed 's/^/# /'
	[ "$status" -eq 0 ]
	expect_eq "_comps[watchrun]" _watchrun "$output"
	for o in $(help_options); do
		grep -E "^[[:space:]]+'" "$COMPL/_watchrun" |
		    grep -qE -- "(^|[^A-Za-z-])$o([^A-Za-z-]|\$)" || {
			echo "# _watchrun does not know $o" >&2
			return 1
		}
	done
}

# fish_complete LINE: fish's completions for LINE, without descriptions,
# sorted, in $T/reply.
fish_complete() {
	fish -c 'source $argv[1]; or exit 1; complete -C $argv[2]' \
	    "$COMPL/watchrun.fish" "$1" | cut -f 1 | sort >"$T/reply"
	[ "${PIPESTATUS[0]}" -eq 0 ]
}

@test "fish: watchrun.fish loads and completes options, events, units, modes and signals" {
	command -v fish >/dev/null || skip "fish is not installed"
	run fish -n "$COMPL/watchrun.fish"
	[ "$status" -eq 0 ]
	# The completions run the watchrun of PATH.
	mkdir bin
	ln -s "$(command -v "$WATCHRUN")" bin/watchrun
	export PATH="$T/bin:$PATH"
	fish_complete 'watchrun --'
	for o in $(help_options | grep -- '^--'); do
		grep -qx -- "$o" "$T/reply" || {
			echo "# watchrun.fish does not offer $o" >&2
			return 1
		}
	done
	"$WATCHRUN" --list-events | sed 's/^/CREATE|/' | sort >"$T/names"
	fish_complete "watchrun -e 'CREATE|"
	sed "s/^'//" "$T/reply" >"$T/unquoted"
	diff -u "$T/names" "$T/unquoted"
	fish_complete 'watchrun -e CREATE,MOVED_T'
	expect_reply CREATE,MOVED_TO
	fish_complete 'watchrun -d 5'
	expect_reply 5us 5ms 5s 5m 5h
	fish_complete 'watchrun --on-busy '
	expect_reply queue restart ignore signal
	fish_complete 'watchrun --stop-signal SIGTE'
	expect_reply SIGTERM
	fish_complete 'watchrun -- ech'
	grep -qx echo "$T/reply"
}
