#!/usr/bin/env bats
# systemd.bats: watchrun as a service of Type=notify.  A datagram socket
# stands in for systemd: each message watchrun sends to $NOTIFY_SOCKET
# is one or more lines of $T/notify.log.  READY=1 and STATUS= at ready,
# one STATUS= per run's end, RELOADING=1 and READY=1 around reading the
# rules again, STOPPING=1 on the way out, WATCHDOG=1 only when systemd
# asks for it; and the example units in examples/.
#
# shellcheck disable=SC2016	# commands for sh are in single quotes

load helpers

SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd -P)
STATUS_ERE='^STATUS=watching [0-9]+ (director(y|ies)|trees?) (with|by) .* in [0-9]+ roots?'
LAST_ERE='last run: .* after [0-9]+\.[0-9]{3}s at [0-9]{2}:[0-9]{2}:[0-9]{2}$'

# listen: the stand-in for systemd, at $T/notify.sock.
listen() {
	start_notify_listener "$T/notify.sock" "$T/notify.log"
	export NOTIFY_SOCKET=$T/notify.sock
}

# notes ERE: how many lines of the notify log match.
notes() {
	grep -cE -- "$1" "$T/notify.log" 2>/dev/null || true
}

notes_at_least() {
	(($(notes "$2") >= $1))
}

wakeups() {
	awk '/^voluntary_ctxt_switches:/ { print $2 }' "/proc/$1/status"
}

# bats test_tags=inotify
@test "READY=1 comes with a STATUS= that says what is watched" {
	listen
	mkdir -p w/a/b other
	start_ready -w w -w other -- true
	wait_until notes_at_least 1 '^READY=1$'
	# One message, READY=1 first: nothing in between.
	grep -A1 -x 'READY=1' notify.log >got
	printf '%s\n' READY=1 'STATUS=watching 4 directories with inotify in 2 roots' \
	    >expected
	diff -u expected got
}

# bats test_tags=inotify
@test "each run's end sends one STATUS= with how it ended; no more" {
	listen
	start_ready -w w -d 0 -e CREATE -s '"$T/probe" "$@"; exit 3'
	: >w/a
	wait_runs 1
	wait_until notes_at_least 2 "$STATUS_ERE"
	grep -E "$STATUS_ERE" notify.log | tail -n 1 >got
	grep -qE '^STATUS=watching 1 directory with inotify in 1 root; last run: "\$T/probe" "\$@"; exit 3 exited 3 after [0-9]+\.[0-9]{3}s at [0-9]{2}:[0-9]{2}:[0-9]{2}$' got
	# The time is the local time the run ended.
	t=$(sed -E 's/.* at ([0-9:]+)$/\1/' got)
	now=$(date +%s)
	at=$(date -d "$t" +%s)
	# (Across midnight, "today" at t is a day late.)
	(((now - at + 86400) % 86400 < 60))
	: >w/b
	wait_runs 2
	wait_until notes_at_least 3 "$STATUS_ERE"
	kill -TERM "$WR_PID"
	wait_exit
	# Ready, and one for each of the two runs.
	expect_eq "STATUS= lines" 3 "$(notes '^STATUS=')"
	expect_eq "last runs" 2 "$(notes "$LAST_ERE")"
}

# bats test_tags=inotify
@test "a long command is cut in STATUS=, and a newline in it escaped" {
	listen
	xs=$(printf 'x%.0s' {1..10})
	ys=$(printf 'y%.0s' {1..100})
	start_ready -w w -d 0 -e CREATE -s ": $xs"$'\n''"$T/probe"; : '"$ys"
	: >w/a
	wait_runs 1
	wait_until notes_at_least 1 "$LAST_ERE"
	grep -E "$LAST_ERE" notify.log >got
	expect_eq "status lines" 1 "$(wc -l <got)"
	# 60 bytes: ": " and 10 x, "\n" (2), '"$T/probe"; : ' (14), 32 y.
	grep -qE '^STATUS=watching 1 directory with inotify in 1 root; last run: : x{10}\\n"\$T/probe"; : y{32}\.\.\. exited 0 after ' got
}

@test "STOPPING=1 is the last message, on SIGTERM and at the end of --once" {
	listen
	start_ready -w w -- true
	kill -TERM "$WR_PID"
	wait_exit
	expect_eq "status" 0 "$wr_status"
	expect_eq "last message" STOPPING=1 "$(tail -n 1 notify.log)"
	: >notify.log
	start_ready --once -w w -d 0 -e CREATE -s 'exit 4'
	: >w/a
	wait_exit
	expect_eq "status" 4 "$wr_status"
	wait_until notes_at_least 1 '^STOPPING=1$'
	expect_eq "last message" STOPPING=1 "$(tail -n 1 notify.log)"
	expect_eq "STOPPING=1 messages" 1 "$(notes '^STOPPING=1$')"
}

