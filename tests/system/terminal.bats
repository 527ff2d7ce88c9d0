#!/usr/bin/env bats
# terminal.bats: run reports a person reads at a glance.  On a terminal
# the outcome is green for exit 0, red for a failure, yellow for a run
# watchrun stopped itself; --color and NO_COLOR decide, --bell rings for
# a failure; with standard error not a terminal nothing changes unless
# --color always asks for it.  A pseudo-terminal comes from script(1).
#
# shellcheck disable=SC2016	# commands for sh are in single quotes

load helpers

GREEN=$'\e[32m'
RED=$'\e[31m'
YELLOW=$'\e[33m'
RESET=$'\e[m'

setup_file() {
	export TERM=xterm
}

need_pty() {
	command -v script >/dev/null || skip "no script(1)"
	script -qec true /dev/null </dev/null >/dev/null 2>&1 ||
	    skip "no pseudo-terminal to be had (is /dev/pts mounted?)"
}

# tty_start ARG...: watchrun ARG... on a pseudo-terminal, in a session of
# its own; what the terminal shows goes to $T/tty.out.
tty_start() {
	tty_spawn "$@"
	wait_for_log 'watchrun: ready, watching' "$T/tty.out"
}

# tty_spawn ARG...: tty_start, without waiting for the ready line.
tty_spawn() {
	# Not the last one's: the new one is written from the start.
	rm -f "$T/tty.out"
	setsid script -qec "$(printf '%q ' "$WATCHRUN" "$@")" /dev/null \
	    </dev/null >"$T/tty.out" 2>&1 3>&- &
	WR_PID=$!
}

# tty_once ARG...: watchrun --once ARG... on a pseudo-terminal, for one
# run set off by creating w/x; waits for it to end.
tty_once() {
	tty_start --once -w w -d 0 -e CREATE "$@"
	: >"w/x.$((++once))"
	wait_exit
}

# shows TEXT: the terminal showed TEXT (fixed, escapes included).
shows() {
	grep -qF -- "$1" "$T/tty.out" ||
	    { echo "# not on the terminal: $(printf '%q' "$1")" >&2;
	    cat -v "$T/tty.out" >&2; false; }
}

escapes() {
	tr -cd '\033' <"$1" | wc -c
}

bells() {
	tr -cd '\a' <"$1" | wc -c
}

# bells_are N FILE: FILE holds exactly N bells (for wait_until).
bells_are() {
	[ "$(bells "$2")" -eq "$1" ]
}

@test "on a terminal: exited 0 is green, a failure red, the words the same" {
	need_pty
	tty_start -w w -d 0 -e CREATE \
	    -s 'case $WATCHRUN_PATH in *bad) exit 2 ;; *sig) kill -USR1 $$ ;; esac'
	: >w/good
	wait_until file_has tty.out 'exited 0'
	: >w/bad
	wait_until file_has tty.out 'exited 2'
	: >w/sig
	wait_until file_has tty.out 'SIGUSR1'
	shows "(w/good): ${GREEN}exited 0${RESET} after "
	shows "(w/bad): ${RED}exited 2${RESET} after "
	shows "(w/sig): ${RED}killed by SIGUSR1${RESET} after "
	# The ready line and the rest of each report stay plain.
	expect_eq "escapes" 6 "$(escapes tty.out)"
	expect_eq "bells" 0 "$(bells tty.out)"
}

@test "a run that watchrun stopped for a restart is yellow, and rings no bell" {
	need_pty
	tty_start -R --bell -w w -d 0 -e CREATE \
	    -s ': >"$T/started"; exec tail -f /dev/null'
	: >w/a
	wait_until test -e started
	rm started
	: >w/b
	wait_until file_has tty.out 'killed by SIGTERM'
	shows "(w/a): ${YELLOW}killed by SIGTERM${RESET} after "
	wait_until test -e started
	expect_eq "bells" 0 "$(bells tty.out)"
}

@test "--bell: a failure rings once, after its report; a success and a time-out's report" {
	need_pty
	tty_start --bell --run-timeout 200ms -w w -d 0 -e CREATE \
	    -s 'case $WATCHRUN_PATH in *bad) exit 1 ;; *slow) exec tail -f /dev/null ;; esac'
	: >w/good
	wait_until file_has tty.out 'exited 0'
	expect_eq "bells after a success" 0 "$(bells tty.out)"
	: >w/bad
	wait_until file_has tty.out 'exited 1'
	wait_until bells_are 1 tty.out
	: >w/slow
	wait_until file_has tty.out 'timed out'
	shows "(w/slow): ${RED}timed out, killed by SIGTERM${RESET} after "
	wait_until bells_are 2 tty.out
	# Each bell comes after the report it is for.
	expect_eq "bells up to the failure" 0 \
	    "$(sed '/exited 1/q' tty.out | tr -cd '\a' | wc -c)"
}

@test "--bell -q: the bell alone" {
	need_pty
	# No ready line to wait for: files come until one sets it off.
	tty_spawn --once --bell -q -w w -d 0 -e CREATE -s 'exit 5'
	wait_until poke_until_gone
	wait_exit
	expect_eq "bells" 1 "$(bells tty.out)"
	refute grep -q 'exited' tty.out
}

@test "NO_COLOR set and not empty, or TERM=dumb, turns auto colour off; --color always overrides; never is never" {
	need_pty
	NO_COLOR=1 tty_once -s 'exit 0'
	shows 'exited 0 after'
	expect_eq "escapes with NO_COLOR=1" 0 "$(escapes tty.out)"
	# Empty: as if unset.
	NO_COLOR= tty_once -s 'exit 0'
	shows "${GREEN}exited 0${RESET}"
	TERM=dumb tty_once -s 'exit 0'
	expect_eq "escapes with TERM=dumb" 0 "$(escapes tty.out)"
	NO_COLOR=1 tty_once --color=always -s 'exit 3'
	shows "${RED}exited 3${RESET}"
	tty_once --color never -s 'exit 3'
	shows 'exited 3 after'
	expect_eq "escapes with --color never" 0 "$(escapes tty.out)"
}

@test "standard error not a terminal: no colour and no bell; --color always colours even a file" {
	start_ready --bell -w w -d 0 -e CREATE -s 'exit 1'
	: >w/a
	wait_for_log 'exited 1 after'
	refute grep -q $'[\e\a]' log
	kill -TERM "$WR_PID"
	wait_exit
	NO_COLOR=1 start_ready --bell --color always -w w -d 0 -e CREATE \
	    -s 'exit 1'
	: >w/b
	wait_for_log 'exited 1'
	grep -qF "(w/b): ${RED}exited 1${RESET} after " log
	# The bell is for a terminal only.
	refute grep -q $'\a' log
}
