#!/usr/bin/env bats
# daily.bats: the options of everyday use: --initial and INITIAL,
# --existing, --max-wait, --run-timeout, --wait-timeout, --on-busy signal
# and --signal, --stop-signal, --jobs, --clear, --no-loop and NO_LOOP,
# the second SIGINT, and the run report's list of paths.

# Commands for watchrun are in single quotes; rc, wr_status and WR_PID
# are set by helpers.bash.
# shellcheck disable=SC2016,SC2154,SC2030,SC2031

load helpers

# count_lines FILE ERE: how many lines of FILE match (0 if it is missing).
count_lines() {
	if [ -e "$1" ]; then
		grep -cE -- "$2" "$1" || true
	else
		echo 0
	fi
}

# lines_at_least N FILE ERE
lines_at_least() {
	(($(count_lines "$2" "$3") >= $1))
}

# ms_since EPOCHREALTIME: milliseconds from then until now.
ms_since() {
	elapsed_ms "$1" "$EPOCHREALTIME"
}

# past_ms T0 MS: at least MS milliseconds have passed since T0.
past_ms() {
	(($(ms_since "$1") >= $2))
}

# start_writer FILE [MS]: appends to FILE every 20ms in the background,
# for MS milliseconds (until $T/stop-writer exists when MS is not given,
# 20s at most), then creates $T/writer-done.  The time of its first write
# goes to $T/writer-t0.  (A process of its own, for teardown to find.)
start_writer() {
	bash -c '
		t0=$EPOCHREALTIME
		end=$((${t0/./} / 1000 + ${2:-20000}))
		printf "%s" "$t0" >"$T/writer-t0"
		while :; do
			echo x >>"$1" || exit
			now=${EPOCHREALTIME/./}
			[ ! -e "$T/stop-writer" ] && ((now / 1000 < end)) || break
			sleep 0.02
		done
		: >"$T/writer-done"
	' writer "$@" </dev/null >/dev/null 2>&1 3>&- &
}

stop_writer() {
	: >"$T/stop-writer"
	wait_until test -e "$T/writer-done"
}

# --initial and INITIAL

@test "-i: a run at start with an empty batch, then runs on changes" {
	start_ready -i -w w -d 0 -e CREATE -s '"$T/probe" "$@"'
	wait_runs 1
	expect_argv 1
	expect_var 1 WATCHRUN_COUNT 0
	expect_var 1 WATCHRUN_RULE command-line:1
	: >w/a
	wait_runs 2
	expect_argv 2 w/a
	expect_var 2 WATCHRUN_COUNT 1
	: >w/b
	wait_runs 3
	expect_argv 3 w/b
	expect_eq runs 3 "$(run_count)"
}

@test "-i: every rule of a Watchfile runs once at start" {
	mkdir runs2
	cat >Watchfile <<'EOF'
watch w
debounce 0
'^w/a$' CREATE "$T/probe" "$@"
'^w/b$' CREATE PROBE_RUNS="$T/runs2" "$T/probe" "$@"
EOF
	start_ready -i
	wait_runs 1
	wait_runs 1 "$T/runs2"
	expect_argv 1
	expect_var 1 WATCHRUN_COUNT 0
	expect_bytes runs2/1/argv
	expect_value runs2/1/WATCHRUN_COUNT 0
	# Once each: the next run of each has the change alone.
	: >w/a
	: >w/b
	wait_runs 2
	wait_runs 2 "$T/runs2"
	expect_argv 2 w/a
	expect_bytes runs2/2/argv w/b
	expect_eq "runs of rule 1" 2 "$(run_count)"
	expect_eq "runs of rule 2" 2 "$(run_count "$T/runs2")"
}

@test "INITIAL in a Watchfile: that rule runs at start, the others do not" {
	mkdir runs2
	cat >Watchfile <<'EOF'
watch w
debounce 0
. CREATE|INITIAL "$T/probe" "$@"
. CREATE PROBE_RUNS="$T/runs2" "$T/probe" "$@"
EOF
	start_ready
	wait_runs 1
	expect_argv 1
	expect_var 1 WATCHRUN_COUNT 0
	expect_var 1 WATCHRUN_RULE Watchfile:3
	: >w/a
	wait_runs 2
	wait_runs 1 "$T/runs2"
	expect_argv 2 w/a
	# The second rule's only run is this change's: none at start.
	expect_eq "runs of Watchfile:4" 1 "$(run_count "$T/runs2")"
	expect_bytes runs2/1/argv w/a
	expect_eq "runs of Watchfile:3" 2 "$(run_count)"
}