# bats test_tags=inotify
@test "RELOADING=1 and READY=1 around reading the rules again, with the new STATUS=" {
	listen
	printf '%s\n' 'watch w' "'' CREATE true" >Watchfile
	start_ready
	wait_until notes_at_least 1 '^READY=1$'
	mkdir other
	printf '%s\n' 'watch w other' "'' CREATE true" >Watchfile
	wait_for_log 'rules read again'
	wait_until notes_at_least 2 '^READY=1$'
	sed -n '/^RELOADING=1$/,$p' notify.log >got
	grep -qE '^MONOTONIC_USEC=[0-9]+$' got
	sed -i '/^MONOTONIC_USEC=/d' got
	printf '%s\n' RELOADING=1 READY=1 \
	    'STATUS=watching 2 directories with inotify in 2 roots' >expected
	diff -u expected got
	# MONOTONIC_USEC is CLOCK_MONOTONIC, as systemd reads it.
	us=$(sed -n 's/^MONOTONIC_USEC=//p' notify.log)
	now=$(python3 -c 'import time; print(int(time.monotonic() * 1e6))')
	((us > now - 60000000 && us <= now))
}

@test "a rules file that does not parse sends no RELOADING=1" {
	listen
	printf '%s\n' 'watch w' "'' CREATE true" >Watchfile
	start_ready
	wait_until notes_at_least 1 '^READY=1$'
	printf '%s\n' 'watch w' "'' NOSUCH true" >Watchfile
	wait_for_log 'the rules stay as they were'
	printf '%s\n' 'watch w' "'' CREATE true" "'' DELETE true" >Watchfile
	wait_for_log 'rules read again'
	wait_until notes_at_least 2 '^READY=1$'
	expect_eq "RELOADING=1 messages" 1 "$(notes '^RELOADING=1$')"
}

@test "WATCHDOG_USEC: WATCHDOG=1 at half the interval; commands see neither variable" {
	listen
	t0=$(now_ms)
	WATCHDOG_USEC=200000 start_ready -w w -d 0 -e CREATE -s '"$T/probe"'
	wait_until notes_at_least 4 '^WATCHDOG=1$'
	ms=$(($(now_ms) - t0))
	# Four pings 100ms apart, the first 100ms after the start.
	((ms >= 400))
	: >w/a
	wait_runs 1
	refute grep -qE '^(WATCHDOG_USEC|WATCHDOG_PID|NOTIFY_SOCKET)$' \
	    runs/1/envnames
	grep -qx T runs/1/envnames
}

# start_as_pid ARG...: start_watchrun, with WATCHDOG_PID set to the pid
# that watchrun will have ($$ of the sh that execs it).
start_as_pid() {
	fresh_output "$T/wr.out" "$T/log"
	setsid sh -c 'WATCHDOG_PID=$$ exec "$0" "$@"' "$WATCHRUN" "$@" \
	    </dev/null >"$T/wr.out" 2>"$T/log" 3>&- &
	WR_PID=$!
	wait_for_log "$READY_ERE"
}

@test "WATCHDOG_PID: pings when it names watchrun's pid" {
	listen
	WATCHDOG_USEC=100000 start_as_pid -w w -- true
	wait_until notes_at_least 3 '^WATCHDOG=1$'
}

# bats test_tags=inotify
@test "no watchdog asked for: no WATCHDOG=1, and an idle watchrun never wakes" {
	listen
	# Unset, and set for another process (a parent's, passed on).
	for env in "" "WATCHDOG_USEC=100000 WATCHDOG_PID=1"; do
		fresh_output "$T/log"
		# shellcheck disable=SC2086	# words of an env list
		setsid env $env "$WATCHRUN" -w w -d 0 -- true \
		    </dev/null >/dev/null 2>"$T/log" 3>&- &
		WR_PID=$!
		wait_for_log "$READY_ERE"
		wait_until notes_at_least 1 '^READY=1$'
		before=$(wakeups "$WR_PID")
		sleep 1
		expect_eq "wake-ups in an idle second ($env)" 0 \
		    $(($(wakeups "$WR_PID") - before))
		expect_eq "WATCHDOG=1 ($env)" 0 "$(notes '^WATCHDOG=1$')"
		kill -TERM "$WR_PID"
		wait_exit
		: >notify.log
	done
}

# bats test_tags=inotify
@test "without NOTIFY_SOCKET, WATCHDOG_USEC wakes nothing" {
	WATCHDOG_USEC=100000 start_ready -w w -- true
	before=$(wakeups "$WR_PID")
	sleep 0.5
	expect_eq "wake-ups" 0 $(($(wakeups "$WR_PID") - before))
}

# The example units

# unit_key FILE KEY: the value of KEY= in the unit FILE, one a line.
unit_key() {
	sed -n "s/^$2=//p" "$1"
}

@test "the example units are of Type=notify, leave stopping the commands to watchrun and have no ExecReload" {
	for u in watchrun.service watchrun@.service; do
		f=$SRC/examples/$u
		expect_eq "$u Type" notify "$(unit_key "$f" Type)"
		expect_eq "$u KillMode" mixed "$(unit_key "$f" KillMode)"
		[ -n "$(unit_key "$f" WatchdogSec)" ]
		# SIGHUP would stop watchrun: no reload through systemctl.
		[ -z "$(unit_key "$f" ExecReload)" ]
		[ "$(unit_key "$f" ExecStart | cut -d ' ' -f 1)" = watchrun ]
	done
}

# unit_copy UNIT DIR: UNIT from examples/ in DIR, with ExecStart's
# watchrun the one under test (systemd looks for it in a fixed path).
unit_copy() {
	sed "s|^ExecStart=watchrun|ExecStart=$WATCHRUN|" \
	    "$SRC/examples/$1" >"$2/$1"
}

@test "the example units pass systemd-analyze verify" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	[ -x "$WATCHRUN" ] && [ "${WATCHRUN#/}" != "$WATCHRUN" ] ||
	    skip "WATCHRUN is not an absolute path to the program"
	mkdir units
	unit_copy watchrun.service units
	unit_copy watchrun@.service units
	cp units/watchrun@.service units/watchrun@home-me-src-app.service
	for u in watchrun.service watchrun@home-me-src-app.service; do
		rc=0
		(cd units && systemd-analyze verify --man=no "./$u") \
		    >out 2>err || rc=$?
		if [ "$rc" -ne 0 ] || [ -s err ]; then
			echo "# $u:" >&2
			cat err >&2
			false
		fi
	done
}

# unit_start FILE INSTANCE: starts ExecStart of the unit FILE as systemd
# would, in its WorkingDirectory, the specifiers %h, %i and %f expanded
# for INSTANCE (an escaped path, or "" for none).
unit_start() {
	local exec dir path

	path=$(systemd-escape --unescape --path -- "$2" 2>/dev/null) ||
	    path=/${2//-//}
	exec=$(unit_key "$1" ExecStart)
	dir=$(unit_key "$1" WorkingDirectory)
	exec=${exec//%i/$2}
	exec=${exec//%f/$path}
	exec=${exec//%h/$HOME}
	dir=${dir//%f/$path}
	dir=${dir//%h/$HOME}
	[ "${exec%% *}" = watchrun ] || return 1
	fresh_output "$T/wr.out" "$T/log"
	(cd "$dir" && exec setsid sh -c "exec \"\$0\" ${exec#watchrun}" \
	    "$WATCHRUN") </dev/null >"$T/wr.out" 2>"$T/log" 3>&- &
	WR_PID=$!
}

@test "watchrun@.service: the instance names the directory; watchrun runs its Watchfile there" {
	listen
	mkdir -p home/src/my-app
	export HOME=$T/home
	inst=$(systemd-escape --path "$HOME/src/my-app" 2>/dev/null) ||
	    skip "no systemd-escape"
	cd home/src/my-app
	printf '%s\n' "'\\.c\$' WRITE \"\$T/probe\" \"\$@\"" >Watchfile
	cd "$T"
	unit_start "$SRC/examples/watchrun@.service" "$inst"
	wait_for_log "$READY_ERE"
	wait_until notes_at_least 1 '^READY=1$'
	echo x >home/src/my-app/a.c
	wait_runs 1
	expect_argv 1 a.c
	expect_eq cwd "$HOME/src/my-app" "$(cat runs/1/cwd)"
	expect_var 1 WATCHRUN_RULE Watchfile:1
}

@test "watchrun.service: its rules file, relative to its WorkingDirectory" {
	listen
	f=$SRC/examples/watchrun.service
	rules=$(unit_key "$f" ExecStart | sed -n 's/.* -f \([^ ]*\).*/\1/p')
	[ -n "$rules" ]
	sed "s|^ExecStart=watchrun -f $rules|ExecStart=watchrun -f $T/rules|; s|^WorkingDirectory=.*|WorkingDirectory=$T/w|" \
	    "$f" >unit
	printf '%s\n' "'' CREATE \"\$T/probe\" \"\$@\"" >rules
	unit_start unit ""
	wait_for_log "$READY_ERE"
	: >w/a
	wait_runs 1
	expect_argv 1 a
	wait_until notes_at_least 2 "$STATUS_ERE"
}