@test "without -i, nothing runs at start" {
	start_ready -w w -d 0 -e CREATE -s '"$T/probe" "$@"'
	: >w/a
	wait_runs 1
	expect_argv 1 w/a
	: >w/b
	wait_runs 2
	expect_argv 2 w/b
	expect_eq runs 2 "$(run_count)"
}

# --existing

@test "--existing --once: a file already there ends it at once" {
	mkdir w/out
	echo x >w/out/report.xml
	run_sync --once --existing -w w -r 'report\.xml$' -e WRITE -- true
	expect_eq "exit status" 0 "$rc"
	grep -qE '^watchrun: command-line:1: true \(w/out/report\.xml\): exited 0 after' serr
}

@test "without --existing, --once waits for a new change" {
	mkdir w/out
	echo x >w/out/report.xml
	start_ready --once -w w -r 'report\.xml$|/zz$' -e WRITE -- "$T/probe"
	echo x >w/zz
	wait_exit
	expect_eq "exit status" 0 "$wr_status"
	expect_eq runs 1 "$(run_count)"
	expect_var 1 WATCHRUN_PATH w/zz
	expect_var 1 WATCHRUN_COUNT 1
}

@test "--existing: files are CREATE|WRITE, directories CREATE|ISDIR" {
	mkdir -p w/out runs2
	echo x >w/out/report.xml
	cat >Watchfile <<'EOF'
watch w
debounce 300ms
. CREATE|WRITE "$T/probe" "$@"
. CREATE|ISDIR PROBE_RUNS="$T/runs2" "$T/probe" "$@"
EOF
	start_ready --existing
	wait_runs 1
	wait_runs 1 "$T/runs2"
	expect_argv 1 w/out/ w/out/report.xml
	expect_var 1 WATCHRUN_PATH w/out/report.xml
	expect_var 1 WATCHRUN_EVENTS 'WRITE|CREATE'
	expect_bytes runs2/1/argv w/out/
	expect_value runs2/1/WATCHRUN_EVENTS 'CREATE|ISDIR'
	# Then on changes as usual, the existing files reported once.
	: >w/new
	wait_runs 2
	expect_argv 2 w/new
	expect_eq runs 2 "$(run_count)"
	expect_eq "runs of the ISDIR rule" 1 "$(run_count "$T/runs2")"
}

# --max-wait

# bats test_tags=kernel
@test "--max-wait: changes that never pause still make runs" {
	start_ready -w w -d 500ms --max-wait 300ms -s '"$T/probe" "$@"'
	start_writer w/app
	wait_runs 1
	# The writer has not stopped: no quiet period of 500ms has passed.
	[ ! -e writer-done ]
	ms=$(elapsed_ms "$(cat writer-t0)" "$(cat runs/1/start)")
	echo "# the first run came ${ms}ms after the first write"
	expect_argv 1 w/app
	wait_runs 2
	[ ! -e writer-done ]
	stop_writer
	[ "$ms" -ge 250 ]
	[ "$ms" -lt 3000 ]
}

@test "--max-wait 0: no run until the changes pause" {
	start_ready -w w -d 1s --max-wait 0 -s \
	    '[ -e "$T/writer-done" ] || : >"$T/early"; "$T/probe" "$@"'
	# 1.5s of writes, every 20ms.
	start_writer w/app 1500
	wait_runs 1
	[ ! -e early ]
	expect_argv 1 w/app
	expect_eq runs 1 "$(run_count)"
}

# --run-timeout

@test "--run-timeout with --once: the run is stopped, exit 124" {
	start_ready --once --run-timeout 300ms -w w -d 0 -e CREATE -s \
	    '"$T/probe" "$@"; sleep 30 & echo $! >"$T/gc"; wait'
	t0=$EPOCHREALTIME
	: >w/a
	wait_runs 1
	read -r _ shpid pgid _ <runs/1/ids
	wait_exit
	ms=$(ms_since "$t0")
	echo "# watchrun exited after ${ms}ms"
	expect_eq "exit status" 124 "$wr_status"
	grep -qE '^watchrun: command-line:1: "\$T/probe" "\$@"; sleep 30 & echo \$! >"\$T/gc"; wait \(w/a\): timed out, killed by SIGTERM after [0-9]+\.[0-9]{3}s$' log
	[ "$ms" -lt 5000 ]
	proc_gone "$shpid"
	group_empty "$pgid"
}

@test "--run-timeout: SIGKILL after --stop-timeout, and watching goes on" {
	start_ready --run-timeout 200ms --stop-timeout 300ms -w w -d 0 -e CREATE \
	    -s 'trap "" TERM; "$T/probe" "$@"; [ "$1" = w/b ] && exit 0; while :; do sleep 0.05; done'
	: >w/a
	wait_runs 1
	read -r _ shpid pgid _ <runs/1/ids
	wait_for_log '^watchrun: command-line:1: .* \(w/a\): timed out, killed by SIGKILL after [0-9]+\.[0-9]{3}s$'
	group_empty "$pgid"
	: >w/b
	wait_runs 2
	expect_argv 2 w/b
	wait_for_log '^watchrun: command-line:1: .* \(w/b\): exited 0 after'
	proc_alive "$WR_PID"
	# The stop signal came first: SIGKILL only after the stop timeout.
	# (The run's time is counted from its start, which can come a little
	# after the run timeout's, under valgrind much later.)
	line=$(grep -E 'w/a\): timed out' log)
	secs=${line##* after }
	secs=${secs%s}
	echo "# killed after ${secs}s"
	[ "$((10#${secs/./}))" -ge 300 ]
}

# --wait-timeout

@test "--wait-timeout: no run by then, exit 124 and nothing runs" {
	t0=$EPOCHREALTIME
	start_ready --once --wait-timeout 300ms -w w -d 0 -- "$T/probe"
	wait_exit
	ms=$(ms_since "$t0")
	echo "# watchrun exited after ${ms}ms"
	expect_eq "exit status" 124 "$wr_status"
	expect_eq runs 0 "$(run_count)"
	[ "$ms" -ge 300 ]
}

@test "--wait-timeout: a run that started in time is waited for" {
	start_ready --once --wait-timeout 1s -w w -d 0 -e CREATE -s \
	    '"$T/probe" "$@"; "$T/hold"; exit 5'
	# The wait timeout ends at the latest 1s from here.
	t0=$EPOCHREALTIME
	: >w/a
	wait_until test -e holding
	# Past the wait timeout, the run still goes on.
	wait_until past_ms "$t0" 1300
	proc_alive "$WR_PID"
	: >release
	wait_exit
	expect_eq "exit status" 5 "$wr_status"
	expect_eq runs 1 "$(run_count)"
}

@test "--wait-timeout without --once is a usage error" {
	run_sync --wait-timeout 1s -w w -- "$T/probe"
	expect_eq "exit status" 2 "$rc"
	expect_eq "lines on stderr" 1 "$(wc -l <serr)"
	grep -qE "^watchrun: .*--wait-timeout.*; see 'watchrun --help'\$" serr
	[ ! -s sout ]
	expect_eq runs 0 "$(run_count)"
}

# --on-busy signal, --signal

# signal_scenario SIGNAME ARG...: watchrun with ARG... runs a command that
# records SIGNAME; two changes while it runs must each send it SIGNAME,
# with no new run.
signal_scenario() {
	local sig=$1 shpid

	shift
	rm -rf got up runs w
	mkdir runs w
	start_ready -w w -d 0 -e CREATE "$@" -s \
	    "trap 'echo $sig >>\"\$T/got\"' $sig; \"\$T/probe\" \"\$@\"; : >\"\$T/up\"; while :; do sleep 0.05; done"
	: >w/a
	wait_until test -e up
	read -r _ shpid _ _ <runs/1/ids
	: >w/b
	wait_until lines_at_least 1 got "^$sig\$"
	: >w/c
	wait_until lines_at_least 2 got "^$sig\$"
	expect_eq "lines in got" 2 "$(wc -l <got)"
	# The same run goes on; nothing is queued or restarted.
	proc_alive "$shpid"
	expect_eq runs 1 "$(run_count)"
	expect_argv 1 w/a
	kill -TERM "$WR_PID"
	wait_exit
	expect_eq "exit status" 0 "$wr_status"
	expect_eq runs 1 "$(run_count)"
}

@test "--on-busy signal: a change during a run sends SIGHUP, no new run" {
	signal_scenario HUP --on-busy signal
}

@test "--signal USR1 alone implies --on-busy signal" {
	signal_scenario USR1 --signal USR1
}

@test "--signal: names in any case, with or without SIG, and numbers" {
	signal_scenario USR2 --signal sigusr2
	signal_scenario USR1 --on-busy signal --signal SIGUSR1
	signal_scenario HUP --on-busy signal --signal sighup
	signal_scenario USR2 --signal "$(kill -l USR2)"
}

@test "--signal, --stop-signal: a bad signal is a usage error" {
	local see="; see 'watchrun --help'"
	for args in '--signal NOPE' '--signal SIGNOPE' '--signal 0' \
	    '--signal 999' '--signal HUP1' '--stop-signal NOPE' \
	    '--stop-signal 999'; do
		# shellcheck disable=SC2086	# the option and its value
		run_sync $args -w w -- "$T/probe"
		echo "# $args: $(cat serr)"
		expect_eq "exit status of $args" 2 "$rc"
		expect_eq "lines on stderr" 1 "$(wc -l <serr)"
		grep -qF -- "$see" serr
		[ "$(tail -c $((${#see} + 1)) serr)" = "$see" ]
		[ ! -s sout ]
	done
	expect_eq runs 0 "$(run_count)"
}

# --stop-signal

@test "--stop-signal INT: what -R sends to stop a run" {
	start_ready -R --stop-signal INT -w w -d 0 -e CREATE -s \
	    'trap "echo INT >>\"\$T/got\"; exit 0" INT; trap "echo TERM >>\"\$T/got\"; exit 0" TERM; "$T/probe" "$@"; : >"$T/up.${1#w/}"; while :; do sleep 0.05; done'
	: >w/a
	wait_until test -e up.a
	: >w/b
	wait_runs 2
	expect_argv 2 w/b
	wait_until test -e up.b
	expect_eq got INT "$(cat got)"
	# And what watchrun's own exit sends.
	kill -TERM "$WR_PID"
	wait_exit
	expect_eq "exit status" 0 "$wr_status"
	printf '%s\n' INT INT >expected
	diff -u expected got
}

@test "--stop-signal INT: what a run timeout sends" {
	start_ready --once --run-timeout 200ms --stop-signal INT -w w -d 0 \
	    -e CREATE -s 'trap "echo INT >>\"\$T/got\"; exit 7" INT; "$T/probe" "$@"; while :; do sleep 0.05; done'
	: >w/a
	wait_exit
	expect_eq "exit status" 124 "$wr_status"
	expect_eq got INT "$(cat got)"
}

# --jobs

@test "-j 2: two commands at once across the rules, each rule runs once" {
	cat >job <<'EOF'
#!/bin/bash
echo "start $1 $EPOCHREALTIME" >>"$T/jobs.log"
: >"$T/started.$1"
while [ ! -e "$T/release.$1" ]; do sleep 0.01; done
echo "end $1" >>"$T/jobs.log"
EOF
	chmod +x job
	cat >Watchfile <<'EOF'
watch w
debounce 0
'^w/go$' CREATE "$T/job" 1
'^w/go$' CREATE "$T/job" 2
'^w/go$' CREATE "$T/job" 3
'^w/go$' CREATE "$T/job" 4
'^w/sync$' CREATE "$T/probe" "$@"
EOF
	start_ready -j 2
	: >w/go
	wait_until lines_at_least 2 jobs.log '^start '
	# Give an unlimited scheduler time to start the others too.
	t2=$(grep '^start ' jobs.log | sed -n 2p | cut -d' ' -f3)
	wait_until past_ms "$t2" 300
	expect_eq "started" 2 "$(count_lines jobs.log '^start ')"
	first=$(grep '^start ' jobs.log | head -n 1 | cut -d' ' -f2)
	: >"release.$first"
	wait_until lines_at_least 3 jobs.log '^start '
	t3=$(grep '^start ' jobs.log | sed -n 3p | cut -d' ' -f3)
	wait_until past_ms "$t3" 300
	expect_eq "started" 3 "$(count_lines jobs.log '^start ')"
	touch release.1 release.2 release.3 release.4
	wait_until lines_at_least 4 jobs.log '^end '
	# Never more than two at once.
	awk '/^start/ { n++; if (n > max) max = n } /^end/ { n-- }
	    END { print max }' jobs.log >max
	expect_eq "most at once" 2 "$(cat max)"
	# A later run, once they are all done: still one run per rule.
	: >w/sync
	wait_runs 1
	grep '^start ' jobs.log | cut -d' ' -f2 | sort >got
	printf '%s\n' 1 2 3 4 >expected
	diff -u expected got
}

# --clear

CLEAR=$'\e[H\e[2J\e[3J'

@test "-c with standard output to a file: nothing is written" {
	start_ready -c -w w -d 0 -e CREATE -s '"$T/probe" "$@"; echo ran'
	: >w/a
	wait_runs 1
	: >w/b
	wait_runs 2
	wait_until lines_at_least 2 log 'exited 0 after'
	printf 'ran\nran\n' >expected
	diff -u expected wr.out
	refute grep -q $'\e' wr.out
	refute grep -q $'\e' log
}

@test "-c on a terminal: the screen is cleared before each run" {
	command -v script >/dev/null || skip "no script(1)"
	script -qec true /dev/null </dev/null >/dev/null 2>&1 ||
	    skip "no pseudo-terminal to be had (is /dev/pts mounted?)"
	# No colour in the run reports: only the clears are counted.
	export NO_COLOR=1
	fresh_output "$T/tty.out" "$T/log"
	setsid script -qec "$(printf '%q ' "$WATCHRUN" -c -w w -d 0 -e CREATE \
	    -s '"$T/probe" "$@"; echo ran')" /dev/null \
	    </dev/null >"$T/tty.out" 2>"$T/log" 3>&- &
	WR_PID=$!
	wait_for_log 'watchrun: ready, watching' tty.out
	refute grep -q $'\e' tty.out
	: >w/a
	wait_runs 1
	wait_until lines_at_least 1 tty.out 'exited 0 after'
	: >w/b
	wait_runs 2
	wait_until lines_at_least 2 tty.out 'exited 0 after'
	expect_eq "clears" 2 "$(grep -cF -- "${CLEAR}ran" tty.out)"
	# Just before the command's output, nowhere else.
	expect_eq "ESC bytes" 6 "$(tr -cd '\033' <tty.out | wc -c)"
}

# --no-loop, NO_LOOP

# bats test_tags=kernel
@test "--no-loop: the command's own changes do not set it off again" {
	start_ready --no-loop -w w -d 100ms -e 'CREATE|WRITE' \
	    -s 'touch w/out; "$T/probe" "$@"'
	: >w/a
	wait_runs 1
	expect_argv 1 w/a
	wait_until lines_at_least 1 log 'exited 0 after'
	: >w/b
	wait_runs 2
	expect_argv 2 w/b
	wait_until lines_at_least 2 log 'exited 0 after'
	: >w/c
	wait_runs 3
	expect_argv 3 w/c
	expect_eq runs 3 "$(run_count)"
}

@test "without --no-loop, the command's own changes set it off again" {
	start_ready -w w -d 100ms -e 'CREATE|WRITE' \
	    -s 'touch w/out; "$T/probe" "$@"'
	: >w/a
	wait_runs 2
	expect_argv 1 w/a
	expect_argv 2 w/out
}

@test "NO_LOOP and IN_NO_LOOP in a Watchfile apply to that rule" {
	mkdir runs2 runs3
	cat >Watchfile <<'EOF'
watch w
debounce 100ms
'^w/(a|b|out1)$' CREATE|WRITE|NO_LOOP touch w/out1; "$T/probe" "$@"
'^w/(c|d|out2)$' IN_CREATE|IN_CLOSE_WRITE|IN_NO_LOOP touch w/out2; PROBE_RUNS="$T/runs2" "$T/probe" "$@"
'^w/(e|out3)$' CREATE|WRITE touch w/out3; PROBE_RUNS="$T/runs3" "$T/probe" "$@"
EOF
	start_ready
	: >w/a
	: >w/c
	: >w/e
	wait_runs 1
	wait_runs 1 "$T/runs2"
	# The rule without NO_LOOP sets itself off.
	wait_runs 2 "$T/runs3"
	expect_bytes runs3/1/argv w/e
	expect_bytes runs3/2/argv w/out3
	wait_for_log '^watchrun: Watchfile:3: .*: exited 0 after'
	wait_for_log '^watchrun: Watchfile:4: .*: exited 0 after'
	: >w/b
	: >w/d
	wait_runs 2
	wait_runs 2 "$T/runs2"
	expect_argv 1 w/a
	expect_argv 2 w/b
	expect_bytes runs2/1/argv w/c
	expect_bytes runs2/2/argv w/d
	expect_eq "runs of Watchfile:3" 2 "$(run_count)"
	expect_eq "runs of Watchfile:4" 2 "$(run_count "$T/runs2")"
}

# Interrupt

@test "SIGINT: the stop signal, SIGKILL after --stop-timeout, exit 0" {
	start_ready --stop-timeout 500ms -w w -d 0 -e CREATE -s \
	    'trap "echo TERM >>\"\$T/got\"" TERM; "$T/probe" "$@"; : >"$T/up"; while :; do sleep 0.05; done'
	: >w/a
	wait_until test -e up
	read -r _ _ pgid _ <runs/1/ids
	t0=$EPOCHREALTIME
	kill -INT "$WR_PID"
	wait_exit
	ms=$(ms_since "$t0")
	echo "# watchrun exited after ${ms}ms"
	expect_eq "exit status" 0 "$wr_status"
	grep -qx TERM got
	group_empty "$pgid"
	grep -qE '^watchrun: command-line:1: .* \(w/a\): killed by SIGKILL after' log
	[ "$ms" -ge 500 ]
}

@test "a second SIGINT kills the commands' groups at once" {
	start_ready --stop-timeout 30s -w w -d 0 -e CREATE -s \
	    'trap "echo TERM >>\"\$T/got\"" TERM; "$T/probe" "$@"; : >"$T/up"; while :; do sleep 0.05; done'
	: >w/a
	wait_until test -e up
	read -r _ shpid pgid _ <runs/1/ids
	kill -INT "$WR_PID"
	# The first one sent the stop signal, and watchrun waits.
	wait_until file_has got '^TERM$'
	proc_alive "$WR_PID"
	proc_alive "$shpid"
	t0=$EPOCHREALTIME
	kill -INT "$WR_PID"
	wait_exit
	ms=$(ms_since "$t0")
	echo "# watchrun exited ${ms}ms after the second SIGINT, status $wr_status"
	[ "$ms" -lt 3000 ]
	proc_gone "$shpid"
	group_empty "$pgid"
}

# Run reports

# bats test_tags=kernel
@test "run report: (FIRST and N more), (FIRST), nothing for an empty batch" {
	start_ready -i -w w -d 300ms -e CREATE -s '"$T/probe" "$@"'
	wait_for_log '^watchrun: command-line:1: "\$T/probe" "\$@": exited 0 after [0-9]+\.[0-9]{3}s$'
	(cd w && touch a b c)
	wait_for_log '^watchrun: command-line:1: "\$T/probe" "\$@" \(w/a and 2 more\): exited 0 after [0-9]+\.[0-9]{3}s$'
	: >w/d
	wait_for_log '^watchrun: command-line:1: "\$T/probe" "\$@" \(w/d\): exited 0 after [0-9]+\.[0-9]{3}s$'
	expect_eq runs 3 "$(run_count)"
	expect_eq "run reports" 3 "$(count_lines log 'exited 0 after')"
}
